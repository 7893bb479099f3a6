package dev.kickback.cli.training;

import dev.kickback.cli.data.Split;

/**
 * Ordinary least squares with an intercept, solved from the normal equations by Cholesky in
 * double (a relative ridge of 1e-10 keeps constant columns solvable). The yardstick beside
 * every NMSE. Time O(n d^2 + d^3), memory O(d^2): {@link #applies} caps d at
 * {@value #MAX_INPUTS} inputs (32 MB of normal equations, seconds to solve).
 */
public final class LinearBaseline {
  /** Most inputs the baseline is computed for. */
  public static final int MAX_INPUTS = 2000;

  private LinearBaseline() {}

  /** Whether the split is narrow enough for the baseline. */
  public static boolean applies(Split s) {
    return s.width <= MAX_INPUTS;
  }

  /** "linear NMSE" for the CLI's result line, or why it was skipped. */
  public static String describe(Split s) {
    return applies(s)
        ? String.format(java.util.Locale.ROOT, "linear %.6f", nmse(s))
        : "linear baseline skipped: " + s.width + " inputs, over " + MAX_INPUTS;
  }

  /** Test NMSE of the least-squares fit on the training part; needs {@link #applies}. */
  public static double nmse(Split s) {
    if (!applies(s)) {
      throw new IllegalArgumentException(s.width + " inputs: the linear baseline is computed"
          + " for at most " + MAX_INPUTS);
    }
    int d = s.width + 1;
    double[] a = new double[d * d];
    double[] rhs = new double[d];
    double[] row = new double[d];
    for (int i = 0; i < s.trainRows; i++) {
      for (int c = 0; c < s.width; c++) {
        row[c] = s.xTrain[i * s.width + c];
      }
      row[s.width] = 1;
      for (int p = 0; p < d; p++) {
        rhs[p] += row[p] * s.yTrain[i];
        for (int q = 0; q < d; q++) {
          a[p * d + q] += row[p] * row[q];
        }
      }
    }
    double trace = 0;
    for (int p = 0; p < d; p++) {
      trace += a[p * d + p];
    }
    for (int p = 0; p < d; p++) {
      a[p * d + p] += 1e-10 * trace / d;
    }
    double[] beta = solveCholesky(a, rhs, d);
    float[] pred = new float[s.testRows];
    for (int i = 0; i < s.testRows; i++) {
      double v = beta[s.width];
      for (int c = 0; c < s.width; c++) {
        v += beta[c] * s.xTest[i * s.width + c];
      }
      pred[i] = (float) v;
    }
    return Nmse.of(pred, s.yTest);
  }

  static double[] solveCholesky(double[] a, double[] b, int n) {
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i * n + j];
        for (int k = 0; k < j; k++) {
          sum -= l[i * n + k] * l[j * n + k];
        }
        if (i == j) {
          if (sum <= 0) {
            throw new ArithmeticException("normal equations not positive definite");
          }
          l[i * n + i] = Math.sqrt(sum);
        } else {
          l[i * n + j] = sum / l[j * n + j];
        }
      }
    }
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = b[i];
      for (int k = 0; k < i; k++) {
        sum -= l[i * n + k] * z[k];
      }
      z[i] = sum / l[i * n + i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double sum = z[i];
      for (int k = i + 1; k < n; k++) {
        sum -= l[k * n + i] * x[k];
      }
      x[i] = sum / l[i * n + i];
    }
    return x;
  }
}
