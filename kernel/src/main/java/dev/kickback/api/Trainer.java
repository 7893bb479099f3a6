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
 * <p>A step first computes every layer's feedback from the weights as they were before the step
 * (one gemmNN per layer, from the head down: Kickback pulls the signed activity masks
 * {@code nu 1} through {@code W_{l+1}}, giving tau; Backprop pulls {@code nu 1 pi}, giving pi,
 * recursively), then updates every layer (one gemmTN each), so the update equals the textbook
 * rule. (Kickback could take every tau from the forward pass instead, reading each weight
 * matrix once for both, which Backprop's recursion cannot do: {@link KernelOps#gemvRectifyPull}.
 * Measured on the paper network at batch 1 that step was about 10% slower than this one, so it
 * is not used; {@code FusedPullBench} in the bench module reruns the comparison.) COHERENT
 * networks are clipped after each update. At batch 1, once the trainer knows the
 * network is clipped (no one else wrote it since its last step), a layer's update is one
 * {@link KernelOps#ger} pass over the rows that have feedback, with the clip in the same pass;
 * rows of inactive units are not touched.
 *
 * <p>A step never leaves a network half-updated or non-finite. The trainer keeps an upper bound
 * on each layer's largest parameter magnitude; once the feedback is known, the largest possible
 * change of every parameter is bounded from it too ({@code |eta/B| sum_b max|G_l(b)| max|X(b)|}
 * with rounding slack). When every bound stays far below the float range (2^120) no parameter
 * can overflow and the step updates in place. Otherwise each layer is copied before its update
 * and scanned after, and a non-finite parameter restores every layer and throws
 * {@link DivergenceException}; a non-finite loss throws before anything is touched. The bound
 * check costs a pass over the activations and feedback (O(batch x widths)); the copy and scan it
 * saves cost three passes over the parameters. The bounds are rebuilt from the parameters when
 * anything else wrote them ({@link Network#setWeights}, another trainer).
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
  /** Parameters whose bounds stay below this cannot overflow a float: see the class comment. */
  private static final double SAFE_LIMIT = 0x1p120;
  private final double[] wBound; // >= max |weights[l]| while boundVersion == net.version
  private final double[] bBound; // >= max |biases[l]|, likewise
  private final double[] growthW; // this step's bound on max |weight change| per layer
  private final double[] growthB;
  private int boundVersion;

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
    wBound = new double[layers];
    bBound = new double[layers];
    growthW = new double[layers];
    growthB = new double[layers];
    boundVersion = net.version - 1; // measured at the first step
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
    }
    if (lr == null) {
      for (int l = last; l >= 0; l--) {
        update(l, x, batch, 1f / batch, tw, tb);
      }
      return (float) (loss / batch);
    }
    // Parameters nobody else wrote since this trainer's last step are also known to be
    // clipped (COHERENT): only then may a batch-1 update skip rows it does not change.
    boolean ours = boundVersion == net.version;
    if (!ours) {
      measureBounds();
    }
    boolean inPlace = boundChanges(x, batch, lr);
    boolean coherent = spec.coherence() == Coherence.COHERENT;
    for (int l = last; l >= 0; l--) {
      float alpha = lr[l] / batch;
      if (inPlace && ours && batch == 1) {
        // rank 1: one pass over the rows with feedback, update and clip fused (see ger)
        float[] in = l == 0 ? x : ws.out[l - 1];
        ops.ger(spec.width(l), spec.fanIn(l), alpha, feedback[l], in, tw[l],
            l > 0 && coherent ? spec.signsOf(l) : null);
        ops.axpy(spec.width(l), alpha, feedback[l], 0, tb[l], 0);
        growBounds(l, batch);
        continue;
      }
      if (inPlace) {
        update(l, x, batch, alpha, tw, tb);
        growBounds(l, batch);
      } else {
        System.arraycopy(tw[l], 0, backupW[l], 0, backupW[l].length);
        System.arraycopy(tb[l], 0, backupB[l], 0, backupB[l].length);
        update(l, x, batch, alpha, tw, tb);
        checkFinite(l, lr);
      }
      if (l > 0 && coherent) {
        clip(tw[l], spec.signsOf(l), spec.width(l), spec.fanIn(l));
      }
    }
    boundVersion = ++net.version;
    return (float) (loss / batch);
  }

  /** After an in-place update: the bounds grow by this step's bounded change. */
  private void growBounds(int l, int batch) {
    double slack = 1 + (batch + 2) * 0x1p-23;
    wBound[l] = (wBound[l] + growthW[l]) * slack;
    bBound[l] = (bBound[l] + growthB[l]) * slack;
  }

  /** The current bound on {@code max |weights[l]|}, or NaN if stale; for tests. */
  double weightBound(int l) {
    return boundVersion == net.version ? wBound[l] : Double.NaN;
  }

  /** The current bound on {@code max |biases[l]|}, or NaN if stale; for tests. */
  double biasBound(int l) {
    return boundVersion == net.version ? bBound[l] : Double.NaN;
  }

  /** Exact bounds: the largest magnitude in each layer's parameters. */
  private void measureBounds() {
    for (int l = 0; l < spec.layers(); l++) {
      wBound[l] = ops.maxAbs(net.weights[l], 0, spec.weightCount(l));
      bBound[l] = ops.maxAbs(net.biases[l], 0, spec.width(l));
    }
    boundVersion = net.version;
  }

  /**
   * Bounds this step's change of every parameter from the feedback and the layer inputs and
   * tells whether all of them, and the sums the kernels form on the way, stay below
   * {@link #SAFE_LIMIT}. A NaN or infinity anywhere makes a comparison false: not in place.
   */
  private boolean boundChanges(float[] x, int batch, float[] lr) {
    double slack = 1 + (batch + 2) * 0x1p-23; // covers the rounding of sums of batch terms
    boolean inPlace = true;
    for (int l = 0; l < spec.layers(); l++) {
      int nOut = spec.width(l);
      int nIn = spec.fanIn(l);
      float[] in = l == 0 ? x : ws.out[l - 1];
      float[] g = feedback[l];
      double sumG = 0;
      double sumGX = 0;
      for (int r = 0; r < batch; r++) {
        double gr = ops.maxAbs(g, r * nOut, nOut);
        sumG += gr;
        sumGX += gr * ops.maxAbs(in, r * nIn, nIn);
      }
      double alpha = lr[l] / batch;
      growthW[l] = alpha * sumGX * slack;
      growthB[l] = alpha * sumG * slack;
      inPlace &= sumGX * slack <= SAFE_LIMIT && sumG * slack <= SAFE_LIMIT
          && wBound[l] + growthW[l] <= SAFE_LIMIT && bBound[l] + growthB[l] <= SAFE_LIMIT;
    }
    return inPlace;
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

  /** {@code W_l += alpha G_l^T X_{l-1}}, {@code b_l += alpha sum_b G_l(b)}. */
  private void update(int l, float[] x, int batch, float alpha, float[][] tw, float[][] tb) {
    int nOut = spec.width(l);
    float[] g = feedback[l];
    ops.gemmTN(nOut, spec.fanIn(l), batch, alpha, g, l == 0 ? x : ws.out[l - 1], tw[l]);
    for (int r = 0; r < batch; r++) {
      ops.axpy(nOut, alpha, g, r * nOut, tb[l], 0);
    }
  }

  /**
   * After an update with a backup: a non-finite parameter restores every layer updated so far
   * and throws; otherwise the scan gives the layer's exact new bounds. Checked before clipping:
   * an overflow to infinity must not be clipped into a plain 0.
   */
  private void checkFinite(int l, float[] lr) {
    float[] w = net.weights[l];
    float[] b = net.biases[l];
    float mw = ops.maxAbs(w, 0, backupW[l].length);
    float mb = ops.maxAbs(b, 0, backupB[l].length);
    if (Float.isFinite(mw) && Float.isFinite(mb)) {
      wBound[l] = mw;
      bBound[l] = mb;
      return;
    }
    int bad = firstNonFinite(w, backupW[l].length);
    int badBias = bad >= 0 ? -1 : firstNonFinite(b, backupB[l].length);
    String what = bad >= 0 ? "weights[" + l + "][" + bad + "] = " + w[bad]
        : "biases[" + l + "][" + badBias + "] = " + b[badBias];
    rollBack(l);
    boundVersion = net.version - 1; // layers above were rewritten twice: measure again
    throw new DivergenceException(l, "training step diverged: " + what
        + " is not finite; the network was restored to its state before the step."
        + " Try a lower learning rate than lr[" + l + "] = " + lr[l]);
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
