package dev.kickback.verify.experiments;

import dev.kickback.api.Network;
import dev.kickback.cli.data.Split;
import dev.kickback.cli.data.Task;
import dev.kickback.cli.training.Config;
import dev.kickback.cli.training.Training;

/**
 * One (task, configuration) run of the protocol: learning rate chosen by k-fold cross-validation
 * on the training part, then trained on the whole training part with several seeds and scored
 * on the test part.
 */
public final class Experiment {
  private Experiment() {}

  /**
   * The outcome; field names follow results.json. Mean and deviation are over the seeds whose
   * training stayed finite and alive; {@code diverged} counts seeds whose training went
   * non-finite, {@code died} those that ended dead or collapsed ({@link Training#collapse}),
   * a constant predictor whose NMSE near 1 would otherwise pass for a result (NaN mean if no
   * seed is left).
   */
  public record Result(String dataset, String target, Config config, float lr, int epochs,
      double nmseMean, double nmseStd, int seeds, int diverged, int died, double linearNmse,
      double[] cvNmse, double[] testCurve, double seconds) {}

  public static Result run(Task task, Split s, Config c, Protocol p, double linearNmse) {
    long t0 = System.nanoTime();
    double[] cv = new double[p.grid().length];
    int foldRows = s.trainRows / p.folds();
    for (int g = 0; g < p.grid().length; g++) {
      double sum = 0;
      for (int f = 0; f < p.folds(); f++) {
        Fold fold = Fold.of(s, f, foldRows);
        Network net = Training.train(c, s.width, fold.xFit, fold.yFit, fold.fitRows,
            p.grid()[g], p.cvEpochs(), p.batch(), 1000L + f, null);
        sum += Training.nmse(net, fold.xVal, fold.yVal, fold.valRows, s.width);
      }
      cv[g] = sum / p.folds();
    }
    int best = 0;
    for (int g = 1; g < cv.length; g++) {
      if (cv[g] < cv[best]) {
        best = g;
      }
    }
    float lr = p.grid()[best];
    double[] scores = new double[p.seeds()];
    int died = 0;
    double[] curve = new double[p.epochs()];
    for (int seed = 0; seed < p.seeds(); seed++) {
      Training.EpochListener listener = seed != 0 ? null : (epoch, net, trainer) ->
          curve[epoch] = Training.nmse(net, s.xTest, s.yTest, s.testRows, s.width);
      Network net = Training.train(c, s.width, s.xTrain, s.yTrain, s.trainRows, lr, p.epochs(),
          p.batch(), seed, listener);
      if (net == null) {
        scores[seed] = Double.POSITIVE_INFINITY; // diverged
        continue;
      }
      float[] testPred = Training.predict(net, s.xTest, s.testRows, s.width);
      scores[seed] = Training.nmse(testPred, s.yTest);
      if (Double.isFinite(scores[seed])
          && Training.collapse(net, s.xTrain, s.trainRows, s.width, testPred) != null) {
        scores[seed] = Double.NaN; // died: apart from the mean, and from the diverged
        died++;
      }
    }
    double mean = 0;
    int finite = 0;
    int diverged = 0;
    for (double v : scores) {
      if (Double.isFinite(v)) {
        mean += v;
        finite++;
      } else if (!Double.isNaN(v)) {
        diverged++;
      }
    }
    mean = finite == 0 ? Double.NaN : mean / finite;
    double var = 0;
    for (double v : scores) {
      if (Double.isFinite(v)) {
        var += (v - mean) * (v - mean);
      }
    }
    double std = finite > 1 ? Math.sqrt(var / (finite - 1)) : 0;
    return new Result(task.file(), task.name(), c, lr, p.epochs(), mean, std, p.seeds(),
        diverged, died, linearNmse, cv, curve, (System.nanoTime() - t0) / 1e9);
  }

  /** Fold f of the training part: rows {@code [f * rows, (f + 1) * rows)} validate. */
  private record Fold(float[] xFit, float[] yFit, int fitRows, float[] xVal, float[] yVal,
      int valRows) {
    static Fold of(Split s, int f, int rows) {
      int d = s.width;
      int from = f * rows;
      int to = from + rows;
      int fitRows = s.trainRows - rows;
      float[] xFit = new float[fitRows * d];
      float[] yFit = new float[fitRows];
      System.arraycopy(s.xTrain, 0, xFit, 0, from * d);
      System.arraycopy(s.xTrain, to * d, xFit, from * d, (s.trainRows - to) * d);
      System.arraycopy(s.yTrain, 0, yFit, 0, from);
      System.arraycopy(s.yTrain, to, yFit, from, s.trainRows - to);
      float[] xVal = java.util.Arrays.copyOfRange(s.xTrain, from * d, to * d);
      float[] yVal = java.util.Arrays.copyOfRange(s.yTrain, from, to);
      return new Fold(xFit, yFit, fitRows, xVal, yVal, rows);
    }
  }
}
