package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[m][n] += alpha * A B} for a few rows of A and a B wider than a cache block (the
 * wide network's forward pass in a step at batch 2 to 8, or 2 to 12 with 16 registers, where
 * the weights are not packed): B's rows read whole, four at a time, front to back, so that the
 * hardware prefetchers stream them from L3, and each output's partial sum over a block of
 * {@link PanamaSmallGemm#KC} rows kept in a row of a per-thread {@link StreamingScratch} (on
 * 64-byte lines, off the heap, from Java 22) instead of a register. The
 * register-blocked kernels read B in column panels whose rows lie 4 KB apart, which the
 * prefetchers do not follow: measured on Zen 5 (16 lanes) over three 1024 x 1024 matrices in
 * turn, as the wide network's layers are, 2 rows 114-126 us against 85-97 streamed, 3 rows
 * 183-216 against 91-119. With 32 registers a pass takes up to 8 rows, each of B's four rows
 * loaded once for all of them: measured on Emerald Rapids (16 lanes), the same three matrices,
 * best of 25, against the register blocks: 4 rows 499 us against 642, 6 rows 588 against 901,
 * 7 rows 885 against 1,332, 8 rows 789 against 982; 10 to 15 rows (two passes) lost (12 rows
 * 1,682 against 1,262). The wide steps in one JVM taking turns with passes of at most 3 rows:
 * Kickback at batch 4 1.153x, 6 1.113x, 8 1.060x, Backprop at 4 1.144x, 8 1.119x; at 2 and 3
 * rows 1.01x. Earlier, on Zen 5, groups of 4 rows that read B's four rows again from L1 for each
 * group were level with the register blocks at 4 to 16 rows; the 8-row pass is not measured
 * there.
 *
 * <p>Each output is the same sequence of operations as in {@link PanamaSmallGemm}'s kernels:
 * per block of KC rows of B a sum from zero, one fma per row in row order, then
 * {@code C = fma(sum, alpha, C)}; so the bits are theirs (tested).
 */
final class PanamaStreamingGemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /**
   * Rows of A per pass over B: eight with 32 registers (32 broadcasts, 4 rows of B and a
   * partial sum), two with 16, where three would spill.
   */
  static final int PASS_ROWS = VectorRegisters.Preferred.COUNT >= 32 ? 8 : 2;
  /**
   * Columns per pass: the scratch holds {@code PASS_ROWS} rows of partial sums for them in L1,
   * 32 KB with 32 registers, 16 KB with 16.
   */
  private static final int COLS = PASS_ROWS == 8 ? 1024 : 2048;
  /**
   * Floats from one scratch row to the next: a cache line more than a row, so that the rows'
   * addresses differ from each other's and B's rows' in their low 12 bits.
   */
  private static final int ROW = COLS + 16;
  /**
   * The most rows of A taken: one pass of 8 with 32 registers; 12 with 16, where even several
   * passes over B beat the column panels (Zen 3, 8 lanes, one 1024 x 1024 B, one JVM taking
   * turns: 6 rows 1.56x, 8 rows 1.53x, 12 rows 1.38x, 16 rows 1.11x, which stays with the
   * register blocks until the size is measured more closely).
   */
  private static final int MOST_ROWS = VectorRegisters.Preferred.COUNT >= 32 ? 8 : 12;
  private static final ThreadLocal<StreamingScratch> SCRATCH =
      ThreadLocal.withInitial(() -> StreamingScratch.make(PASS_ROWS, ROW));

  private PanamaStreamingGemm() {}

  /**
   * Whether this kernel takes the shape: C wider than a cache block of B and a whole number of
   * vectors, and 2 to {@code MOST_ROWS} rows (in passes of {@code PASS_ROWS}). With 16
   * registers the register-blocked kernels' column panels were slower still: the wide network's
   * steps, whose forward pass multiplies the unpacked 1024 x 1024 layers, spent 60% of their
   * time at batch 2 in {@code RowsWideBlocks.rows2Wide} (JFR) and ran at half the samples a
   * second of batch 1 (Zen 3, 8 lanes).
   */
  static boolean takes(int m, int n) {
    return m >= 2 && m <= MOST_ROWS && n > PanamaSmallGemm.NC && n % L == 0;
  }

  /** {@code C[m][n] += alpha * A B} with {@code A(i, p) = a[i * rs + p * cs]}, B row-major. */
  static void gemm(int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b,
      float[] c) {
    gemm(m, n, k, alpha, a, rs, cs, b, c, SCRATCH.get());
  }

  /** {@link #gemm} with the partial sums in {@code acc}: for tests of each kind of scratch. */
  static void gemm(int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b,
      float[] c, StreamingScratch acc) {
    for (int i = 0; i < m; i += PASS_ROWS) {
      pass(Math.min(PASS_ROWS, m - i), n, k, alpha, a, i * rs, rs, cs, b, c, i * n, acc);
    }
  }

  /** A scratch of this kernel's shape on the heap, whatever the JVM: for tests. */
  static StreamingScratch heapScratch() {
    return StreamingScratch.onHeap(PASS_ROWS, ROW);
  }

  /** C's rows {@code [i, i + m)}, {@code m <= PASS_ROWS}: {@code a0 = i rs}, {@code c0 = i n}. */
  private static void pass(int m, int n, int k, float alpha, float[] a, int a0, int rs, int cs,
      float[] b, float[] c, int c0, StreamingScratch acc) {
    for (int j0 = 0; j0 < n; j0 += COLS) {
      final int w = Math.min(COLS, n - j0);
      for (int k0 = 0; k0 < k; k0 += PanamaSmallGemm.KC) {
        final int end = Math.min(k, k0 + PanamaSmallGemm.KC);
        acc.zero(m, w);
        int p = k0;
        for (; p + 4 <= end; p += 4) {
          acc.fourRowsOfB(m, w, a, a0, rs, cs, p, b, p * n + j0, n);
        }
        for (; p < end; p++) {
          acc.oneRowOfB(m, w, a, a0, rs, cs, p, b, p * n + j0);
        }
        acc.addTo(m, w, alpha, c, c0, n, j0);
      }
    }
  }
}
