package dev.kickback.kernels;

import java.lang.reflect.Constructor;

/**
 * Input-major weights {@code A[m][n]} copied off the heap, each row's columns on a vector boundary
 * (the implementation keeps them in one panel per register block), for the batch-1 forward pass
 * over a row list ({@link KernelOps#packForGemvTRows}).
 *
 * <p>Why: a Java array's elements start 16 bytes past its header, wherever the collector put the
 * object, so a row's vector loads from a {@code float[]} mostly span two cache lines, and where
 * the rows come from L2 that costs. Measured on Zen 5 at 16 lanes, the paper network's
 * 200 -> 100 layer at half activity (one pass, 7 vectors a row): 405-415 ns a call from the
 * array (rows 400 bytes apart), 450-480 from rows all 16 to 48 bytes off a line, 314-326 from
 * rows on 64-byte lines. The native reference ({@code run-b1ref}) keeps its weights so.
 *
 * <p>The implementation reads a {@code MemorySegment}, a preview API in Java 21 and final from
 * 22: it is compiled for Java 22 from {@code src/main/java22} (when the build runs on JDK 22 or
 * later) and loaded by name on a JVM of 22 or later, so that everything else stays Java 21
 * bytecode. On Java 21, or from a build on JDK 21, there is none ({@link #copy} returns null)
 * and the kernels read the arrays.
 */
abstract class OffHeapRows {
  private static final String IMPLEMENTATION = "dev.kickback.kernels.SegmentRows";
  /** Why there is no implementation, or null when there is one. */
  private static String unavailable;
  /** SegmentRows' constructor, or null on Java 21 or when it fails to load. */
  private static final Constructor<? extends OffHeapRows> MAKER = load();

  final int m;
  final int n;

  OffHeapRows(int m, int n) {
    this.m = m;
    this.n = n;
  }

  private static Constructor<? extends OffHeapRows> load() {
    if (Runtime.version().feature() < 22) {
      unavailable = "aligned rows need Java 22";
      return null;
    }
    try {
      return java22Constructor(IMPLEMENTATION, OffHeapRows.class, int.class, int.class,
          float[].class);
    } catch (ReflectiveOperationException | LinkageError e) {
      unavailable = "aligned rows unavailable: " + e; // a build on JDK 21 leaves them out
      return null;
    }
  }

  /**
   * The constructor of {@code name}, a subclass of {@code type} compiled for Java 22: call it
   * only on a JVM of 22 or later. A build on JDK 21 leaves the Java 22 classes out, so that it
   * throws there.
   */
  static <T> Constructor<? extends T> java22Constructor(String name, Class<T> type,
      Class<?>... parameters) throws ReflectiveOperationException {
    return Class.forName(name).asSubclass(type).getDeclaredConstructor(parameters);
  }

  /** Whether this JVM has the off-heap rows (Java 22 or later). */
  static boolean available() {
    return MAKER != null;
  }

  /** Why {@link #available} is false, for the kernels' log line; null when it is true. */
  static String unavailableReason() {
    return unavailable;
  }

  /** A copy of {@code a[0..m*n)}, or null where unavailable; allocates about 4 m n bytes. */
  static OffHeapRows copy(int m, int n, float[] a) {
    if (MAKER == null) {
      return null;
    }
    try {
      return MAKER.newInstance(m, n, a);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(IMPLEMENTATION + " failed", e);
    }
  }

  /** Copies {@code a[0..m*n)} over the rows held (their padding stays zero). */
  abstract void fill(float[] a);

  /** Floats held, the padding of each row included. */
  abstract long floats();

  /**
   * {@code y[j] = b[j] + sum_t x[r_t] * A[r_t][j]} for {@code j < n}: the bits of
   * {@code KernelOps.gemvTRows} over the source array; arguments checked by the caller.
   */
  abstract void gemvTRows(float[] x, int[] rows, int count, float[] b, float[] y);

  /**
   * {@link #gemvTRows} for two samples over one row list: x's second sample from {@code x1}, y's
   * from {@code y1}; each sample's outputs the bits of {@link #gemvTRows} over the same list.
   */
  abstract void gemvTRowsPair(float[] x, int x1, int[] rows, int count, float[] b, float[] y,
      int y1);
}
