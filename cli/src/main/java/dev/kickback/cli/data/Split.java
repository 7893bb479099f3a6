package dev.kickback.cli.data;

import dev.kickback.cli.data.NumericTable;
import dev.kickback.io.Standardization;
import java.util.SplittableRandom;

/**
 * A seeded random train/test split of one task, inputs and target standardized with the
 * training part's mean and standard deviation (a constant column keeps scale 1).
 */
public final class Split {
  public final int width;
  public final float[] xTrain;
  public final float[] yTrain;
  public final float[] xTest;
  public final float[] yTest;
  public final int trainRows;
  public final int testRows;
  /** The training part's means and deviations, as a model file stores them. */
  public final Standardization standardization;

  private Split(int width, float[] xTrain, float[] yTrain, float[] xTest, float[] yTest,
      Standardization standardization) {
    this.standardization = standardization;
    this.width = width;
    this.xTrain = xTrain;
    this.yTrain = yTrain;
    this.xTest = xTest;
    this.yTest = yTest;
    this.trainRows = yTrain.length;
    this.testRows = yTest.length;
  }

  /** Splits {@code table} for {@code task}: a {@code testFraction} of rows, chosen by seed. */
  public static Split of(NumericTable table, Task task, double testFraction, long seed) {
    int rows = table.rows();
    int[] perm = permutation(rows, seed);
    int testRows = (int) Math.round(rows * testFraction);
    int trainRows = rows - testRows;
    int d = task.inputs().length;
    double[] mean = new double[d + 1];
    double[] sd = new double[d + 1];
    for (int c = 0; c <= d; c++) {
      double[] ms = meanAndSd(table, c < d ? task.inputs()[c] : task.target(), perm, trainRows);
      mean[c] = ms[0];
      sd[c] = ms[1];
    }
    float[][] x = {new float[trainRows * d], new float[testRows * d]};
    float[][] y = {new float[trainRows], new float[testRows]};
    for (int i = 0; i < rows; i++) {
      int part = i < trainRows ? 0 : 1;
      int r = part == 0 ? i : i - trainRows;
      for (int c = 0; c < d; c++) {
        x[part][r * d + c] =
            (float) ((table.get(perm[i], task.inputs()[c]) - mean[c]) / sd[c]);
      }
      y[part][r] = (float) ((table.get(perm[i], task.target()) - mean[d]) / sd[d]);
    }
    return new Split(d, x[0], y[0], x[1], y[1], new Standardization(
        java.util.Arrays.copyOf(mean, d), java.util.Arrays.copyOf(sd, d), mean[d], sd[d]));
  }

  /**
   * The mean and the standard deviation (population) of column {@code col} over rows
   * {@code rows[0..count)}, summed in that order; a deviation below 1e-12 (a constant column)
   * is taken as 1, so standardizing divides by something.
   */
  public static double[] meanAndSd(NumericTable table, int col, int[] rows, int count) {
    double m = 0;
    for (int i = 0; i < count; i++) {
      m += table.get(rows[i], col);
    }
    m /= count;
    double v = 0;
    for (int i = 0; i < count; i++) {
      double e = table.get(rows[i], col) - m;
      v += e * e;
    }
    double s = Math.sqrt(v / count);
    return new double[] {m, s > 1e-12 ? s : 1};
  }

  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p, new SplittableRandom(seed));
    return p;
  }

  /** Fisher-Yates: every order equally likely. */
  public static void shuffle(int[] order, SplittableRandom rnd) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
