package dev.kickback.api;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Mini-batch SGD on one {@link Network} with Backprop or Kickback, in the GEMM-shaped form of
 * SPEC.md: per weight layer {@code l}, the feedback matrix {@code G_l[B][width(l)]} has rows
 * {@code beta_b * (pi or tau)_l(b) * nu_l * 1_l(b)} and the update is
 * {@code W_l += (eta_l / B) G_l^T X_{l-1}}, {@code b_l += (eta_l / B) sum_b G_l(b)}.
 *
 * <p>Per layer, from the head down, the step pulls a signal through {@code W_{l+1}} with one
 * gemmNN: Kickback pulls the signed activity masks {@code nu 1} (giving tau), Backprop pulls
 * {@code nu 1 pi} (giving pi, recursively). Layer {@code l + 1} is updated (one gemmTN) right
 * after that read, while its weights are still in cache; the read always sees the weights from
 * before the step, so the update equals the textbook rule. COHERENT networks are clipped after
 * each update.
 *
 * <p>A step never leaves a network half-updated or non-finite: each layer is copied before it
 * is updated and checked after, and a non-finite loss or parameter restores every layer and
 * throws {@link DivergenceException}. The copy costs one read and one write of the parameters
 * per step (about 100 KB for the paper network).
 *
 * <p>A trainer owns its buffers (sized for {@code maxBatch} at construction) and allocates
 * nothing per step. It is not thread-safe and must be the only writer of its network.
 */
public final class Trainer {
  private final Network net;
  private final NetworkSpec spec;
  private final KernelOps ops;
  private final Workspace ws;
  private final float[][] feedback; // G_l, [maxBatch][width(l)]
  private final float[][] influence; // Backprop's nu 1 pi per layer, [maxBatch][width(l)]
  private final float[] beta;
  private final float[] yHat;
  private final float[] uniformRates;
  private final float[][] backupW; // parameters before the step, to undo a divergent one
  private final float[][] backupB;

  /** A trainer for {@code net} taking batches of 1 to {@code maxBatch} samples. */
  public Trainer(Network net, int maxBatch) {
    this(net, maxBatch, Kernels.ops());
  }

  /** As {@link #Trainer(Network, int)} with an explicit kernel implementation. */
  public Trainer(Network net, int maxBatch, KernelOps ops) {
    this.net = Objects.requireNonNull(net, "net");
    this.ops = Objects.requireNonNull(ops, "ops");
    this.spec = net.spec;
    this.ws = net.newWorkspace(maxBatch, ops);
    int layers = spec.layers();
    feedback = new float[layers][];
    influence = new float[layers][];
    for (int l = 0; l < layers; l++) {
      feedback[l] = new float[maxBatch * spec.width(l)];
      influence[l] = new float[maxBatch * spec.width(l)];
    }
    beta = new float[maxBatch];
    yHat = new float[maxBatch];
    uniformRates = new float[layers];
    backupW = new float[layers][];
    backupB = new float[layers][];
    for (int l = 0; l < layers; l++) {
      backupW[l] = new float[spec.weightCount(l)];
      backupB[l] = new float[spec.width(l)];
    }
  }

  public Network network() {
    return net;
  }

  public int maxBatch() {
    return ws.maxBatch;
  }

  /**
   * One SGD step with the same learning rate on every layer.
   *
   * @param x inputs, row-major {@code [batch][inputWidth]}, finite
   * @param y targets, {@code [batch]}, finite
   * @param lr learning rate eta, finite and positive
   * @return the batch's mean loss {@code 0.5 (y - y_hat)^2} before the update
   * @throws IllegalArgumentException naming the bad argument; the network is then unchanged
   * @throws DivergenceException if the loss or a parameter became non-finite; the network is
   *     then as it was before the step
   */
  public float step(Rule rule, float[] x, float[] y, int batch, float lr) {
    Checks.rate("lr", lr);
    Arrays.fill(uniformRates, lr);
    return step(rule, x, y, batch, uniformRates);
  }

  /** One SGD step with learning rate {@code lr[l]} on weight layer {@code l}. */
  public float step(Rule rule, float[] x, float[] y, int batch, float[] lr) {
    validate(rule, x, y, batch);
    Checks.rates(lr, spec.layers());
    return run(rule, x, y, batch, lr, net.weights, net.biases);
  }

  /**
   * Computes, without changing the network, the rule's update direction for a unit learning
   * rate: {@code dW[l] = (1/B) G_l^T X_{l-1}}, {@code dB[l] = (1/B) sum_b G_l(b)}, so that
   * {@code step(rule, x, y, batch, lr)} adds {@code lr * dW[l]} (before clipping). For Backprop
   * this is the negative gradient of the batch's mean loss.
   *
   * @param dW per layer, at least {@code weightCount(l)} floats; overwritten
   * @param dB per layer, at least {@code width(l)} floats; overwritten
   * @return the batch's mean loss
   */
  public float direction(Rule rule, float[] x, float[] y, int batch, float[][] dW, float[][] dB) {
    validate(rule, x, y, batch);
    checkTargets("dW", dW, true);
    checkTargets("dB", dB, false);
    for (int l = 0; l < spec.layers(); l++) {
      Arrays.fill(dW[l], 0, spec.weightCount(l), 0f);
      Arrays.fill(dB[l], 0, spec.width(l), 0f);
    }
    return run(rule, x, y, batch, null, dW, dB);
  }

  private void validate(Rule rule, float[] x, float[] y, int batch) {
    Objects.requireNonNull(rule, "rule");
    Checks.batch(batch, ws.maxBatch);
    Checks.matrix("x", x, batch, spec.inputWidth());
    Checks.matrix("y", y, batch, 1);
    Checks.finite("x", x, spec.inputWidth());
    Checks.finite("y", y, 1);
  }

  private void checkTargets(String name, float[][] t, boolean weights) {
    Objects.requireNonNull(t, name);
    if (t.length != spec.layers()) {
      throw new IllegalArgumentException(
          name + ".length = " + t.length + ": expected " + spec.layers() + " layers");
    }
    for (int l = 0; l < t.length; l++) {
      int need = weights ? spec.weightCount(l) : spec.width(l);
      if (t[l] == null || t[l].length < need) {
        throw new IllegalArgumentException(name + "[" + l + "].length = "
            + (t[l] == null ? "null" : t[l].length) + ": expected at least " + need);
      }
    }
  }

  /**
   * The shared step: with {@code lr == null} the update goes, unscaled, into the caller's
   * buffers and nothing is clipped; otherwise into the network's parameters.
   */
  private float run(
      Rule rule, float[] x, float[] y, int batch, float[] lr, float[][] tw, float[][] tb) {
    net.forward(ops, x, batch, ws);
    net.prediction(ws, batch, yHat);
    double loss = 0;
    for (int r = 0; r < batch; r++) {
      float e = y[r] - yHat[r];
      beta[r] = e;
      loss += 0.5 * (double) e * e;
    }
    int last = spec.layers() - 1;
    if (!Double.isFinite(loss)) {
      throw forwardDivergence(batch, loss, lr);
    }
    // Head: tau = pi = 1, so G = beta * nu 1 and Backprop's influence signal is nu 1 itself.
    headFeedback(batch, ws.mask[last], feedback[last], spec.width(last));
    float[] pulled = ws.mask[last];
    for (int l = last - 1; l >= 0; l--) {
      int n = spec.width(l);
      float[] g = feedback[l];
      Arrays.fill(g, 0, batch * n, 0f);
      ops.gemmNN(batch, n, spec.width(l + 1), 1f, pulled, net.weights[l + 1], g);
      if (rule == Rule.BACKPROP) {
        backpropFeedback(batch, ws.mask[l], g, influence[l], n);
        pulled = influence[l];
      } else {
        kickbackFeedback(batch, ws.mask[l], g, n);
        pulled = ws.mask[l];
      }
      apply(l + 1, x, batch, lr, tw, tb);
    }
    apply(0, x, batch, lr, tw, tb);
    return (float) (loss / batch);
  }

  private void headFeedback(int batch, float[] d, float[] g, int n) {
    for (int r = 0; r < batch; r++) {
      for (int j = 0; j < n; j++) {
        g[r * n + j] = beta[r] * d[r * n + j];
      }
    }
  }

  /** g holds pi on entry; leaves {@code e = nu 1 pi} (pulled next) and {@code g = beta e}. */
  private void backpropFeedback(int batch, float[] d, float[] g, float[] e, int n) {
    for (int r = 0; r < batch; r++) {
      float b = beta[r];
      for (int j = r * n, end = j + n; j < end; j++) {
        float v = g[j] * d[j];
        e[j] = v;
        g[j] = b * v;
      }
    }
  }

  /**
   * g holds tau on entry; leaves {@code g = beta (tau nu 1)}, multiplied in the same order as
   * Backprop's {@code beta (pi nu 1)} so both rules agree bitwise where {@code tau = pi}.
   */
  private void kickbackFeedback(int batch, float[] d, float[] g, int n) {
    for (int r = 0; r < batch; r++) {
      float b = beta[r];
      for (int j = r * n, end = j + n; j < end; j++) {
        g[j] = b * (g[j] * d[j]);
      }
    }
  }

  private void apply(int l, float[] x, int batch, float[] lr, float[][] tw, float[][] tb) {
    float alpha = (lr == null ? 1f : lr[l]) / batch;
    int nOut = spec.width(l);
    int nIn = spec.fanIn(l);
    float[] g = feedback[l];
    if (lr != null) {
      System.arraycopy(tw[l], 0, backupW[l], 0, backupW[l].length);
      System.arraycopy(tb[l], 0, backupB[l], 0, backupB[l].length);
    }
    ops.gemmTN(nOut, nIn, batch, alpha, g, l == 0 ? x : ws.out[l - 1], tw[l]);
    for (int r = 0; r < batch; r++) {
      ops.axpy(nOut, alpha, g, r * nOut, tb[l], 0);
    }
    if (lr == null) {
      return;
    }
    // checked before clipping: an overflow to infinity must not be clipped into a plain 0
    if (!ops.allFinite(tw[l], 0, backupW[l].length)
        || !ops.allFinite(tb[l], 0, backupB[l].length)) {
      int bad = firstNonFinite(tw[l], backupW[l].length);
      int badBias = bad >= 0 ? -1 : firstNonFinite(tb[l], backupB[l].length);
      String what = bad >= 0 ? "weights[" + l + "][" + bad + "] = " + tw[l][bad]
          : "biases[" + l + "][" + badBias + "] = " + tb[l][badBias];
      rollBack(l);
      throw new DivergenceException(l, "training step diverged: " + what
          + " is not finite; the network was restored to its state before the step."
          + " Try a lower learning rate than lr[" + l + "] = " + lr[l]);
    }
    if (l > 0 && spec.coherence() == Coherence.COHERENT) {
      clip(tw[l], spec.signsOf(l), nOut, nIn);
    }
  }

  private static int firstNonFinite(float[] v, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(v[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Restores layers {@code from .. last}: the ones this step has updated (top down). */
  private void rollBack(int from) {
    for (int l = from; l < spec.layers(); l++) {
      System.arraycopy(backupW[l], 0, net.weights[l], 0, backupW[l].length);
      System.arraycopy(backupB[l], 0, net.biases[l], 0, backupB[l].length);
    }
  }

  /** Names the first layer whose forward output went non-finite; nothing was updated yet. */
  private DivergenceException forwardDivergence(int batch, double loss, float[] lr) {
    for (int l = 0; l < spec.layers(); l++) {
      int n = batch * spec.width(l);
      int bad = firstNonFinite(ws.pre[l], n);
      if (bad >= 0) {
        return new DivergenceException(l, "training step diverged: the loss is " + loss
            + " because layer " + l + "'s pre-activation (row " + bad / spec.width(l)
            + ", unit " + bad % spec.width(l) + ") is " + ws.pre[l][bad]
            + "; the network is unchanged. Its weights have grown too large: try a lower"
            + " learning rate" + (lr == null ? "" : " than " + lr[l]));
      }
    }
    return new DivergenceException(spec.layers() - 1, "training step diverged: the loss is "
        + loss + "; the network is unchanged. Try a lower learning rate");
  }

  /** Zeroes each weight into unit k whose sign disagrees with nu_k. */
  private void clip(float[] w, float[] nu, int nOut, int nIn) {
    for (int k = 0; k < nOut; k++) {
      ops.clampToSign(w, k * nIn, nIn, nu[k] > 0);
    }
  }
}
