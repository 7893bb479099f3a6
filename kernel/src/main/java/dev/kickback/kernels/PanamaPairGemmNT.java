package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * gemmNT ({@code C[m][n] += alpha A[m][k] B[n][k]^T}) for 8 to 15 rows of A at 16 lanes: the
 * feedback a batch of 8 pulls through a weight matrix. The transposed product would idle half
 * of each vector (one row of A per lane), and the dot products end every output in a tree of
 * 8 rotations and adds. Here each vector holds 8 rows of A and two consecutive terms of each
 * ({@link #pairTranspose}), B's matching pair of terms is rearranged from a vector of its row
 * into every lane pair, and one FMA multiplies all 8 rows: 4 rows of B at a time, 4
 * accumulators, one add of the pair's two lanes per output at the end.
 *
 * <p>Why pairs and not 8-lane vectors: an 8-lane species beside the 16-lane kernels drew
 * class-check deoptimizations in the Vector API's shared code, after which some JVMs ran the
 * kernel unintrinsified (see {@link PanamaKernelOps#gemmNTKernel}). This class uses the
 * preferred species only.
 *
 * <p>Measured on Zen 4, 8 x 200 x 100 (the paper network's pull at batch 8): 6.4-6.7 us against
 * 8.4-8.5 as dot products (3 JVMs); 8 x 100 x 10 1.5 against 2.4. Without the rearranges (wrong
 * sums, for the timing) it took 5.8 us, with two accumulators per row of B no less: the
 * rearranges are not what bounds it.
 *
 * <p>Tails: a sum's last 8 terms end at k, overlapping the step before, whose terms are zero
 * there in A's transposed rows, so no load is masked; B's blocks whose loads would pass its end,
 * and the rows past its last whole block, go through a copy padded with zeros.
 */
final class PanamaPairGemmNT {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Whether the preferred species has the 16 lanes the kernel is written for. */
  private static final boolean AVAILABLE = L == 16;
  /**
   * The longest sum taken: a group's transposed rows (8 x k floats, 8 KB) stay in L1 beside the
   * rows of B. Not shown to pay at the wide network's 1,024, where they fill L1: the kernel alone
   * 233-237 us against 244-268 as dot products (m = 8); the wide steps at batch 8 taking turns in
   * one JVM on a quiet host, Kickback 1.01x, Backprop 0.98x.
   */
  private static final int MAX_K = 256;
  /** Rows of A in one vector: two terms each. */
  static final int ROWS = 8;
  /**
   * Rows of B per block, and terms of the sum per step: 4 pairs, the first half of each vector
   * loaded from B. With 8 rows of B and 8 pairs per step (8 x 200 x 100 in 6.1 us, in a first
   * version without tails) the method was too large for C1 ("out of virtual registers"), and a
   * JVM that then kept its tier-2 code would run it without intrinsics, 50 times slower (as the
   * 4 x 4 dot block did); with 8 rows of B and 4 pairs it still was.
   */
  private static final int COLS = 4;
  private static final int STEP = 8;
  private static final VectorShuffle<Float> P0 = pairBroadcast(0);
  private static final VectorShuffle<Float> P1 = pairBroadcast(1);
  private static final VectorShuffle<Float> P2 = pairBroadcast(2);
  private static final VectorShuffle<Float> P3 = pairBroadcast(3);
  /** Swaps the lanes of each pair: a pair's sum then sits in both of its lanes. */
  private static final VectorShuffle<Float> SWAP = VectorShuffle.fromOp(S, i -> i ^ 1);

  private PanamaPairGemmNT() {}

  /** Whether {@link #gemmNT} takes an A of m rows and a sum over k terms. */
  static boolean takes(int m, int k) {
    return AVAILABLE && m >= ROWS && k >= STEP && k <= MAX_K;
  }

  /** Lane i takes term {@code i & 1} of pair t of a vector of 8 pairs. */
  private static VectorShuffle<Float> pairBroadcast(int t) {
    return VectorShuffle.fromOp(S, i -> 2 * t + (i & 1));
  }

  /**
   * {@code C[m][n] += alpha A[m][k] B[n][k]^T} where {@link #takes} says so: A's rows in groups
   * of 8, the rows after the last group by {@link PanamaSmallGemm#gemmNTRows}. Each output is
   * {@code c = fma(sum, alpha, c)}, the sum that of the terms in its pair's first lane plus that
   * of those in its second, each in order of p.
   */
  static void gemmNT(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    final int steps = (k + STEP - 1) / STEP;
    final int kp = steps * STEP; // a group's transposed rows: k padded
    final int mg = m / ROWS * ROWS;
    // the NT kernels' scratch: A's groups transposed, then the block sums and B's last rows
    final float[][] scratch = PanamaSmallGemm.NT_SCRATCH.get();
    final int copied = COLS * k + L; // B's last rows, padded past their last vector
    if (scratch[0].length < mg * kp || scratch[1].length < COLS * L + copied) {
      scratch[0] = new float[Math.max(scratch[0].length, mg * kp)];
      scratch[1] = new float[Math.max(scratch[1].length, COLS * L + copied)];
    }
    final float[] at = scratch[0];
    final float[] sums = scratch[1];
    for (int i = 0; i < mg; i += ROWS) {
      pairTranspose(a, i, k, steps, at, i * kp);
    }
    // whole blocks of 4 rows of B whose last loads end inside b are read where they are
    int j = 0;
    for (; j + COLS <= n && (j + COLS) * k - STEP + L <= b.length; j += COLS) {
      for (int i = 0; i < mg; i += ROWS) {
        block(k, steps, alpha, at, i * kp, b, j * k, c, i * n + j, n, COLS, sums);
      }
    }
    // the rest through a copy of their rows, zero after the last
    for (; j < n; j += COLS) {
      final int cols = Math.min(COLS, n - j);
      System.arraycopy(b, j * k, sums, COLS * L, cols * k);
      java.util.Arrays.fill(sums, COLS * L + cols * k, COLS * L + copied, 0f);
      for (int i = 0; i < mg; i += ROWS) {
        block(k, steps, alpha, at, i * kp, sums, COLS * L, c, i * n + j, n, cols, sums);
      }
    }
    PanamaSmallGemm.gemmNTRows(mg, m, n, k, alpha, a, b, c);
  }

  /**
   * Rows i to i + 8 of A, transposed in pairs for {@link #block}: step s's 4 vectors at
   * {@code t0 + 4 s L}, lane {@code 2r + e} of its vector u holding term {@code start(s) + 2u + e}
   * of row {@code i + r}, or zero where an earlier step took that term.
   */
  private static void pairTranspose(float[] a, int i, int k, int steps, float[] at, int t0) {
    final int whole = (steps - 1) * STEP / 2; // the pairs of the steps before the last
    final int last = start(steps - 1, k);
    final int taken = (steps - 1) * STEP;
    for (int r = 0; r < ROWS; r++) {
      final int ar = (i + r) * k;
      final int d = t0 + 2 * r;
      for (int u = 0; u < whole; u++) {
        at[d + u * L] = a[ar + 2 * u];
        at[d + u * L + 1] = a[ar + 2 * u + 1];
      }
      for (int u = 0; u < STEP; u++) {
        final int q = last + u;
        at[d + (whole + (u >> 1)) * L + (u & 1)] = q >= taken ? a[ar + q] : 0f;
      }
    }
  }

  /**
   * Where step s's 8 terms start: 8 s, but the last step ends at k (its terms before 8 s, taken
   * by the step before, are zero in A's transposed rows), so that B's loads never need a mask.
   */
  private static int start(int st, int k) {
    return Math.min(st * STEP, k - STEP);
  }

  /**
   * {@code C[r][q] += alpha sum_p A[r][p] B[q][p]} for 8 rows r of A (transposed in pairs at
   * {@code at0}) and 4 rows q of B from {@code b0}, C's block at {@code c0} with row stride
   * {@code ldc}, its first {@code cols} columns stored: per step, 4 loads of A, one of each row
   * of B, 16 rearranges and 16 FMAs.
   */
  private static void block(int k, int steps, float alpha, float[] at, int at0, float[] b,
      int b0, float[] c, int c0, int ldc, int cols, float[] sums) {
    FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
    final int b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
    for (int st = 0; st < steps; st++) {
      final int p = start(st, k);
      final int x = at0 + st * STEP / 2 * L;
      final FloatVector x0 = FloatVector.fromArray(S, at, x);
      final FloatVector x1 = FloatVector.fromArray(S, at, x + L);
      final FloatVector x2 = FloatVector.fromArray(S, at, x + 2 * L);
      final FloatVector x3 = FloatVector.fromArray(S, at, x + 3 * L);
      FloatVector w;
      w = FloatVector.fromArray(S, b, b0 + p);
      s0 = x0.fma(w.rearrange(P0), s0); s0 = x1.fma(w.rearrange(P1), s0);
      s0 = x2.fma(w.rearrange(P2), s0); s0 = x3.fma(w.rearrange(P3), s0);
      w = FloatVector.fromArray(S, b, b1 + p);
      s1 = x0.fma(w.rearrange(P0), s1); s1 = x1.fma(w.rearrange(P1), s1);
      s1 = x2.fma(w.rearrange(P2), s1); s1 = x3.fma(w.rearrange(P3), s1);
      w = FloatVector.fromArray(S, b, b2 + p);
      s2 = x0.fma(w.rearrange(P0), s2); s2 = x1.fma(w.rearrange(P1), s2);
      s2 = x2.fma(w.rearrange(P2), s2); s2 = x3.fma(w.rearrange(P3), s2);
      w = FloatVector.fromArray(S, b, b3 + p);
      s3 = x0.fma(w.rearrange(P0), s3); s3 = x1.fma(w.rearrange(P1), s3);
      s3 = x2.fma(w.rearrange(P2), s3); s3 = x3.fma(w.rearrange(P3), s3);
    }
    s0.add(s0.rearrange(SWAP)).intoArray(sums, 0);
    s1.add(s1.rearrange(SWAP)).intoArray(sums, L);
    s2.add(s2.rearrange(SWAP)).intoArray(sums, 2 * L);
    s3.add(s3.rearrange(SWAP)).intoArray(sums, 3 * L);
    for (int r = 0; r < ROWS; r++) {
      final int cr = c0 + r * ldc;
      for (int q = 0; q < cols; q++) {
        c[cr + q] = Math.fma(sums[q * L + 2 * r], alpha, c[cr + q]);
      }
    }
  }
}
