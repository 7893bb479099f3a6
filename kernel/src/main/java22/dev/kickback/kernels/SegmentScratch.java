package dev.kickback.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link StreamingScratch} in a segment of an automatic arena (freed when this object is
 * unreachable), aligned to 64 bytes, so that each row's vectors lie on cache lines when the
 * stride is a whole number of lines. Compiled for Java 22.
 */
final class SegmentScratch extends StreamingScratch {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final long ALIGN = 64;
  private final MemorySegment acc;

  SegmentScratch(int rows, int stride) {
    super(stride);
    acc = Arena.ofAuto().allocate(4L * rows * stride, ALIGN);
  }

  /** By vectors: a slice to fill would be an object a call wherever C2 does not inline. */
  @Override
  void zero(int m, int w) {
    final FloatVector zero = FloatVector.zero(S);
    for (int r = 0; r < m; r++) {
      for (int j = 0; j < w; j += S.length()) {
        zero.intoMemorySegment(acc, 4L * (r * stride + j), ORDER);
      }
    }
  }

  @Override
  void fourRowsOfB(int m, int w, float[] a, int a0, int rs, int cs, int p, float[] b, int b0,
      int ldb) {
    SegmentStreamingBlock.fourRowsOfB(m, w, a, a0, rs, cs, p, b, b0, ldb, acc, stride);
  }

  @Override
  void oneRowOfB(int m, int w, float[] a, int a0, int rs, int cs, int p, float[] b, int b0) {
    SegmentStreamingBlock.oneRowOfB(m, w, a, a0, rs, cs, p, b, b0, acc, stride);
  }

  @Override
  void addTo(int m, int w, float alpha, float[] c, int c0, int n, int j0) {
    final FloatVector al = FloatVector.broadcast(S, alpha);
    for (int r = 0; r < m; r++) {
      final int ci = c0 + r * n + j0;
      for (int j = 0; j < w; j += S.length()) {
        FloatVector.fromMemorySegment(S, acc, 4L * (r * stride + j), ORDER)
            .fma(al, FloatVector.fromArray(S, c, ci + j)).intoArray(c, ci + j);
      }
    }
  }
}
