package dev.kickback.kernels;

/**
 * A {@code B[k][n]} operand of {@link KernelOps#gemmNN(int, int, int, float, float[],
 * PackedMatrix, float[])} copied once into the layout the implementation that made it reads
 * fastest ({@link KernelOps#packForGemmNN}), as ONNX Runtime prepacks a constant weight matrix
 * when it creates a session. Only that implementation (or another of the same class and
 * vector width) can multiply with it.
 *
 * <p>It is a copy: later writes to the source array do not reach it, so whoever keeps one must
 * drop it when the source changes. Immutable once made; any number of threads may read it.
 */
public final class PackedMatrix {
  final int k;
  final int n;
  /** The packed floats, in a layout only {@link #packer} reads. */
  final float[] data;
  /** The implementation class whose {@code packKernel} made it. */
  final Class<? extends KernelOps> packer;
  /** The vector width the layout was made for (lanes), so that no other width reads it. */
  final int lanes;

  PackedMatrix(int k, int n, float[] data, Class<? extends KernelOps> packer, int lanes) {
    this.k = k;
    this.n = n;
    this.data = data;
    this.packer = packer;
    this.lanes = lanes;
  }

  /** Rows of the source matrix {@code B[k][n]}: the GEMM's sum length. */
  public int rows() {
    return k;
  }

  /** Columns of the source matrix {@code B[k][n]}: the GEMM's output width. */
  public int cols() {
    return n;
  }

  /** Floats held, 4 bytes each: at least {@code k * n}, with the layout's padding. */
  public int size() {
    return data.length;
  }
}
