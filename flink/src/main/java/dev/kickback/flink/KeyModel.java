package dev.kickback.flink;

import dev.kickback.api.Network;
import dev.kickback.api.Trainer;

/**
 * One key's state in the learner: its network, its counters, the samples of an unfinished
 * micro-batch, and the running sums of its prequential error. Flink keeps it in keyed state and
 * writes it with {@link KeyModelSerializer}; nothing of a key lives outside it, so a restore
 * from a checkpoint or savepoint continues the key's learning exactly.
 */
public final class KeyModel {
  Network net;
  /** Training steps taken: the model version every output carries. */
  long version;
  /** Samples trained on. */
  long trained;
  /** Records rejected (wrong width, non-finite, or in a step that diverged). */
  long rejected;
  // The stability policy's part (Stability): the rate as a fraction of the configured one, the
  // squared errors and samples of the current window, the best window's NMSE so far, windows
  // since it, and the model at its end.
  float rateScale = 1f;
  double windowSse;
  int windowCount;
  double bestNmse = Double.POSITIVE_INFINITY;
  int windowsSinceBest;
  Network best;

  // Prequential error, over the samples trained on: a Welford running mean and sum of squared
  // deviations of the targets, and the sum of squared errors of the predictions made before
  // training, overall and since the last report.
  double targetMean;
  double targetM2;
  double sse;
  long recentCount;
  double recentSse;

  // The unfinished micro-batch: its inputs row-major [batch][inputWidth], targets, predictions
  // made on arrival, and record numbers.
  int pending;
  /** Processing time (ms) the first pending sample arrived, for a timed flush; 0: none. */
  long pendingSince;
  float[] x;
  float[] y;
  float[] predicted;
  long[] seq;
  /**
   * This network's trainer, kept while the learner holds the same object: the HashMap backend
   * hands it back, and on RocksDB the learner's model cache keeps it ({@link ModelCache}); a
   * model decoded from the state (RocksDB without the cache, or a key read back after it left
   * the cache) gets a new one.
   */
  private transient Trainer trainer;
  /** Whether the learner has checked this object against its configuration (after a restore). */
  transient boolean checked;

  KeyModel(Network net, int batch) {
    this.net = net;
    int d = net.spec().inputWidth();
    x = new float[batch * d];
    y = new float[batch];
    predicted = new float[batch];
    seq = new long[batch];
  }

  /** The network; the learner's to change, anyone's to read between records. */
  public Network network() {
    return net;
  }

  public long version() {
    return version;
  }

  public long trained() {
    return trained;
  }

  public long rejected() {
    return rejected;
  }

  /** The key's learning rate as a fraction of the configured one, in (0, 1]. */
  public float rateScale() {
    return rateScale;
  }

  /** Samples waiting for their micro-batch to fill. */
  public int pending() {
    return pending;
  }

  /** The micro-batch size this state was made for. */
  public int batch() {
    return y.length;
  }

  /** The trainer of this state's network, for micro-batches of up to {@link #batch()}. */
  Trainer trainer() {
    if (trainer == null) {
      trainer = new Trainer(net, batch());
    }
    return trainer;
  }

  /** Puts {@code n} in place of the network (a rollback); the trainer is made anew. */
  void replaceNetwork(Network n) {
    net = n;
    trainer = null;
  }

  /** Adds a trained sample's prediction error to the prequential sums. */
  void count(float target, float prediction) {
    trained++;
    double delta = target - targetMean;
    targetMean += delta / trained;
    targetM2 += delta * (target - targetMean);
    double e = (double) target - prediction;
    sse += e * e;
    recentSse += e * e;
    recentCount++;
    windowSse += e * e;
    windowCount++;
  }

  /** The prequential NMSE so far (not finite until targets vary); starts a new recent window. */
  NmseReport report(String key) {
    double nmse = sse / targetM2;
    double recent = recentSse / recentCount / (targetM2 / trained);
    NmseReport r = new NmseReport(key, trained, nmse, recent, recentCount, version);
    recentSse = 0;
    recentCount = 0;
    return r;
  }

  /** A deep copy. */
  KeyModel copy() {
    KeyModel c = new KeyModel(net.copy(), batch());
    c.version = version;
    c.trained = trained;
    c.rejected = rejected;
    c.rateScale = rateScale;
    c.windowSse = windowSse;
    c.windowCount = windowCount;
    c.bestNmse = bestNmse;
    c.windowsSinceBest = windowsSinceBest;
    c.best = best == null ? null : best.copy();
    c.targetMean = targetMean;
    c.targetM2 = targetM2;
    c.sse = sse;
    c.recentCount = recentCount;
    c.recentSse = recentSse;
    c.pending = pending;
    c.pendingSince = pendingSince;
    System.arraycopy(x, 0, c.x, 0, x.length);
    System.arraycopy(y, 0, c.y, 0, y.length);
    System.arraycopy(predicted, 0, c.predicted, 0, predicted.length);
    System.arraycopy(seq, 0, c.seq, 0, seq.length);
    return c;
  }
}
