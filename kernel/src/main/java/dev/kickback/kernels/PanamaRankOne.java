package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batch-1 step's passes over a layer's input-major weights, on the rows of its nonzero
 * inputs: the rank-1 update with the coherence clip ({@link KernelOps#gerRows}), and that
 * update fused with the feedback read from the same rows ({@link KernelOps#gemvGerRows}).
 * Loads and stores bound these passes (a 512-bit vector of a Java array's row straddles two
 * cache lines), so each weight is loaded and stored once, and the vectors all rows share (y,
 * the signs, the pulled vector) are loaded once for several rows: held in registers across a
 * column block in gerRows, shared by four rows in gemvGerRows.
 *
 * <p>Kernels written out whole, as in {@link PanamaSmallGemm} and for its reason: a helper
 * that takes or returns vectors gets them boxed when C2 declines to inline it.
 */
final class PanamaRankOne {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final FloatVector LANE = PanamaSmallGemm.LANE;

  /**
   * gerRows walks rows up to this many vectors long in column blocks (y and the signs in
   * registers), longer ones row after row: 16 vectors is the paper network's 200-wide layer
   * with room to spare, and 1 KB rows at 16 lanes.
   */
  static final int COLUMN_BLOCKED_MAX_VECTORS = 16;

  private PanamaRankOne() {}

  /**
   * Per changed row: {@code t = fma(x[i], y[j], +0)} then {@code fma(t, alpha, a)}, the
   * operations of the strided kernel at k = 1 (so the same bits, down to the sign of a zero),
   * and the clamp in the same pass: a sign-agnostic test {@code v * sign < 0} keeps NaN and -0
   * exactly as clampToSigns does. Tails as the strided kernels: a window ending at the row's
   * end, blended in.
   */
  static void gerRows(int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    if (n < L) {
      gerRowsNarrow(n, alpha, x, rows, count, y, a, colSigns);
      return;
    }
    // Rows longer than COLUMN_BLOCKED_MAX_VECTORS vectors are streamed whole, one after
    // another: a matrix beyond the caches walked in column blocks is a stride through memory
    // (measured: the wide network's batch-1 step 17% slower). Sent there before any vector is
    // made: a wide layer calls this method once a step, about 1,000 times a second, so C2
    // compiles it 5 to 7 s into a JVM, and until then C1's code boxed each vector it made and
    // the one it passed (measured: the wide network's step at batch 1 allocating 1.3 KB a step
    // until 7 s in, where gerRowsStreamed, compiled by its loop's count, is C2's within 1 s).
    if (n > COLUMN_BLOCKED_MAX_VECTORS * L) {
      gerRowsStreamed(n, alpha, x, rows, count, y, a, colSigns);
      return;
    }
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    // Column blocks outside, rows inside: y's and the signs' vectors are loaded once per block
    // and held in registers, so each weight vector costs one load and one store (measured on a
    // 100 x 100 layer: 1.7 us, against 2.6 with y and the signs loaded again for every row).
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
        old.blend(v, LANE.compare(VectorOperators.GE, nv - jw)).intoArray(a, p);
      }
    }
  }

  /**
   * gerRows for rows narrower than a vector: one vector from each row's start, only its first n
   * lanes stored (a masked store). Each row's vector is loaded two rows ahead of its store: a
   * load issued after the previous row's store to the same 64 bytes waits for that store to
   * reach the cache (measured: 10 ns a row for adjacent rows of 10 at 16 lanes, 1.5 loaded
   * ahead). The stores leave other rows' lanes alone, so loading early reads the same values.
   * Lane by lane where a vector would pass an array's end (unpadded arrays from outside): the
   * list ascends, so those rows come last.
   */
  private static void gerRowsNarrow(int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final boolean fits = y.length >= L && (colSigns == null || colSigns.length >= L);
    final FloatVector yv = fits ? FloatVector.fromArray(S, y, 0) : zero;
    final FloatVector sv = fits && colSigns != null ? FloatVector.fromArray(S, colSigns, 0)
        : zero;
    final VectorMask<Float> own = LANE.compare(VectorOperators.LT, n);
    final int vec = fits ? vectorRows(n, a, rows, count) : 0;
    FloatVector ahead1 = vec > 0 ? FloatVector.fromArray(S, a, rows[0] * n) : zero;
    FloatVector ahead2 = vec > 1 ? FloatVector.fromArray(S, a, rows[1] * n) : zero;
    for (int t = 0; t < vec; t++) {
      final FloatVector old = ahead1;
      ahead1 = ahead2;
      if (t + 2 < vec) {
        ahead2 = FloatVector.fromArray(S, a, rows[t + 2] * n);
      }
      FloatVector v = FloatVector.broadcast(S, x[rows[t]]).fma(yv, zero).fma(al, old);
      if (colSigns != null) {
        v = v.blend(0f, v.mul(sv).compare(VectorOperators.LT, 0f));
      }
      v.intoArray(a, rows[t] * n, own);
    }
    for (int t = vec; t < count; t++) {
      gerRowScalar(n, alpha, x, 0, rows[t], y, 0, a, colSigns);
    }
  }

  /**
   * How many of the listed rows, from the first, a vector from the row's start can read and
   * write within {@code a}: the narrow kernels take those whole and the rest lane by lane
   * (rows ascend, so the rows near a's end come last).
   */
  private static int vectorRows(int n, float[] a, int[] rows, int count) {
    int vec = count;
    while (vec > 0 && rows[vec - 1] * n + L > a.length) {
      vec--;
    }
    return vec;
  }

  /**
   * gerRows row after row, each row's columns in order, y and the signs loaded per row; for rows
   * of more than {@link #COLUMN_BLOCKED_MAX_VECTORS} vectors ({@code n >= L}).
   */
  private static void gerRowsStreamed(int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    final FloatVector al = FloatVector.broadcast(S, alpha);
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
        old.blend(v, LANE.compare(VectorOperators.GE, nv - jw))
            .intoArray(a, row + jw);
      }
    }
  }

  /**
   * One row of gerRows lane by lane, with a lane's operations: the same bits. The sample's x
   * from {@code to}, its y from {@code vo}.
   */
  private static void gerRowScalar(int n, float alpha, float[] x, int to, int i, float[] y,
      int vo, float[] a, float[] colSigns) {
    final float xi = x[to + i];
    for (int j = 0; j < n; j++) {
      a[i * n + j] = Math.fma(Math.fma(y[vo + j], xi, 0f), alpha, a[i * n + j]);
    }
    if (colSigns != null) {
      KernelOps.clampToSignsScalar(a, i * n, n, colSigns);
    }
  }

  /**
   * gemvRows then gerRows on the same rows, one row at a time: each weight vector is loaded
   * once, its product with the pulled vector accumulated as gemvRows accumulates it (the same
   * order, tail window and lane-sum tree: the same bits) and its update stored as gerRows
   * stores it. The tail window, which overlaps the row's last whole vector, is loaded before
   * that vector is stored and written back through a mask on its new lanes only. Rows of a
   * whole vector or more go four at a time, each vector of v, y and the signs loaded once for
   * four rows (measured on the paper network's 100-wide layer: 2.2 ns a weight vector one row at
   * a time, 1.4-1.6 four at a time).
   *
   * <p>A sample of a batch reads v and y from {@code vo} and x from {@code to}, and adds its
   * dots to t from {@code to}: the rows one sample of a small batch reaches alone, without
   * copying its vectors out ({@code vo = p n}, {@code to = p m} for sample p).
   *
   * @return false, having done nothing, where a vector would pass the end of v, y or the signs
   *     (rows narrower than a vector, unpadded): the caller takes the two passes
   */
  static boolean gemvGerRows(int n, float[] a, int[] rows, int count, float[] v, int vo,
      float[] t, int to, float alpha, float[] x, float[] y, float[] colSigns) {
    if (v.length - vo < L || y.length - vo < L || (colSigns != null && colSigns.length < L)) {
      return false;
    }
    if (n < L) {
      gemvGerRowsNarrow(n, a, rows, count, v, vo, t, to, alpha, x, y, colSigns);
    } else {
      gemvGerRowsWide(n, a, rows, count, v, vo, t, to, alpha, x, y, colSigns);
    }
    return true;
  }

  /**
   * Rows narrower than a vector: one vector from each row's start, loaded two rows ahead as in
   * gerRowsNarrow; the dot as gemvRowsNarrow forms it. Rows whose vector would pass a's end go
   * lane by lane.
   */
  private static void gemvGerRowsNarrow(int n, float[] a, int[] rows, int count, float[] v,
      int vo, float[] t, int to, float alpha, float[] x, float[] y, float[] colSigns) {
    final boolean clamp = colSigns != null;
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final FloatVector vv = FloatVector.fromArray(S, v, vo);
    final FloatVector yv = FloatVector.fromArray(S, y, vo);
    final FloatVector sv = clamp ? FloatVector.fromArray(S, colSigns, 0) : zero;
    final VectorMask<Float> own = LANE.compare(VectorOperators.LT, n);
    final int vec = vectorRows(n, a, rows, count);
    FloatVector ahead1 = vec > 0 ? FloatVector.fromArray(S, a, rows[0] * n) : zero;
    FloatVector ahead2 = vec > 1 ? FloatVector.fromArray(S, a, rows[1] * n) : zero;
    for (int i = 0; i < vec; i++) {
      final FloatVector old = ahead1;
      ahead1 = ahead2;
      if (i + 2 < vec) {
        ahead2 = FloatVector.fromArray(S, a, rows[i + 2] * n);
      }
      final int r = rows[i];
      FloatVector q = zero.blend(vv.mul(old), own);
      q = q.add(q.rearrange(PanamaSmallGemm.ROT_A));
      q = q.add(q.rearrange(PanamaSmallGemm.ROT_B));
      if (L >= 8) {
        q = q.add(q.rearrange(PanamaSmallGemm.ROT_C));
      }
      if (L >= 16) {
        q = q.add(q.rearrange(PanamaSmallGemm.ROT_D));
      }
      t[to + r] += q.lane(0);
      FloatVector nw = FloatVector.broadcast(S, x[to + r]).fma(yv, zero).fma(al, old);
      if (clamp) {
        nw = nw.blend(0f, nw.mul(sv).compare(VectorOperators.LT, 0f));
      }
      nw.intoArray(a, r * n, own);
    }
    for (int i = vec; i < count; i++) {
      final int r = rows[i];
      t[to + r] += KernelOps.dotScalar(n, a, r * n, v, vo);
      gerRowScalar(n, alpha, x, to, r, y, vo, a, colSigns);
    }
  }

  /** Rows of a whole vector or more: {@code count % 4} one at a time, then four at a time. */
  private static void gemvGerRowsWide(int n, float[] a, int[] rows, int count, float[] v,
      int vo, float[] t, int to, float alpha, float[] x, float[] y, float[] colSigns) {
    final boolean clamp = colSigns != null;
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final boolean tail = nv < n;
    final VectorMask<Float> fresh = LANE.compare(VectorOperators.GE, nv - jw);
    final FloatVector vt = zero.blend(FloatVector.fromArray(S, v, vo + jw), fresh); // 0 if no tail
    final FloatVector yt = FloatVector.fromArray(S, y, vo + jw);
    final FloatVector st = clamp ? FloatVector.fromArray(S, colSigns, jw) : zero;
    int i = 0;
    for (; i < count % 4; i++) {
      gemvGerRow(n, a, rows[i], v, vo, t, to, alpha, x, y, colSigns);
    }
    // Four rows at a time: each vector of v, y and the signs loaded once for four rows' weights
    // (loads of misaligned vectors compete with the stores).
    for (; i + 4 <= count; i += 4) {
      final int r0 = rows[i], r1 = rows[i + 1], r2 = rows[i + 2], r3 = rows[i + 3];
      final int p0 = r0 * n, p1 = r1 * n, p2 = r2 * n, p3 = r3 * n;
      final FloatVector x0 = FloatVector.broadcast(S, x[to + r0]);
      final FloatVector x1 = FloatVector.broadcast(S, x[to + r1]);
      final FloatVector x2 = FloatVector.broadcast(S, x[to + r2]);
      final FloatVector x3 = FloatVector.broadcast(S, x[to + r3]);
      final FloatVector t0 = FloatVector.fromArray(S, a, p0 + jw);
      final FloatVector t1 = FloatVector.fromArray(S, a, p1 + jw);
      final FloatVector t2 = FloatVector.fromArray(S, a, p2 + jw);
      final FloatVector t3 = FloatVector.fromArray(S, a, p3 + jw);
      FloatVector q0 = zero, q1 = zero, q2 = zero, q3 = zero;
      for (int j = 0; j < nv; j += L) {
        final FloatVector vj = FloatVector.fromArray(S, v, vo + j);
        final FloatVector yj = FloatVector.fromArray(S, y, vo + j);
        final FloatVector sj = clamp ? FloatVector.fromArray(S, colSigns, j) : zero;
        final FloatVector o0 = FloatVector.fromArray(S, a, p0 + j);
        final FloatVector o1 = FloatVector.fromArray(S, a, p1 + j);
        final FloatVector o2 = FloatVector.fromArray(S, a, p2 + j);
        final FloatVector o3 = FloatVector.fromArray(S, a, p3 + j);
        q0 = vj.fma(o0, q0);
        q1 = vj.fma(o1, q1);
        q2 = vj.fma(o2, q2);
        q3 = vj.fma(o3, q3);
        FloatVector n0 = x0.fma(yj, zero).fma(al, o0);
        FloatVector n1 = x1.fma(yj, zero).fma(al, o1);
        FloatVector n2 = x2.fma(yj, zero).fma(al, o2);
        FloatVector n3 = x3.fma(yj, zero).fma(al, o3);
        if (clamp) {
          n0 = n0.blend(0f, n0.mul(sj).compare(VectorOperators.LT, 0f));
          n1 = n1.blend(0f, n1.mul(sj).compare(VectorOperators.LT, 0f));
          n2 = n2.blend(0f, n2.mul(sj).compare(VectorOperators.LT, 0f));
          n3 = n3.blend(0f, n3.mul(sj).compare(VectorOperators.LT, 0f));
        }
        n0.intoArray(a, p0 + j);
        n1.intoArray(a, p1 + j);
        n2.intoArray(a, p2 + j);
        n3.intoArray(a, p3 + j);
      }
      if (tail) {
        q0 = vt.fma(t0, q0);
        q1 = vt.fma(t1, q1);
        q2 = vt.fma(t2, q2);
        q3 = vt.fma(t3, q3);
        FloatVector n0 = x0.fma(yt, zero).fma(al, t0);
        FloatVector n1 = x1.fma(yt, zero).fma(al, t1);
        FloatVector n2 = x2.fma(yt, zero).fma(al, t2);
        FloatVector n3 = x3.fma(yt, zero).fma(al, t3);
        if (clamp) {
          n0 = n0.blend(0f, n0.mul(st).compare(VectorOperators.LT, 0f));
          n1 = n1.blend(0f, n1.mul(st).compare(VectorOperators.LT, 0f));
          n2 = n2.blend(0f, n2.mul(st).compare(VectorOperators.LT, 0f));
          n3 = n3.blend(0f, n3.mul(st).compare(VectorOperators.LT, 0f));
        }
        n0.intoArray(a, p0 + jw, fresh);
        n1.intoArray(a, p1 + jw, fresh);
        n2.intoArray(a, p2 + jw, fresh);
        n3.intoArray(a, p3 + jw, fresh);
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
      t[to + r0] += q0.lane(0);
      t[to + r1] += q1.lane(0);
      t[to + r2] += q2.lane(0);
      t[to + r3] += q3.lane(0);
    }
  }

  /**
   * One row of gemvGerRowsWide, for the {@code count % 4} rows before the four-row groups: a
   * method of its own because, written as a loop after the four-row one, C2 boxed its vectors
   * (measured: 80 bytes a row).
   */
  private static void gemvGerRow(int n, float[] a, int r, float[] v, int vo, float[] t, int to,
      float alpha, float[] x, float[] y, float[] colSigns) {
    final boolean clamp = colSigns != null;
    final FloatVector al = FloatVector.broadcast(S, alpha);
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final boolean tail = nv < n;
    final VectorMask<Float> fresh = LANE.compare(VectorOperators.GE, nv - jw);
    final int p = r * n;
    final FloatVector xr = FloatVector.broadcast(S, x[to + r]);
    final FloatVector oldT = FloatVector.fromArray(S, a, p + jw);
    FloatVector q = zero;
    for (int j = 0; j < nv; j += L) {
      final FloatVector old = FloatVector.fromArray(S, a, p + j);
      q = FloatVector.fromArray(S, v, vo + j).fma(old, q);
      FloatVector nw = xr.fma(FloatVector.fromArray(S, y, vo + j), zero).fma(al, old);
      if (clamp) {
        nw = nw.blend(0f, nw.mul(FloatVector.fromArray(S, colSigns, j))
            .compare(VectorOperators.LT, 0f));
      }
      nw.intoArray(a, p + j);
    }
    if (tail) {
      q = zero.blend(FloatVector.fromArray(S, v, vo + jw), fresh).fma(oldT, q);
      FloatVector nw = xr.fma(FloatVector.fromArray(S, y, vo + jw), zero).fma(al, oldT);
      if (clamp) {
        nw = nw.blend(0f, nw.mul(FloatVector.fromArray(S, colSigns, jw))
            .compare(VectorOperators.LT, 0f));
      }
      nw.intoArray(a, p + jw, fresh);
    }
    q = q.add(q.rearrange(PanamaSmallGemm.ROT_A));
    q = q.add(q.rearrange(PanamaSmallGemm.ROT_B));
    if (L >= 8) {
      q = q.add(q.rearrange(PanamaSmallGemm.ROT_C));
    }
    if (L >= 16) {
      q = q.add(q.rearrange(PanamaSmallGemm.ROT_D));
    }
    t[to + r] += q.lane(0);
  }
}
