package dev.kickback.kernels;

import java.lang.reflect.Constructor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The partial sums of {@link PanamaStreamingGemm}'s pass, one per thread: rows of them
 * {@code stride} floats apart, and the pass's operations on them.
 *
 * <p>Why off the heap: a pass loads and stores every partial sum once per four rows of B, so
 * where the sums sit on cache lines sets its speed. A {@code float[]}'s elements start 16 bytes
 * past its header, wherever the collector put the object (and it moves it), so a scratch array
 * lies on 64-byte lines in about one JVM in eight. Measured on Zen 5 (16 lanes), 8 rows of A over
 * three 1024 x 1024 matrices in turn, per matrix: from an array 187-199 us in the 3 JVMs of 22
 * whose array happened to start on a line and 262-344 us in the other 19, from the segment
 * 191-208 us (3 JVMs). With each matrix rewritten before the pass reads it, as a step's update
 * leaves it: 401-436 us from an array, 197-210 from the segment (3 JVMs each); at 2, 4 and 6
 * rows level to 1.05x. Whole wide Kickback steps at batch 8 (3 JVMs each, in turns, JFR):
 * 1.54-1.75 ms with 32-39% of the time in the block, against 1.73-2.01 ms and 40-49%; JMH of
 * those steps, before and after in turns in a noisy hour, read them level.
 *
 * <p>The aligned implementation ({@code SegmentScratch}) keeps the sums in a segment, a preview
 * API in Java 21 and final from 22: compiled for Java 22 from {@code src/main/java22} and loaded
 * by name on a JVM of 22 or later, as {@link OffHeapRows} is. Elsewhere the sums are a
 * {@code float[]} ({@code OnHeap}). Both run the same operations, so the same bits.
 */
abstract class StreamingScratch {
  private static final String IMPLEMENTATION = "dev.kickback.kernels.SegmentScratch";
  private static final Constructor<? extends StreamingScratch> MAKER = load();

  /** Floats from one row's start to the next. */
  final int stride;

  StreamingScratch(int stride) {
    this.stride = stride;
  }

  /**
   * SegmentScratch's constructor where the Java 22 classes are there (the aligned rows' test), or
   * null: then every scratch is an array. {@code theStreamingScratchIsOffTheHeapWhereTheRowsAre}
   * catches a build where one loads and the other does not.
   */
  private static Constructor<? extends StreamingScratch> load() {
    if (!OffHeapRows.available()) {
      return null;
    }
    try {
      return OffHeapRows.java22Constructor(IMPLEMENTATION, StreamingScratch.class, int.class,
          int.class);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** A scratch of {@code rows} rows {@code stride} floats apart: aligned where available. */
  static StreamingScratch make(int rows, int stride) {
    if (MAKER == null) {
      return new OnHeap(rows, stride);
    }
    try {
      return MAKER.newInstance(rows, stride);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(IMPLEMENTATION + " failed", e);
    }
  }

  /** A scratch on the heap, whatever the JVM: for tests of both. */
  static StreamingScratch onHeap(int rows, int stride) {
    return new OnHeap(rows, stride);
  }

  /** Whether {@link #make} gives aligned scratches here (Java 22 or later). */
  static boolean aligned() {
    return MAKER != null;
  }

  /** Rows {@code [0, m)}'s sums over columns {@code [0, w)} to zero. */
  abstract void zero(int m, int w);

  /** {@link StreamingRowsBlock#fourRowsOfB} into these sums. */
  abstract void fourRowsOfB(int m, int w, float[] a, int a0, int rs, int cs, int p, float[] b,
      int b0, int ldb);

  /** {@link StreamingRowsBlock#oneRowOfB} into these sums. */
  abstract void oneRowOfB(int m, int w, float[] a, int a0, int rs, int cs, int p, float[] b,
      int b0);

  /**
   * {@code C[r][j0 + j] = fma(sum[r][j], alpha, C[r][j0 + j])} for {@code r < m},
   * {@code j < w} (a whole number of vectors), C's row r from {@code c0 + r * n}.
   */
  abstract void addTo(int m, int w, float alpha, float[] c, int c0, int n, int j0);

  /** The sums in a {@code float[]}. */
  private static final class OnHeap extends StreamingScratch {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private final float[] acc;

    OnHeap(int rows, int stride) {
      super(stride);
      acc = new float[rows * stride];
    }

    @Override
    void zero(int m, int w) {
      for (int r = 0; r < m; r++) {
        Arrays.fill(acc, r * stride, r * stride + w, 0f);
      }
    }

    @Override
    void fourRowsOfB(int m, int w, float[] a, int a0, int rs, int cs, int p, float[] b, int b0,
        int ldb) {
      StreamingRowsBlock.fourRowsOfB(m, w, a, a0, rs, cs, p, b, b0, ldb, acc, stride);
    }

    @Override
    void oneRowOfB(int m, int w, float[] a, int a0, int rs, int cs, int p, float[] b, int b0) {
      StreamingRowsBlock.oneRowOfB(m, w, a, a0, rs, cs, p, b, b0, acc, stride);
    }

    @Override
    void addTo(int m, int w, float alpha, float[] c, int c0, int n, int j0) {
      final FloatVector al = FloatVector.broadcast(S, alpha);
      for (int r = 0; r < m; r++) {
        final int ci = c0 + r * n + j0;
        for (int j = 0; j < w; j += S.length()) {
          FloatVector.fromArray(S, acc, r * stride + j)
              .fma(al, FloatVector.fromArray(S, c, ci + j)).intoArray(c, ci + j);
        }
      }
    }
  }
}
