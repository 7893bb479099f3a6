package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Large GEMMs go to {@link PanamaPackedGemm} (and, in a multi-threaded
 * instance, are split by {@link GemmTeam}); small ones, the batch-1 and few-row shapes of online
 * learning, to the register-blocked {@link PanamaSmallGemm}. The element-wise kernels (rectify,
 * maxAbs, clampToSigns, axpy) and the batch-1 rank-1 update are here. {@link Kernels} creates
 * this class only after checking that {@code jdk.incubator.vector} is readable, inside a holder
 * class's initializer, so that on a JVM without the module it is never linked.
 */
final class PanamaKernelOps extends KernelOps {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final VectorSpecies<Integer> I = S.withLanes(int.class);
  /** Lane i holds i: the indices nonzeroRowsKernel compresses. */
  private static final IntVector INDEX = IntVector.zero(I).addIndex(1);

  /**
   * By default a GEMM is split over threads from this many multiply-adds up. Measured on this
   * 2-vCPU VM: the paper network's 5M-MAC GEMMs at batch 256 ran slower split (a whole step:
   * 400-630 against 720-790 steps/s), the wide network's 268M-MAC ones faster (1.3-1.7x); the
   * second vCPU is not a free core here (two FMA-bound processes reach 1.6x, not 2x).
   */
  static final long SPLIT_MIN_MACS = 1L << 24;

  /**
   * gerRows walks rows up to this many vectors long in column blocks (y and the signs in
   * registers), longer ones row after row: 16 vectors is the paper network's 200-wide layer
   * with room to spare, and 1 KB rows at 16 lanes.
   */
  static final int COLUMN_BLOCKED_MAX_VECTORS = 16;

  /** Splits large GEMMs over threads, or null for a single-threaded implementation. */
  private final GemmTeam team;
  private final long splitMinMacs;

  PanamaKernelOps() {
    this.team = null;
    this.splitMinMacs = Long.MAX_VALUE;
  }

  /**
   * An implementation whose GEMMs of at least {@code splitMinMacs} multiply-adds (and large
   * enough to pack) run on {@code threads} threads (2 or more).
   */
  PanamaKernelOps(int threads, long splitMinMacs) {
    this.team = new GemmTeam(threads);
    this.splitMinMacs = splitMinMacs;
  }

  static int lanes() {
    return L;
  }

  @Override
  public String name() {
    return team == null ? "vector" : "vector" + team.threads() + "t";
  }

  /** The packed GEMM, split over the team when there is one and the shape is large enough. */
  private void packed(int m, int n, int k, float alpha, float[] a, int ars, int acs, float[] b,
      int brs, int bcs, float[] c) {
    if (team != null && (long) m * n * k >= splitMinMacs) {
      team.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c);
    } else {
      PanamaPackedGemm.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, 0, n);
    }
  }

  // ---- GEMMs: packed from worthPacking's size up, register-blocked below ----------------------

  @Override
  protected void gemmNTKernel(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    if (PanamaPackedGemm.worthPacking(m, n, k)) {
      packed(m, n, k, alpha, a, k, 1, b, 1, k, c);
    } else {
      PanamaSmallGemm.gemmNT(m, n, k, alpha, a, b, c);
    }
  }

  @Override
  protected void gemmStridedA(
      int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b, float[] c) {
    if (PanamaPackedGemm.worthPacking(m, n, k)) {
      packed(m, n, k, alpha, a, rs, cs, b, n, 1, c);
    } else {
      PanamaSmallGemm.gemmStridedA(m, n, k, alpha, a, rs, cs, b, c);
    }
  }

  // ---- level 1 ---------------------------------------------------------------------------------

  @Override
  protected float dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
    return PanamaSmallGemm.dot(n, x, xOff, y, yOff);
  }


  /**
   * Per changed row: {@code t = fma(x[i], y[j], +0)} then {@code fma(t, alpha, a)}, the
   * operations of the strided kernel at k = 1 (so the same bits, down to the sign of a zero),
   * and the clamp in the same pass: a sign-agnostic test {@code v * sign < 0} keeps NaN and -0
   * exactly as clampToSigns does. Tails as the strided kernels: a window ending at the row's
   * end, blended in.
   */
  @Override
  protected void gerRowsKernel(int m, int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    if (n < L) {
      // Rows narrower than a vector: one whole vector from each row's start, its first n lanes
      // blended in (the rest are the next rows' weights, written back unchanged before those
      // rows are read: the list ascends). Inline here, not a method of its own: one called only
      // for the narrow top layers stayed C1-compiled for minutes in a JVM that also ran other
      // batch sizes, and C1 boxes every vector (measured: 1,248 bytes per 100 steps). Lane by
      // lane where a vector would pass an array's end (unpadded arrays from outside).
      final boolean fits = y.length >= L && (colSigns == null || colSigns.length >= L);
      final FloatVector yv = fits ? FloatVector.fromArray(S, y, 0) : zero;
      final FloatVector sv = fits && colSigns != null ? FloatVector.fromArray(S, colSigns, 0)
          : zero;
      for (int t = 0; t < count; t++) {
        final int p = rows[t] * n;
        if (!fits || p + L > a.length) {
          gerRowScalar(n, alpha, x, rows[t], y, a, colSigns);
          continue;
        }
        final FloatVector old = FloatVector.fromArray(S, a, p);
        FloatVector v = FloatVector.broadcast(S, x[rows[t]]).fma(yv, zero).fma(al, old);
        if (colSigns != null) {
          v = v.blend(0f, v.mul(sv).compare(VectorOperators.LT, 0f));
        }
        old.blend(v, PanamaSmallGemm.LANE.compare(VectorOperators.LT, n)).intoArray(a, p);
      }
      return;
    }
    // Column blocks outside, rows inside: y's and the signs' vectors are loaded once per block
    // and held in registers, so each weight vector costs one load and one store (measured on a
    // 100 x 100 layer: 1.7 us, against 2.6 with y and the signs loaded again for every row).
    // Rows longer than COLUMN_BLOCKED_MAX_VECTORS vectors are streamed whole instead, one after
    // another: a matrix beyond the caches walked in column blocks is a stride through memory
    // (measured: the wide network's batch-1 step 17% slower).
    if (n > COLUMN_BLOCKED_MAX_VECTORS * L) {
      gerRowsStreamed(n, al, x, rows, count, y, a, colSigns);
      return;
    }
    final int nv = S.loopBound(n);
    final boolean clamp = colSigns != null;
    int j = 0;
    for (; j + 4 * L <= nv; j += 4 * L) {
      final FloatVector y0 = FloatVector.fromArray(S, y, j);
      final FloatVector y1 = FloatVector.fromArray(S, y, j + L);
      final FloatVector y2 = FloatVector.fromArray(S, y, j + 2 * L);
      final FloatVector y3 = FloatVector.fromArray(S, y, j + 3 * L);
      final FloatVector s0 = clamp ? FloatVector.fromArray(S, colSigns, j) : zero;
      final FloatVector s1 = clamp ? FloatVector.fromArray(S, colSigns, j + L) : zero;
      final FloatVector s2 = clamp ? FloatVector.fromArray(S, colSigns, j + 2 * L) : zero;
      final FloatVector s3 = clamp ? FloatVector.fromArray(S, colSigns, j + 3 * L) : zero;
      for (int r = 0; r < count; r++) {
        final int p = rows[r] * n + j;
        final FloatVector xv = FloatVector.broadcast(S, x[rows[r]]);
        FloatVector v0 = xv.fma(y0, zero).fma(al, FloatVector.fromArray(S, a, p));
        FloatVector v1 = xv.fma(y1, zero).fma(al, FloatVector.fromArray(S, a, p + L));
        FloatVector v2 = xv.fma(y2, zero).fma(al, FloatVector.fromArray(S, a, p + 2 * L));
        FloatVector v3 = xv.fma(y3, zero).fma(al, FloatVector.fromArray(S, a, p + 3 * L));
        if (clamp) {
          v0 = v0.blend(0f, v0.mul(s0).compare(VectorOperators.LT, 0f));
          v1 = v1.blend(0f, v1.mul(s1).compare(VectorOperators.LT, 0f));
          v2 = v2.blend(0f, v2.mul(s2).compare(VectorOperators.LT, 0f));
          v3 = v3.blend(0f, v3.mul(s3).compare(VectorOperators.LT, 0f));
        }
        v0.intoArray(a, p);
        v1.intoArray(a, p + L);
        v2.intoArray(a, p + 2 * L);
        v3.intoArray(a, p + 3 * L);
      }
    }
    for (; j < nv; j += L) {
      final FloatVector y0 = FloatVector.fromArray(S, y, j);
      final FloatVector s0 = clamp ? FloatVector.fromArray(S, colSigns, j) : zero;
      for (int r = 0; r < count; r++) {
        final int p = rows[r] * n + j;
        FloatVector v = FloatVector.broadcast(S, x[rows[r]]).fma(y0, zero)
            .fma(al, FloatVector.fromArray(S, a, p));
        if (clamp) {
          v = v.blend(0f, v.mul(s0).compare(VectorOperators.LT, 0f));
        }
        v.intoArray(a, p);
      }
    }
    if (nv < n) { // the window ending at the row's end; its lanes before nv written back as read
      final int jw = n - L;
      final FloatVector y0 = FloatVector.fromArray(S, y, jw);
      final FloatVector s0 = clamp ? FloatVector.fromArray(S, colSigns, jw) : zero;
      for (int r = 0; r < count; r++) {
        final int p = rows[r] * n + jw;
        final FloatVector old = FloatVector.fromArray(S, a, p);
        FloatVector v = FloatVector.broadcast(S, x[rows[r]]).fma(y0, zero).fma(al, old);
        if (clamp) {
          v = v.blend(0f, v.mul(s0).compare(VectorOperators.LT, 0f));
        }
        old.blend(v, PanamaSmallGemm.LANE.compare(VectorOperators.GE, nv - jw)).intoArray(a, p);
      }
    }
  }

  /**
   * gerRows row after row, each row's columns in order, y and the signs loaded per row; for rows
   * of more than {@link #COLUMN_BLOCKED_MAX_VECTORS} vectors ({@code n >= L}).
   */
  private static void gerRowsStreamed(int n, FloatVector al, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final boolean clamp = colSigns != null;
    for (int r = 0; r < count; r++) {
      final int row = rows[r] * n;
      final FloatVector xv = FloatVector.broadcast(S, x[rows[r]]);
      for (int j = 0; j < nv; j += L) {
        FloatVector v = xv.fma(FloatVector.fromArray(S, y, j), zero)
            .fma(al, FloatVector.fromArray(S, a, row + j));
        if (clamp) {
          v = v.blend(0f, v.mul(FloatVector.fromArray(S, colSigns, j))
              .compare(VectorOperators.LT, 0f));
        }
        v.intoArray(a, row + j);
      }
      if (nv < n) {
        final FloatVector old = FloatVector.fromArray(S, a, row + jw);
        FloatVector v = xv.fma(FloatVector.fromArray(S, y, jw), zero).fma(al, old);
        if (clamp) {
          v = v.blend(0f, v.mul(FloatVector.fromArray(S, colSigns, jw))
              .compare(VectorOperators.LT, 0f));
        }
        old.blend(v, PanamaSmallGemm.LANE.compare(VectorOperators.GE, nv - jw))
            .intoArray(a, row + jw);
      }
    }
  }

  /** One row of gerRows lane by lane, with a lane's operations: the same bits. */
  private void gerRowScalar(int n, float alpha, float[] x, int i, float[] y, float[] a,
      float[] colSigns) {
    final float xi = x[i];
    for (int j = 0; j < n; j++) {
      a[i * n + j] = Math.fma(Math.fma(y[j], xi, 0f), alpha, a[i * n + j]);
    }
    if (colSigns != null) {
      super.clampToSignsKernel(a, i * n, n, colSigns);
    }
  }

  @Override
  protected void gemvTRowsKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] y) {
    if (n < L && y.length < L) {
      super.gemvTRowsKernel(m, n, a, x, rows, count, y);
    } else if (n < L) {
      PanamaSmallGemm.gemvTRowsNarrow(n, a, x, rows, count, y);
    } else {
      PanamaSmallGemm.gemvTRows(n, a, x, rows, count, y);
    }
  }

  @Override
  protected void gemvRowsKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] y) {
    if (n < L && x.length >= L) {
      PanamaSmallGemm.gemvRowsNarrow(n, a, x, rows, count, y);
    } else if (n < L) {
      for (int t = 0; t < count; t++) { // as the scalar dot: too short for a vector
        y[rows[t]] += dotScalar(n, a, rows[t] * n, x, 0);
      }
    } else {
      PanamaSmallGemm.gemvRows(n, a, x, rows, count, y);
    }
  }

  /** Compare and blend: no branch for a sign that is on about half the time. */
  @Override
  protected void rectifyKernel(int rows, int n, float[] s, float[] nu, float[] o, float[] d) {
    final int nv = S.loopBound(n);
    final FloatVector zero = FloatVector.zero(S);
    for (int r = 0; r < rows; r++) {
      final int row = r * n;
      int j = 0;
      for (; j < nv; j += L) {
        FloatVector v = FloatVector.fromArray(S, s, row + j);
        FloatVector on =
            zero.blend(FloatVector.fromArray(S, nu, j), v.compare(VectorOperators.GT, 0f));
        on.intoArray(d, row + j);
        on.mul(v).intoArray(o, row + j);
      }
      for (; j < n; j++) {
        float on = s[row + j] > 0f ? nu[j] : 0f;
        d[row + j] = on;
        o[row + j] = on * s[row + j];
      }
    }
  }

  /**
   * Per vector: the nonzero lanes' indices packed to the front by one compress and stored
   * whole at the count so far; the next store starts where they end. The store stays inside
   * {@code rows}: after j entries of v at most j indices are listed. Measured at 16, 8 and 4
   * lanes: 40-110 ns for 208 entries, against 300 for the scalar loop.
   */
  @Override
  protected int nonzeroRowsKernel(float[] v, int n, int[] rows) {
    final int nv = S.loopBound(n);
    int c = 0;
    int j = 0;
    for (; j < nv; j += L) {
      VectorMask<Float> on = FloatVector.fromArray(S, v, j).compare(VectorOperators.NE, 0f);
      INDEX.add(j).compress(on.cast(I)).intoArray(rows, c);
      c += on.trueCount();
    }
    return listNonzero(v, j, n, rows, c);
  }

  /** Lane-wise max keeps NaN like {@link Math#max}; max is exact, so any lane order will do. */
  @Override
  protected float maxAbsKernel(float[] x, int off, int n) {
    FloatVector acc = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    int i = 0;
    for (; i < nv; i += L) {
      acc = acc.max(FloatVector.fromArray(S, x, off + i).abs());
    }
    float m = acc.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      m = Math.max(m, Math.abs(x[off + i]));
    }
    return m;
  }

  @Override
  protected void clampToSignsKernel(float[] x, int off, int n, float[] signs) {
    final int nv = S.loopBound(n);
    int j = 0;
    for (; j < nv; j += L) {
      FloatVector v = FloatVector.fromArray(S, x, off + j);
      // compare and blend, not max/min: a NaN must survive for the divergence check
      v.blend(0f, v.mul(FloatVector.fromArray(S, signs, j)).compare(VectorOperators.LT, 0f))
          .intoArray(x, off + j);
    }
    for (; j < n; j++) {
      if (x[off + j] * signs[j] < 0f) {
        x[off + j] = 0f;
      }
    }
  }

  @Override
  protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    FloatVector al = FloatVector.broadcast(S, alpha);
    final int nv = S.loopBound(n);
    int i = 0;
    for (; i < nv; i += L) {
      FloatVector.fromArray(S, x, xOff + i)
          .fma(al, FloatVector.fromArray(S, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) { // fma like a lane: same bits as a masked vector, no masked store
      y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
    }
  }
}
