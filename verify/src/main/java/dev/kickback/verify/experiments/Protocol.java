package dev.kickback.verify.experiments;

import java.util.Arrays;

/**
 * The experiment protocol's knobs. {@link #FULL} is the report's; {@link #FAST} the test
 * suite's quick subset.
 */
public record Protocol(String name, int epochs, int batch, int cvEpochs, int folds,
    float[] grid, int seeds, double testFraction, long splitSeed) {

  /** 30 epochs of batch 8; lr by 5-fold CV (10 epochs each) from a log grid; 5 seeds. */
  public static final Protocol FULL = new Protocol("full", 30, 8, 10, 5,
      new float[] {0.003f, 0.01f, 0.03f, 0.1f}, 5, 0.2, 2015);

  /** 10 epochs, 2 folds of 5 epochs, two rates, one seed. */
  public static final Protocol FAST = new Protocol("fast", 10, 8, 5, 2,
      new float[] {0.01f, 0.03f}, 1, 0.2, 2015);

  @Override
  public String toString() {
    return name + ": " + epochs + " epochs, batch " + batch + ", lr from " + Arrays.toString(grid)
        + " by " + folds + "-fold CV of " + cvEpochs + " epochs, " + seeds + " seed(s), "
        + "test fraction " + testFraction + " (split seed " + splitSeed + ")";
  }
}
