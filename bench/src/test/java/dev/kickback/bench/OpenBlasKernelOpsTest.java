package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.kernels.RowList;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenBLAS peer's row kernels (the trainer's steps of 2 to 4 samples, as sgemm over every
 * row) against the scalar kernels: the listed rows' dots and updates within float rounding of a
 * sum, clamped; the unlisted rows' dots untouched and their weights (no -0 among them) too.
 */
class OpenBlasKernelOpsTest {
  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @CsvSource({"13, 10, 2", "13, 100, 3", "40, 37, 4", "7, 1, 2"})
  void gatheredRowKernelsAgreeWithTheScalarOnes(int m, int n, int k) {
    KernelOps peer = OpenBlasKernelOps.INSTANCE;
    KernelOps scalar = Kernels.scalar();
    SplittableRandom rnd = new SplittableRandom(m * 31L + n);
    float[] x = fill(rnd, k * m);
    for (int p = 0; p < k; p++) {
      x[p * m + 2] = 0f; // reached by no sample
    }
    float[] v = fill(rnd, k * n);
    float[] y = fill(rnd, k * n);
    float[] a0 = fill(rnd, m * n);
    float[] signs = new float[n];
    for (int j = 0; j < n; j++) {
      signs[j] = rnd.nextBoolean() ? 1f : -1f;
    }
    float[] t0 = fill(rnd, k * m);
    RowList rows = new RowList(m);
    scalar.nonzeroColumns(k, m, x, rows);
    float[] wantA = a0.clone();
    float[] wantT = t0.clone();
    scalar.gemmNTGemmTNRows(m, n, k, wantA, rows, v, wantT, 0.3f, x, y, signs);
    float[] gotA = a0.clone();
    float[] gotT = t0.clone();
    peer.gemmNTGemmTNRows(m, n, k, gotA, rows, v, gotT, 0.3f, x, y, signs);
    for (int e = 0; e < k * m; e++) {
      assertEquals(wantT[e], gotT[e], 1e-5f * (n + Math.abs(t0[e])), "t at " + e);
    }
    for (int e = 0; e < m * n; e++) {
      if (e / n == 2) {
        assertEquals(a0[e], gotA[e], 0f, "unlisted row 2 changed at " + e);
      } else {
        assertEquals(wantA[e], gotA[e], 1e-5f * (k + Math.abs(a0[e])), "a at " + e);
      }
    }
    float[] dots = t0.clone();
    peer.gemmNTRows(m, n, k, a0, rows, v, dots);
    for (int p = 0; p < k; p++) {
      assertEquals(t0[p * m + 2], dots[p * m + 2], 0f, "the unlisted row's dot changed");
    }
  }

  private static float[] fill(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return v;
  }
}
