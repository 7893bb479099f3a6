package dev.kickback.api;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.RowList;
import java.util.Objects;

/**
 * Buffers for the forward pass of up to {@code maxBatch} samples through networks of one
 * topology: per weight layer the pre-activations {@code s}, the outputs {@code x = nu relu(s)}
 * and the signed activity masks {@code d = nu [s > 0]}, each row-major {@code [batch][width]}
 * (a prediction needs only the outputs, and at batch 2 and more may leave s as scratch and d
 * unwritten).
 *
 * <p>A workspace is not thread-safe: give each thread its own (they are cheap: about
 * {@code 12 * maxBatch * (sum of widths)} bytes, and one sample's worth more for a network
 * whose small batches go sample by sample). Create with {@link Network#newWorkspace(int)};
 * a workspace also fixes the kernel implementation its predictions run on. It serves every
 * network whose spec {@link NetworkSpec#equals equals} the one it was made for, so a reader
 * keeps its workspace across the snapshots an {@code OnlineModel} publishes.
 */
public final class Workspace {
  final NetworkSpec spec;
  final KernelOps ops;
  final int maxBatch;
  final float[][] pre;
  final float[][] out;
  final float[][] mask;
  /**
   * At batch 1: {@code rows[l]} lists the nonzero inputs of layer l (for
   * l = 0 the sample's nonzero features, above the active units of layer l - 1): the rows of
   * the input-major {@code W_l^T} that a step reads and changes. Written by the forward pass,
   * also of two samples by rows (then the inputs either sample reaches, read by that pass
   * only: a step above batch 1 lists its own).
   */
  final RowList[] rows;
  /**
   * Where the forward pass of a small batch runs samples 1 and up (see
   * {@link #forwardsBySample}): a batch-1 workspace and a sample's input row; null when batches
   * are never split.
   */
  final Workspace single;
  final float[] sample;

  /**
   * The most weights (floats, 256 KB) for which batches up to {@link KernelOps#bySampleMaxBatch}
   * are split: half the smallest L2 cache of the CPUs we run on, so that each sample's pass reads
   * them from cache. A network whose weights stream from memory, as the wide network's 12 MB do,
   * reads them once per batch as a GEMM (its predictions at batch 2 ran at 1.5 times the samples
   * a second of batch 1).
   */
  static final long BY_SAMPLE_MAX_WEIGHTS = 1 << 16;

  Workspace(NetworkSpec spec, int maxBatch, KernelOps ops) {
    Checks.maxBatch(maxBatch);
    this.spec = spec;
    this.ops = Objects.requireNonNull(ops, "ops");
    this.maxBatch = maxBatch;
    int layers = spec.layers();
    pre = new float[layers][];
    out = new float[layers][];
    mask = new float[layers][];
    rows = new RowList[layers];
    for (int l = 0; l < layers; l++) {
      int n = Math.addExact(Math.multiplyExact(maxBatch, spec.width(l)), NetworkSpec.PAD);
      pre[l] = new float[n];
      out[l] = new float[n];
      mask[l] = new float[n];
      rows[l] = new RowList(spec.fanIn(l));
    }
    boolean split = maxBatch > 1 && ops.bySampleMaxBatch() > 1
        && weights(spec) <= BY_SAMPLE_MAX_WEIGHTS;
    single = split ? new Workspace(spec, 1, ops) : null;
    sample = split ? new float[spec.inputWidth() + NetworkSpec.PAD] : null;
  }

  private static long weights(NetworkSpec spec) {
    long w = 0;
    for (int l = 0; l < spec.layers(); l++) {
      w += spec.weightCount(l);
    }
    return w;
  }

  /** Whether the forward pass of {@code batch > 1} samples runs them one by one. */
  boolean forwardsBySample(int batch) {
    return single != null && batch <= ops.bySampleMaxBatch();
  }

  /** Largest batch this workspace holds. */
  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Units of weight layer {@code l} (the last is the head) that were active on sample
   * {@code row} of the last {@link Network#predict} with this workspace: those with a positive
   * pre-activation, or every unit of a LINEAR head. 0 for a hidden layer means the sample's
   * signal died there; 0 for a PAIR head means the prediction is 0 whatever the input.
   */
  public int activeUnits(int l, int row) {
    int n = spec.width(l);
    Objects.checkIndex(row, maxBatch);
    if (l == spec.layers() - 1 && spec.head() == Head.LINEAR) {
      return n;
    }
    // From the outputs, which a prediction writes (not the masks, which it need not): a unit's
    // output nu * s is nonzero and not NaN exactly when s > 0, and 0 * s is 0 or NaN otherwise.
    int active = 0;
    for (int j = row * n, end = j + n; j < end; j++) {
      float o = out[l][j];
      if (o != 0f && o == o) {
        active++;
      }
    }
    return active;
  }

  /** Any network of an equal topology fits, a copy or a model loaded from a file alike. */
  void checkFits(NetworkSpec other) {
    if (other != spec && !other.equals(spec)) {
      throw new IllegalArgumentException("workspace was made for " + spec
          + ", not for this network (" + other + "): " + spec.differenceFrom(other));
    }
  }
}
