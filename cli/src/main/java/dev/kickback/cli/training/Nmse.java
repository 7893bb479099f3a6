package dev.kickback.cli.training;

/** Normalized mean squared error: the mean squared error over the targets' variance. */
public final class Nmse {
  private Nmse() {}

  /** NaN when the targets are constant (no variance to normalize by). */
  public static double of(double[] pred, double[] y) {
    double mean = 0;
    for (double v : y) {
      mean += v;
    }
    mean /= y.length;
    double se = 0;
    double var = 0;
    for (int i = 0; i < y.length; i++) {
      double e = y[i] - pred[i];
      se += e * e;
      var += (y[i] - mean) * (y[i] - mean);
    }
    return var == 0 ? Double.NaN : se / var;
  }

  public static double of(float[] pred, float[] y) {
    return of(widen(pred), widen(y));
  }

  private static double[] widen(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
