package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
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

  /**
   * By default a GEMM is split over threads from this many multiply-adds up. Measured on this
   * 2-vCPU VM: the paper network's 5M-MAC GEMMs at batch 256 ran slower split (a whole step:
   * 400-630 against 720-790 steps/s), the wide network's 268M-MAC ones faster (1.3-1.7x); the
   * second vCPU is not a free core here (two FMA-bound processes reach 1.6x, not 2x).
   */
  static final long SPLIT_MIN_MACS = 1L << 24;

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
   * Per changed row and column: {@code acc = fma(a_p, b_p, acc)} over p from +0, then
   * {@code fma(acc, alpha, c)}, the operations of the strided kernel (so the same bits, down to
   * the sign of a zero), and the clamp in the same pass: a sign-agnostic test
   * {@code v * sign < 0} keeps NaN and -0 exactly as clampToSigns does. Tails as the strided
   * kernels: a window ending at the row's end, blended in; rows narrower than a vector in
   * {@link #gemmTNRowsNarrow}.
   */
  @Override
  protected void gemmTNRowsKernel(int m, int n, int k, float alpha, float[] a, int[] rows,
      int count, float[] b, float[] c, float[] colSigns) {
    if (n < L) {
      gemmTNRowsNarrow(m, n, k, alpha, a, rows, count, b, c, colSigns);
      return;
    }
    if (k == 1) {
      rankOneRows(n, alpha, a, rows, count, b, c, colSigns);
      return;
    }
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int d = PanamaSmallGemm.tailShift(nv, n);
    final boolean clamp = colSigns != null;
    for (int r = 0; r < count; r++) {
      final int i = rows[r];
      final int row = i * n;
      for (int j = 0; j < nv; j += L) {
        FloatVector acc = zero;
        for (int p = 0; p < k; p++) {
          acc = FloatVector.broadcast(S, a[p * m + i])
              .fma(FloatVector.fromArray(S, b, p * n + j), acc);
        }
        FloatVector v = acc.fma(al, FloatVector.fromArray(S, c, row + j));
        if (clamp) {
          v = v.blend(0f, v.mul(FloatVector.fromArray(S, colSigns, j))
              .compare(VectorOperators.LT, 0f));
        }
        v.intoArray(c, row + j);
      }
      if (nv < n) {
        final int j = nv + d;
        FloatVector acc = zero;
        for (int p = 0; p < k; p++) {
          acc = FloatVector.broadcast(S, a[p * m + i])
              .fma(FloatVector.fromArray(S, b, p * n + j), acc);
        }
        FloatVector old = FloatVector.fromArray(S, c, row + j);
        FloatVector v = acc.fma(al, old);
        if (clamp) {
          v = v.blend(0f, v.mul(FloatVector.fromArray(S, colSigns, j))
              .compare(VectorOperators.LT, 0f));
        }
        old.blend(v, PanamaSmallGemm.window(d, n - nv)).intoArray(c, row + j);
      }
    }
  }

  /**
   * gemmTNRows at k = 1 ({@code n >= L}), the batch-1 update: the row's coefficient broadcast
   * once per row instead of once per vector (measured: the general loop made a batch-1 paper
   * step 17% slower).
   */
  private static void rankOneRows(int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    // alpha, not its broadcast: a vector passed to a method C2 does not inline is boxed
    // (measured: 96 bytes per batch-1 step in some JVMs)
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int d = PanamaSmallGemm.tailShift(nv, n);
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
        final int j = nv + d;
        FloatVector old = FloatVector.fromArray(S, a, row + j);
        FloatVector v = xv.fma(FloatVector.fromArray(S, y, j), zero).fma(al, old);
        if (clamp) {
          v = v.blend(0f, v.mul(FloatVector.fromArray(S, colSigns, j))
              .compare(VectorOperators.LT, 0f));
        }
        old.blend(v, PanamaSmallGemm.window(d, n - nv)).intoArray(a, row + j);
      }
    }
  }

  /**
   * gemmTNRows for rows narrower than a vector: each row of B and C one whole vector load from
   * the row's start (lanes past n belong to the next rows or to padding), the first n lanes of
   * C blended in, so the other lanes are written back with the bits just read. Rows of C whose
   * load would pass the array's end, and B or colSigns too short for whole loads, go lane by
   * lane with a lane's operations.
   */
  private void gemmTNRowsNarrow(int m, int n, int k, float alpha, float[] a, int[] rows,
      int count, float[] b, float[] c, float[] colSigns) {
    final boolean clamp = colSigns != null;
    if ((long) (k - 1) * n + L > b.length || (clamp && colSigns.length < L)) {
      for (int t = 0; t < count; t++) {
        rowScalar(m, n, k, alpha, a, rows[t], b, c, colSigns);
      }
      return;
    }
    final VectorMask<Float> keep = PanamaSmallGemm.window(0, n);
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final FloatVector sv = clamp ? FloatVector.fromArray(S, colSigns, 0) : zero;
    for (int t = 0; t < count; t++) {
      final int i = rows[t];
      final int row = i * n;
      if (row + L > c.length) {
        rowScalar(m, n, k, alpha, a, i, b, c, colSigns);
        continue;
      }
      FloatVector acc = zero;
      for (int p = 0; p < k; p++) {
        acc = FloatVector.broadcast(S, a[p * m + i]).fma(FloatVector.fromArray(S, b, p * n), acc);
      }
      FloatVector old = FloatVector.fromArray(S, c, row);
      FloatVector v = acc.fma(al, old);
      if (clamp) {
        v = v.blend(0f, v.mul(sv).compare(VectorOperators.LT, 0f));
      }
      old.blend(v, keep).intoArray(c, row);
    }
  }

  /** One row of gemmTNRows lane by lane, with a lane's operations: the same bits. */
  private void rowScalar(int m, int n, int k, float alpha, float[] a, int i, float[] b,
      float[] c, float[] colSigns) {
    for (int j = 0; j < n; j++) {
      float acc = 0f;
      for (int p = 0; p < k; p++) {
        acc = Math.fma(a[p * m + i], b[p * n + j], acc);
      }
      c[i * n + j] = Math.fma(acc, alpha, c[i * n + j]);
    }
    if (colSigns != null) {
      super.clampToSignsKernel(c, i * n, n, colSigns);
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
    if (n < L) {
      for (int t = 0; t < count; t++) { // as the scalar dot: too short for a vector
        int r = rows[t];
        float s = 0f;
        for (int p = 0; p < n; p++) {
          s += a[r * n + p] * x[p];
        }
        y[r] += s;
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
