package dev.kickback.io;

import java.util.Arrays;

/**
 * The affine maps a model was trained behind: inputs {@code (x_i - inputMean[i]) / inputSd[i]},
 * target {@code (y - targetMean) / targetSd}. Stored in the model file so that raw data can be
 * fed to a saved model.
 */
public record Standardization(double[] inputMean, double[] inputSd, double targetMean,
    double targetSd) {

  public Standardization {
    if (inputMean.length != inputSd.length) {
      throw new IllegalArgumentException("inputMean.length = " + inputMean.length
          + " but inputSd.length = " + inputSd.length);
    }
    for (int i = 0; i < inputSd.length; i++) {
      check("inputMean[" + i + "]", inputMean[i], false);
      check("inputSd[" + i + "]", inputSd[i], true);
    }
    check("targetMean", targetMean, false);
    check("targetSd", targetSd, true);
    inputMean = inputMean.clone();
    inputSd = inputSd.clone();
  }

  private static void check(String name, double v, boolean positive) {
    if (!Double.isFinite(v) || (positive && !(v > 0))) {
      throw new IllegalArgumentException(name + " = " + v + ": must be finite"
          + (positive ? " and > 0" : ""));
    }
  }

  public int width() {
    return inputMean.length;
  }

  /** Standardizes raw row-major inputs {@code [rows][width]} into floats. */
  public float[] inputs(double[] raw, int rows) {
    int d = width();
    float[] out = new float[rows * d];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < d; i++) {
        out[r * d + i] = (float) ((raw[r * d + i] - inputMean[i]) / inputSd[i]);
      }
    }
    return out;
  }

  /** A standardized prediction back in the target's units. */
  public double target(float standardized) {
    return standardized * targetSd + targetMean;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardization s && Arrays.equals(inputMean, s.inputMean)
        && Arrays.equals(inputSd, s.inputSd) && targetMean == s.targetMean
        && targetSd == s.targetSd;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(inputMean) * 31 + Arrays.hashCode(inputSd);
  }
}
