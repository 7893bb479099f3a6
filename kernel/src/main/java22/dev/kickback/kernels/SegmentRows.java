package dev.kickback.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link OffHeapRows} in a segment of an automatic arena (freed when this object is
 * unreachable): row i at {@code i * stride} bytes, the stride n rounded up to whole vectors, the
 * segment aligned to 64 bytes, zeros past n. Compiled for Java 22.
 */
final class SegmentRows extends OffHeapRows {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  /** The cache line: every row starts on one at 16 lanes, on its half at 8. */
  private static final long ALIGN = 64;

  private final MemorySegment segment;
  /** Bytes from one row to the next: a whole number of vectors. */
  private final long stride;

  SegmentRows(int m, int n, float[] a) {
    super(m, n);
    int padded = (n + L - 1) / L * L;
    stride = 4L * padded;
    segment = Arena.ofAuto().allocate(stride * Math.max(m, 1), ALIGN);
    fill(a);
  }

  @Override
  void fill(float[] a) {
    for (int i = 0; i < m; i++) {
      MemorySegment.copy(a, i * n, segment, ValueLayout.JAVA_FLOAT, i * stride, n);
    }
  }

  @Override
  long floats() {
    return segment.byteSize() / 4;
  }

  /**
   * As {@link PanamaSmallGemm#gemvTRows}, the vectors spread over the same blocks by the same
   * rule; the last vector (n not a multiple of L) is a whole load of the padded row stored under
   * a mask instead of a window ending at n, and rows narrower than a vector are that vector
   * alone.
   */
  @Override
  void gemvTRows(float[] x, int[] rows, int count, float[] b, float[] y) {
    final int whole = n / L;
    final boolean tail = whole * L < n;
    if (whole == 0) {
      narrow(x, rows, count, b, y);
      return;
    }
    final int vectors = whole + (tail ? 1 : 0);
    final int blocks = PanamaSmallGemm.gemvTRowsBlocks(vectors);
    for (int blk = 0, v0 = 0; blk < blocks; blk++) {
      final int nvAll = (vectors - v0) / (blocks - blk); // the larger blocks last
      final boolean last = v0 + nvAll > whole;
      final int nv = last ? nvAll - 1 : nvAll;
      switch (PanamaSmallGemm.gemvTRowsLoop(nv)) {
        case 16 -> SegmentRowsBlocks.gemvTRows16(segment, stride, x, rows, count, b, y, v0 * L,
            nv, last, whole * L, n);
        case 12 -> SegmentRowsBlocks.gemvTRows12(segment, stride, x, rows, count, b, y, v0 * L,
            nv, last, whole * L, n);
        default -> SegmentRowsBlocks.gemvTRows8(segment, stride, x, rows, count, b, y, v0 * L,
            nv, last, whole * L, n);
      }
      v0 += nvAll;
    }
  }

  /** {@code n < L}: one accumulator, one aligned load a row. */
  private void narrow(float[] x, int[] rows, int count, float[] b, float[] y) {
    final VectorMask<Float> lanes = S.indexInRange(0, n);
    FloatVector c = FloatVector.fromArray(S, b, 0, lanes);
    for (int t = 0; t < count; t++) {
      final int i = rows[t];
      c = FloatVector.broadcast(S, x[i]).fma(
          FloatVector.fromMemorySegment(S, segment, i * stride, ORDER), c);
    }
    c.intoArray(y, 0, lanes);
  }
}
