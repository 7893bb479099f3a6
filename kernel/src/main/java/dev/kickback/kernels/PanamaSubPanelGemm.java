package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * NN over a B larger than L2, for 16 to 31 rows of A in whole 8-row blocks (a batch of 16 or 24
 * through the wide network's 1024 x 1024 layers, whose weights change every step and so are
 * never packed): each KC block of B's rows in parts of {@link #PART} rows, each part across all
 * of C's 2-vector panels before the next. {@link PanamaSmallGemm}'s panels read a KC block's 256
 * rows at a time, 128 bytes from each row 4 KB apart: 256 pages per pass, more streams than the
 * L2 prefetcher follows (our reading of the times below; transparent huge pages changed
 * nothing, so not the TLB). A part touches 64 pages, read front to back as the panels move
 * along them. The sums carry from one part to the next through a per-thread scratch laid out as
 * C ({@link Rows8Cols2Blocks#rows8cols2Partial}), so every output is the same sequence of
 * operations as in the panels: the same bits.
 *
 * <p>Measured on Intel Emerald Rapids (16 lanes), 16 x 1024 x 1024 over three weight matrices
 * in turn (12 MB), best of bursts in one JVM: 354 us a layer against 456 with the panels (1.29x)
 * and 399-461 packed per call; parts of 32 rows 363 us. At 24 rows 558 against 619 (packed per
 * call 534). The wide network's steps in one JVM taking turns with the panels, both orders: at
 * batch 16 Backprop 1.06-1.07x, Kickback 1.06x; at 24 1.02-1.07x. From 32 rows such a C is
 * packed ({@code PanamaKernelOps.packs}).
 */
final class PanamaSubPanelGemm {
  private static final int L = FloatVector.SPECIES_PREFERRED.length();

  /** B's rows per part of a KC block. */
  static final int PART = 64;

  /** The scratch of partial sums, per thread: grown to m x n floats on demand, then reused. */
  private static final ThreadLocal<float[][]> SUMS =
      ThreadLocal.withInitial(() -> new float[1][0]);

  private PanamaSubPanelGemm() {}

  /**
   * Whether {@link #gemm} takes the shape: 32 vector registers (the 8-row block's 16
   * accumulators), A's rows contiguous ({@code cs == 1}), 16 to 31 rows in whole 8-row blocks, C
   * in whole 2-vector panels, and B deeper than one KC block and over 2 MB (more than the L2 of
   * the cores measured).
   */
  static boolean takes(int m, int n, int k, int cs) {
    return VectorRegisters.Preferred.COUNT >= 32 && cs == 1 && m >= 16 && m < 32 && m % 8 == 0
        && n % (2 * L) == 0 && k > PanamaSmallGemm.KC && 4L * k * n > (2L << 20);
  }

  /**
   * {@code C[m][n] += alpha A B}, A's rows {@code rs} apart (its columns contiguous), B and C
   * row-major, for shapes {@link #takes} accepts (this needs only m a multiple of 8 and n of 2
   * vectors): per element the sums of PanamaSmallGemm, one per KC block from zero in order of
   * the terms, each then added by {@code c = fma(sum, alpha, c)}.
   */
  static void gemm(int m, int n, int k, float alpha, float[] a, int rs, float[] b, float[] c) {
    final float[] sums = scratch(m * n);
    for (int k0 = 0; k0 < k; k0 += PanamaSmallGemm.KC) {
      final int k1 = Math.min(k, k0 + PanamaSmallGemm.KC);
      for (int p0 = k0; p0 < k1; p0 += PART) {
        final int kp = Math.min(PART, k1 - p0);
        final boolean first = p0 == k0;
        final boolean last = p0 + kp == k1;
        for (int j = 0; j < n; j += 2 * L) {
          for (int i = 0; i < m; i += 8) {
            Rows8Cols2Blocks.rows8cols2Partial(kp, alpha, a, i * rs + p0, rs, b, p0 * n, j, n, c,
                i * n + j, sums, first, last);
          }
        }
      }
    }
  }

  private static float[] scratch(int floats) {
    final float[][] holder = SUMS.get();
    if (holder[0].length < floats) {
      holder[0] = new float[floats];
    }
    return holder[0];
  }
}
