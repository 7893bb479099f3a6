package dev.kickback.testkit;

import java.util.SplittableRandom;

/**
 * A seeded, smooth regression problem for demos and tests: inputs are standard normal,
 * the target is a fixed nonlinear function of three random unit directions,
 * {@code sin(1.5 z1) + 0.5 z2^2 + 0.5 z1 z3}, standardized to mean 0 and variance 1 over the
 * generated sample (so the constant predictor has mean loss about 0.5).
 *
 * @param x inputs, row-major {@code [rows][width]}
 * @param y targets, {@code [rows]}
 */
public record SyntheticRegression(float[] x, float[] y, int rows, int width) {

  /** Generates {@code rows} samples of {@code width} features; same seed, same data. */
  public static SyntheticRegression generate(int rows, int width, long seed) {
    if (rows < 2 || width < 1) {
      throw new IllegalArgumentException(
          "rows = " + rows + ", width = " + width + ": need rows >= 2 and width >= 1");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] dirs = new double[3][width];
    for (double[] u : dirs) {
      double norm = 0;
      for (int i = 0; i < width; i++) {
        u[i] = rnd.nextGaussian();
        norm += u[i] * u[i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < width; i++) {
        u[i] /= norm;
      }
    }
    float[] x = new float[rows * width];
    double[] raw = new double[rows];
    double mean = 0;
    for (int r = 0; r < rows; r++) {
      double z1 = 0;
      double z2 = 0;
      double z3 = 0;
      for (int i = 0; i < width; i++) {
        float v = (float) rnd.nextGaussian();
        x[r * width + i] = v;
        z1 += dirs[0][i] * v;
        z2 += dirs[1][i] * v;
        z3 += dirs[2][i] * v;
      }
      raw[r] = Math.sin(1.5 * z1) + 0.5 * z2 * z2 + 0.5 * z1 * z3;
      mean += raw[r];
    }
    mean /= rows;
    double var = 0;
    for (double v : raw) {
      var += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(var / rows);
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      y[r] = (float) ((raw[r] - mean) / sd);
    }
    return new SyntheticRegression(x, y, rows, width);
  }

  /** Copies rows {@code [from, from + count)} into {@code xDst} and {@code yDst}. */
  public void batch(int from, int count, float[] xDst, float[] yDst) {
    System.arraycopy(x, from * width, xDst, 0, count * width);
    System.arraycopy(y, from, yDst, 0, count);
  }
}
