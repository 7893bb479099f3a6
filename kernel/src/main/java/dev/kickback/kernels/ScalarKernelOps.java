package dev.kickback.kernels;

/**
 * The reference implementation: the textbook loops, one multiply-add at a time. It defines what
 * the vector kernels must compute and runs wherever {@code jdk.incubator.vector} is absent.
 */
final class ScalarKernelOps extends KernelOps {
  static final ScalarKernelOps INSTANCE = new ScalarKernelOps();

  private ScalarKernelOps() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  protected void gemmNTKernel(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        c[i * n + j] += alpha * dotKernel(k, a, i * k, b, j * k);
      }
    }
  }

  @Override
  protected void gemmStridedA(
      int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b, float[] c) {
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        axpyKernel(n, alpha * a[i * rs + p * cs], b, p * n, c, i * n);
      }
    }
  }

  @Override
  protected float dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
    return dotScalar(n, x, xOff, y, yOff);
  }

  @Override
  protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }
}
