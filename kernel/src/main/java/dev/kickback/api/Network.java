package dev.kickback.api;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.kernels.PackedMatrix;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A signed-rectifier fully-connected network: its {@link NetworkSpec} and, per weight layer
 * {@code l}, weights {@code W_l[width(l)][fanIn(l)]} (row-major {@code float[]}) and biases
 * {@code b_l[width(l)]}.
 *
 * <p><b>Layout.</b> The API speaks row-major {@code [out][in]}; inside, each layer is kept
 * input-major, {@code W_l^T[fanIn(l)][width(l)]}. At batch 1 that makes the forward pass and
 * the rank-1 update axpy-shaped: one contiguous row per input, skipped where the input is zero
 * (an inactive unit below), with no lane sums (see {@code Trainer} for the step).
 *
 * <p><b>Threads.</b> {@link #predict(float[], int, float[], Workspace)} only reads the
 * parameters, so any number of threads may predict on one network at once, each with its own
 * {@link Workspace}, as long as nothing modifies the network meanwhile (a {@link Trainer} step or
 * a {@code set...} call). To learn while serving, train a {@link #copy()} and publish it.
 *
 * <p><b>Packed weights.</b> A prediction of 2 or more samples that finds the weights unchanged
 * since the previous prediction copies the layers the kernels multiply faster packed (the
 * vector path's layers at least 512 wide and 256 deep; with 16 vector registers also those at
 * least 96 wide and 16 deep, read packed from 6 samples, 16 when deeper than 256) into that
 * layout, once, and later predictions read the copy: the same bits, 4 bytes per packed weight
 * more memory. The 1,024th prediction of one sample that finds them unchanged copies every
 * layer, on the vector path on Java 22 and later, into rows aligned to vectors off the heap (see
 * {@code KernelOps.packForGemvTRows}): the same bits, 4 bytes per weight more, off the heap,
 * one copy per network (later packings refill it). Any write of the weights drops both.
 */
public final class Network {
  final NetworkSpec spec;
  /**
   * Per layer, input-major {@code [fanIn(l)][width(l)]} (the transpose of the API's layout),
   * then {@link NetworkSpec#PAD} zeros.
   */
  final float[][] weights;
  /** Per layer, {@code [width(l)]}, then {@link NetworkSpec#PAD} zeros (the kernels' room). */
  final float[][] biases;
  /**
   * Bumped by every write of the parameters (setters and training steps), so that a
   * {@link Trainer} knows when facts it keeps about them (bounds on their magnitude) are stale.
   */
  int version;
  /**
   * The version at which every COHERENT layer's weights were known to satisfy the coherence
   * clip: set by initialization and by every training step, kept by {@link #setBiases} and
   * {@link #copy}, made stale by {@link #setWeights}. A trainer's first step on a network known
   * clipped takes the fast path at once.
   */
  int clippedVersion = -1;
  /** A snapshot handed to readers ({@link #readOnlyCopy}): no trainer or setter writes it. */
  private boolean readOnly;
  /**
   * Per layer, the weights packed for predictions of 2 or more samples where the kernels have a
   * faster path for packed weights ({@link KernelOps#packForGemmNN}), else null entries; null
   * until made. Made by such a prediction
   * that finds the weights unchanged since an earlier prediction (so a training loop that
   * predicts once between steps never packs), dropped by every write of the weights. Readers that
   * race to make it each make a whole copy and the last one stays: nothing is shared half-made.
   */
  private volatile PackedMatrix[] packed;
  /**
   * Per layer, the weights in aligned rows for predictions of one sample
   * ({@link KernelOps#packForGemvTRows}), else null entries; made by the
   * {@value #ROWS_PACK_AFTER}th prediction that finds the weights unchanged, dropped by every
   * write of the weights into {@link #spareRows}.
   */
  private volatile PackedMatrix[] packedRows;
  /**
   * The rows the last write of the weights dropped, refilled by the next packing instead of
   * allocating again: one copy off the heap per network, however often it is packed. By the
   * threading contract no prediction reads them while the weights change; readers that race to
   * refill them write the same values.
   */
  private PackedMatrix[] spareRows;
  /**
   * Predictions between two writes of the weights from which predictions of one sample pack
   * rows. Refilling the rows costs about 30 predictions' time on the paper network (18 us against
   * 0.67, measured on Zen 5) and gains about 0.1 us a prediction after, so a loop that predicts
   * a few hundred times between steps would lose by packing each time; from this many on it
   * loses at most about 3%, once. The first packing of a network, which allocates, costs more
   * (about 600 us there).
   */
  static final int ROWS_PACK_AFTER = 1024;
  /** Predictions since the weights last changed: a hint, updated racily. */
  private int unchangedPredictions;
  /** The trainer running a step on this network now, or null: one writer at a time. */
  final java.util.concurrent.atomic.AtomicReference<Trainer> writer =
      new java.util.concurrent.atomic.AtomicReference<>();

  private Network(NetworkSpec spec, float[][] weights, float[][] biases) {
    this.spec = spec;
    this.weights = weights;
    this.biases = biases;
  }

  /**
   * A network with seeded He-style initialization: weights drawn from N(0, 2 / fanIn); in
   * COHERENT mode every non-input layer uses {@code |w| * nu_k} for the weights into unit k,
   * with w drawn from N(0, 2 / fanIn^2) because same-signed weights add coherently.
   * Hidden biases start at 0; PAIR output biases at +1.0. The same seed gives the same network.
   */
  public static Network initialize(NetworkSpec spec, long seed) {
    Objects.requireNonNull(spec, "spec");
    SplittableRandom rnd = new SplittableRandom(seed);
    int layers = spec.layers();
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      int nOut = spec.width(l);
      int nIn = spec.fanIn(l);
      boolean coherent = spec.coherence() == Coherence.COHERENT && l > 0;
      // He: var(w) = 2 / fanIn keeps the pre-activation variance constant for independent
      // terms. In a coherent layer all weights into a unit share its sign and the active inputs
      // add up instead of cancelling, so the scale drops to sqrt(2) / fanIn (with He's scale
      // the paper network's initial PAIR output had a mean loss of 81 on unit-variance data).
      double std = coherent ? Math.sqrt(2.0) / nIn : Math.sqrt(2.0 / nIn);
      float[] signs = spec.signsOf(l);
      w[l] = new float[nOut * nIn + NetworkSpec.PAD];
      for (int k = 0; k < nOut; k++) { // drawn in the API's row order, stored transposed
        for (int j = 0; j < nIn; j++) {
          double v = rnd.nextGaussian() * std;
          w[l][j * nOut + k] = (float) (coherent ? Math.abs(v) * signs[k] : v);
        }
      }
      b[l] = new float[nOut + NetworkSpec.PAD];
      if (l == layers - 1 && spec.head() == Head.PAIR) {
        Arrays.fill(b[l], 0, nOut, 1f);
      }
    }
    Network net = new Network(spec, w, b);
    net.clippedVersion = net.version; // coherent by construction: |w| nu_k
    return net;
  }

  /**
   * A network with the given parameters (copied): per layer {@code weights[l]} of
   * {@code weightCount(l)} and {@code biases[l]} of {@code width(l)} finite floats.
   */
  public static Network of(NetworkSpec spec, float[][] weights, float[][] biases) {
    Objects.requireNonNull(spec, "spec");
    int layers = spec.layers();
    if (weights == null || biases == null || weights.length != layers
        || biases.length != layers) {
      throw new IllegalArgumentException("expected weights and biases for " + layers
          + " layers");
    }
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = new float[spec.weightCount(l) + NetworkSpec.PAD];
      b[l] = new float[spec.width(l) + NetworkSpec.PAD];
    }
    // zeros, then the setters' checks and copies: no random initialization to throw away
    Network net = new Network(spec, w, b);
    for (int l = 0; l < layers; l++) {
      net.setWeights(l, weights[l]);
      net.setBiases(l, biases[l]);
    }
    return net;
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** A deep copy sharing only the (immutable) spec, so workspaces fit both. */
  public Network copy() {
    float[][] w = new float[weights.length][];
    float[][] b = new float[biases.length][];
    for (int l = 0; l < weights.length; l++) {
      w[l] = weights[l].clone();
      b[l] = biases[l].clone();
    }
    Network copy = new Network(spec, w, b);
    copy.version = version;
    copy.clippedVersion = clippedVersion;
    return copy;
  }

  /**
   * Replaces every weight and bias with {@code source}'s: puts this network back to a checkpoint
   * (a {@link #copy} taken earlier, or a model of the same topology) in place, so the trainers
   * and workspaces made for it stay valid, and allocates nothing. A source known to be clipped
   * (one that {@link Trainer} stepped last, or from {@link #initialize}) leaves this one known
   * clipped too. Not thread-safe, as the setters.
   *
   * @throws IllegalArgumentException if {@code source}'s topology differs, naming the difference;
   *     nothing is copied then
   * @throws IllegalStateException if this network is a read-only snapshot
   */
  public void copyFrom(Network source) {
    checkWritable("copyFrom");
    Objects.requireNonNull(source, "source");
    String difference = spec.differenceFrom(source.spec);
    if (difference != null) {
      throw new IllegalArgumentException("copyFrom: " + source.spec + " into " + spec + ": "
          + difference);
    }
    if (source == this) {
      return;
    }
    weightsChanging();
    for (int l = 0; l < weights.length; l++) {
      System.arraycopy(source.weights[l], 0, weights[l], 0, weights[l].length);
      System.arraycopy(source.biases[l], 0, biases[l], 0, biases[l].length);
    }
    version++;
    if (source.knownClipped()) {
      clippedVersion = version;
    }
  }

  /**
   * A copy that readers may share and nobody may write: a {@link Trainer} refuses it and the
   * setters throw, naming why. {@link #copy} of it is writable again. This is what
   * {@code OnlineModel} hands out.
   */
  public Network readOnlyCopy() {
    Network copy = copy();
    copy.readOnly = true;
    return copy;
  }

  /** Whether this is a {@link #readOnlyCopy}. */
  public boolean isReadOnly() {
    return readOnly;
  }

  /** Throws unless this network may be written, naming {@code who} writes. */
  void checkWritable(String who) {
    if (readOnly) {
      throw new IllegalStateException(who + ": this Network is a read-only snapshot (from"
          + " OnlineModel.current() or readOnlyCopy()); train or change a copy() of it and"
          + " publish that");
    }
  }

  /** A copy of layer {@code l}'s weights, row-major {@code [width(l)][fanIn(l)]}. */
  public float[] weights(int l) {
    spec.width(l);
    float[] rowMajor = new float[spec.weightCount(l)];
    transpose(weights[l], spec.fanIn(l), spec.width(l), rowMajor);
    return rowMajor;
  }

  /** A copy of layer {@code l}'s biases, {@code [width(l)]}. */
  public float[] biases(int l) {
    int n = spec.width(l); // checks l first
    return Arrays.copyOf(biases[l], n);
  }

  /** Replaces layer {@code l}'s weights; values must be finite. Not thread-safe. */
  public void setWeights(int l, float[] values) {
    checkWritable("setWeights");
    Checks.matrix("weights", l, values, spec.width(l), spec.fanIn(l));
    Checks.finite("weights", l, values, spec.fanIn(l));
    weightsChanging();
    transpose(values, spec.width(l), spec.fanIn(l), weights[l]);
    version++;
  }

  /** How many layers' weights have a packed copy for predictions of 2 or more now; for tests. */
  int packedLayers() {
    return count(packed);
  }

  /** How many layers' weights have packed rows for predictions of one sample now; for tests. */
  int packedRowLayers() {
    return count(packedRows);
  }

  private static int count(PackedMatrix[] p) {
    int count = 0;
    for (int l = 0; p != null && l < p.length; l++) {
      count += p[l] != null ? 1 : 0;
    }
    return count;
  }

  /** Called before anything writes the weights: drops their packed copies. */
  void weightsChanging() {
    if (packed != null) {
      packed = null;
    }
    if (packedRows != null) {
      spareRows = packedRows;
      packedRows = null;
    }
    unchangedPredictions = 0;
  }

  /**
   * The packed weights for a prediction of 2 or more samples with {@code ops}, or null: made
   * here by the second call since the weights changed (see {@link #packed}).
   */
  private PackedMatrix[] packedFor(KernelOps ops) {
    PackedMatrix[] p = packed;
    if (p == null && ++unchangedPredictions >= 2) {
      p = new PackedMatrix[spec.layers()];
      for (int l = 0; l < p.length; l++) {
        p[l] = ops.packForGemmNN(spec.fanIn(l), spec.width(l), weights[l]);
      }
      packed = p;
    }
    return p;
  }

  /**
   * The packed rows for a prediction of one sample with {@code ops}, or null: made here by the
   * {@value #ROWS_PACK_AFTER}th prediction since the weights changed, into the spare rows where
   * {@code ops} reads them (see {@link #packedRows}).
   */
  private PackedMatrix[] packedRowsFor(KernelOps ops) {
    PackedMatrix[] p = packedRows;
    if (p == null && ++unchangedPredictions >= ROWS_PACK_AFTER) {
      PackedMatrix[] spare = spareRows;
      p = new PackedMatrix[spec.layers()];
      for (int l = 0; l < p.length; l++) {
        p[l] = spare != null && ops.readsPackedRows(spare[l])
            ? ops.repackRows(spare[l], weights[l])
            : ops.packForGemvTRows(spec.fanIn(l), spec.width(l), weights[l]);
      }
      packedRows = p;
    }
    return p;
  }

  /** Whether layer {@code l}'s packed rows now are the ones a write dropped; for tests. */
  boolean packedRowsReused(int l) {
    PackedMatrix[] p = packedRows;
    PackedMatrix[] spare = spareRows;
    return p != null && spare != null && p[l] != null && p[l] == spare[l];
  }

  /** {@code dst[cols][rows] = src[rows][cols]^T}. */
  private static void transpose(float[] src, int rows, int cols, float[] dst) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] = src[r * cols + c];
      }
    }
  }

  /** Replaces layer {@code l}'s biases; values must be finite. Not thread-safe. */
  public void setBiases(int l, float[] values) {
    checkWritable("setBiases");
    Checks.matrix("biases", l, values, 1, spec.width(l));
    Checks.finite("biases", l, values, spec.width(l));
    System.arraycopy(values, 0, biases[l], 0, values.length);
    if (clippedVersion == version++) {
      clippedVersion = version; // biases are not clipped
    }
  }

  /** A workspace for batches of up to {@code maxBatch} samples; one per thread. */
  public Workspace newWorkspace(int maxBatch) {
    return new Workspace(spec, maxBatch, Kernels.ops());
  }

  /** As {@link #newWorkspace(int)}, predicting with the given kernel implementation. */
  public Workspace newWorkspace(int maxBatch, KernelOps ops) {
    return new Workspace(spec, maxBatch, ops);
  }

  /**
   * Predicts {@code batch} samples: {@code x} is row-major {@code [batch][inputWidth]} with
   * finite values, {@code out} receives {@code batch} predictions (extra elements untouched).
   * Allocates only to pack weights (see class comment). Safe to call concurrently with other
   * predictions (see class comment).
   */
  public void predict(float[] x, int batch, float[] out, Workspace ws) {
    Objects.requireNonNull(ws, "ws");
    ws.checkFits(spec);
    Checks.batch(batch, ws.maxBatch);
    Checks.matrix("x", x, batch, spec.inputWidth());
    Checks.finite(ws.ops, "x", x, spec.inputWidth());
    Objects.requireNonNull(out, "out");
    if (out.length < batch) {
      throw new IllegalArgumentException(
          "out.length = " + out.length + ": expected at least batch = " + batch);
    }
    boolean rows = batch == 1 || ws.forwardsBySample(batch) || inPairs(ws.ops, batch);
    forward(ws.ops, x, batch, ws, rows ? packedRowsFor(ws.ops) : packedFor(ws.ops), true);
    prediction(ws, batch, out);
  }

  /** Convenience: predicts {@code x.length / inputWidth} samples into a new array. */
  public float[] predict(float[] x) {
    Objects.requireNonNull(x, "x");
    int d = spec.inputWidth();
    if (x.length == 0 || x.length % d != 0) {
      throw new IllegalArgumentException("x.length = " + x.length
          + ": expected a positive multiple of inputWidth = " + d);
    }
    int batch = x.length / d;
    float[] out = new float[batch];
    predict(x, batch, out, newWorkspace(batch));
    return out;
  }

  /** Whether the coherence clip is known to hold (always, for a FREE network). */
  boolean knownClipped() {
    return spec.coherence() != Coherence.COHERENT || clippedVersion == version;
  }

  /**
   * Forward pass for a validated batch: per layer {@code s = x W^T + b} (one gemmNN with the
   * stored transpose; at batch 1 a gemvTRows from b over the rows of the nonzero inputs,
   * listed in the workspace for the step to reuse),
   * {@code out = nu relu(s)} and {@code mask = nu [s > 0]} (at batch 1 with the next layer's
   * row list in the same pass; at batch 2 and more in one gemmNNRectify with the product,
   * unless the layer's weights are prepacked). The LINEAR head's output is {@code s} itself
   * with mask 1. Small batches through a small network go sample by sample
   * ({@link #forwardBySample}).
   */
  void forward(KernelOps ops, float[] x, int batch, Workspace ws) {
    forward(ops, x, batch, ws, null, false);
  }

  /**
   * {@link #forward(KernelOps, float[], int, Workspace)}, multiplying by the packed copy of each
   * layer whose {@code packed[l]} {@code ops} can read (the same bits): at batch 1, and for a
   * batch that goes sample by sample, rows from {@code packForGemvTRows}; otherwise B from
   * {@code packForGemmNN}. A
   * prediction ({@code outputsOnly}) needs only the outputs: the pre-activations and masks of
   * layers that gemmNNRectify computes are then left as scratch or not written. Two samples,
   * where {@code ops} {@linkplain KernelOps#forwardsPairsByRows says so}, go through each layer
   * together: a gemvTRowsPair over the rows either sample reaches (listed in the workspace),
   * from the packed rows where there are, and a rectify; in a prediction and in a step alike, so
   * that a step's forward pass stays the prediction before it. Each sample's values are then
   * the bits batch 1 gives it, packed or not, except that a sum still zero after a row only the
   * other sample reached may be +0 where batch 1's is -0.
   */
  private void forward(KernelOps ops, float[] x, int batch, Workspace ws,
      PackedMatrix[] packed, boolean outputsOnly) {
    if (batch > 1 && ws.forwardsBySample(batch)) {
      forwardBySample(ops, x, batch, ws, packed, outputsOnly);
      return;
    }
    float[] in = x;
    int last = spec.layers() - 1;
    boolean pairs = inPairs(ops, batch);
    for (int l = 0; l <= last; l++) {
      int nOut = spec.width(l);
      int nIn = spec.fanIn(l);
      float[] s = ws.pre[l];
      float[] bias = biases[l];
      float[] o = ws.out[l];
      float[] d = ws.mask[l];
      boolean linear = l == last && spec.head() == Head.LINEAR;
      boolean prepacked = batch > 1 && packed != null && ops.multipliesPacked(packed[l], batch);
      if (batch == 1) {
        if (l == 0) {
          ops.nonzeroRows(x, spec.inputWidth(), ws.rows[0]);
        }
        if (packed != null && ops.readsPackedRows(packed[l])) {
          ops.gemvTRows(nIn, nOut, packed[l], in, ws.rows[l], bias, s);
        } else {
          ops.gemvTRows(nIn, nOut, weights[l], in, ws.rows[l], bias, s);
        }
      } else if (pairs) {
        if (l == 0) {
          ops.nonzeroColumns(batch, spec.inputWidth(), x, ws.rows[0]);
        }
        if (packed != null && ops.readsPackedRows(packed[l])) {
          ops.gemvTRowsPair(nIn, nOut, packed[l], in, ws.rows[l], bias, s);
        } else {
          ops.gemvTRowsPair(nIn, nOut, weights[l], in, ws.rows[l], bias, s);
        }
      } else if (linear) {
        ops.broadcastRows(batch, nOut, bias, s);
        if (prepacked) {
          ops.gemmNN(batch, nOut, nIn, 1f, in, packed[l], s);
        } else {
          ops.gemmNN(batch, nOut, nIn, 1f, in, weights[l], s);
        }
      }
      if (linear) {
        System.arraycopy(s, 0, o, 0, batch);
        Arrays.fill(d, 0, batch, 1f);
      } else if (batch == 1 && l < last) {
        ops.rectifyRows(nOut, s, spec.signsOf(l), o, d, ws.rows[l + 1]);
      } else if (batch == 1) {
        ops.rectify(batch, nOut, s, spec.signsOf(l), o, d);
      } else if (pairs) {
        ops.rectify(batch, nOut, s, spec.signsOf(l), o, d);
        if (l < last) {
          ops.nonzeroColumns(batch, nOut, o, ws.rows[l + 1]);
        }
      } else if (prepacked && outputsOnly) {
        ops.gemmNNRectifyOutput(batch, nOut, nIn, in, packed[l], bias, spec.signsOf(l), s, o);
      } else if (prepacked) {
        ops.gemmNNRectify(batch, nOut, nIn, in, packed[l], bias, spec.signsOf(l), s, o, d);
      } else if (outputsOnly) {
        ops.gemmNNRectifyOutput(batch, nOut, nIn, in, weights[l], bias, spec.signsOf(l), s, o);
      } else {
        ops.gemmNNRectify(batch, nOut, nIn, in, weights[l], bias, spec.signsOf(l), s, o, d);
      }
      in = o;
    }
  }

  /** Whether the forward pass of {@code batch} samples goes in a pair by rows (see forward). */
  private static boolean inPairs(KernelOps ops, int batch) {
    return batch == 2 && ops.forwardsPairsByRows();
  }

  /**
   * The forward pass of a small batch through a network whose weights stay in cache
   * ({@link Workspace#forwardsBySample}): each sample by the batch-1 path, which multiplies only
   * the weight rows of its nonzero inputs (about half, past the first layer), where a GEMM
   * multiplies them all. Sample 0 runs in place, its rows being the batch's first; the others
   * in the workspace's batch-1 buffers, copied out. Each sample's outputs are then the bits
   * batch 1 gives it. {@code packed} holds rows from {@code packForGemvTRows}, or is null.
   */
  private void forwardBySample(KernelOps ops, float[] x, int batch, Workspace ws,
      PackedMatrix[] packed, boolean outputsOnly) {
    Workspace one = ws.single;
    int d = spec.inputWidth();
    forward(ops, x, 1, ws, packed, outputsOnly);
    for (int r = 1; r < batch; r++) {
      System.arraycopy(x, r * d, ws.sample, 0, d);
      forward(ops, ws.sample, 1, one, packed, outputsOnly);
      for (int l = 0; l < spec.layers(); l++) {
        int n = spec.width(l);
        System.arraycopy(one.out[l], 0, ws.out[l], r * n, n);
        if (!outputsOnly) {
          System.arraycopy(one.pre[l], 0, ws.pre[l], r * n, n);
          System.arraycopy(one.mask[l], 0, ws.mask[l], r * n, n);
        }
      }
    }
  }

  /** y_hat per sample from a completed forward pass: the sum of the head's outputs. */
  void prediction(Workspace ws, int batch, float[] dst) {
    float[] o = ws.out[spec.layers() - 1];
    if (spec.head() == Head.PAIR) {
      for (int r = 0; r < batch; r++) {
        dst[r] = o[2 * r] + o[2 * r + 1];
      }
    } else {
      System.arraycopy(o, 0, dst, 0, batch);
    }
  }
}
