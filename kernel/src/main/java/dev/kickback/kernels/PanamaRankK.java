package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A small batch's step pass over the rows of an input-major layer that some sample reaches
 * ({@link KernelOps#gemmNTGemmTNRows}): per row, every sample's feedback dot product with the
 * row as it was, then the row's rank-k update and clamp, so each weight vector is loaded and
 * stored once, where the feedback GEMM, the update GEMM and the clip pass over every row load
 * it three times and store it twice. The dots are formed as {@link PanamaSmallGemm#gemvRows}
 * forms them (the same vectors, tail window and lane-sum tree), the update as the strided GEMM
 * kernels form it ({@code s = fma(x_p, y_p, s)} from {@code +0} over the samples in order, then
 * {@code fma(s, alpha, a)}): the same bits as {@link KernelOps#gemmNTRows} then
 * {@link KernelOps#gemmTN} and the clamp.
 *
 * <p>Up to {@link #FUSED_SAMPLES} samples in one pass (their dot accumulators and inputs held in
 * registers); more take the dot pass and then an update pass over the rows. Written out whole,
 * as {@link PanamaRankOne} and for its reason: a helper that takes or returns vectors gets them
 * boxed when C2 declines to inline it.
 */
final class PanamaRankK {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final FloatVector LANE = PanamaSmallGemm.LANE;
  /** Samples whose dots one pass accumulates in registers. */
  static final int FUSED_SAMPLES = 4;

  private PanamaRankK() {}

  static void gemmNTGemmTNRows(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    if (k > FUSED_SAMPLES) {
      gemmNTRows(m, n, k, a, rows, count, v, t);
      rankKRows(m, n, k, alpha, x, rows, count, y, a, colSigns);
    } else if (n >= L) {
      fusedWide(m, n, k, a, rows, count, v, t, alpha, x, y, colSigns);
    } else {
      fusedNarrow(m, n, k, a, rows, count, v, t, alpha, x, y, colSigns);
    }
  }

  /**
   * {@code t[p][r] += A[r] . v[p]} for the listed rows, sample by sample through gemvRows' kernels;
   * rows narrower than a vector through its narrow kernel when every sample's vector lies
   * inside v, else lane by lane (so that the dots do not depend on which sample is asked).
   */
  static void gemmNTRows(int m, int n, int k, float[] a, int[] rows, int count, float[] v,
      float[] t) {
    for (int p = 0; p < k; p++) {
      if (n >= L) {
        PanamaSmallGemm.gemvRows(n, a, v, p * n, rows, count, t, p * m);
      } else if (narrowVectorsFit(n, k, v)) {
        PanamaSmallGemm.gemvRowsNarrow(n, a, v, p * n, rows, count, t, p * m);
      } else {
        for (int i = 0; i < count; i++) {
          t[p * m + rows[i]] += KernelOps.dotScalar(n, a, rows[i] * n, v, p * n);
        }
      }
    }
  }

  /** Whether a whole vector from each of the k samples' starts lies inside {@code v}. */
  private static boolean narrowVectorsFit(int n, int k, float[] v) {
    return (long) (k - 1) * n + L <= v.length;
  }

  /**
   * Rows of a whole vector or more, one at a time: the vectors in order, then, for a row whose
   * length is not a whole number of vectors, the window ending at its end, loaded before the
   * row's first store and stored whole after its last (its lanes shared with the last whole
   * vector get the same bits twice, and no load waits for a store to the bytes it reads).
   */
  private static void fusedWide(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    if (count % 2 == 1) {
      fusedWideRows(m, n, k, a, rows, 0, 1, v, t, alpha, x, y, colSigns);
    }
    fusedWidePairs(m, n, k, a, rows, count % 2, count, v, t, alpha, x, y, colSigns);
  }

  /**
   * Two rows at a time, so that each vector of v, y and the signs (loads that straddle two cache
   * lines, like the weights') is loaded once for both rows' weights.
   */
  private static void fusedWidePairs(int m, int n, int k, float[] a, int[] rows, int from,
      int to, float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    final boolean clamp = colSigns != null;
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final boolean tail = nv < n;
    final VectorMask<Float> fresh = LANE.compare(VectorOperators.GE, nv - jw);
    final FloatVector sw = clamp ? FloatVector.fromArray(S, colSigns, jw) : zero;
    for (int i = from; i + 2 <= to; i += 2) {
      final int r = rows[i];
      final int s = rows[i + 1];
      final int rowR = r * n;
      final int rowS = s * n;
      final FloatVector xr0 = FloatVector.broadcast(S, x[r]);
      final FloatVector xr1 = k > 1 ? FloatVector.broadcast(S, x[m + r]) : zero;
      final FloatVector xr2 = k > 2 ? FloatVector.broadcast(S, x[2 * m + r]) : zero;
      final FloatVector xr3 = k > 3 ? FloatVector.broadcast(S, x[3 * m + r]) : zero;
      final FloatVector xs0 = FloatVector.broadcast(S, x[s]);
      final FloatVector xs1 = k > 1 ? FloatVector.broadcast(S, x[m + s]) : zero;
      final FloatVector xs2 = k > 2 ? FloatVector.broadcast(S, x[2 * m + s]) : zero;
      final FloatVector xs3 = k > 3 ? FloatVector.broadcast(S, x[3 * m + s]) : zero;
      final FloatVector oldWr = FloatVector.fromArray(S, a, rowR + jw);
      final FloatVector oldWs = FloatVector.fromArray(S, a, rowS + jw);
      FloatVector qr0 = zero, qr1 = zero, qr2 = zero, qr3 = zero;
      FloatVector qs0 = zero, qs1 = zero, qs2 = zero, qs3 = zero;
      for (int j = 0; j < nv; j += L) {
        final FloatVector oldR = FloatVector.fromArray(S, a, rowR + j);
        final FloatVector oldS = FloatVector.fromArray(S, a, rowS + j);
        FloatVector vj = FloatVector.fromArray(S, v, j);
        FloatVector yj = FloatVector.fromArray(S, y, j);
        qr0 = vj.fma(oldR, qr0);
        qs0 = vj.fma(oldS, qs0);
        FloatVector ur = xr0.fma(yj, zero);
        FloatVector us = xs0.fma(yj, zero);
        if (k > 1) {
          vj = FloatVector.fromArray(S, v, n + j);
          yj = FloatVector.fromArray(S, y, n + j);
          qr1 = vj.fma(oldR, qr1);
          qs1 = vj.fma(oldS, qs1);
          ur = xr1.fma(yj, ur);
          us = xs1.fma(yj, us);
        }
        if (k > 2) {
          vj = FloatVector.fromArray(S, v, 2 * n + j);
          yj = FloatVector.fromArray(S, y, 2 * n + j);
          qr2 = vj.fma(oldR, qr2);
          qs2 = vj.fma(oldS, qs2);
          ur = xr2.fma(yj, ur);
          us = xs2.fma(yj, us);
        }
        if (k > 3) {
          vj = FloatVector.fromArray(S, v, 3 * n + j);
          yj = FloatVector.fromArray(S, y, 3 * n + j);
          qr3 = vj.fma(oldR, qr3);
          qs3 = vj.fma(oldS, qs3);
          ur = xr3.fma(yj, ur);
          us = xs3.fma(yj, us);
        }
        FloatVector nr = ur.fma(al, oldR);
        FloatVector ns = us.fma(al, oldS);
        if (clamp) {
          final FloatVector sj = FloatVector.fromArray(S, colSigns, j);
          nr = nr.blend(0f, nr.mul(sj).compare(VectorOperators.LT, 0f));
          ns = ns.blend(0f, ns.mul(sj).compare(VectorOperators.LT, 0f));
        }
        nr.intoArray(a, rowR + j);
        ns.intoArray(a, rowS + j);
      }
      if (tail) {
        FloatVector vj = zero.blend(FloatVector.fromArray(S, v, jw), fresh);
        FloatVector yj = FloatVector.fromArray(S, y, jw);
        qr0 = vj.fma(oldWr, qr0);
        qs0 = vj.fma(oldWs, qs0);
        FloatVector ur = xr0.fma(yj, zero);
        FloatVector us = xs0.fma(yj, zero);
        if (k > 1) {
          vj = zero.blend(FloatVector.fromArray(S, v, n + jw), fresh);
          yj = FloatVector.fromArray(S, y, n + jw);
          qr1 = vj.fma(oldWr, qr1);
          qs1 = vj.fma(oldWs, qs1);
          ur = xr1.fma(yj, ur);
          us = xs1.fma(yj, us);
        }
        if (k > 2) {
          vj = zero.blend(FloatVector.fromArray(S, v, 2 * n + jw), fresh);
          yj = FloatVector.fromArray(S, y, 2 * n + jw);
          qr2 = vj.fma(oldWr, qr2);
          qs2 = vj.fma(oldWs, qs2);
          ur = xr2.fma(yj, ur);
          us = xs2.fma(yj, us);
        }
        if (k > 3) {
          vj = zero.blend(FloatVector.fromArray(S, v, 3 * n + jw), fresh);
          yj = FloatVector.fromArray(S, y, 3 * n + jw);
          qr3 = vj.fma(oldWr, qr3);
          qs3 = vj.fma(oldWs, qs3);
          ur = xr3.fma(yj, ur);
          us = xs3.fma(yj, us);
        }
        FloatVector nr = ur.fma(al, oldWr);
        FloatVector ns = us.fma(al, oldWs);
        if (clamp) {
          nr = nr.blend(0f, nr.mul(sw).compare(VectorOperators.LT, 0f));
          ns = ns.blend(0f, ns.mul(sw).compare(VectorOperators.LT, 0f));
        }
        nr.intoArray(a, rowR + jw);
        ns.intoArray(a, rowS + jw);
      }
      qr0 = qr0.add(qr0.rearrange(PanamaSmallGemm.ROT_A));
      qr1 = qr1.add(qr1.rearrange(PanamaSmallGemm.ROT_A));
      qr2 = qr2.add(qr2.rearrange(PanamaSmallGemm.ROT_A));
      qr3 = qr3.add(qr3.rearrange(PanamaSmallGemm.ROT_A));
      qs0 = qs0.add(qs0.rearrange(PanamaSmallGemm.ROT_A));
      qs1 = qs1.add(qs1.rearrange(PanamaSmallGemm.ROT_A));
      qs2 = qs2.add(qs2.rearrange(PanamaSmallGemm.ROT_A));
      qs3 = qs3.add(qs3.rearrange(PanamaSmallGemm.ROT_A));
      qr0 = qr0.add(qr0.rearrange(PanamaSmallGemm.ROT_B));
      qr1 = qr1.add(qr1.rearrange(PanamaSmallGemm.ROT_B));
      qr2 = qr2.add(qr2.rearrange(PanamaSmallGemm.ROT_B));
      qr3 = qr3.add(qr3.rearrange(PanamaSmallGemm.ROT_B));
      qs0 = qs0.add(qs0.rearrange(PanamaSmallGemm.ROT_B));
      qs1 = qs1.add(qs1.rearrange(PanamaSmallGemm.ROT_B));
      qs2 = qs2.add(qs2.rearrange(PanamaSmallGemm.ROT_B));
      qs3 = qs3.add(qs3.rearrange(PanamaSmallGemm.ROT_B));
      if (L >= 8) {
        qr0 = qr0.add(qr0.rearrange(PanamaSmallGemm.ROT_C));
        qr1 = qr1.add(qr1.rearrange(PanamaSmallGemm.ROT_C));
        qr2 = qr2.add(qr2.rearrange(PanamaSmallGemm.ROT_C));
        qr3 = qr3.add(qr3.rearrange(PanamaSmallGemm.ROT_C));
        qs0 = qs0.add(qs0.rearrange(PanamaSmallGemm.ROT_C));
        qs1 = qs1.add(qs1.rearrange(PanamaSmallGemm.ROT_C));
        qs2 = qs2.add(qs2.rearrange(PanamaSmallGemm.ROT_C));
        qs3 = qs3.add(qs3.rearrange(PanamaSmallGemm.ROT_C));
      }
      if (L >= 16) {
        qr0 = qr0.add(qr0.rearrange(PanamaSmallGemm.ROT_D));
        qr1 = qr1.add(qr1.rearrange(PanamaSmallGemm.ROT_D));
        qr2 = qr2.add(qr2.rearrange(PanamaSmallGemm.ROT_D));
        qr3 = qr3.add(qr3.rearrange(PanamaSmallGemm.ROT_D));
        qs0 = qs0.add(qs0.rearrange(PanamaSmallGemm.ROT_D));
        qs1 = qs1.add(qs1.rearrange(PanamaSmallGemm.ROT_D));
        qs2 = qs2.add(qs2.rearrange(PanamaSmallGemm.ROT_D));
        qs3 = qs3.add(qs3.rearrange(PanamaSmallGemm.ROT_D));
      }
      t[r] += qr0.lane(0);
      t[s] += qs0.lane(0);
      if (k > 1) {
        t[m + r] += qr1.lane(0);
        t[m + s] += qs1.lane(0);
      }
      if (k > 2) {
        t[2 * m + r] += qr2.lane(0);
        t[2 * m + s] += qs2.lane(0);
      }
      if (k > 3) {
        t[3 * m + r] += qr3.lane(0);
        t[3 * m + s] += qs3.lane(0);
      }
    }
  }

  /** One row at a time, over the list's entries {@code [from, to)}. */
  private static void fusedWideRows(int m, int n, int k, float[] a, int[] rows, int from,
      int to, float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    final boolean clamp = colSigns != null;
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final boolean tail = nv < n;
    final VectorMask<Float> fresh = LANE.compare(VectorOperators.GE, nv - jw);
    final FloatVector sw = clamp ? FloatVector.fromArray(S, colSigns, jw) : zero;
    for (int i = from; i < to; i++) {
      final int r = rows[i];
      final int row = r * n;
      final FloatVector x0 = FloatVector.broadcast(S, x[r]);
      final FloatVector x1 = k > 1 ? FloatVector.broadcast(S, x[m + r]) : zero;
      final FloatVector x2 = k > 2 ? FloatVector.broadcast(S, x[2 * m + r]) : zero;
      final FloatVector x3 = k > 3 ? FloatVector.broadcast(S, x[3 * m + r]) : zero;
      final FloatVector oldW = FloatVector.fromArray(S, a, row + jw);
      FloatVector q0 = zero, q1 = zero, q2 = zero, q3 = zero;
      for (int j = 0; j < nv; j += L) {
        final FloatVector old = FloatVector.fromArray(S, a, row + j);
        q0 = FloatVector.fromArray(S, v, j).fma(old, q0);
        FloatVector u = x0.fma(FloatVector.fromArray(S, y, j), zero);
        if (k > 1) {
          q1 = FloatVector.fromArray(S, v, n + j).fma(old, q1);
          u = x1.fma(FloatVector.fromArray(S, y, n + j), u);
        }
        if (k > 2) {
          q2 = FloatVector.fromArray(S, v, 2 * n + j).fma(old, q2);
          u = x2.fma(FloatVector.fromArray(S, y, 2 * n + j), u);
        }
        if (k > 3) {
          q3 = FloatVector.fromArray(S, v, 3 * n + j).fma(old, q3);
          u = x3.fma(FloatVector.fromArray(S, y, 3 * n + j), u);
        }
        FloatVector nw = u.fma(al, old);
        if (clamp) {
          nw = nw.blend(0f, nw.mul(FloatVector.fromArray(S, colSigns, j))
              .compare(VectorOperators.LT, 0f));
        }
        nw.intoArray(a, row + j);
      }
      if (tail) {
        q0 = zero.blend(FloatVector.fromArray(S, v, jw), fresh).fma(oldW, q0);
        FloatVector u = x0.fma(FloatVector.fromArray(S, y, jw), zero);
        if (k > 1) {
          q1 = zero.blend(FloatVector.fromArray(S, v, n + jw), fresh).fma(oldW, q1);
          u = x1.fma(FloatVector.fromArray(S, y, n + jw), u);
        }
        if (k > 2) {
          q2 = zero.blend(FloatVector.fromArray(S, v, 2 * n + jw), fresh).fma(oldW, q2);
          u = x2.fma(FloatVector.fromArray(S, y, 2 * n + jw), u);
        }
        if (k > 3) {
          q3 = zero.blend(FloatVector.fromArray(S, v, 3 * n + jw), fresh).fma(oldW, q3);
          u = x3.fma(FloatVector.fromArray(S, y, 3 * n + jw), u);
        }
        FloatVector nw = u.fma(al, oldW);
        if (clamp) {
          nw = nw.blend(0f, nw.mul(sw).compare(VectorOperators.LT, 0f));
        }
        nw.intoArray(a, row + jw);
      }
      q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_A));
      q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_A));
      q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_A));
      q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_A));
      q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_B));
      q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_B));
      q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_B));
      q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_B));
      if (L >= 8) {
        q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_C));
        q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_C));
        q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_C));
        q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_C));
      }
      if (L >= 16) {
        q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_D));
        q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_D));
        q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_D));
        q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_D));
      }
      t[r] += q0.lane(0);
      if (k > 1) {
        t[m + r] += q1.lane(0);
      }
      if (k > 2) {
        t[2 * m + r] += q2.lane(0);
      }
      if (k > 3) {
        t[3 * m + r] += q3.lane(0);
      }
    }
  }

  /**
   * Rows narrower than a vector (the paper network's 10- and 2-wide layers): one vector from
   * each row's start, loaded two rows ahead of its masked store as in PanamaRankOne's narrow
   * kernels, the dots as gemvRowsNarrow forms them, the store through a mask of the row's own
   * lanes. When a sample's vectors of v or y or the signs would pass their arrays' ends the
   * whole call goes lane by lane, and so does a row whose vector would pass a's end.
   */
  private static void fusedNarrow(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    final boolean clamp = colSigns != null;
    if (!narrowVectorsFit(n, k, v) || !narrowVectorsFit(n, k, y)
        || (clamp && colSigns.length < L)) {
      gemmNTRows(m, n, k, a, rows, count, v, t);
      rankKRows(m, n, k, alpha, x, rows, count, y, a, colSigns);
      return;
    }
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final VectorMask<Float> own = LANE.compare(VectorOperators.LT, n);
    final FloatVector v0 = FloatVector.fromArray(S, v, 0);
    final FloatVector v1 = k > 1 ? FloatVector.fromArray(S, v, n) : zero;
    final FloatVector v2 = k > 2 ? FloatVector.fromArray(S, v, 2 * n) : zero;
    final FloatVector v3 = k > 3 ? FloatVector.fromArray(S, v, 3 * n) : zero;
    final FloatVector y0 = FloatVector.fromArray(S, y, 0);
    final FloatVector y1 = k > 1 ? FloatVector.fromArray(S, y, n) : zero;
    final FloatVector y2 = k > 2 ? FloatVector.fromArray(S, y, 2 * n) : zero;
    final FloatVector y3 = k > 3 ? FloatVector.fromArray(S, y, 3 * n) : zero;
    final FloatVector sv = clamp ? FloatVector.fromArray(S, colSigns, 0) : zero;
    int vec = count;
    while (vec > 0 && rows[vec - 1] * n + L > a.length) {
      vec--;
    }
    FloatVector ahead1 = vec > 0 ? FloatVector.fromArray(S, a, rows[0] * n) : zero;
    FloatVector ahead2 = vec > 1 ? FloatVector.fromArray(S, a, rows[1] * n) : zero;
    for (int i = 0; i < vec; i++) {
      final FloatVector old = ahead1;
      ahead1 = ahead2;
      if (i + 2 < vec) {
        ahead2 = FloatVector.fromArray(S, a, rows[i + 2] * n);
      }
      final int r = rows[i];
      FloatVector q0 = zero.blend(v0.mul(old), own);
      FloatVector q1 = zero.blend(v1.mul(old), own);
      FloatVector q2 = zero.blend(v2.mul(old), own);
      FloatVector q3 = zero.blend(v3.mul(old), own);
      FloatVector u = FloatVector.broadcast(S, x[r]).fma(y0, zero);
      if (k > 1) {
        u = FloatVector.broadcast(S, x[m + r]).fma(y1, u);
      }
      if (k > 2) {
        u = FloatVector.broadcast(S, x[2 * m + r]).fma(y2, u);
      }
      if (k > 3) {
        u = FloatVector.broadcast(S, x[3 * m + r]).fma(y3, u);
      }
      FloatVector nw = u.fma(al, old);
      if (clamp) {
        nw = nw.blend(0f, nw.mul(sv).compare(VectorOperators.LT, 0f));
      }
      nw.intoArray(a, r * n, own);
      q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_A));
      q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_A));
      q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_A));
      q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_A));
      q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_B));
      q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_B));
      q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_B));
      q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_B));
      if (L >= 8) {
        q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_C));
        q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_C));
        q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_C));
        q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_C));
      }
      if (L >= 16) {
        q0 = q0.add(q0.rearrange(PanamaSmallGemm.ROT_D));
        q1 = q1.add(q1.rearrange(PanamaSmallGemm.ROT_D));
        q2 = q2.add(q2.rearrange(PanamaSmallGemm.ROT_D));
        q3 = q3.add(q3.rearrange(PanamaSmallGemm.ROT_D));
      }
      t[r] += q0.lane(0);
      if (k > 1) {
        t[m + r] += q1.lane(0);
      }
      if (k > 2) {
        t[2 * m + r] += q2.lane(0);
      }
      if (k > 3) {
        t[3 * m + r] += q3.lane(0);
      }
    }
    for (int i = vec; i < count; i++) {
      final int r = rows[i];
      for (int p = 0; p < k; p++) {
        t[p * m + r] += KernelOps.dotScalar(n, a, r * n, v, p * n);
      }
      tailByLanes(m, n, 0, k, alpha, x, r, y, a, colSigns);
    }
  }

  /**
   * The rank-k update and clamp of the listed rows, each element with the GEMM's operations:
   * the update pass after {@link #gemmNTRows} for more samples than one pass holds, and for
   * narrow rows whose vectors would pass an array's end.
   */
  private static void rankKRows(int m, int n, int k, float alpha, float[] x, int[] rows,
      int count, float[] y, float[] a, float[] colSigns) {
    final boolean clamp = colSigns != null;
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    for (int i = 0; i < count; i++) {
      final int r = rows[i];
      final int row = r * n;
      for (int j = 0; j < nv; j += L) {
        FloatVector u = zero;
        for (int p = 0; p < k; p++) {
          u = FloatVector.broadcast(S, x[p * m + r])
              .fma(FloatVector.fromArray(S, y, p * n + j), u);
        }
        FloatVector nw = u.fma(al, FloatVector.fromArray(S, a, row + j));
        if (clamp) {
          nw = nw.blend(0f, nw.mul(FloatVector.fromArray(S, colSigns, j))
              .compare(VectorOperators.LT, 0f));
        }
        nw.intoArray(a, row + j);
      }
      if (nv < n) {
        tailByLanes(m, n, nv, k, alpha, x, r, y, a, colSigns);
      }
    }
  }

  /**
   * Columns {@code [from, n)} of row r, fewer than a vector, as the whole vectors' operations
   * on masked lanes: the same bits. Masked rather than a scalar loop, whose branch on a clamp
   * (rare) would be compiled as a trap, and a trap throws away the compiled vector kernel
   * around it (see {@link PanamaKernelOps#rectifyKernel}).
   */
  private static void tailByLanes(int m, int n, int from, int k, float alpha, float[] x, int r,
      float[] y, float[] a, float[] colSigns) {
    final VectorMask<Float> in = S.indexInRange(from, n);
    FloatVector u = FloatVector.zero(S);
    for (int p = 0; p < k; p++) {
      u = FloatVector.broadcast(S, x[p * m + r]).fma(FloatVector.fromArray(S, y, p * n + from,
          in), u);
    }
    FloatVector nw = u.fma(FloatVector.broadcast(S, alpha),
        FloatVector.fromArray(S, a, r * n + from, in));
    if (colSigns != null) {
      nw = nw.blend(0f, nw.mul(FloatVector.fromArray(S, colSigns, from, in))
          .compare(VectorOperators.LT, 0f));
    }
    nw.intoArray(a, r * n + from, in);
  }
}
