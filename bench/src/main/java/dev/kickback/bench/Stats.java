package dev.kickback.bench;

import java.util.Arrays;

/** The two tests {@link AbRun} needs, without a statistics library. */
final class Stats {
  private Stats() {}

  /** Student's t two-sided 95% quantiles for 1 to 30 degrees of freedom. */
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
      2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
      2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

  /**
   * The 0.975 quantile of Student's t with {@code df} degrees of freedom (at least 1; between
   * table entries interpolated in 1/df, which is close to linear there).
   */
  static double tQuantile975(double df) {
    if (!(df >= 1)) {
      df = 1;
    }
    if (df >= 30) {
      // from 30 on, t approaches z = 1.95996 like 1/df
      return 1.95996 + (T975[29] - 1.95996) * 30 / df;
    }
    int lo = (int) Math.floor(df);
    if (lo == df) {
      return T975[lo - 1];
    }
    double w = (1 / df - 1.0 / (lo + 1)) / (1.0 / lo - 1.0 / (lo + 1));
    return w * T975[lo - 1] + (1 - w) * T975[lo];
  }

  /**
   * Two-sided p-value of the Mann-Whitney U test that {@code x} and {@code y} come from one
   * distribution: the normal approximation with the tie correction and a continuity
   * correction (fair from 5 samples a side; the bench takes 8 and more).
   */
  static double mannWhitneyP(double[] x, double[] y) {
    int n1 = x.length;
    int n2 = y.length;
    if (n1 == 0 || n2 == 0) {
      return Double.NaN;
    }
    int n = n1 + n2;
    double[][] all = new double[n][];
    for (int i = 0; i < n1; i++) {
      all[i] = new double[] {x[i], 0};
    }
    for (int i = 0; i < n2; i++) {
      all[n1 + i] = new double[] {y[i], 1};
    }
    Arrays.sort(all, (p, q) -> Double.compare(p[0], q[0]));
    double rankSumX = 0;
    double ties = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && all[j + 1][0] == all[i][0]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      int t = j - i + 1;
      ties += (double) t * t * t - t;
      for (int k = i; k <= j; k++) {
        if (all[k][1] == 0) {
          rankSumX += rank;
        }
      }
      i = j + 1;
    }
    double u = rankSumX - n1 * (n1 + 1) / 2.0;
    double mu = n1 * (double) n2 / 2;
    double sigma = Math.sqrt(n1 * (double) n2 / 12 * ((n + 1) - ties / ((double) n * (n - 1))));
    if (sigma == 0) {
      return 1;
    }
    double z = (Math.abs(u - mu) - 0.5) / sigma;
    return Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
  }

  /** The standard normal distribution function (Abramowitz and Stegun 7.1.26, 1.5e-7). */
  static double normalCdf(double z) {
    double x = Math.abs(z) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * x);
    double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t
        - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }
}
