package dev.kickback.api;

import dev.kickback.kernels.KernelOps;

/**
 * Validation of public arguments. Messages name the argument, the index and the value, and all
 * checks run before anything is mutated, so a rejected call leaves the network unchanged.
 */
final class Checks {
  private Checks() {}

  static void batch(int batch, int maxBatch) {
    if (batch < 1 || batch > maxBatch) {
      throw new IllegalArgumentException(
          "batch = " + batch + ": must be in [1, " + maxBatch + "] (the workspace's maxBatch)");
    }
  }

  static void maxBatch(int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch = " + maxBatch + ": must be >= 1");
    }
  }

  /** {@code arr} holds exactly {@code rows x cols} values. */
  static void matrix(String name, float[] arr, int rows, int cols) {
    if (arr == null) {
      throw new NullPointerException(name + " is null");
    }
    long expected = (long) rows * cols;
    if (arr.length != expected) {
      throw new IllegalArgumentException(name + ".length = " + arr.length + ": expected "
          + expected + " (" + rows + " rows x " + cols + " columns)");
    }
  }

  /**
   * {@link #matrix(String, float[], int, int)} for {@code name[index]}, the name built only for
   * the message: a caller that restores a network's parameters in a loop allocates nothing.
   */
  static void matrix(String name, int index, float[] arr, int rows, int cols) {
    if (arr == null || arr.length != (long) rows * cols) {
      matrix(name + "[" + index + "]", arr, rows, cols);
    }
  }

  /** {@link #finite(String, float[], int)} for {@code name[index]}, the name as above. */
  static void finite(String name, int index, float[] arr, int cols) {
    for (float v : arr) {
      if (!Float.isFinite(v)) {
        finite(name + "[" + index + "]", arr, cols);
      }
    }
  }

  /** Every value of a {@code [rows][cols]} matrix is finite. */
  static void finite(String name, float[] arr, int cols) {
    for (int i = 0; i < arr.length; i++) {
      if (!Float.isFinite(arr[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] = " + arr[i] + " (row "
            + i / cols + ", column " + i % cols + "): values must be finite");
      }
    }
  }

  /**
   * {@link #finite(String, float[], int)} on the kernels' vector check; the loop that names the
   * first value that is not finite runs only when there is one.
   */
  static void finite(KernelOps ops, String name, float[] arr, int cols) {
    if (!ops.allFinite(arr, 0, arr.length)) {
      finite(name, arr, cols);
    }
  }

  static void rate(String name, float lr) {
    if (!(lr > 0f) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException(name + " = " + lr + ": must be finite and > 0");
    }
  }

  /** Rates per layer; the name {@code lr[l]} is built only for the message. */
  static void rates(float[] lr, int layers) {
    if (lr == null) {
      throw new NullPointerException("lr is null");
    }
    if (lr.length != layers) {
      throw new IllegalArgumentException("lr.length = " + lr.length
          + ": expected one rate per weight layer, " + layers);
    }
    for (int l = 0; l < lr.length; l++) {
      if (!(lr[l] > 0f) || !Float.isFinite(lr[l])) {
        rate("lr[" + l + "]", lr[l]);
      }
    }
  }
}
