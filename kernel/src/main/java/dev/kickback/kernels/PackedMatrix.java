package dev.kickback.kernels;

/**
 * A weight matrix copied once into the layout the implementation that made it reads fastest,
 * as ONNX Runtime prepacks a constant weight matrix when it creates a session: a {@code B[k][n]}
 * operand of {@link KernelOps#gemmNN(int, int, int, float, float[], PackedMatrix, float[])}
 * ({@link KernelOps#packForGemmNN}), or the {@code A[m][n]} of
 * {@link KernelOps#gemvTRows(int, int, PackedMatrix, float[], RowList, float[], float[])} in
 * aligned rows off the heap ({@link KernelOps#packForGemvTRows}). Only that implementation (or
 * another of the same class and vector width) can multiply with it, and only in the operation
 * it was packed for.
 *
 * <p>It is a copy: later writes to the source array do not reach it, so whoever keeps one must
 * drop it when the source changes, or, for rows, refill it ({@link KernelOps#repackRows}) while
 * nothing reads it. Otherwise immutable once made; any number of threads may read it.
 */
public final class PackedMatrix {
  final int k;
  final int n;
  /** The packed floats of a GEMM's B, in a layout only {@link #packer} reads; else null. */
  final float[] data;
  /** The rows of a gemvTRows' A; else null. */
  final OffHeapRows offHeap;
  /** The implementation class whose {@code packKernel} made it. */
  final Class<? extends KernelOps> packer;
  /** The vector width the layout was made for (lanes), so that no other width reads it. */
  final int lanes;
  /** The fewest rows of A from which multiplying by this copy is the faster path. */
  final int fromRows;

  PackedMatrix(int k, int n, float[] data, Class<? extends KernelOps> packer, int lanes,
      int fromRows) {
    this(k, n, data, null, packer, lanes, fromRows);
  }

  PackedMatrix(OffHeapRows offHeap, Class<? extends KernelOps> packer, int lanes) {
    this(offHeap.m, offHeap.n, null, offHeap, packer, lanes, 1);
  }

  private PackedMatrix(int k, int n, float[] data, OffHeapRows offHeap,
      Class<? extends KernelOps> packer, int lanes, int fromRows) {
    this.k = k;
    this.n = n;
    this.data = data;
    this.offHeap = offHeap;
    this.packer = packer;
    this.lanes = lanes;
    this.fromRows = fromRows;
  }

  /** Rows of the source matrix ({@code B[k][n]}: the GEMM's sum length). */
  public int rows() {
    return k;
  }

  /** Columns of the source matrix: the output width. */
  public int cols() {
    return n;
  }

  /**
   * Floats held, 4 bytes each (off the heap for gemvTRows' rows): at least {@code rows() *
   * cols()}, with the layout's padding.
   */
  public long size() {
    return data != null ? data.length : offHeap.floats();
  }
}
