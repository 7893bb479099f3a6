package dev.kickback.api;

import dev.kickback.kernels.KernelOps;

/**
 * The trainer's guarantee that a step never leaves its network half-updated or non-finite,
 * kept cheap. It holds an upper bound on each layer's largest parameter magnitude; once a
 * step's feedback is known it bounds the largest change of every parameter too
 * ({@code |eta/B| sum_b max|G_l(b)| max|X(b)|}, with rounding slack). While every bound stays
 * far below the float range ({@link #SAFE_LIMIT}) no parameter can overflow and the step may
 * update in place. Otherwise each layer is backed up before its update and scanned after, and
 * a non-finite parameter restores every layer updated so far and throws
 * {@link DivergenceException}.
 *
 * <p>The bounds hold while nobody else has written the network: the network's version counter
 * says so, and the bounds are measured again from the parameters when it moved. (The
 * network's {@code clippedVersion}, on the same counter, tells the trainer that a COHERENT
 * network is still clipped, which its batch-1 path relies on.)
 */
final class OverflowGuard {
  /** Parameters whose bounds stay below this cannot overflow a float. */
  static final double SAFE_LIMIT = 0x1p120;
  /**
   * Activations whose bound stays below this cannot overflow a float in a forward pass (a
   * layer's sums are bounded by the bound itself, with room for rounding).
   */
  static final double ACTIVATION_LIMIT = 0x1p120;
  /** Inputs beyond this magnitude (about 1e12) are far from any standardized scale. */
  static final double INPUT_SCALE_LIMIT = 0x1p40;

  private final Network net;
  private final NetworkSpec spec;
  private final KernelOps ops;
  private final double[] wBound; // >= max |weights[l]| while version == net.version
  private final double[] bBound; // >= max |biases[l]|, likewise
  private final double[] growthW; // this step's bound on max |weight change| per layer
  private final double[] growthB;
  private final float[][] inputMax; // per layer and sample: max |input| of this step
  private final float[][] backupW; // a layer's parameters before the step
  private final float[][] backupB;
  private int version;
  /** The largest input magnitude of any step so far: the training scale. */
  private double inputScale;

  OverflowGuard(Network net, KernelOps ops, int maxBatch) {
    this.net = net;
    this.spec = net.spec;
    this.ops = ops;
    int layers = spec.layers();
    wBound = new double[layers];
    bBound = new double[layers];
    growthW = new double[layers];
    growthB = new double[layers];
    inputMax = new float[layers][maxBatch];
    backupW = new float[layers][];
    backupB = new float[layers][];
    for (int l = 0; l < layers; l++) {
      backupW[l] = new float[spec.weightCount(l)];
      backupB[l] = new float[spec.width(l)];
    }
    version = net.version - 1; // measured at the first step
  }

  /** Whether only this guard's trainer wrote the network since its last step. */
  boolean networkUnchangedSinceLastStep() {
    return version == net.version;
  }

  /**
   * Before a step's updates: measures the bounds again if someone else wrote the parameters,
   * then bounds this step's change of every parameter from the feedback's maxima and the layer
   * inputs', and tells whether all of them, and the sums the kernels form on the way, stay below
   * {@link #SAFE_LIMIT}. A NaN or infinity anywhere makes a comparison false: not in place.
   *
   * @param gMax per layer, each sample's largest feedback magnitude {@code max_j |G_l(b)[j]|},
   *     {@code [batch]} (NaN where the feedback holds one)
   * @param in per layer, its input {@code [batch][fanIn(l)]}
   */
  boolean mayUpdateInPlace(float[][] gMax, float[][] in, int batch, float[] lr) {
    if (!networkUnchangedSinceLastStep()) {
      measure();
    }
    measureInputs(in, batch);
    boolean inPlace = true;
    for (int l = 0; l < spec.layers(); l++) {
      inPlace &= growByFeedback(l, gMax[l], batch, lr);
    }
    return inPlace && activationBound(inputScale, true) <= ACTIVATION_LIMIT;
  }

  /**
   * {@link #mayUpdateInPlace} for a step on rows whose feedback is not known yet: the trainer's
   * rows path computes each layer's feedback in the same pass that updates the layer above, so
   * the decision bounds every sample's largest feedback from the weights above it instead of
   * measuring it: {@code |tau_l| <= width(l+1) max|W_l+1|} for Kickback, and that times the
   * bound on the pulled {@code |nu 1 pi|_l+1} for Backprop, times {@code |beta|}, with rounding
   * slack. The exact growth, which the bounds then grow by, is set per layer by
   * {@link #feedbackKnown} once the layer's feedback is. A NaN or infinity anywhere makes a
   * comparison false: not in place.
   *
   * @param beta {@code [batch]}, each sample's error
   * @param in per layer, its input {@code [batch][fanIn(l)]}
   */
  boolean mayUpdateOnRowsInPlace(Rule rule, float[] beta, int batch, float[][] in,
      float[] lr) {
    if (!networkUnchangedSinceLastStep()) {
      measure();
    }
    measureInputs(in, batch);
    double slack = slack(batch);
    double through = 1; // the head's influence
    double pulled = 1; // the head's signed activity mask
    boolean inPlace = true;
    for (int l = spec.layers() - 1; l >= 0; l--) {
      if (l < spec.layers() - 1) {
        int k = spec.width(l + 1);
        through = k * wBound[l + 1] * pulled * slack(k); // a sum of k products
        pulled = rule == Rule.BACKPROP ? through : 1;
      }
      double sumG = 0;
      double sumGX = 0;
      for (int r = 0; r < batch; r++) {
        double g = Math.abs(beta[r]) * through * slack;
        sumG += g;
        sumGX += g * inputMax[l][r];
      }
      inPlace &= grow(l, lr[l] / batch, sumG, sumGX, slack);
    }
    return inPlace && activationBound(inputScale, true) <= ACTIVATION_LIMIT;
  }

  /**
   * Each layer's largest input magnitude per sample into inputMax, one call per layer, and the
   * training scale raised to the batch's largest |x|: the maxima of its rows.
   */
  private void measureInputs(float[][] in, int batch) {
    for (int l = 0; l < spec.layers(); l++) {
      ops.maxAbsRows(batch, spec.fanIn(l), in[l], inputMax[l]);
    }
    for (int r = 0; r < batch; r++) {
      inputScale = Math.max(inputScale, inputMax[0][r]);
    }
  }

  /**
   * After {@link #mayUpdateOnRowsInPlace}, once layer {@code l}'s feedback is known and before
   * its update: the layer's growth as {@link #mayUpdateInPlace} measures it from each sample's
   * largest feedback magnitude {@code gMax[r]}, at most the bound the decision used.
   */
  void feedbackKnown(int l, float[] gMax, int batch, float[] lr) {
    growByFeedback(l, gMax, batch, lr);
  }

  /**
   * {@link #grow} by layer {@code l}'s measured feedback: each sample's largest magnitude
   * {@code gMax[r]}, times its largest input ({@link #measureInputs}).
   */
  private boolean growByFeedback(int l, float[] gMax, int batch, float[] lr) {
    double sumG = 0;
    double sumGX = 0;
    for (int r = 0; r < batch; r++) {
      sumG += gMax[r];
      sumGX += (double) gMax[r] * inputMax[l][r];
    }
    return grow(l, lr[l] / batch, sumG, sumGX, slack(batch));
  }

  /**
   * Sets layer {@code l}'s growth bounds for a step at {@code alpha = eta / B} whose feedback
   * sums to {@code sumG} over the batch's largest magnitudes, and {@code sumGX} times the
   * inputs'; returns whether the growth, the sums the kernels form and the grown bounds all
   * stay below {@link #SAFE_LIMIT} (false for a NaN or infinity anywhere).
   */
  private boolean grow(int l, double alpha, double sumG, double sumGX, double slack) {
    growthW[l] = alpha * sumGX * slack;
    growthB[l] = alpha * sumG * slack;
    return sumGX * slack <= SAFE_LIMIT && sumG * slack <= SAFE_LIMIT
        && wBound[l] + growthW[l] <= SAFE_LIMIT && bBound[l] + growthB[l] <= SAFE_LIMIT;
  }

  /**
   * A bound on every activation of a forward pass of inputs no larger than {@code x}: per
   * layer {@code fanIn * max|W| * a + max|b|}, with this step's growth when {@code grown}.
   * Loose (every product at its largest, all of one sign), so it only decides when the exact
   * check ({@link Trainer}'s forward pass after the step) is needed.
   */
  double activationBound(double x, boolean grown) {
    double a = x;
    for (int l = 0; l < spec.layers(); l++) {
      double w = wBound[l] + (grown ? growthW[l] : 0);
      double b = bBound[l] + (grown ? growthB[l] : 0);
      a = spec.fanIn(l) * w * a + b;
    }
    return 2 * a; // the PAIR head adds its two outputs
  }

  /** {@link #activationBound} of the parameters as they are, measured again if stale. */
  double activationBoundNow(double x) {
    if (!networkUnchangedSinceLastStep()) {
      measure();
    }
    return activationBound(x, false);
  }

  /**
   * Whether inputs as large as {@code x} rather than the weights explain an overflow: {@code x}
   * is far beyond any standardized scale while a forward pass of inputs no larger than 1 stays
   * far from the float range. The one test behind both divergence messages.
   */
  boolean inputsAreTheCause(double x) {
    return x > INPUT_SCALE_LIMIT && activationBoundNow(1) <= ACTIVATION_LIMIT;
  }

  /** Whether, after a guarded step, a forward pass at the training scale might overflow. */
  boolean activationsMayOverflow() {
    return !(activationBound(inputScale, false) <= ACTIVATION_LIMIT);
  }

  /**
   * After a guarded step whose network cannot predict finite values at the training scale:
   * every layer back as it was before the step (each was backed up), then the reason.
   */
  DivergenceException rollBack(String what, float[] lr) {
    for (int k = 0; k < spec.layers(); k++) {
      System.arraycopy(backupW[k], 0, net.weights[k], 0, backupW[k].length);
      System.arraycopy(backupB[k], 0, net.biases[k], 0, backupB[k].length);
    }
    version = net.version - 1;
    return new DivergenceException(0, "training step diverged: after it " + what
        + "; the network was restored to its state before the step. " + cause(lr, 0));
  }

  /** After an in-place update of layer {@code l}: its bounds grow by the bounded change. */
  void grew(int l, int batch) {
    double slack = slack(batch);
    wBound[l] = (wBound[l] + growthW[l]) * slack;
    bBound[l] = (bBound[l] + growthB[l]) * slack;
  }

  /** Before a guarded update of layer {@code l}. */
  void backUp(int l) {
    System.arraycopy(net.weights[l], 0, backupW[l], 0, backupW[l].length);
    System.arraycopy(net.biases[l], 0, backupB[l], 0, backupB[l].length);
  }

  /**
   * After a guarded update of layer {@code l}, before clipping (an overflow to infinity must
   * not be clipped into a plain 0): a non-finite parameter restores every layer updated so far
   * (layers are updated from the top down) and throws; otherwise the scan gives the layer's
   * exact new bounds.
   */
  void checkFinite(int l, float[] lr) {
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
    for (int k = l; k < spec.layers(); k++) {
      System.arraycopy(backupW[k], 0, net.weights[k], 0, backupW[k].length);
      System.arraycopy(backupB[k], 0, net.biases[k], 0, backupB[k].length);
    }
    version = net.version - 1; // layers above were rewritten twice: measure again
    throw new DivergenceException(l, "training step diverged: " + what
        + " is not finite; the network was restored to its state before the step. "
        + cause(lr, l));
  }

  /**
   * Whose fault a diverged step is: the inputs', when they are far beyond any standardized scale
   * while the weights are moderate (a forward pass of inputs no larger than 1 stays far from the
   * float range), else the learning rate's.
   */
  String cause(float[] lr, int l) {
    if (inputsAreTheCause(inputScale)) {
      return "The inputs' scale is the cause (largest |x| so far " + (float) inputScale
          + "): standardize the inputs";
    }
    return "Try a lower learning rate than lr[" + l + "] = " + lr[l];
  }

  /** After a whole step: the bounds and the clip hold for the network's new version. */
  void stepDone() {
    version = ++net.version;
  }

  /** The current bound on {@code max |weights[l]|}, or NaN if stale; for tests. */
  double weightBound(int l) {
    return networkUnchangedSinceLastStep() ? wBound[l] : Double.NaN;
  }

  /** The current bound on {@code max |biases[l]|}, or NaN if stale; for tests. */
  double biasBound(int l) {
    return networkUnchangedSinceLastStep() ? bBound[l] : Double.NaN;
  }

  /** Exact bounds: the largest magnitude in each layer's parameters. */
  private void measure() {
    for (int l = 0; l < spec.layers(); l++) {
      wBound[l] = ops.maxAbs(net.weights[l], 0, spec.weightCount(l));
      bBound[l] = ops.maxAbs(net.biases[l], 0, spec.width(l));
    }
    version = net.version;
  }

  private static double slack(int batch) {
    return 1 + (batch + 2) * 0x1p-23;
  }

  static int firstNonFinite(float[] v, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(v[i])) {
        return i;
      }
    }
    return -1;
  }
}
