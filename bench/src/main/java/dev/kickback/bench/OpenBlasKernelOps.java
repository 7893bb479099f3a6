package dev.kickback.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_saxpy;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sdot;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;

/**
 * The same primitives through OpenBLAS ({@code cblas_sgemm}, row-major), so the library's
 * {@link dev.kickback.api.Trainer} runs unchanged on a native BLAS: the peer for every kernel and
 * step benchmark. Arrays are Java {@code float[]} passed through JavaCPP, as a Java user would.
 *
 * <p>OpenBLAS reads {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_NUM_THREADS} from the
 * environment when it loads; the launcher sets the core type {@link OpenBlasCoreProbe} measured
 * fastest among those that agree with our GEMM (OpenBLAS detects Zen 5 as Haswell and would run
 * its 256-bit kernels otherwise) and 1 thread.
 *
 * <p>JavaCPP copies each array into a buffer from glibc's malloc and back, per call. Buffers
 * above malloc's 128 KB mmap threshold are fresh pages every call, and the page faults, not
 * OpenBLAS, set the speed of a large call (GEMM 1024: 18 ops/s, 39 GFLOP/s, on Zen 5, against
 * 68 to 78 with the buffers reused): the launcher keeps them with {@code MALLOC_MMAP_THRESHOLD_}
 * and {@code MALLOC_TRIM_THRESHOLD_}, and the report says when they are missing.
 */
public final class OpenBlasKernelOps extends KernelOps {
  public static final OpenBlasKernelOps INSTANCE = new OpenBlasKernelOps("openblas");

  private final String name;

  private OpenBlasKernelOps(String name) {
    this.name = name;
  }

  /**
   * OpenBLAS on {@code threads} threads, named {@code openblas<threads>t}: the peer of
   * {@code Kernels.vector(threads)}. The thread count is process-wide in OpenBLAS, so this sets
   * it for {@link #INSTANCE} too; benchmarks fork a JVM per configuration.
   */
  public static OpenBlasKernelOps threads(int threads) {
    org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(threads);
    return new OpenBlasKernelOps("openblas" + threads + "t");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  protected void gemmNTKernel(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, k, b, k, 1f, c, n);
  }

  @Override
  protected void gemmStridedA(
      int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b, float[] c) {
    boolean transA = cs != 1; // TN: A is stored [k][m]
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k, alpha,
        a, transA ? m : k, b, n, 1f, c, n);
  }

  // A small batch's passes over the rows some sample reaches (the trainer's steps of 2 to 4
  // samples), as the trainer's GEMM path runs them: one sgemm over every row for all samples'
  // feedback dots (into a scratch, the listed rows then added), one for the rank-k update of
  // every row, then the clamp of the listed rows. The update adds exact zeros to the rows no
  // sample reaches, as that GEMM path does (only a -0 weight there becomes +0). Measured: faster
  // for OpenBLAS than gathering the listed rows into a block first (the gather and scatter
  // copies cost more than the rows they skip: 0.52-0.84x at batch 2 and 4), and far faster
  // than the level-1 fallbacks below, which would run these mostly scalar.

  /** Per-thread scratch of the dots, grown on demand and then reused. */
  private static final ThreadLocal<float[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new float[1][0]);

  @Override
  protected void gemmNTRowsKernel(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t) {
    float[][] holder = SCRATCH.get();
    if (holder[0].length < k * m) {
      holder[0] = new float[k * m];
    }
    float[] d = holder[0];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, m, n, 1f, v, n, a, n, 0f, d, m);
    for (int p = 0; p < k; p++) {
      for (int i = 0; i < count; i++) {
        t[p * m + rows[i]] += d[p * m + rows[i]];
      }
    }
  }

  @Override
  protected void gemmNTGemmTNRowsKernel(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    gemmNTRowsKernel(m, n, k, a, rows, count, v, t);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, alpha, x, m, y, n, 1f, a, n);
    if (colSigns != null) {
      for (int i = 0; i < count; i++) {
        clampToSignsKernel(a, rows[i] * n, n, colSigns);
      }
    }
  }

  // JavaCPP passes whole arrays, so level-1 calls at an offset (the trainer's bias update reads
  // rows of the feedback matrix) go to the scalar kernels: O(batch x width), no copies.

  @Override
  protected float dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
    if (xOff == 0 && yOff == 0) {
      return cblas_sdot(n, x, 1, y, 1);
    }
    float sum = 0;
    for (int i = 0; i < n; i++) {
      sum += x[xOff + i] * y[yOff + i];
    }
    return sum;
  }

  @Override
  protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    if (xOff == 0 && yOff == 0) {
      cblas_saxpy(n, alpha, x, 1, y, 1);
      return;
    }
    Kernels.scalar().axpy(n, alpha, x, xOff, y, yOff);
  }
}
