package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The unpacked, register-blocked GEMMs of {@link PanamaKernelOps} for the small shapes of
 * online learning (batch 1 and a few rows), where packing costs more than it saves: 2x4 blocks
 * of dot products for gemmNT with few rows, the transposed product for more; 4 (then 2, then 1)
 * rows x 4 vectors of outputs for the strided-A (NN/TN) kernel, 8 (or 4) rows x 1 vector for
 * its column tails; the dot product gemmNT uses for its last rows; the batch-1 kernels over a
 * list of rows (an input-major layer's forward pass and feedback pull); plus the tail-window
 * helpers the other vector kernels share. The shapes are also unpacked at larger batches
 * where the packed kernel lost (see {@link PanamaKernelOps}).
 *
 * <p>Reproducibility: lane sums are a fixed tree of rotations and lane-wise adds, written out in
 * each kernel, not {@code reduceLanes(ADD)}: that one's order is unspecified and differs between
 * the interpreter and C2 (measured: 66 of 100 dot products changed once compiled), which made
 * results depend on JIT timing. Rotations and lane-wise adds are exact in every tier, so the
 * same inputs give the same bits, compiled or not. The tree is inline, not a helper method: a
 * vector passed to a method C2 declines to inline gets boxed (measured: ~100 KB per call). It
 * covers 4, 8 and 16 lanes; {@link Kernels} uses the vector kernels only for those.
 *
 * <p>Tails: in the summation dimension of gemmNT a final masked iteration; in the column
 * dimension of the strided-A kernel whole loads of a window that ends at the row's end (or, for
 * rows narrower than a vector, starts at the row's start), blended into C at the store. Lane
 * sums run once per output element, after its inner loop.
 *
 * <p>Over 400 lines, on purpose: every kernel is written out whole, accumulators and lane-sum
 * tree inline, because a helper that takes or returns vectors gets them boxed when C2 declines
 * to inline it.
 */
final class PanamaSmallGemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Panel of B kept in cache by the strided-A kernel: KC rows by NC columns. */
  static final int KC = 256;
  static final int NC = 256;
  /** Rows of B per cache block in gemmNT. */
  private static final int NT_ROWS = 64;
  /** Vectors of columns in a 4-row block of gemmStridedA: 16 accumulators fit 32 registers. */
  private static final int ROWS4_COLS = VectorRegisters.Preferred.COUNT >= 32 ? 4 : 2;
  /**
   * Whether gemmStridedA's 8-row blocks run {@link Rows8Cols2Blocks#rows8cols2} (16
   * accumulators, so only with 32 registers) instead of two {@link #rows4block}s.
   */
  private static final boolean ROWS8_PANELS = VectorRegisters.Preferred.COUNT >= 32;
  /**
   * The largest column panel of B (k x vectors, in floats) that stays in L1 (48 KB on Zen 4 and
   * 5 and Sapphire Rapids) beside the rows of A: with a deeper sum than this allows for 4 vectors
   * the 8-row blocks take 2-vector panels; with a shallower one two 4-row blocks load fewer
   * vectors per FMA (256 x 200 x 21: 13.5 us against 15.4).
   */
  private static final int PANEL_FLOATS = 8192;
  /**
   * Sums shallower than this over a C wider than NC go in 4-row blocks across whole rows of C
   * (see stridedA).
   */
  private static final int STREAM_ROWS_MAX_K = 16;
  // The fixed lane-sum tree of the dot kernels: add the vector rotated by L/2, then L/4, ...,
  // then 1; lane 0 then holds the sum. Written out in each kernel (see the class comment).
  static final VectorShuffle<Float> ROT_A = VectorShuffle.iota(S, L / 2, 1, true);
  static final VectorShuffle<Float> ROT_B = VectorShuffle.iota(S, L / 4, 1, true);
  static final VectorShuffle<Float> ROT_C = VectorShuffle.iota(S, Math.max(L / 8, 1), 1,
      true);
  static final VectorShuffle<Float> ROT_D = VectorShuffle.iota(S, Math.max(L / 16, 1),
      1, true);

  private PanamaSmallGemm() {}

  /**
   * Where a masked tail window over {@code [from, end)} starts, relative to {@code from}: 0 if a
   * whole vector fits, else {@code end - L - from} (negative), so that the window ends exactly
   * at {@code end} and the lanes before {@code from} are masked off with the window
   * {@code (shift, end - from)} (see {@link #LANE}). Tails end where a row ends, and the last row
   * ends where the array does: a masked load or store whose window reaches past the array's end makes
   * the JDK check each lane in plain Java (measured: a quarter of a batch-1 training step), one
   * inside the array is a single instruction. Rows shorter than a vector keep the plain window.
   */
  static int tailShift(int from, int end) {
    return from + L > end && end >= L ? end - L - from : 0;
  }

  /**
   * Lane i holds i. A tail window, the lanes {@code i} with {@code 0 <= shift + i < limit} (for
   * {@code shift <= 0}), is {@code LANE.compare(GE, -shift).and(LANE.compare(LT, limit -
   * shift))}: what {@code S.indexInRange(shift, limit)} returns, from two compares. The JDK's
   * indexInRange takes a plain-Java path for a negative offset (measured: up to a third of a
   * batch-1 step, depending on how the JIT happened to compile it); masks made by
   * {@code VectorMask.fromLong} or {@code fromArray} were left to their allocating Java paths at
   * some call sites in some JVMs (measured: 48 bytes per paper step), and one read from a table
   * of masks cost a tenth of a batch-2 step to unbox. The compares are written out at each use,
   * not in a helper: a helper returning a mask is a call C2 may decline to inline once it has
   * compiled the helper on its own, and the mask is then boxed (measured at 8 lanes: 40 bytes
   * per batch-1 call, in every JVM of the allocation test).
   */
  static final FloatVector LANE = FloatVector.fromArray(S, lanes(), 0);

  private static float[] lanes() {
    float[] v = new float[L];
    for (int i = 0; i < L; i++) {
      v[i] = i;
    }
    return v;
  }

  // ---- gemmNT: C[i][j] += alpha * dot(A row i, B row j) --------------------------------------

  /**
   * {@code C[m][n] += alpha A[m][k] B[n][k]^T}, unpacked, as dot products: A's rows 4 at a time
   * ({@link DotBlock4x4}, over a padded copy of them when the sum is not whole vectors), then 2,
   * then 1.
   */
  static void gemmNT(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    int m2 = m & ~1;
    int n4 = n & ~3;
    int m4 = DotBlock4x4.takes(k) ? m & ~3 : 0;
    float[] sums = m4 > 0 ? DotBlock4x4.SUMS.get() : null;
    float[] quads = a;
    int lda = k;
    if (m4 > 0 && !DotBlock4x4.wholeVectors(k)) {
      lda = DotBlock4x4.padded(k);
      quads = ntScratch(0, m4 * lda);
      DotBlock4x4.pad(a, m4, k, quads);
    }
    // Blocks of NT_ROWS rows of B (64 x k floats, 256 KB at k = 1024) stay in L2 while all
    // row quads, then pairs, of A pass by.
    for (int j0 = 0; j0 < n4; j0 += NT_ROWS) {
      int j1 = Math.min(n4, j0 + NT_ROWS);
      for (int i = 0; i < m4; i += 4) {
        for (int j = j0; j < j1; j += 4) {
          DotBlock4x4.dot4x4(k, alpha, quads, i * lda, lda, b, j * k, c, i * n + j, n, sums);
        }
      }
      for (int i = m4; i < m2; i += 2) {
        for (int j = j0; j < j1; j += 4) {
          dot2x4(k, alpha, a, i * k, b, j * k, c, i * n + j, n);
        }
      }
    }
    for (int i = 0; i < m2; i += 2) {
      for (int j = n4; j < n; j++) {
        c[i * n + j] += alpha * dot(k, a, i * k, b, j * k);
        c[(i + 1) * n + j] += alpha * dot(k, a, (i + 1) * k, b, j * k);
      }
    }
    if (m2 < m) {
      int i = m2;
      for (int j = 0; j < n4; j += 4) {
        dot1x4(k, alpha, a, i * k, b, j * k, c, i * n + j);
      }
      for (int j = n4; j < n; j++) {
        c[i * n + j] += alpha * dot(k, a, i * k, b, j * k);
      }
    }
  }

  /**
   * Per-thread scratch of the NT kernels ({@link #gemmNTTransposed}, {@link #gemmNTNarrowK},
   * the padded rows of {@link #gemmNT}), two arrays grown on demand and then reused.
   */
  private static final ThreadLocal<float[][]> NT_SCRATCH =
      ThreadLocal.withInitial(() -> new float[2][0]);

  /** This thread's NT scratch array {@code slot} (0 or 1), grown to at least {@code floats}. */
  private static float[] ntScratch(int slot, int floats) {
    final float[][] scratch = NT_SCRATCH.get();
    if (scratch[slot].length < floats) {
      scratch[slot] = new float[floats];
    }
    return scratch[slot];
  }

  /**
   * {@code C[m][n] += alpha A[m][k] B[n][k]^T} as its transpose {@code C^T = B A^T}, for few
   * rows of A (a small batch against a weight matrix): A is transposed into scratch, the
   * strided-A kernel broadcasts B's elements against vectors of A^T's rows (the m samples) into
   * a zeroed scratch C^T, and C takes it back with the usual single rounding per element
   * ({@code c = fma(sum, alpha, c)}). Every element of B is read once, in its own row order;
   * the dot-product kernels instead sum lanes per output element, and the packed path copies
   * all of B column by column, both costlier than the two small transposes from 16 rows
   * (measured at m = 16, n = 200, k = 100: 8.9 us, against 14.3 packed and 13.4 as 2 x 4 dot
   * products; L dot products folded into one vector in registers took 15, bound by their
   * loads, each a 512-bit load that straddles two cache lines). Below 16 rows the transposes
   * cost more than they save (m = 8: 10.0 against 7.2 as dot products), unless the sum is
   * shorter than a vector, which a dot product would reduce whole (from 4 rows, see
   * PanamaKernelOps.gemmNTKernel).
   */
  static void gemmNTTransposed(int m, int n, int k, float alpha, float[] a, float[] b,
      float[] c) {
    // padded by a vector: narrow rows are read and written in whole windows
    final float[] at = ntScratch(0, k * m + L);
    final float[] t = ntScratch(1, n * m + L);
    transposeByGathers(a, m, k, at);
    java.util.Arrays.fill(t, 0, n * m, 0f);
    gemmStridedA(n, m, k, 1f, b, k, 1, at, t);
    addTransposed(m, n, alpha, t, c);
  }

  /**
   * {@code c[i * n + j] = fma(t[j * m + i], alpha, c[i * n + j])}: C takes back its transpose,
   * each vector of a row of C gathered from a column of t, 4 vectors of columns at a time so
   * that the lines of t they gather from stay in L1 over all m rows (without the blocks, 32 x
   * 1024 took 485 us against 29 element by element). Element by element the paper network's
   * feedback at 64 x 200 took 10.6-17.8 us, gathered 4.5 (Emerald Rapids, 16 lanes).
   */
  private static void addTransposed(int m, int n, float alpha, float[] t, float[] c) {
    final int[] index = strideIndex(m);
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final int nv = S.loopBound(n);
    for (int j0 = 0; j0 < nv; j0 += 4 * L) {
      final int j1 = Math.min(nv, j0 + 4 * L);
      for (int i = 0; i < m; i++) {
        for (int j = j0; j < j1; j += L) {
          FloatVector.fromArray(S, t, j * m + i, index, 0)
              .fma(al, FloatVector.fromArray(S, c, i * n + j)).intoArray(c, i * n + j);
        }
      }
    }
    for (int i = 0; nv < n && i < m; i++) {
      for (int j = nv; j < n; j++) {
        c[i * n + j] = Math.fma(t[j * m + i], alpha, c[i * n + j]);
      }
    }
  }

  /**
   * {@code dst[c * rows + r] = src[r * cols + c]}: a row-major rows x cols matrix transposed,
   * each row of dst gathered from a column of src a vector at a time: 2.4 to 4 times faster than
   * element by element on Emerald Rapids (16 x 100 to 32 x 1024). Not measured on AMD, where
   * gathers over whole 1024 x 1024 matrices (NT packing) lost to the element loop on Zen 5.
   */
  private static void transposeByGathers(float[] src, int rows, int cols, float[] dst) {
    final int[] index = strideIndex(cols);
    final int rv = S.loopBound(rows);
    for (int c = 0; c < cols; c++) {
      int r = 0;
      for (; r < rv; r += L) {
        FloatVector.fromArray(S, src, r * cols + c, index, 0).intoArray(dst, c * rows + r);
      }
      for (; r < rows; r++) {
        dst[c * rows + r] = src[r * cols + c];
      }
    }
  }

  /**
   * {@link #transposeByGathers} element by element, for {@link #gemmNTNarrowK}: called a few
   * times a second by the wide network's steps at batch 256, its gathers stayed in C1's code,
   * which boxes them (24,576 bytes a step, measured).
   */
  private static void transpose(float[] src, int rows, int cols, float[] dst) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] = src[r * cols + c];
      }
    }
  }

  private static final ThreadLocal<int[]> STRIDE_INDEX = ThreadLocal.withInitial(() -> new int[L]);

  /** This thread's gather index {@code 0, stride, 2 stride, ...}, L of them. */
  private static int[] strideIndex(int stride) {
    final int[] index = STRIDE_INDEX.get();
    for (int l = 0; l < L; l++) {
      index[l] = l * stride;
    }
    return index;
  }

  /** The longest sum {@link #gemmNTNarrowK} takes: a head's width (2) up to 4. */
  static final int NARROW_K = 4;

  /**
   * {@link #gemmNTTransposed} for a sum over at most {@link #NARROW_K} terms (the feedback pulled
   * through a network's 2-wide head): B transposed into a k x n scratch, then each row of C in
   * whole vectors ({@code c = fma(sum, alpha, c)}, the sum from zero in p's order, so each
   * element is the same sequence of operations as there), its last columns in a scalar loop.
   * One method whose loops run m times n / L per call, where the transposed product's 16-register
   * split of the wide network's 1,024 rows (170 blocks of 6 and one of 4) called its 4-row block
   * 16 times a step: at the wide step's 5 to 8 steps a second that block stayed in C1's code,
   * which runs the Vector API without intrinsics (47 KB allocated a step, measured on Zen 3).
   */
  static void gemmNTNarrowK(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    final float[] bt = ntScratch(0, k * n);
    transpose(b, n, k, bt);
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final int nv = S.loopBound(n);
    for (int i = 0; i < m; i++) {
      final int ai = i * k;
      final int ci = i * n;
      int j = 0;
      for (; j < nv; j += L) {
        FloatVector sum = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
          sum = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, bt, p * n + j),
              sum);
        }
        sum.fma(al, FloatVector.fromArray(S, c, ci + j)).intoArray(c, ci + j);
      }
      for (; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          sum = Math.fma(a[ai + p], bt[p * n + j], sum);
        }
        c[ci + j] = Math.fma(sum, alpha, c[ci + j]);
      }
    }
  }

  /**
   * 8 dot products: rows a0, a0+k of A against rows b0..b0+3k of B, 6 loads per 8 FMAs. Four
   * rows of A go in {@link DotBlock4x4} where it takes the sum; a 4x4 block written like this
   * one, lane-sum trees and tail included, was too large to compile reliably (C1 ran out of
   * virtual registers, and the tier-2 code left running boxed every accumulator: 0.5-3
   * GFLOP/s and hundreds of bytes allocated per call).
   */
  private static void dot2x4(
      int k, float alpha, float[] a, int a0, float[] b, int b0, float[] c, int c0, int ldc) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    final int a1 = a0 + k;
    final int b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
    final int kv = S.loopBound(k);
    int p = 0;
    for (; p < kv; p += L) {
      FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
      FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
      FloatVector w = FloatVector.fromArray(S, b, b0 + p);
      s00 = x0.fma(w, s00);
      s10 = x1.fma(w, s10);
      w = FloatVector.fromArray(S, b, b1 + p);
      s01 = x0.fma(w, s01);
      s11 = x1.fma(w, s11);
      w = FloatVector.fromArray(S, b, b2 + p);
      s02 = x0.fma(w, s02);
      s12 = x1.fma(w, s12);
      w = FloatVector.fromArray(S, b, b3 + p);
      s03 = x0.fma(w, s03);
      s13 = x1.fma(w, s13);
    }
    if (p < k) {
      // the tail window ends at k (see tailShift): p moves back by d <= 0 to where it starts,
      // and the mask drops the lanes already summed
      final int d = tailShift(p, k);
      final VectorMask<Float> t = LANE.compare(VectorOperators.GE, -d)
          .and(LANE.compare(VectorOperators.LT, k - p - d));
      p += d;
      FloatVector x0 = FloatVector.fromArray(S, a, a0 + p, t);
      FloatVector x1 = FloatVector.fromArray(S, a, a1 + p, t);
      FloatVector w = FloatVector.fromArray(S, b, b0 + p, t);
      s00 = x0.fma(w, s00);
      s10 = x1.fma(w, s10);
      w = FloatVector.fromArray(S, b, b1 + p, t);
      s01 = x0.fma(w, s01);
      s11 = x1.fma(w, s11);
      w = FloatVector.fromArray(S, b, b2 + p, t);
      s02 = x0.fma(w, s02);
      s12 = x1.fma(w, s12);
      w = FloatVector.fromArray(S, b, b3 + p, t);
      s03 = x0.fma(w, s03);
      s13 = x1.fma(w, s13);
    }
    s00 = s00.add(s00.rearrange(ROT_A));
    s01 = s01.add(s01.rearrange(ROT_A));
    s02 = s02.add(s02.rearrange(ROT_A));
    s03 = s03.add(s03.rearrange(ROT_A));
    s10 = s10.add(s10.rearrange(ROT_A));
    s11 = s11.add(s11.rearrange(ROT_A));
    s12 = s12.add(s12.rearrange(ROT_A));
    s13 = s13.add(s13.rearrange(ROT_A));
    s00 = s00.add(s00.rearrange(ROT_B));
    s01 = s01.add(s01.rearrange(ROT_B));
    s02 = s02.add(s02.rearrange(ROT_B));
    s03 = s03.add(s03.rearrange(ROT_B));
    s10 = s10.add(s10.rearrange(ROT_B));
    s11 = s11.add(s11.rearrange(ROT_B));
    s12 = s12.add(s12.rearrange(ROT_B));
    s13 = s13.add(s13.rearrange(ROT_B));
    if (L >= 8) {
      s00 = s00.add(s00.rearrange(ROT_C));
      s01 = s01.add(s01.rearrange(ROT_C));
      s02 = s02.add(s02.rearrange(ROT_C));
      s03 = s03.add(s03.rearrange(ROT_C));
      s10 = s10.add(s10.rearrange(ROT_C));
      s11 = s11.add(s11.rearrange(ROT_C));
      s12 = s12.add(s12.rearrange(ROT_C));
      s13 = s13.add(s13.rearrange(ROT_C));
    }
    if (L >= 16) {
      s00 = s00.add(s00.rearrange(ROT_D));
      s01 = s01.add(s01.rearrange(ROT_D));
      s02 = s02.add(s02.rearrange(ROT_D));
      s03 = s03.add(s03.rearrange(ROT_D));
      s10 = s10.add(s10.rearrange(ROT_D));
      s11 = s11.add(s11.rearrange(ROT_D));
      s12 = s12.add(s12.rearrange(ROT_D));
      s13 = s13.add(s13.rearrange(ROT_D));
    }
    c[c0] += alpha * s00.lane(0);
    c[c0 + 1] += alpha * s01.lane(0);
    c[c0 + 2] += alpha * s02.lane(0);
    c[c0 + 3] += alpha * s03.lane(0);
    c[c0 + ldc] += alpha * s10.lane(0);
    c[c0 + ldc + 1] += alpha * s11.lane(0);
    c[c0 + ldc + 2] += alpha * s12.lane(0);
    c[c0 + ldc + 3] += alpha * s13.lane(0);
  }

  /** 4 dot products of one row of A against 4 rows of B: the batch-1 (gemv) case. */
  private static void dot1x4(
      int k, float alpha, float[] a, int a0, float[] b, int b0, float[] c, int c0) {
    FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
    final int b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
    final int kv = S.loopBound(k);
    int p = 0;
    for (; p < kv; p += L) {
      FloatVector x = FloatVector.fromArray(S, a, a0 + p);
      s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
      s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
      s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
      s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
    }
    if (p < k) {
      final int d = tailShift(p, k);
      final VectorMask<Float> t = LANE.compare(VectorOperators.GE, -d)
          .and(LANE.compare(VectorOperators.LT, k - p - d));
      p += d;
      FloatVector x = FloatVector.fromArray(S, a, a0 + p, t);
      s0 = x.fma(FloatVector.fromArray(S, b, b0 + p, t), s0);
      s1 = x.fma(FloatVector.fromArray(S, b, b1 + p, t), s1);
      s2 = x.fma(FloatVector.fromArray(S, b, b2 + p, t), s2);
      s3 = x.fma(FloatVector.fromArray(S, b, b3 + p, t), s3);
    }
    s0 = s0.add(s0.rearrange(ROT_A));
    s1 = s1.add(s1.rearrange(ROT_A));
    s2 = s2.add(s2.rearrange(ROT_A));
    s3 = s3.add(s3.rearrange(ROT_A));
    s0 = s0.add(s0.rearrange(ROT_B));
    s1 = s1.add(s1.rearrange(ROT_B));
    s2 = s2.add(s2.rearrange(ROT_B));
    s3 = s3.add(s3.rearrange(ROT_B));
    if (L >= 8) {
      s0 = s0.add(s0.rearrange(ROT_C));
      s1 = s1.add(s1.rearrange(ROT_C));
      s2 = s2.add(s2.rearrange(ROT_C));
      s3 = s3.add(s3.rearrange(ROT_C));
    }
    if (L >= 16) {
      s0 = s0.add(s0.rearrange(ROT_D));
      s1 = s1.add(s1.rearrange(ROT_D));
      s2 = s2.add(s2.rearrange(ROT_D));
      s3 = s3.add(s3.rearrange(ROT_D));
    }
    c[c0] += alpha * s0.lane(0);
    c[c0 + 1] += alpha * s1.lane(0);
    c[c0 + 2] += alpha * s2.lane(0);
    c[c0 + 3] += alpha * s3.lane(0);
  }

  // ---- strided A: C[i][:] += alpha * sum_p A(i, p) * B[p][:] ---------------------------------

  /** {@code C[m][n] += alpha A B}, A read with row stride rs and column stride cs, unpacked. */
  static void gemmStridedA(
      int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b, float[] c) {
    stridedA(m, n, k, alpha, a, rs, cs, b, c, null, null, null, null, null);
  }

  /**
   * Whether {@link #gemmTNClamped} takes the shape: with 32 registers, rows in whole 4-row
   * blocks, rows at least a vector wide and a sum too shallow for panels, so that every output
   * of gemmStridedA goes through one {@link #rows4block} or, past a panel's 4-vector blocks
   * (only the last panel has columns past them: NC is a whole number of blocks), one
   * {@link RowsWideBlocks#rows4Wide} (not packed, not streamed: the caller's test).
   */
  static boolean clampsInRegisters(int m, int n, int k) {
    return ROWS8_PANELS && m % 4 == 0 && n >= L && NC % (ROWS4_COLS * L) == 0
        && k * L <= PANEL_FLOATS / 4;
  }

  /**
   * For {@link #clampsInRegisters} shapes: {@code C[m][n] += alpha A[k][m]^T B[k][n]}, each
   * output then zeroed where its sign disagrees with {@code colSigns} of its column, in the
   * registers that hold it before its one store: the bits of gemmTN followed by the clamp
   * pass, without the pass's read and write of C.
   */
  static void gemmTNClamped(int m, int n, int k, float alpha, float[] a, float[] b, float[] c,
      float[] colSigns) {
    stridedA(m, n, k, alpha, a, 1, m, b, c, null, null, null, null, colSigns);
  }

  /**
   * Whether {@link #gemmNNRectified} takes the shape: a whole 8-row block, rows at least a
   * vector wide (the windows at their ends then lie inside them), and B one cache block, so that
   * each output's sum is complete when its block stores it.
   */
  static boolean rectifiesRows8(int m, int n, int k) {
    return m >= 8 && n >= L && n <= NC && k <= KC;
  }

  /**
   * For {@link #rectifiesRows8} shapes: rows {@code [0, m & ~7)} of {@code s = A B + bias},
   * {@code d = s > 0 ? nu : 0} and {@code o = d * s}, stored from the registers that hold the
   * sums, each vector by the operations of the bias copy, the GEMM's store and the rectifier's
   * pass (the same bits); with {@code d == null} o alone (gemmNNRectifyOutput); the other rows
   * {@code s += A B} only. The epilogues are written out in
   * each kernel: a helper taking vectors was not inlined (too large at those call sites) and
   * ran the forward pass at half speed.
   */
  static void gemmNNRectified(int m, int n, int k, float[] a, float[] b, float[] bias,
      float[] nu, float[] s, float[] o, float[] d) {
    stridedA(m, n, k, 1f, a, k, 1, b, s, bias, nu, o, d, null);
  }

  /**
   * The rows stridedA takes in 4-row blocks: every whole four, except 5 and 6 rows over a panel
   * a vector or more wide, which go as 3 + 2 and 3 + 3 in one pass each per block of columns
   * (rows3Wide, 32 registers): a 4-row block over a row of B longer than its 4 vectors takes two
   * passes, and the leftover row or two a pass of their own, each pass over B (measured on Zen 5,
   * the paper network's forward pass at batch 5 and 6: 1.66M and 1.90M samples/s against 2.14M at
   * batch 4 and 2.19M at 3).
   */
  private static int fourRowBlocks(int m, boolean wide) {
    return wide && ROWS3_VECTORS > 0 && (m == 5 || m == 6) ? 0 : m & ~3;
  }

  /**
   * Whether {@link #rows4Wide} takes a 4-row block's columns j..j1 after its
   * 4-vector blocks: with 32 registers, rows at least a vector wide, and the columns whole
   * vectors or ending at the row's end (then the last is a window).
   */
  private static boolean wideRest(int j, int j1, int n) {
    return ROWS8_PANELS && j < j1 && n >= L && (j1 == n || (j1 - j) % L == 0);
  }

  /**
   * gemmStridedA; with a bias, the 8-row blocks rectified in registers (gemmNNRectified); with
   * signs, the 4-row blocks and their last columns clamped in registers (gemmTNClamped, whose
   * shapes they cover).
   */
  private static void stridedA(int m, int n, int k, float alpha, float[] a, int rs, int cs,
      float[] b, float[] c, float[] bias, float[] nu, float[] o, float[] d, float[] signs) {
    final int block4 = ROWS4_COLS * L;
    // Cache blocking: a KC x NC panel of B (256 KB) stays in L2 while every row block of A
    // streams past it; C accumulates one partial product per panel. A sum shallower than
    // STREAM_ROWS_MAX_K terms over a B no larger than a panel (a step's update at batch 5 to 15,
    // C the layer's weights) is instead one panel as wide as C, in 4-row blocks: each reads and
    // writes 4 whole rows of C front to back, where 8-row blocks over 256-column panels read C
    // in 1 KB pieces 4 KB apart, and so few terms leave the loads of C uncovered by FMAs.
    // Measured on Zen 5 (16 lanes, 32 registers), 1024 x 1024 updates clamped in registers, in
    // one JVM taking turns: 8 terms 200-230 us against 470-550, 12 terms 300-320 against
    // 520-670, 16 level (so not from 16); the wide network's steps at batch 8 and 12 1.13x. At
    // 8 lanes with 16 registers (-XX:UseAVX=2) 1.03x, within that harness's noise.
    final boolean streamRows = bias == null && n > NC && k < STREAM_ROWS_MAX_K
        && (long) k * n <= (long) KC * NC; // rectified blocks (a bias) are 8-row blocks
    final int nc = streamRows ? n : NC;
    for (int j0 = 0; j0 < n; j0 += nc) {
      final int j1 = Math.min(n, j0 + nc);
      final int j4BlockEnd = j1 - (j1 - j0) % block4;
      final int j2BlockEnd = j1 - (j1 - j0) % (2 * L);
      // in 2-vector panels, up to a vector of columns past them rides with the last one
      final int rest = j1 - j2BlockEnd;
      final int window = rest <= L && j2BlockEnd > j0 ? rest : 0;
      final int panelsEnd = window > 0 ? j2BlockEnd - 2 * L : j2BlockEnd;
      // per panel: whether it is a vector or more wide decides both which rows take 4-row blocks
      // and how the rows after them go
      final int whole = (j1 - j0) / L;
      final boolean tail = j0 + whole * L < j1;
      final int vectors = whole + (tail ? 1 : 0);
      final boolean wide = whole > 0 && (j1 == n || !tail);
      final int m4 = fourRowBlocks(m, wide);
      for (int k0 = 0; k0 < k; k0 += KC) {
        final int kb = Math.min(KC, k - k0);
        final int bBase = k0 * n;
        // Panels pay when B stays in cache for the next 8-row block; up to 3 blocks over a B
        // wider than a cache block stream it from L3 faster in 4-vector rows (Zen 5, 8 x 1024 x
        // 1024 over the wide network's three weight matrices: 191 us against 322-346 with
        // panels; Zen 4, 16 and 24 rows: 55-77 GFLOP/s against 31-55, the wide network's steps
        // at batch 16 1.13-1.15x, at 24 1.08x; the paper network's 8 x 100 x 200, whose B stays
        // in L2, keeps its panels). From 32 rows a C 512 or more wide is packed (see
        // PanamaKernelOps.packs).
        // Rectified blocks (gemmNNRectify) in panels at every depth, 128 and less too (the paper
        // network's 21 -> 200 layer), so that rows8cols2Rectified is the one rectified 8-row
        // epilogue with 32 registers (JMH, 3 forks a side taking turns: the paper network's
        // steps at batch 8 to 256 level, its predictions 1.06-1.16x with O stored alone).
        final boolean panels = ROWS8_PANELS && (kb * L > PANEL_FLOATS / 4 || bias != null)
            && (m >= 32 || n <= NC);
        int i = 0;
        // With 16 registers the 8-row blocks' rows go 6 at a time (Rows6Cols2Blocks), the last 4
        // as a 4-row block, but the last 8 as an 8-row block below (as 4 + 4 the paper network's
        // forward pass at batch 8 ran at 0.92x: rowsCols1's tail columns with 4 chains, not 8)
        for (final int m8 = ROWS8_PANELS ? 0 : m4 & ~7; i < m8 && m8 - i != 8; ) {
          final int rows = m8 - i == 4 ? 4 : 6;
          final int a0 = i * rs + k0 * cs;
          int j = j0;
          for (; j < j2BlockEnd; j += 2 * L) {
            if (rows == 6) {
              rows6(kb, alpha, a, a0, rs, cs, b, bBase, j, L, n, c, i * n + j, bias, nu, o, d);
            } else {
              rows4block(kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j, bias, nu, o, d,
                  null);
            }
          }
          if (rows == 6 && j1 - j > L) { // one pass, its second vector the window ending at j1
            rows6(kb, alpha, a, a0, rs, cs, b, bBase, j, j1 - L - j, n, c, i * n + j, bias, nu, o,
                d);
            j = j1;
          }
          for (; j < j1; j += L) {
            rowsCols1(rows, kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j, bias, nu, o,
                d);
          }
          i += rows;
        }
        // Eight rows at a time, so that the column tail runs eight independent fma chains (see
        // rowsCols1). Without panels and with 32 registers, the columns after the 4-vector
        // blocks go as in the 4-row blocks below, 4 rows over all of them in one pass: a
        // broadcast of A then serves up to 4 vectors, not 1 (the paper network's updates, 100
        // and 200 wide, in one JVM taking turns: steps at batch 8 1.04x, 16 0.99x, 32 1.10x,
        // 64 1.03x). rows4Wide has no rectified epilogue; with 32 registers a bias comes only
        // with a C at most a cache panel wide (rectifiesRows8), which takes panels, and the
        // test of bias keeps it so if that changes.
        for (; i + 8 <= m4 && !streamRows; i += 8) { // streamRows: 4-row blocks below
          final int a0 = i * rs + k0 * cs;
          int j = j0;
          if (panels) {
            for (; j < panelsEnd; j += 2 * L) {
              if (bias != null) {
                Rows8Cols2Blocks.rows8cols2Rectified(kb, alpha, a, a0, rs, b, bBase, j, n, c,
                    i * n + j, 0, bias, nu, o, d);
              } else {
                Rows8Cols2Blocks.rows8cols2(kb, alpha, a, a0, rs, cs, b, bBase, j, n, c,
                    i * n + j, 0);
              }
            }
            if (window > 0) {
              if (bias != null) {
                Rows8Cols2Blocks.rows8cols2Rectified(kb, alpha, a, a0, rs, b, bBase, j, n, c,
                    i * n + j, window, bias, nu, o, d);
              } else {
                Rows8Cols2Blocks.rows8cols2(kb, alpha, a, a0, rs, cs, b, bBase, j, n, c,
                    i * n + j, window);
              }
              j = j1;
            }
          } else {
            for (; j < j4BlockEnd; j += block4) {
              rows4block(kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j, bias, nu, o, d,
                  signs);
              rows4block(kb, alpha, a, a0 + 4 * rs, rs, cs, b, bBase, j, n, c, (i + 4) * n + j,
                  bias, nu, o, d, signs);
            }
            if (bias == null && wideRest(j, j1, n)) {
              final int left = (j1 - j) / L;
              final boolean win = j + left * L < j1;
              rows4Wide(kb, alpha, a, a0, rs, cs, b, bBase, j, left, win, n, c,
                  i * n + j, signs);
              rows4Wide(kb, alpha, a, a0 + 4 * rs, rs, cs, b, bBase, j, left, win,
                  n, c, (i + 4) * n + j, signs);
              j = j1;
            }
          }
          for (; j < j1; j += L) {
            rowsCols1(8, kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j, bias, nu, o, d);
          }
        }
        for (; i < m4; i += 4) {
          final int a0 = i * rs + k0 * cs;
          int j = j0;
          for (; j < j4BlockEnd; j += block4) {
            rows4block(kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j,
                null, null, null, null, signs);
          }
          // the rest of the panel in one pass: its whole vectors and, at the row's end, the
          // window (which may reach back into the blocks just stored: its lanes there are
          // written back as they are)
          if (wideRest(j, j1, n)) {
            final int left = (j1 - j) / L;
            rows4Wide(kb, alpha, a, a0, rs, cs, b, bBase, j, left,
                j + left * L < j1, n, c, i * n + j, signs);
            j = j1;
          }
          for (; j < j1; j += L) {
            rowsCols1(4, kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j,
                null, null, null, null);
          }
        }
        // the rows after the 4-row blocks (1 to 3, or 5 and 6: see fourRowBlocks): the panel's
        // vectors in as few passes as the registers allow, evenly spread, the window (when the
        // row's end is not a whole vector) in the last; three rows in one pass over k where the
        // registers hold them
        while (wide && i < m) {
          final int rows = ROWS3_VECTORS > 0 && (m - i == 3 || m - i >= 5) ? 3
              : Math.min(2, m - i);
          final int most = rows == 3 ? ROWS3_VECTORS : ROWS2_VECTORS;
          final int blocks = (vectors + most - 1) / most;
          final int a0 = i * rs + k0 * cs;
          for (int blk = 0, v0 = 0; blk < blocks; blk++) {
            final int nvAll = spreadBlock(vectors, v0, blocks - blk);
            final boolean win = tail && v0 + nvAll == vectors;
            final int j = j0 + v0 * L;
            final int nv = win ? nvAll - 1 : nvAll;
            if (rows == 3) {
              RowsWideBlocks.rows3Wide(kb, alpha, a, a0, rs, cs, b, bBase, j, nv, win, n, c,
                  i * n + j);
            } else {
              RowsWideBlocks.rows2Wide(rows == 2, kb, alpha, a, a0, rs, cs, b, bBase, j, nv,
                  win, n, c, i * n + j);
            }
            v0 += nvAll;
          }
          i += rows;
        }
        // else the panel is narrower than a vector (n < L, or the columns past the last NC
        // block): one window per row, as rowsCols1
        if (m - i >= 2) {
          final int a0 = i * rs + k0 * cs;
          for (int j = j0; j < j1; j += L) {
            rows2cols1(kb, alpha, a, a0, rs, cs, b, bBase, j, n, c, i * n + j);
          }
          i += 2;
        }
        if (i < m) {
          final int a0 = i * rs + k0 * cs;
          for (int j = j0; j < j1; j += L) {
            rows1cols1(kb, alpha, a, a0, cs, b, bBase, j, n, c, i * n + j);
          }
        }
      }
    }
  }


  /**
   * Outputs C[i..i+3][j..j+ROWS4_COLS*L): with 32 registers 4 vectors of columns, 16
   * accumulators, 4 loads and 4 broadcasts per 16 FMAs; with 16 registers 2 vectors (8
   * accumulators), since 16 accumulators and their operands do not fit. Columns 2 and 3 are
   * behind a test of the constant, which the JIT folds away.
   */
  private static void rows4block(
      int k, float alpha, float[] a, int a0, int rs, int cs, float[] b, int bBase, int j, int ldb,
      float[] c, int c0, float[] bias, float[] nu, float[] o, float[] d, float[] signs) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    for (int p = 0; p < k; p++) {
      int bp = bBase + p * ldb + j;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      int ap = a0 + p * cs;
      FloatVector x0 = FloatVector.broadcast(S, a[ap]);
      FloatVector x1 = FloatVector.broadcast(S, a[ap + rs]);
      FloatVector x2 = FloatVector.broadcast(S, a[ap + 2 * rs]);
      FloatVector x3 = FloatVector.broadcast(S, a[ap + 3 * rs]);
      c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
      c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
      c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
      c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
      if (ROWS4_COLS == 4) {
        FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * L);
        c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
        c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
        c22 = x2.fma(b2, c22); c23 = x2.fma(b3, c23);
        c32 = x3.fma(b2, c32); c33 = x3.fma(b3, c33);
      }
    }
    // Stores written out: a helper taking vectors that C2 declines to inline makes it box the
    // accumulators inside the loop (measured: ~250 B allocated per iteration).
    FloatVector al = FloatVector.broadcast(S, alpha);
    final int r0 = c0, r1 = c0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
    // The rectified epilogue serves 16 registers only (2 vectors of columns): with 32,
    // gemmStridedA's rectified blocks are rows8cols2's. Behind the constant C1 drops it there;
    // with it, C1 ran out of virtual registers compiling rows4block ("COMPILE SKIPPED", 3 forks
    // of 4 at 16 lanes), which then stayed in slow code.
    if (!ROWS8_PANELS && bias != null) { // d == null: O only (gemmNNRectifyOutput)
      final boolean keep = d != null;
      final FloatVector zero = FloatVector.zero(S);
      FloatVector bv = FloatVector.fromArray(S, bias, j);
      FloatVector nv = FloatVector.fromArray(S, nu, j);
      FloatVector v;
      FloatVector on;
      v = c00.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r0);
      if (keep) { v.intoArray(c, r0); on.intoArray(d, r0); }
      v = c10.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r1);
      if (keep) { v.intoArray(c, r1); on.intoArray(d, r1); }
      v = c20.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r2);
      if (keep) { v.intoArray(c, r2); on.intoArray(d, r2); }
      v = c30.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r3);
      if (keep) { v.intoArray(c, r3); on.intoArray(d, r3); }
      bv = FloatVector.fromArray(S, bias, j + L);
      nv = FloatVector.fromArray(S, nu, j + L);
      v = c01.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r0 + L);
      if (keep) { v.intoArray(c, r0 + L); on.intoArray(d, r0 + L); }
      v = c11.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r1 + L);
      if (keep) { v.intoArray(c, r1 + L); on.intoArray(d, r1 + L); }
      v = c21.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r2 + L);
      if (keep) { v.intoArray(c, r2 + L); on.intoArray(d, r2 + L); }
      v = c31.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r3 + L);
      if (keep) { v.intoArray(c, r3 + L); on.intoArray(d, r3 + L); }
      return;
    }
    if (signs != null) { // gemmTNClamped: each sum clamped as clampToSigns does, then stored
      final FloatVector s0 = FloatVector.fromArray(S, signs, j);
      final FloatVector s1 = FloatVector.fromArray(S, signs, j + L);
      FloatVector v;
      v = c00.fma(al, FloatVector.fromArray(S, c, r0));
      v.blend(0f, v.mul(s0).compare(VectorOperators.LT, 0f)).intoArray(c, r0);
      v = c01.fma(al, FloatVector.fromArray(S, c, r0 + L));
      v.blend(0f, v.mul(s1).compare(VectorOperators.LT, 0f)).intoArray(c, r0 + L);
      v = c10.fma(al, FloatVector.fromArray(S, c, r1));
      v.blend(0f, v.mul(s0).compare(VectorOperators.LT, 0f)).intoArray(c, r1);
      v = c11.fma(al, FloatVector.fromArray(S, c, r1 + L));
      v.blend(0f, v.mul(s1).compare(VectorOperators.LT, 0f)).intoArray(c, r1 + L);
      v = c20.fma(al, FloatVector.fromArray(S, c, r2));
      v.blend(0f, v.mul(s0).compare(VectorOperators.LT, 0f)).intoArray(c, r2);
      v = c21.fma(al, FloatVector.fromArray(S, c, r2 + L));
      v.blend(0f, v.mul(s1).compare(VectorOperators.LT, 0f)).intoArray(c, r2 + L);
      v = c30.fma(al, FloatVector.fromArray(S, c, r3));
      v.blend(0f, v.mul(s0).compare(VectorOperators.LT, 0f)).intoArray(c, r3);
      v = c31.fma(al, FloatVector.fromArray(S, c, r3 + L));
      v.blend(0f, v.mul(s1).compare(VectorOperators.LT, 0f)).intoArray(c, r3 + L);
      if (ROWS4_COLS == 4) {
        final FloatVector s2 = FloatVector.fromArray(S, signs, j + 2 * L);
        final FloatVector s3 = FloatVector.fromArray(S, signs, j + 3 * L);
        v = c02.fma(al, FloatVector.fromArray(S, c, r0 + 2 * L));
        v.blend(0f, v.mul(s2).compare(VectorOperators.LT, 0f)).intoArray(c, r0 + 2 * L);
        v = c03.fma(al, FloatVector.fromArray(S, c, r0 + 3 * L));
        v.blend(0f, v.mul(s3).compare(VectorOperators.LT, 0f)).intoArray(c, r0 + 3 * L);
        v = c12.fma(al, FloatVector.fromArray(S, c, r1 + 2 * L));
        v.blend(0f, v.mul(s2).compare(VectorOperators.LT, 0f)).intoArray(c, r1 + 2 * L);
        v = c13.fma(al, FloatVector.fromArray(S, c, r1 + 3 * L));
        v.blend(0f, v.mul(s3).compare(VectorOperators.LT, 0f)).intoArray(c, r1 + 3 * L);
        v = c22.fma(al, FloatVector.fromArray(S, c, r2 + 2 * L));
        v.blend(0f, v.mul(s2).compare(VectorOperators.LT, 0f)).intoArray(c, r2 + 2 * L);
        v = c23.fma(al, FloatVector.fromArray(S, c, r2 + 3 * L));
        v.blend(0f, v.mul(s3).compare(VectorOperators.LT, 0f)).intoArray(c, r2 + 3 * L);
        v = c32.fma(al, FloatVector.fromArray(S, c, r3 + 2 * L));
        v.blend(0f, v.mul(s2).compare(VectorOperators.LT, 0f)).intoArray(c, r3 + 2 * L);
        v = c33.fma(al, FloatVector.fromArray(S, c, r3 + 3 * L));
        v.blend(0f, v.mul(s3).compare(VectorOperators.LT, 0f)).intoArray(c, r3 + 3 * L);
      }
      return;
    }
    c00.fma(al, FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
    c01.fma(al, FloatVector.fromArray(S, c, r0 + L)).intoArray(c, r0 + L);
    c10.fma(al, FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
    c11.fma(al, FloatVector.fromArray(S, c, r1 + L)).intoArray(c, r1 + L);
    c20.fma(al, FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
    c21.fma(al, FloatVector.fromArray(S, c, r2 + L)).intoArray(c, r2 + L);
    c30.fma(al, FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
    c31.fma(al, FloatVector.fromArray(S, c, r3 + L)).intoArray(c, r3 + L);
    if (ROWS4_COLS == 4) {
      c02.fma(al, FloatVector.fromArray(S, c, r0 + 2 * L)).intoArray(c, r0 + 2 * L);
      c03.fma(al, FloatVector.fromArray(S, c, r0 + 3 * L)).intoArray(c, r0 + 3 * L);
      c12.fma(al, FloatVector.fromArray(S, c, r1 + 2 * L)).intoArray(c, r1 + 2 * L);
      c13.fma(al, FloatVector.fromArray(S, c, r1 + 3 * L)).intoArray(c, r1 + 3 * L);
      c22.fma(al, FloatVector.fromArray(S, c, r2 + 2 * L)).intoArray(c, r2 + 2 * L);
      c23.fma(al, FloatVector.fromArray(S, c, r2 + 3 * L)).intoArray(c, r2 + 3 * L);
      c32.fma(al, FloatVector.fromArray(S, c, r3 + 2 * L)).intoArray(c, r3 + 2 * L);
      c33.fma(al, FloatVector.fromArray(S, c, r3 + 3 * L)).intoArray(c, r3 + 3 * L);
    }
  }

  /**
   * A 4-row pass of RowsWideBlocks: where A's rows are contiguous and nothing is clamped (the
   * forward pass, the feedback's transposed product) the variant whose loop C2 range-checks once.
   */
  private static void rows4Wide(int k, float alpha, float[] a, int a0, int rs, int cs,
      float[] b, int bBase, int j, int nv, boolean win, int ldb, float[] c, int c0,
      float[] signs) {
    if (cs == 1 && signs == null) {
      RowsWideBlocks.rows4WideContiguous(k, alpha, a, a0, rs, b, bBase, j, nv, win, ldb, c, c0);
    } else {
      RowsWideBlocks.rows4Wide(k, alpha, a, a0, rs, cs, b, bBase, j, nv, win, ldb, c, c0, signs);
    }
  }

  /** A 6-row block of Rows6Cols2Blocks: rectified when {@code bias} is given. */
  private static void rows6(int k, float alpha, float[] a, int a0, int rs, int cs, float[] b,
      int bBase, int j, int second, int ldb, float[] c, int c0, float[] bias, float[] nu,
      float[] o, float[] d) {
    if (bias != null) {
      Rows6Cols2Blocks.rows6cols2Rectified(k, alpha, a, a0, rs, b, bBase, j, second, ldb, c, c0,
          bias, nu, o, d);
    } else {
      Rows6Cols2Blocks.rows6cols2(k, alpha, a, a0, rs, cs, b, bBase, j, second, ldb, c, c0);
    }
  }

  /**
   * Outputs C[i..i+rows-1][j..min(j+L, ldb)) for {@code rows} 4, 6 or 8: one vector of
   * columns of a row block; at the row's end a window that ends there (see tailShift). Eight
   * accumulators keep both fma pipes busy through the fma latency, where four leave them half
   * idle (a 200 x 16 x 100 product, all tail: 6.1 us in 4-row blocks, 5.1 in 8); 8 plus the load
   * and the broadcast fit 16 registers. Rows 4 and 5, and 6 and 7, are behind tests of
   * {@code rows}, loop invariants the JIT takes out of the loop (6 rows: the columns after the
   * 6-row blocks' panels with 16 registers). B is loaded whole: the window lies inside B's row,
   * or, for rows narrower than a vector, starts at the row and runs into the next rows or the
   * arrays' padding (when the arrays are too short for that, lane by lane in
   * {@link #rowsTailScalar}). C is loaded whole, the new lanes blended in and the window stored
   * whole, so lanes outside the tail are written back with the bits read; every row's window is
   * read before any is stored and rows are stored in order, so the lanes of later rows an
   * overlapping window writes back are then written by those rows' own stores. Not a
   * masked store: measured on JDK 25, masked stores here still ran the JDK's per-lane index
   * check although their windows lay inside the array.
   */
  private static void rowsCols1(int rows,
      int k, float alpha, float[] a, int a0, int rs, int cs, float[] b, int bBase, int j, int ldb,
      float[] c, int c0, float[] bias, float[] nu, float[] o, float[] mask) {
    final int d = tailShift(j, ldb);
    final int jw = j + d;
    if (ldb < L && !narrowFits(k, b, bBase, ldb, c, c0, rows)) {
      rowsTailScalar(rows, k, alpha, a, a0, rs, cs, b, bBase, j, ldb, c, c0);
      return;
    }
    final boolean six = rows >= 6;
    final boolean eight = rows == 8;
    FloatVector c0v = FloatVector.zero(S), c1v = c0v, c2v = c0v, c3v = c0v;
    FloatVector c4v = c0v, c5v = c0v, c6v = c0v, c7v = c0v;
    for (int p = 0; p < k; p++) {
      FloatVector bv = FloatVector.fromArray(S, b, bBase + p * ldb + jw);
      int ap = a0 + p * cs;
      c0v = FloatVector.broadcast(S, a[ap]).fma(bv, c0v);
      c1v = FloatVector.broadcast(S, a[ap + rs]).fma(bv, c1v);
      c2v = FloatVector.broadcast(S, a[ap + 2 * rs]).fma(bv, c2v);
      c3v = FloatVector.broadcast(S, a[ap + 3 * rs]).fma(bv, c3v);
      if (six) {
        c4v = FloatVector.broadcast(S, a[ap + 4 * rs]).fma(bv, c4v);
        c5v = FloatVector.broadcast(S, a[ap + 5 * rs]).fma(bv, c5v);
      }
      if (eight) {
        c6v = FloatVector.broadcast(S, a[ap + 6 * rs]).fma(bv, c6v);
        c7v = FloatVector.broadcast(S, a[ap + 7 * rs]).fma(bv, c7v);
      }
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    final int r0 = c0 + d, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
    final int r4 = r3 + ldb, r5 = r4 + ldb, r6 = r5 + ldb, r7 = r6 + ldb;
    if (bias != null) { // a window's lanes before j are outputs stored before: the same bits
      final boolean keep = mask != null; // else O only (gemmNNRectifyOutput)
      final FloatVector zero = FloatVector.zero(S);
      final FloatVector bv = FloatVector.fromArray(S, bias, jw);
      final FloatVector nv = FloatVector.fromArray(S, nu, jw);
      FloatVector v;
      FloatVector on;
      v = c0v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r0);
      if (keep) { v.intoArray(c, r0); on.intoArray(mask, r0); }
      v = c1v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r1);
      if (keep) { v.intoArray(c, r1); on.intoArray(mask, r1); }
      v = c2v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r2);
      if (keep) { v.intoArray(c, r2); on.intoArray(mask, r2); }
      v = c3v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
      on.mul(v).intoArray(o, r3);
      if (keep) { v.intoArray(c, r3); on.intoArray(mask, r3); }
      if (six) {
        v = c4v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, r4);
        if (keep) { v.intoArray(c, r4); on.intoArray(mask, r4); }
        v = c5v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, r5);
        if (keep) { v.intoArray(c, r5); on.intoArray(mask, r5); }
      }
      if (eight) {
        v = c6v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, r6);
        if (keep) { v.intoArray(c, r6); on.intoArray(mask, r6); }
        v = c7v.fma(al, bv); on = zero.blend(nv, v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, r7);
        if (keep) { v.intoArray(c, r7); on.intoArray(mask, r7); }
      }
      return;
    }
    if (j + L <= ldb) { // a whole vector of columns: no window
      c0v.fma(al, FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
      c1v.fma(al, FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
      c2v.fma(al, FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
      c3v.fma(al, FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
      if (six) {
        c4v.fma(al, FloatVector.fromArray(S, c, r4)).intoArray(c, r4);
        c5v.fma(al, FloatVector.fromArray(S, c, r5)).intoArray(c, r5);
      }
      if (eight) {
        c6v.fma(al, FloatVector.fromArray(S, c, r6)).intoArray(c, r6);
        c7v.fma(al, FloatVector.fromArray(S, c, r7)).intoArray(c, r7);
      }
      return;
    }
    final VectorMask<Float> t = LANE.compare(VectorOperators.GE, -d)
        .and(LANE.compare(VectorOperators.LT, ldb - j - d));
    // Every window loaded before any is stored: rows narrower than a vector overlap the next
    // rows' windows, and a load of lanes a store has just written in part waits for it to
    // retire (the 2-wide head layer at 16 lanes: 8 such waits per block). The lanes a store
    // writes back as read belong to later rows, whose own stores come after.
    final FloatVector v0 = FloatVector.fromArray(S, c, r0);
    final FloatVector v1 = FloatVector.fromArray(S, c, r1);
    final FloatVector v2 = FloatVector.fromArray(S, c, r2);
    final FloatVector v3 = FloatVector.fromArray(S, c, r3);
    final FloatVector v4 = six ? FloatVector.fromArray(S, c, r4) : v0;
    final FloatVector v5 = six ? FloatVector.fromArray(S, c, r5) : v0;
    final FloatVector v6 = eight ? FloatVector.fromArray(S, c, r6) : v0;
    final FloatVector v7 = eight ? FloatVector.fromArray(S, c, r7) : v0;
    v0.blend(c0v.fma(al, v0), t).intoArray(c, r0);
    v1.blend(c1v.fma(al, v1), t).intoArray(c, r1);
    v2.blend(c2v.fma(al, v2), t).intoArray(c, r2);
    v3.blend(c3v.fma(al, v3), t).intoArray(c, r3);
    if (six) {
      v4.blend(c4v.fma(al, v4), t).intoArray(c, r4);
      v5.blend(c5v.fma(al, v5), t).intoArray(c, r5);
    }
    if (eight) {
      v6.blend(c6v.fma(al, v6), t).intoArray(c, r6);
      v7.blend(c7v.fma(al, v7), t).intoArray(c, r7);
    }
  }

  /**
   * For rows narrower than a vector ({@code ldb < L}): whether whole vectors loaded from the
   * start of every row of B and of the {@code rows} rows of C stay inside their arrays.
   */
  private static boolean narrowFits(int k, float[] b, int bBase, int ldb, float[] c, int c0,
      int rows) {
    return bBase + (long) (k - 1) * ldb + L <= b.length
        && c0 + (long) (rows - 1) * ldb + L <= c.length;
  }

  /**
   * The most vectors of columns (the window included) {@link RowsWideBlocks#rows2Wide} sums at
   * once: 16 accumulators for two rows with 32 registers, 10 with 16.
   */
  static final int ROWS2_VECTORS = VectorRegisters.Preferred.COUNT >= 32 ? 8 : 5;
  /**
   * The most vectors of columns (the window included) {@link RowsWideBlocks#rows3Wide} sums at
   * once, 21 accumulators; 0 with 16 registers, where three rows run as two and one.
   */
  static final int ROWS3_VECTORS = VectorRegisters.Preferred.COUNT >= 32 ? 7 : 0;

  /** Outputs C[i..i+1][j..min(j+L, ldb)), as {@link #rowsCols1} for two rows. */
  private static void rows2cols1(
      int k, float alpha, float[] a, int a0, int rs, int cs, float[] b, int bBase, int j, int ldb,
      float[] c, int c0) {
    final int d = tailShift(j, ldb);
    final int jw = j + d;
    if (ldb < L && !narrowFits(k, b, bBase, ldb, c, c0, 2)) {
      rowsTailScalar(2, k, alpha, a, a0, rs, cs, b, bBase, j, ldb, c, c0);
      return;
    }
    FloatVector c0v = FloatVector.zero(S), c1v = c0v;
    for (int p = 0; p < k; p++) {
      FloatVector bv = FloatVector.fromArray(S, b, bBase + p * ldb + jw);
      int ap = a0 + p * cs;
      c0v = FloatVector.broadcast(S, a[ap]).fma(bv, c0v);
      c1v = FloatVector.broadcast(S, a[ap + rs]).fma(bv, c1v);
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    final int r0 = c0 + d, r1 = r0 + ldb;
    if (j + L <= ldb) {
      c0v.fma(al, FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
      c1v.fma(al, FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
      return;
    }
    final VectorMask<Float> t = LANE.compare(VectorOperators.GE, -d)
        .and(LANE.compare(VectorOperators.LT, ldb - j - d));
    final FloatVector v0 = FloatVector.fromArray(S, c, r0); // both read first, as in rowsCols1
    final FloatVector v1 = FloatVector.fromArray(S, c, r1);
    v0.blend(c0v.fma(al, v0), t).intoArray(c, r0);
    v1.blend(c1v.fma(al, v1), t).intoArray(c, r1);
  }

  /**
   * {@code rows} rows of C over columns {@code [j, ldb)} in scalar code doing, per element, what
   * a vector lane does (fma along p, then fma with alpha): the same bits.
   */
  static void rowsTailScalar(int rows, int k, float alpha, float[] a, int a0, int rs,
      int cs, float[] b, int bBase, int j, int ldb, float[] c, int c0) {
    for (int r = 0; r < rows; r++) {
      for (int jj = j; jj < ldb; jj++) {
        float acc = 0f;
        for (int p = 0; p < k; p++) {
          acc = Math.fma(a[a0 + r * rs + p * cs], b[bBase + p * ldb + jj], acc);
        }
        int ci = c0 + r * ldb + jj - j;
        c[ci] = Math.fma(acc, alpha, c[ci]);
      }
    }
  }

  /** Outputs C[i][j..min(j+L, ldb)) for a single row of A, loaded and stored as in rowsCols1. */
  private static void rows1cols1(
      int k, float alpha, float[] a, int a0, int cs, float[] b, int bBase, int j, int ldb, float[] c,
      int c0) {
    final int d = tailShift(j, ldb);
    final int jw = j + d;
    if (ldb < L && !narrowFits(k, b, bBase, ldb, c, c0, 1)) {
      rowsTailScalar(1, k, alpha, a, a0, 0, cs, b, bBase, j, ldb, c, c0);
      return;
    }
    FloatVector acc = FloatVector.zero(S);
    for (int p = 0; p < k; p++) {
      acc = FloatVector.broadcast(S, a[a0 + p * cs])
          .fma(FloatVector.fromArray(S, b, bBase + p * ldb + jw), acc);
    }
    FloatVector v = FloatVector.fromArray(S, c, c0 + d);
    FloatVector sum = acc.fma(FloatVector.broadcast(S, alpha), v);
    if (j + L <= ldb) {
      sum.intoArray(c, c0 + d);
    } else {
      v.blend(sum, LANE.compare(VectorOperators.GE, -d)
          .and(LANE.compare(VectorOperators.LT, ldb - j - d))).intoArray(c, c0 + d);
    }
  }

  // ---- batch 1 over a row list: the input-major layer's forward pass and feedback pull ------

  /**
   * The most vectors of y (the window included) a gemvTRows block holds in registers: as many
   * as leave room for the broadcast and two more, up to the 16 of the widest kernel. With 32
   * registers that is 16; with 16 it is 13, which makes the paper network's 100-wide layer one
   * pass at 8 lanes and its 200-wide one two (measured at 8 lanes with AVX2's 16 registers:
   * forward at batch 1 about 10% faster than with blocks of 8, the wide network's 40%).
   */
  private static final int TROWS_BLOCK = Math.min(16, VectorRegisters.Preferred.COUNT - 3);
  /** Whether gemvTRows16 spills on this JVM's registers in blocks it could hold: with 16. */
  private static final boolean SPILLS_16 = VectorRegisters.Preferred.COUNT < 32;

  /** How many blocks gemvTRows spreads {@code vectors} vectors of y over (see TROWS_BLOCK). */
  static int gemvTRowsBlocks(int vectors) {
    return (vectors + TROWS_BLOCK - 1) / TROWS_BLOCK;
  }

  /**
   * The vectors of the next block when {@code vectors} are spread evenly over blocks, {@code v0}
   * of them already in earlier ones and {@code blocksLeft} blocks to go: the larger blocks last.
   */
  static int spreadBlock(int vectors, int v0, int blocksLeft) {
    return (vectors - v0) / blocksLeft;
  }

  /**
   * The accumulators of the loop that serves a gemvTRows block of {@code nv} whole vectors: 16,
   * 12 or 8 (see gemvTRows). One rule for the loops over arrays and over aligned rows.
   */
  static int gemvTRowsLoop(int nv) {
    return nv > 12 || nv > 8 && !SPILLS_16 ? 16 : nv > 8 ? 12 : 8;
  }

  /**
   * {@code y[0..n) = b[0..n) + sum_t x[r_t] A[r_t][0..n)} for {@code n >= L} ({@code b} may
   * be {@code y}): blocks of up to
   * {@link #TROWS_BLOCK} vectors of y held in registers over the whole row list, so that a layer
   * that wide is one pass over its rows (the paper network's 200-wide layer at 16 lanes, its
   * 100-wide one at 8); the vectors are spread evenly over the blocks (29 as 14 and 15). A pass
   * costs about the row list times the fma latency whatever the number of accumulators, or the
   * rows' bytes over the cache's bandwidth (measured on a 200 x 100 layer at half activity:
   * 750-820 ns, against 980-1,110 for passes of 4, then 1, and a window). The unused
   * accumulators of a smaller block are a predictable branch each per row: cheaper, measured,
   * than loading spare columns, and at 16 registers a block of 13 in this loop still beats two
   * blocks (see TROWS_BLOCK). A block of 8 or fewer runs the 8-accumulator loop, which keeps a
   * narrow layer's loop at its 8 tests a row (not measured against the 16-accumulator loop with
   * all 16 tested); with 16 registers one of 9 to 12 the 12-accumulator loop, which is what
   * fits them, with 32 the 16-accumulator loop ({@link GemvTRowsBlocks}, the three loops from one
   * template). The last vector, when n is not a multiple of L, is a window ending at n
   * whose lanes before the tail are dropped at the store; it is stored before the block's whole
   * vectors, which overwrite the lanes it stored as they came from b. Every weight load is whole
   * and inside its row. Per lane one fma per listed row, in list order, from b: the scalar
   * loop's bits.
   */
  static void gemvTRows(int n, float[] a, float[] x, int[] rows, int count, float[] b,
      float[] y) {
    final int whole = n / L;
    final boolean tail = whole * L < n;
    final int vectors = whole + (tail ? 1 : 0);
    final int blocks = gemvTRowsBlocks(vectors);
    for (int blk = 0, v0 = 0; blk < blocks; blk++) {
      final int nvAll = spreadBlock(vectors, v0, blocks - blk);
      final boolean win = v0 + nvAll > whole;
      final int nv = win ? nvAll - 1 : nvAll;
      switch (gemvTRowsLoop(nv)) {
        case 16 -> GemvTRowsBlocks.gemvTRows16(n, a, x, rows, count, b, y, v0 * L, nv, win,
            whole * L);
        case 12 -> GemvTRowsBlocks.gemvTRows12(n, a, x, rows, count, b, y, v0 * L, nv, win,
            whole * L);
        default -> GemvTRowsBlocks.gemvTRows8(n, a, x, rows, count, b, y, v0 * L, nv, win,
            whole * L);
      }
      v0 += nvAll;
    }
  }

  /**
   * Whole vectors a sample of {@code gemvTRowsPair8} holds besides the last (the generator's
   * constant; GeneratedKernelsTest checks they agree).
   */
  static final int PAIR_VECTORS = 8;
  /**
   * Per thread, gemvTRowsPair8's chunk: the bias in, both samples' sums out, {@code 9 L} floats
   * each (see the kernel).
   */
  static final ThreadLocal<float[]> PAIR_CHUNK =
      ThreadLocal.withInitial(() -> new float[3 * (PAIR_VECTORS + 1) * L]);

  /**
   * Two samples' gemvTRows ({@code x}, {@code y} holding them at {@code m} and {@code n}): y's
   * whole vectors in chunks of 8, the last chunk of up to 8 with the window ending at n where n
   * is not whole vectors, each chunk one pass over the row list for both samples.
   */
  static void gemvTRowsPair(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] b, float[] y) {
    if (n < L) {
      gemvTRowsPairNarrow(m, n, a, x, rows, count, b, y);
      return;
    }
    final float[] chunk = PAIR_CHUNK.get();
    final int whole = n / L;
    final int tail = n - whole * L; // the window's last lanes
    for (int c = 0; c < whole; ) {
      final int cv = Math.min(PAIR_VECTORS, whole - c);
      final int j = c * L;
      final boolean last = tail > 0 && c + cv == whole;
      final int lastLen = last ? tail : 0; // the window's columns past the whole vectors
      pairBiasIn(b, j, cv, n - L, last ? L : 0, chunk);
      if (cv == PAIR_VECTORS && !last) {
        GemvTRowsBlocks.gemvTRowsPair8(n, a, x, m, rows, count, chunk, j);
      } else {
        GemvTRowsBlocks.gemvTRowsPairRest(n, a, x, m, rows, count, chunk, j, cv, last);
      }
      pairSumsOut(chunk, cv, L - lastLen, lastLen, y, n, j, n - lastLen);
      c += cv;
    }
  }

  /**
   * Fills gemvTRowsPair8's chunk with the bias: {@code cv} vectors of b from column {@code j},
   * and {@code lastLen} columns from {@code lastFrom} into the last vector's slot.
   */
  static void pairBiasIn(float[] b, int j, int cv, int lastFrom, int lastLen, float[] chunk) {
    System.arraycopy(b, j, chunk, 0, cv * L);
    System.arraycopy(b, lastFrom, chunk, PAIR_VECTORS * L, lastLen);
  }

  /**
   * Copies both samples' sums out of gemvTRowsPair8's chunk into y (the second sample's
   * {@code y1} after the first's): {@code cv} vectors to column {@code j}, and the last vector's
   * {@code lastLen} lanes from {@code lastLane} to column {@code lastTo}.
   */
  static void pairSumsOut(float[] chunk, int cv, int lastLane, int lastLen, float[] y, int y1,
      int j, int lastTo) {
    for (int r = 0; r < 2; r++) {
      final int sums = (r + 1) * (PAIR_VECTORS + 1) * L;
      System.arraycopy(chunk, sums, y, r * y1 + j, cv * L);
      System.arraycopy(chunk, sums + PAIR_VECTORS * L + lastLane, y, r * y1 + lastTo, lastLen);
    }
  }

  /**
   * gemvTRowsPair for {@code n < L}: one accumulator a sample, each row a load of its n columns
   * under a mask.
   */
  private static void gemvTRowsPairNarrow(int m, int n, float[] a, float[] x, int[] rows,
      int count, float[] b, float[] y) {
    final VectorMask<Float> lanes = S.indexInRange(0, n);
    FloatVector c = FloatVector.fromArray(S, b, 0, lanes);
    FloatVector d = c;
    for (int t = 0; t < count; t++) {
      final int i = rows[t];
      final FloatVector w = FloatVector.fromArray(S, a, i * n, lanes);
      c = FloatVector.broadcast(S, x[i]).fma(w, c);
      d = FloatVector.broadcast(S, x[m + i]).fma(w, d);
    }
    c.intoArray(y, 0, lanes);
    d.intoArray(y, n, lanes);
  }

  /**
   * gemvTRows for {@code n < L}, A and y with a vector's room after their used parts (as
   * {@code KernelOps} makes sure): one accumulator whose first n lanes are y; each row one whole
   * vector load from the row's start (lanes past n hold the next rows' weights and are dropped
   * at the store), one fma per lane per row, in list order.
   */
  static void gemvTRowsNarrow(int n, float[] a, float[] x, int[] rows, int count, float[] y) {
    final VectorMask<Float> keep = LANE.compare(VectorOperators.LT, n);
    final FloatVector old = FloatVector.fromArray(S, y, 0);
    FloatVector c = old;
    for (int t = 0; t < count; t++) {
      final int i = rows[t];
      c = FloatVector.broadcast(S, x[i]).fma(FloatVector.fromArray(S, a, i * n), c);
    }
    old.blend(c, keep).intoArray(y, 0);
  }

  /**
   * {@code y[yOff + r] += A[r][0..n) . x[xOff .. xOff + n)} for the listed rows, {@code n >= L}:
   * four rows at a time sharing each load of x, lane sums by the fixed tree. A row's tail is a
   * whole window ending at n, multiplied by x's last window with the lanes already summed set
   * to zero.
   */
  static void gemvRows(int n, float[] a, float[] x, int xOff, int[] rows, int count, float[] y,
      int yOff) {
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final FloatVector zero = FloatVector.zero(S);
    final FloatVector xt = zero.blend(FloatVector.fromArray(S, x, xOff + jw),
        LANE.compare(VectorOperators.GE, nv - jw).and(LANE.compare(VectorOperators.LT, n - jw)));
    int t = 0;
    for (; t + 4 <= count; t += 4) {
      final int a0 = rows[t] * n, a1 = rows[t + 1] * n, a2 = rows[t + 2] * n;
      final int a3 = rows[t + 3] * n;
      FloatVector s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      for (int p = 0; p < nv; p += L) {
        FloatVector xv = FloatVector.fromArray(S, x, xOff + p);
        s0 = xv.fma(FloatVector.fromArray(S, a, a0 + p), s0);
        s1 = xv.fma(FloatVector.fromArray(S, a, a1 + p), s1);
        s2 = xv.fma(FloatVector.fromArray(S, a, a2 + p), s2);
        s3 = xv.fma(FloatVector.fromArray(S, a, a3 + p), s3);
      }
      if (nv < n) {
        s0 = xt.fma(FloatVector.fromArray(S, a, a0 + jw), s0);
        s1 = xt.fma(FloatVector.fromArray(S, a, a1 + jw), s1);
        s2 = xt.fma(FloatVector.fromArray(S, a, a2 + jw), s2);
        s3 = xt.fma(FloatVector.fromArray(S, a, a3 + jw), s3);
      }
      s0 = s0.add(s0.rearrange(ROT_A));
      s1 = s1.add(s1.rearrange(ROT_A));
      s2 = s2.add(s2.rearrange(ROT_A));
      s3 = s3.add(s3.rearrange(ROT_A));
      s0 = s0.add(s0.rearrange(ROT_B));
      s1 = s1.add(s1.rearrange(ROT_B));
      s2 = s2.add(s2.rearrange(ROT_B));
      s3 = s3.add(s3.rearrange(ROT_B));
      if (L >= 8) {
        s0 = s0.add(s0.rearrange(ROT_C));
        s1 = s1.add(s1.rearrange(ROT_C));
        s2 = s2.add(s2.rearrange(ROT_C));
        s3 = s3.add(s3.rearrange(ROT_C));
      }
      if (L >= 16) {
        s0 = s0.add(s0.rearrange(ROT_D));
        s1 = s1.add(s1.rearrange(ROT_D));
        s2 = s2.add(s2.rearrange(ROT_D));
        s3 = s3.add(s3.rearrange(ROT_D));
      }
      y[yOff + rows[t]] += s0.lane(0);
      y[yOff + rows[t + 1]] += s1.lane(0);
      y[yOff + rows[t + 2]] += s2.lane(0);
      y[yOff + rows[t + 3]] += s3.lane(0);
    }
    for (; t < count; t++) {
      final int a0 = rows[t] * n;
      FloatVector s0 = zero;
      for (int p = 0; p < nv; p += L) {
        s0 = FloatVector.fromArray(S, x, xOff + p).fma(FloatVector.fromArray(S, a, a0 + p), s0);
      }
      if (nv < n) {
        s0 = xt.fma(FloatVector.fromArray(S, a, a0 + jw), s0);
      }
      s0 = s0.add(s0.rearrange(ROT_A));
      s0 = s0.add(s0.rearrange(ROT_B));
      if (L >= 8) {
        s0 = s0.add(s0.rearrange(ROT_C));
      }
      if (L >= 16) {
        s0 = s0.add(s0.rearrange(ROT_D));
      }
      y[yOff + rows[t]] += s0.lane(0);
    }
  }

  /**
   * gemvRows for {@code n < L}, {@code xOff + L <= x.length}: per listed row one whole vector
   * from the row's start times x, the lanes past n (the next rows' weights) set to zero after
   * the product, so that an infinite weight there cannot leak a NaN; then the fixed lane-sum
   * tree. Rows are independent, so the out-of-order core overlaps one row's tree with the next
   * rows' loads (measured: a 50-row list of 10-wide rows took 0.7 us as scalar dot products,
   * each a chain of dependent adds). A row whose load would pass the array's end is summed lane
   * by lane.
   */
  static void gemvRowsNarrow(int n, float[] a, float[] x, int xOff, int[] rows, int count,
      float[] y, int yOff) {
    final FloatVector xv = FloatVector.fromArray(S, x, xOff);
    final FloatVector zero = FloatVector.zero(S);
    for (int t = 0; t < count; t++) {
      final int r = rows[t];
      final int p = r * n;
      if (p + L > a.length) {
        y[yOff + r] += KernelOps.dotScalar(n, a, p, x, xOff);
        continue;
      }
      FloatVector s0 = zero.blend(xv.mul(FloatVector.fromArray(S, a, p)),
          LANE.compare(VectorOperators.LT, n));
      s0 = s0.add(s0.rearrange(ROT_A));
      s0 = s0.add(s0.rearrange(ROT_B));
      if (L >= 8) {
        s0 = s0.add(s0.rearrange(ROT_C));
      }
      if (L >= 16) {
        s0 = s0.add(s0.rearrange(ROT_D));
      }
      y[yOff + r] += s0.lane(0);
    }
  }

  // ---- the dot product of the last rows ----------------------------------------------------

  /** {@code sum_i x[xOff + i] * y[yOff + i]}, lanes summed by the fixed tree. */
  static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    FloatVector s0 = FloatVector.zero(S), s1 = s0;
    final int n2 = n - n % (2 * L);
    int i = 0;
    for (; i < n2; i += 2 * L) {
      s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
      s1 = FloatVector.fromArray(S, x, xOff + i + L)
          .fma(FloatVector.fromArray(S, y, yOff + i + L), s1);
    }
    for (; i < n; i += L) {
      VectorMask<Float> t = S.indexInRange(i, n);
      s0 = FloatVector.fromArray(S, x, xOff + i, t)
          .fma(FloatVector.fromArray(S, y, yOff + i, t), s0);
    }
    s0 = s0.add(s1);
    s0 = s0.add(s0.rearrange(ROT_A));
    s0 = s0.add(s0.rearrange(ROT_B));
    if (L >= 8) {
      s0 = s0.add(s0.rearrange(ROT_C));
    }
    if (L >= 16) {
      s0 = s0.add(s0.rearrange(ROT_D));
    }
    return s0.lane(0);
  }
}
