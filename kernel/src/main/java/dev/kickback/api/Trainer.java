package dev.kickback.api;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.kernels.RowList;
import java.util.Arrays;
import java.util.Objects;

/**
 * Mini-batch SGD on one {@link Network} with Backprop or Kickback, in the GEMM-shaped form of
 * SPEC.md: per weight layer {@code l}, the feedback matrix {@code G_l[B][width(l)]} has rows
 * {@code beta_b * (pi or tau)_l(b) * nu_l * 1_l(b)} and the update is
 * {@code W_l += (eta_l / B) G_l^T X_{l-1}}, {@code b_l += (eta_l / B) sum_b G_l(b)}.
 *
 * <p>A step ({@link #run}) is the rule in four parts: the forward pass and the error, every
 * layer's feedback from the weights as they were before the step (one gemmNN per layer, from
 * the head down: Kickback pulls the signed activity masks {@code nu 1} of the layer above
 * through its weights, giving tau; Backprop pulls {@code nu 1 pi}, giving pi, recursively),
 * then every layer's update (one gemmTN each), then the clip of COHERENT networks. The plain
 * double-precision statement of the same rule is the testkit's {@code ReferenceNet}.
 *
 * <p>Two things sit beside the rule, each in its own place. {@link OverflowGuard}: a step never
 * leaves a network half-updated or non-finite, and costs no copy while parameter bounds prove
 * it cannot overflow. {@link #stepOnRows}: at batches up to {@link #ROWS_MAX_BATCH}, once the
 * network is known to be clipped and the guard's bounds allow, one pass over each layer's rows
 * of inputs nonzero in some sample reads the feedback of the layer below from them and updates
 * and clips them.
 *
 * <p>A trainer owns its buffers (sized for {@code maxBatch} at construction) and allocates
 * nothing per step. It is not thread-safe and must be the only writer of its network; both are
 * checked where the misuse happens ({@link #enter}): a call that overlaps another call on the
 * same trainer, or a step that overlaps another trainer's step on the same network, throws
 * {@link IllegalStateException} instead of corrupting the buffers or the weights. Using one
 * trainer from several threads one after another (with a happens-before edge between them, as
 * an executor gives) is allowed.
 */
public final class Trainer {
  /**
   * The largest batch whose steps run on rows ({@link #stepOnRows}) and whose feedback pulls
   * visit only the rows of units active in some sample; above it the GEMMs' register blocks win
   * and nearly every row is reached anyway.
   */
  static final int ROWS_MAX_BATCH = 4;

  private final Network net;
  private final NetworkSpec spec;
  private final KernelOps ops;
  private final Workspace ws;
  private final OverflowGuard guard;
  private final float[][] feedback; // G_l, [maxBatch][width(l)]
  private final float[][] influence; // Backprop's nu 1 pi per layer, [maxBatch][width(l)]
  private final float[][] inputs; // X_{l-1} per layer: the step's x, then the layers' outputs
  private final float[] beta;
  // stepOnRows above batch 1: per layer, the rows two or more samples reach, and those each
  // sample reaches alone
  private final RowList[] sharedRows;
  private final RowList[][] aloneRows;
  /**
   * Per layer and sample, the largest magnitude of the feedback G_l, from the pass that forms
   * it: what the guard bounds the layer's update by.
   */
  private final float[][] feedbackMax;
  private final float[] yHat;
  /** Rows of the last forward pass, for {@link #prediction}. */
  private int predicted;
  private final float[] uniformRates;
  /** The thread inside a call of this trainer now, or null. */
  private final java.util.concurrent.atomic.AtomicReference<Thread> caller =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * A trainer for {@code net} taking batches of 1 to {@code maxBatch} samples.
   *
   * @throws IllegalStateException if {@code net} is a read-only snapshot
   */
  public Trainer(Network net, int maxBatch) {
    this(net, maxBatch, Kernels.ops());
  }

  /** As {@link #Trainer(Network, int)} with an explicit kernel implementation. */
  public Trainer(Network net, int maxBatch, KernelOps ops) {
    this.net = Objects.requireNonNull(net, "net");
    net.checkWritable("new Trainer");
    this.ops = Objects.requireNonNull(ops, "ops");
    this.spec = net.spec;
    this.ws = net.newWorkspace(maxBatch, ops);
    this.guard = new OverflowGuard(net, ops, maxBatch);
    int layers = spec.layers();
    feedback = new float[layers][];
    influence = new float[layers][];
    inputs = new float[layers][];
    for (int l = 0; l < layers; l++) {
      feedback[l] = new float[maxBatch * spec.width(l) + NetworkSpec.PAD];
      influence[l] = new float[maxBatch * spec.width(l) + NetworkSpec.PAD];
      inputs[l] = l == 0 ? null : ws.out[l - 1];
    }
    int splitBatch = Math.min(maxBatch, ROWS_MAX_BATCH);
    sharedRows = new RowList[layers];
    aloneRows = new RowList[layers][splitBatch];
    for (int l = 0; l < layers; l++) {
      if (l > 0 && splitBatch > 1) {
        sharedRows[l] = new RowList(spec.fanIn(l));
        for (int p = 0; p < splitBatch; p++) {
          aloneRows[l][p] = new RowList(spec.fanIn(l));
        }
      }
    }
    beta = new float[maxBatch];
    feedbackMax = new float[layers][maxBatch];
    yHat = new float[maxBatch];
    uniformRates = new float[layers];
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
    enter(true);
    try {
      net.weightsChanging();
      validate(rule, x, y, batch);
      Checks.rates(lr, spec.layers());
      return run(rule, x, y, batch, lr, net.weights, net.biases);
    } finally {
      exit(true);
    }
  }

  /**
   * The misuse checks: two compare-and-sets per call, tens of nanoseconds against the
   * microseconds of a batch-1 step. A call overlapping another on this trainer, or a step
   * overlapping another trainer's step on this network, throws naming the other thread.
   */
  private void enter(boolean writes) {
    Thread me = Thread.currentThread();
    if (!caller.compareAndSet(null, me)) {
      throw new IllegalStateException("Trainer used by thread '" + me.getName() + "' while"
          + " thread '" + name(caller.get()) + "' runs a call on it: a Trainer is not"
          + " thread-safe; give each thread its own Trainer (and network copy)");
    }
    if (writes && !net.writer.compareAndSet(null, this)) {
      caller.set(null);
      throw new IllegalStateException("two Trainers write one Network at once: another"
          + " Trainer is running a step on it; one writer per Network (train a copy() per"
          + " thread)");
    }
  }

  private void exit(boolean writes) {
    if (writes) {
      net.writer.set(null);
    }
    caller.set(null);
  }

  private static String name(Thread t) {
    return t == null ? "(just finished)" : t.getName();
  }

  /**
   * The network's output for row {@code r} of the last step's (or direction's) batch, as that
   * step's forward pass computed it, before the update: the bits {@link Network#predict} gives
   * for the row with the same kernels, so a caller that wants the prediction of a sample it
   * trains on need not run the forward pass twice. Set also when the step threw
   * {@link DivergenceException}.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= r < } the last batch
   */
  public float prediction(int r) {
    Objects.checkIndex(r, predicted);
    return yHat[r];
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
    enter(false);
    try {
      validate(rule, x, y, batch);
      checkTargets("dW", dW, true);
      checkTargets("dB", dB, false);
      for (int l = 0; l < spec.layers(); l++) {
        Arrays.fill(dW[l], 0, spec.weightCount(l), 0f);
        Arrays.fill(dB[l], 0, spec.width(l), 0f);
      }
      return run(rule, x, y, batch, null, dW, dB);
    } finally {
      exit(false);
    }
  }

  private void validate(Rule rule, float[] x, float[] y, int batch) {
    Objects.requireNonNull(rule, "rule");
    Checks.batch(batch, ws.maxBatch);
    Checks.matrix("x", x, batch, spec.inputWidth());
    Checks.matrix("y", y, batch, 1);
    Checks.finite(ops, "x", x, spec.inputWidth());
    Checks.finite(ops, "y", y, 1);
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
   * The step: with {@code lr == null} the update goes, unscaled, into the caller's buffers
   * {@code tw}, {@code tb} and nothing is clipped; otherwise into the network's parameters.
   */
  private float run(
      Rule rule, float[] x, float[] y, int batch, float[] lr, float[][] tw, float[][] tb) {
    inputs[0] = x;
    float loss = forwardAndError(x, y, batch, lr);
    // checked before the guard measures: a network someone else wrote may not be clipped
    if (lr != null && batch <= ROWS_MAX_BATCH && net.knownClipped()
        && guard.mayUpdateOnRowsInPlace(rule, beta, batch, inputs, lr)) {
      stepOnRows(rule, batch, lr);
      return loss;
    }
    feedback(rule, batch);
    if (lr == null) {
      for (int l = spec.layers() - 1; l >= 0; l--) {
        update(l, batch, 1f / batch, tw, tb);
      }
    } else {
      updateNetwork(batch, lr);
    }
    return loss;
  }

  /** Forward pass, {@code beta = y - y_hat} per sample; returns the mean loss. */
  private float forwardAndError(float[] x, float[] y, int batch, float[] lr) {
    net.forward(ops, x, batch, ws);
    net.prediction(ws, batch, yHat);
    predicted = batch;
    double loss = 0;
    for (int r = 0; r < batch; r++) {
      float e = y[r] - yHat[r];
      beta[r] = e;
      loss += 0.5 * (double) e * e;
    }
    if (!Double.isFinite(loss)) {
      throw forwardDivergence(batch, loss, lr); // before anything is touched
    }
    return (float) (loss / batch);
  }

  /**
   * {@code G_l} for every layer, from the head down, with the weights as they were before the
   * step. The head's influence is 1 under both rules; below it, Backprop pulls
   * {@code nu 1 pi} of the layer above through its weights (pi, recursively) and Kickback pulls
   * {@code nu 1} (tau, one layer only).
   */
  private void feedback(Rule rule, int batch) {
    int last = spec.layers() - 1;
    headFeedback(batch);
    float[] pulled = ws.mask[last];
    for (int l = last - 1; l >= 0; l--) {
      int n = spec.width(l);
      float[] g = feedback[l];
      Arrays.fill(g, 0, batch * n, 0f);
      if (batch <= ROWS_MAX_BATCH) { // only units active in some sample need feedback
        ops.gemmNTRows(n, spec.width(l + 1), batch, net.weights[l + 1],
            reachedRows(l + 1, batch), pulled, g);
      } else {
        ops.gemmNT(batch, n, spec.width(l + 1), 1f, pulled, net.weights[l + 1], g);
      }
      if (rule == Rule.BACKPROP) {
        backpropFeedback(l, batch);
        pulled = influence[l];
      } else {
        kickbackFeedback(l, batch);
        pulled = ws.mask[l];
      }
    }
  }

  /** Every layer's update at rate {@code lr[l]}, from the head down, guarded, then clipped. */
  private void updateNetwork(int batch, float[] lr) {
    boolean inPlace = guard.mayUpdateInPlace(feedbackMax, inputs, batch, lr);
    boolean coherent = spec.coherence() == Coherence.COHERENT;
    for (int l = spec.layers() - 1; l >= 0; l--) {
      float alpha = lr[l] / batch;
      boolean clipLayer = l > 0 && coherent;
      if (inPlace) { // nothing can overflow: the clip needs no finite check before it
        if (clipLayer) {
          updateClipped(l, batch, alpha);
        } else {
          update(l, batch, alpha, net.weights, net.biases);
        }
        guard.grew(l, batch);
      } else {
        guard.backUp(l);
        update(l, batch, alpha, net.weights, net.biases);
        guard.checkFinite(l, lr);
        if (clipLayer) {
          clip(net.weights[l], spec.signsOf(l), spec.width(l), spec.fanIn(l));
        }
      }
    }
    if (!inPlace && guard.activationsMayOverflow()) {
      checkPredictsFinite(batch, lr);
    }
    guard.stepDone();
    net.clippedVersion = net.version;
  }

  /**
   * The exact check the loose activation bound asked for: the updated network's forward pass of
   * this batch must be finite, else the step is rolled back. A step whose weights stay finite
   * but whose next predictions would overflow is a diverged step too.
   */
  private void checkPredictsFinite(int batch, float[] lr) {
    net.forward(ops, inputs[0], batch, ws);
    float[] out = ws.out[spec.layers() - 1];
    int n = batch * spec.width(spec.layers() - 1);
    int bad = OverflowGuard.firstNonFinite(out, n);
    if (bad >= 0) {
      throw guard.rollBack("the network's output for row " + bad / spec.width(spec.layers() - 1)
          + " of this batch is " + out[bad], lr);
    }
  }

  /**
   * The fast path of batches up to {@link #ROWS_MAX_BATCH}, while the guard's bounds prove that
   * no parameter can overflow and the network is known to be clipped: from the head down, one
   * pass over each weight layer's rows of inputs nonzero in some sample reads the feedback of
   * the layer below from the rows as they were, then updates and clips them
   * ({@link KernelOps#gemvGerRows} at batch 1, {@link #stepRowsBySample} above), so
   * each such weight is loaded and stored once. Rows of inputs zero in every sample (units
   * inactive below) are not touched, which is right only because the network was clipped after
   * its last step. The same bits as {@link #feedback} then {@link #updateNetwork}.
   */
  private void stepOnRows(Rule rule, int batch, float[] lr) {
    int last = spec.layers() - 1;
    boolean coherent = spec.coherence() == Coherence.COHERENT;
    headFeedback(batch);
    float[] pulled = ws.mask[last];
    for (int l = last; l >= 0; l--) {
      guard.feedbackKnown(l, feedbackMax[l], batch, lr);
      float alpha = lr[l] / batch;
      float[] signs = l > 0 && coherent ? spec.signsOf(l) : null;
      if (l > 0) {
        float[] g = feedback[l - 1];
        Arrays.fill(g, 0, batch * spec.width(l - 1), 0f);
        if (batch == 1) {
          ops.gemvGerRows(spec.fanIn(l), spec.width(l), net.weights[l], ws.rows[l], pulled, g,
              alpha, inputs[l], feedback[l], signs);
        } else {
          stepRowsBySample(l, batch, pulled, g, alpha, signs);
        }
      } else if (batch == 1) {
        ops.gerRows(spec.fanIn(l), spec.width(l), alpha, inputs[l], ws.rows[l], feedback[l],
            net.weights[l], signs);
      } else { // the input layer: no clip, and dense inputs reach every row
        ops.gemmTN(spec.fanIn(l), spec.width(l), batch, alpha, inputs[l], feedback[l],
            net.weights[l]);
      }
      updateBiases(l, batch, alpha, net.biases);
      guard.grew(l, batch);
      if (l > 0 && rule == Rule.BACKPROP) {
        backpropFeedback(l - 1, batch);
        pulled = influence[l - 1];
      } else if (l > 0) {
        kickbackFeedback(l - 1, batch);
        pulled = ws.mask[l - 1];
      }
    }
    guard.stepDone();
    net.clippedVersion = net.version;
  }

  /**
   * stepOnRows' pass over layer {@code l > 0} above batch 1: the rows two or more samples reach
   * in one rank-k pass, and each row one sample reaches alone in that sample's rank-1 pass. The
   * other samples' inputs are zero on such a row, so their terms of its update are zeros, which
   * leave a nonzero sum as it is (at most a zero's sign could differ, as where batch 1's pass
   * skips the rows of inactive units); their dots with it are not formed, as at batch 1, since
   * the unit is inactive in them and its feedback masked to zero. At half activity two samples
   * share a quarter of the rows and each has another quarter alone, so the row passes do
   * 2 x 50 + 100 row-samples of the paper network's 200 -> 100 layer instead of 2 x 150.
   * Measured on Zen 5 (16 lanes), whole
   * steps in one JVM taking turns with the rank-k pass over every reached row: batch 2 paper
   * Kickback 1.09x, Backprop 1.10x, wide Kickback 1.16x; batch 3 and 4 1.01-1.04x (a rank-k pass
   * spreads each row's loads over more samples, and fewer rows are reached by one sample).
   */
  private void stepRowsBySample(int l, int batch, float[] pulled, float[] g, float alpha,
      float[] signs) {
    int m = spec.fanIn(l);
    int n = spec.width(l);
    float[] w = net.weights[l];
    float[] x = inputs[l];
    float[] y = feedback[l];
    RowList[] alone = aloneRows[l];
    ops.splitNonzeroColumns(batch, m, x, sharedRows[l], alone);
    ops.gemmNTGemmTNRows(m, n, batch, w, sharedRows[l], pulled, g, alpha, x, y, signs);
    for (int p = 0; p < batch; p++) {
      if (alone[p].count() > 0) {
        ops.gemvGerRows(m, n, w, alone[p], p, pulled, g, alpha, x, y, signs);
      }
    }
  }

  /**
   * The rows of layer {@code l}'s input-major weights that some sample's input reaches: at
   * batch 1 the list the forward pass made, above it listed now from the inputs.
   */
  private RowList reachedRows(int l, int batch) {
    RowList rows = ws.rows[l];
    if (batch > 1) {
      ops.nonzeroColumns(batch, spec.fanIn(l), inputs[l], rows);
    }
    return rows;
  }

  /** The current bound on {@code max |weights[l]|}, or NaN if stale; for tests. */
  double weightBound(int l) {
    return guard.weightBound(l);
  }

  /** The current bound on {@code max |biases[l]|}, or NaN if stale; for tests. */
  double biasBound(int l) {
    return guard.biasBound(l);
  }

  /** The head's {@code G = beta D}; each sample's {@code max |g|} into feedbackMax. */
  private void headFeedback(int batch) {
    int l = spec.layers() - 1;
    int n = spec.width(l);
    float[] d = ws.mask[l];
    float[] g = feedback[l];
    for (int r = 0; r < batch; r++) {
      float max = 0f;
      for (int j = 0; j < n; j++) {
        float v = beta[r] * d[r * n + j];
        g[r * n + j] = v;
        max = Math.max(max, Math.abs(v));
      }
      feedbackMax[l][r] = max;
    }
  }

  /**
   * Layer l's feedback holds pi on entry; leaves {@code e = nu 1 pi} (pulled next) and
   * {@code g = beta e}. Each sample's {@code max |g|} goes into feedbackMax: the guard's
   * measure, from the same pass.
   */
  private void backpropFeedback(int l, int batch) {
    int n = spec.width(l);
    for (int r = 0; r < batch; r++) {
      feedbackMax[l][r] =
          ops.maskScaleMaxAbs(n, beta[r], ws.mask[l], feedback[l], influence[l], r * n);
    }
  }

  /**
   * Layer l's feedback holds tau on entry; leaves {@code g = beta (tau nu 1)}, multiplied in
   * the same order as Backprop's {@code beta (pi nu 1)} so both rules agree bitwise where
   * {@code tau = pi}. Each sample's {@code max |g|} goes into feedbackMax, as in
   * {@link #backpropFeedback}.
   */
  private void kickbackFeedback(int l, int batch) {
    int n = spec.width(l);
    for (int r = 0; r < batch; r++) {
      feedbackMax[l][r] = ops.maskScaleMaxAbs(n, beta[r], ws.mask[l], feedback[l], null, r * n);
    }
  }

  /**
   * {@code W_l += alpha G_l^T X_{l-1}}, {@code b_l += alpha sum_b G_l(b)}; into the network's
   * input-major weights as {@code W_l^T += alpha X_{l-1}^T G_l}, into a caller's row-major
   * {@code dW} ({@link #direction}) as written.
   */
  private void update(int l, int batch, float alpha, float[][] tw, float[][] tb) {
    int nOut = spec.width(l);
    float[] g = feedback[l];
    if (tw == net.weights) {
      ops.gemmTN(spec.fanIn(l), nOut, batch, alpha, inputs[l], g, tw[l]);
    } else {
      ops.gemmTN(nOut, spec.fanIn(l), batch, alpha, g, inputs[l], tw[l]);
    }
    updateBiases(l, batch, alpha, tb);
  }

  /**
   * {@link #update} of the network's layer {@code l} and its {@link #clip} in one call: the same
   * bits, the clip done while the update's kernel holds each weight.
   */
  private void updateClipped(int l, int batch, float alpha) {
    ops.gemmTNClampToSigns(spec.fanIn(l), spec.width(l), batch, alpha, inputs[l], feedback[l],
        net.weights[l], spec.signsOf(l));
    updateBiases(l, batch, alpha, net.biases);
  }

  /** {@code b_l += alpha sum_b G_l(b)}, sample by sample. */
  private void updateBiases(int l, int batch, float alpha, float[][] tb) {
    int nOut = spec.width(l);
    for (int r = 0; r < batch; r++) {
      ops.axpy(nOut, alpha, feedback[l], r * nOut, tb[l], 0);
    }
  }

  /** Names the first layer whose forward output went non-finite; nothing was updated yet. */
  private DivergenceException forwardDivergence(int batch, double loss, float[] lr) {
    for (int l = 0; l < spec.layers(); l++) {
      int n = batch * spec.width(l);
      int bad = OverflowGuard.firstNonFinite(ws.pre[l], n);
      if (bad >= 0) {
        return new DivergenceException(l, "training step diverged: the loss is " + loss
            + " because layer " + l + "'s pre-activation (row " + bad / spec.width(l)
            + ", unit " + bad % spec.width(l) + ") is " + ws.pre[l][bad]
            + "; the network is unchanged: " + overflowCause(batch, lr));
      }
    }
    return new DivergenceException(spec.layers() - 1, "training step diverged: the loss is "
        + loss + "; the network is unchanged. Try a lower learning rate");
  }

  /** Why a forward pass overflowed: this batch's inputs, or the weights (see the guard). */
  private String overflowCause(int batch, float[] lr) {
    double x = ops.maxAbs(inputs[0], 0, batch * spec.inputWidth());
    if (guard.inputsAreTheCause(x)) {
      return "the inputs' scale is the cause (largest |x| in this batch " + (float) x
          + "): standardize the inputs";
    }
    return "its weights have grown too large: try a lower learning rate"
        + (lr == null ? "" : " than " + lr[0]);
  }

  /** Zeroes each weight into unit k whose sign disagrees with nu_k: column k of W^T. */
  private void clip(float[] w, float[] nu, int nOut, int nIn) {
    ops.clampRowsToSigns(nIn, nOut, w, nu);
  }
}
