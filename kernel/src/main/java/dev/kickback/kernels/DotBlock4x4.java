package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 16 dot products of gemmNT ({@code C[i][j] += alpha A[i] . B[j]}): rows {@code i..i+3} of A
 * against rows {@code j..j+3} of B, 16 accumulators, 8 loads per 16 FMAs, where
 * {@code PanamaSmallGemm.dot2x4} has 8 accumulators and 6 loads per 8 FMAs. The feedback a batch
 * of 4 to 31 samples pulls through the wide network's 1,024 x 1,024 layers (from 16 in place of
 * the transposed product, see {@code PanamaKernelOps.DOTS_MAX_ROWS}): each block of B's rows
 * passes through L1 half as often. Measured on Zen 5, 8 x 1,024 x 1,024: 137-141 us against
 * 209-215 in 2 x 4 blocks (one JVM taking turns, both load orders); the wide steps at batch 8 and
 * 12 1.05-1.12x in six JVMs.
 *
 * <p>The same bits as 2 x 4: each accumulator sums its products over the vectors in order and is
 * then reduced by the lane-sum tree of the dot kernels (lane {@code l} plus lane {@code l + L/2},
 * then {@code + L/4}, ... {@code + 1}), here for all 16 at once: at each level two vectors'
 * partial sums are blended into one and added to the blend of their partners, so that after 4
 * levels lane {@code t} holds the sum of accumulator {@code 4 r + c} (A's row r, B's row c) whose
 * 4 bits are t's reversed, made of the very pairs of additions 16 separate trees make (float
 * addition being commutative): 15 adds and 45 blends or permutes where separate trees take 64
 * adds and 64 rotations.
 *
 * <p>Only at 16 lanes (32 registers), and with no masked tail: with one the method grew past
 * what C1 compiles ("out of virtual registers", seen on JDK 25), and a JVM whose tier-2 code
 * then ran the kernel without intrinsics took 13 times as long per step. A sum that is not
 * whole vectors (at least one, {@link #takes}) reads A's rows from a copy made by
 * {@link #pad}, whose last vector holds the sum's last terms in its last lanes and zeros before
 * them, against B's last vector ending at k: lane for lane the terms and zeros of the dot
 * kernels' masked tail window (PanamaSmallGemm.tailShift), so the same bits. A zero lane of A
 * there multiplies a term of B already summed: a finite one adds a zero to an accumulator that
 * started at +0 and so never holds -0, which leaves it as the mask's zero does; an infinite
 * one, whose sum is not finite either way, makes it NaN where the mask may leave an infinity.
 */
final class DotBlock4x4 {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Whether the preferred species has the 16 lanes the reduction is written for. */
  private static final boolean AVAILABLE = L == 16;
  private static final VectorMask<Float> BIT8 = bit(8);
  private static final VectorMask<Float> BIT4 = bit(4);
  private static final VectorMask<Float> BIT2 = bit(2);
  private static final VectorMask<Float> BIT1 = bit(1);
  private static final VectorShuffle<Float> XOR8 = VectorShuffle.fromOp(S, i -> i ^ 8);
  private static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(S, i -> i ^ 4);
  private static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(S, i -> i ^ 2);
  private static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(S, i -> i ^ 1);
  /** Per thread, the 16 scaled sums on their way into C. */
  static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[L]);

  private DotBlock4x4() {}

  /** Whether {@link #dot4x4} takes sums over k terms: at least one vector of them. */
  static boolean takes(int k) {
    return AVAILABLE && k >= L;
  }

  /** Whether a sum over k terms is whole vectors, so that dot4x4 reads A's rows in place. */
  static boolean wholeVectors(int k) {
    return takes(k) && k % L == 0;
  }

  /** The row length of {@link #pad}'s copy: k rounded up to whole vectors. */
  static int padded(int k) {
    return (k + L - 1) / L * L;
  }

  /**
   * Rows {@code 0..rows-1} of {@code A[][k]} (k not whole vectors, at least one) into
   * {@code dst} at {@link #padded}{@code (k)} floats a row, for {@link #dot4x4}: the terms up
   * to the last whole vector where they were, then zeros, then the last {@code k % L} terms
   * ending the row, so that lane l of the last vector holds term {@code k - L + l} or zero
   * where an earlier vector took that term.
   */
  static void pad(float[] a, int rows, int k, float[] dst) {
    final int kp = padded(k);
    final int whole = kp - L;
    final int zeros = kp - k;
    for (int r = 0; r < rows; r++) {
      final int from = r * k, to = r * kp;
      System.arraycopy(a, from, dst, to, whole);
      java.util.Arrays.fill(dst, to + whole, to + whole + zeros, 0f);
      System.arraycopy(a, from + whole, dst, to + whole + zeros, L - zeros);
    }
  }

  /** The lanes whose index has bit {@code b} set. */
  private static VectorMask<Float> bit(int b) {
    boolean[] set = new boolean[L];
    for (int i = 0; i < L; i++) {
      set[i] = (i & b) != 0;
    }
    return VectorMask.fromArray(S, set, 0);
  }

  /**
   * {@code C[c0 + r ldc + c] += alpha * (A[a0 + r lda ..] . B[b0 + c k ..])} for r, c in 0..3,
   * each a sum over k terms ({@link #takes}); A's rows in place ({@code lda = k}) when the sum
   * is whole vectors, else from {@link #pad} ({@code lda = padded(k)}), B's last vector then
   * ending at k. {@code sums} is L floats of scratch.
   */
  static void dot4x4(int k, float alpha, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, float[] sums) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
    FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
    final int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    final int b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
    final int lastB = k - L;
    for (int p = 0; p < k; p += L) {
      final int q = Math.min(p, lastB);
      final FloatVector w0 = FloatVector.fromArray(S, b, b0 + q);
      final FloatVector w1 = FloatVector.fromArray(S, b, b1 + q);
      final FloatVector w2 = FloatVector.fromArray(S, b, b2 + q);
      final FloatVector w3 = FloatVector.fromArray(S, b, b3 + q);
      final FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
      s00 = x0.fma(w0, s00);
      s01 = x0.fma(w1, s01);
      s02 = x0.fma(w2, s02);
      s03 = x0.fma(w3, s03);
      final FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
      s10 = x1.fma(w0, s10);
      s11 = x1.fma(w1, s11);
      s12 = x1.fma(w2, s12);
      s13 = x1.fma(w3, s13);
      final FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
      s20 = x2.fma(w0, s20);
      s21 = x2.fma(w1, s21);
      s22 = x2.fma(w2, s22);
      s23 = x2.fma(w3, s23);
      final FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
      s30 = x3.fma(w0, s30);
      s31 = x3.fma(w1, s31);
      s32 = x3.fma(w2, s32);
      s33 = x3.fma(w3, s33);
    }
    final FloatVector h0 = s00.blend(s01, BIT8)
        .add(s01.blend(s00, BIT8).rearrange(XOR8));
    final FloatVector h1 = s02.blend(s03, BIT8)
        .add(s03.blend(s02, BIT8).rearrange(XOR8));
    final FloatVector h2 = s10.blend(s11, BIT8)
        .add(s11.blend(s10, BIT8).rearrange(XOR8));
    final FloatVector h3 = s12.blend(s13, BIT8)
        .add(s13.blend(s12, BIT8).rearrange(XOR8));
    final FloatVector h4 = s20.blend(s21, BIT8)
        .add(s21.blend(s20, BIT8).rearrange(XOR8));
    final FloatVector h5 = s22.blend(s23, BIT8)
        .add(s23.blend(s22, BIT8).rearrange(XOR8));
    final FloatVector h6 = s30.blend(s31, BIT8)
        .add(s31.blend(s30, BIT8).rearrange(XOR8));
    final FloatVector h7 = s32.blend(s33, BIT8)
        .add(s33.blend(s32, BIT8).rearrange(XOR8));
    final FloatVector h8 = h0.blend(h1, BIT4)
        .add(h1.blend(h0, BIT4).rearrange(XOR4));
    final FloatVector h9 = h2.blend(h3, BIT4)
        .add(h3.blend(h2, BIT4).rearrange(XOR4));
    final FloatVector h10 = h4.blend(h5, BIT4)
        .add(h5.blend(h4, BIT4).rearrange(XOR4));
    final FloatVector h11 = h6.blend(h7, BIT4)
        .add(h7.blend(h6, BIT4).rearrange(XOR4));
    final FloatVector h12 = h8.blend(h9, BIT2)
        .add(h9.blend(h8, BIT2).rearrange(XOR2));
    final FloatVector h13 = h10.blend(h11, BIT2)
        .add(h11.blend(h10, BIT2).rearrange(XOR2));
    final FloatVector h14 = h12.blend(h13, BIT1)
        .add(h13.blend(h12, BIT1).rearrange(XOR1));
    h14.mul(alpha).intoArray(sums, 0);
    c[c0] += sums[0];
    c[c0 + 2 * ldc] += sums[1];
    c[c0 + ldc] += sums[2];
    c[c0 + 3 * ldc] += sums[3];
    c[c0 + 2] += sums[4];
    c[c0 + 2 * ldc + 2] += sums[5];
    c[c0 + ldc + 2] += sums[6];
    c[c0 + 3 * ldc + 2] += sums[7];
    c[c0 + 1] += sums[8];
    c[c0 + 2 * ldc + 1] += sums[9];
    c[c0 + ldc + 1] += sums[10];
    c[c0 + 3 * ldc + 1] += sums[11];
    c[c0 + 3] += sums[12];
    c[c0 + 2 * ldc + 3] += sums[13];
    c[c0 + ldc + 3] += sums[14];
    c[c0 + 3 * ldc + 3] += sums[15];
  }
}
