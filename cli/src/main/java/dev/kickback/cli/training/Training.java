package dev.kickback.cli.training;

import dev.kickback.api.DivergenceException;
import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.api.Workspace;
import dev.kickback.cli.data.Split;
import java.util.SplittableRandom;

/** Plain mini-batch SGD over shuffled epochs, with NMSE evaluation. */
public final class Training {
  private Training() {}

  /** Called after every epoch with the network being trained. */
  public interface EpochListener {
    void afterEpoch(int epoch, Network net, Trainer trainer);
  }

  /** Called after every step with its epoch (0-based), batch size and loss. */
  public interface StepListener {
    void afterStep(int epoch, int batch, float loss);
  }

  /**
   * Trains a fresh network (seeded) on rows {@code [0, n)} of {@code x, y}, the rate {@code lr}
   * spread over the layers by the configuration's {@link RateRule}; returns it, or null if a
   * step diverged (the trainer then throws {@link DivergenceException}).
   */
  public static Network train(Config c, int width, float[] x, float[] y, int n, float lr,
      int epochs, int batch, long seed, EpochListener listener) {
    Network net = Network.initialize(c.spec(width), seed);
    float[] rates = c.rates().rates(net, lr, x, y, n, width);
    try {
      run(new Trainer(net, batch), c.rule(), width, x, y, n, rates, epochs, seed, null,
          listener);
    } catch (DivergenceException e) {
      return null;
    }
    return net;
  }

  /**
   * Runs {@code epochs} shuffled epochs of mini-batches of {@code trainer.maxBatch()} rows (the
   * last batch of an epoch may be smaller) over rows {@code [0, n)} of {@code x, y}, at rate
   * {@code lr[l]} on weight layer l.
   *
   * @throws DivergenceException from the first step that diverged
   */
  public static void run(Trainer trainer, Rule rule, int width, float[] x, float[] y, int n,
      float[] lr, int epochs, long seed, StepListener steps, EpochListener listener) {
    int batch = trainer.maxBatch();
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    float[] bx = new float[batch * width];
    float[] by = new float[batch];
    float[] lastX = null;
    float[] lastY = null;
    for (int epoch = 0; epoch < epochs; epoch++) {
      Split.shuffle(order, rnd);
      for (int from = 0; from < n; from += batch) {
        int b = Math.min(batch, n - from);
        float[] xs = b == batch ? bx : (lastX != null && lastX.length == b * width ? lastX
            : (lastX = new float[b * width]));
        float[] ys = b == batch ? by : (lastY != null && lastY.length == b ? lastY
            : (lastY = new float[b]));
        for (int r = 0; r < b; r++) {
          System.arraycopy(x, order[from + r] * width, xs, r * width, width);
          ys[r] = y[order[from + r]];
        }
        float loss = trainer.step(rule, xs, ys, b, lr);
        if (steps != null) {
          steps.afterStep(epoch, b, loss);
        }
      }
      if (listener != null) {
        listener.afterEpoch(epoch, trainer.network(), trainer);
      }
    }
  }

  /** Called after each chunk's prediction, while the workspace still holds its activity. */
  private interface Chunk {
    void predicted(Workspace ws, float[] out, int from, int rows);
  }

  /** Predicts {@code n} rows of {@code x} in chunks of up to 1024, one workspace for all. */
  private static void inChunks(Network net, float[] x, int n, int width, Chunk chunk) {
    Workspace ws = net.newWorkspace(Math.max(1, Math.min(n, 1024)));
    float[] out = new float[ws.maxBatch()];
    for (int from = 0; from < n; from += ws.maxBatch()) {
      int b = Math.min(ws.maxBatch(), n - from);
      net.predict(java.util.Arrays.copyOfRange(x, from * width, (from + b) * width), b, out, ws);
      chunk.predicted(ws, out, from, b);
    }
  }

  /** Predictions of {@code net} for {@code n} rows of {@code x}. */
  public static float[] predict(Network net, float[] x, int n, int width) {
    float[] pred = new float[n];
    inChunks(net, x, n, width, (ws, out, from, b) -> System.arraycopy(out, 0, pred, from, b));
    return pred;
  }

  /**
   * Whether training left {@code net} dead or collapsed, in words, or null if not: a weight
   * layer with no active unit on every one of the {@code n} training rows (no signal gets
   * through, so the prediction is one constant), or test predictions that are all the same.
   */
  public static String collapse(Network net, float[] x, int n, int width, float[] testPred) {
    int layers = net.spec().layers();
    int[] deadRows = new int[layers];
    inChunks(net, x, n, width, (ws, out, from, b) -> {
      for (int r = 0; r < b; r++) {
        for (int l = 0; l < layers; l++) {
          if (ws.activeUnits(l, r) == 0) {
            deadRows[l]++;
          }
        }
      }
    });
    for (int l = 0; l < layers; l++) {
      if (n > 0 && deadRows[l] == n) {
        return (l == layers - 1 ? "both output units are" : "every unit of hidden layer "
            + (l + 1) + " is") + " inactive on all " + n + " training rows";
      }
    }
    if (testPred.length > 1) {
      float first = testPred[0];
      boolean constant = true;
      for (float p : testPred) {
        constant &= Float.compare(p, first) == 0;
      }
      if (constant) {
        return "every test prediction is the same value";
      }
    }
    return null;
  }

  /** NMSE of {@code net} on {@code n} rows; +infinity for a diverged (null) network. */
  public static double nmse(Network net, float[] x, float[] y, int n, int width) {
    return net == null ? Double.POSITIVE_INFINITY : nmse(predict(net, x, n, width), y);
  }

  /**
   * NMSE of predictions against the first {@code pred.length} targets; +infinity if any
   * prediction is not finite.
   */
  public static double nmse(float[] pred, float[] y) {
    for (float p : pred) {
      if (!Float.isFinite(p)) {
        return Double.POSITIVE_INFINITY;
      }
    }
    return Nmse.of(pred, java.util.Arrays.copyOf(y, pred.length));
  }
}
