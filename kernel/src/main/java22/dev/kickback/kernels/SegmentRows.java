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
 * unreachable), aligned to 64 bytes, zeros past n, in panels: the columns of each of
 * {@link #gemvTRows}' register blocks for all m rows together, row i's at {@code i} times the
 * block's width (whole vectors) into its panel. A block's pass over the listed rows then reads
 * one panel front to back, skipping the inactive rows, where rows of n floats would have it read
 * a piece of each row a row apart: the wide network's 1024-wide layers at 8 lanes go in 10
 * blocks of 12 or 13 vectors, 384 or 416 bytes of each row 4 KB apart (measured on Zen 3: the
 * wide network's forward pass at batch 1 1.30x with panels, in one JVM taking turns).
 * A layer of one block, the paper network's 100-wide one, is rows of n rounded up to whole
 * vectors, as before. Every load is checked against the segment's size (see
 * {@code SegmentRowsBlocks} for why). Compiled for Java 22.
 */
final class SegmentRows extends OffHeapRows {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  /** A vector's bytes. */
  private static final long V = 4L * L;
  /** The cache line: every row starts on one at 16 lanes, on its half at 8. */
  private static final long ALIGN = 64;

  private final MemorySegment segment;
  /** Per block: its first vector of columns, its vectors (the last's tail included). */
  private final int[] firstVector;
  private final int[] blockVectors;
  /** Per block: its panel's first byte; its rows are {@code blockVectors} vectors apart. */
  private final long[] panel;

  SegmentRows(int m, int n, float[] a) {
    super(m, n);
    int vectors = (n + L - 1) / L;
    int blocks = n < L ? 1 : PanamaSmallGemm.gemvTRowsBlocks(vectors);
    firstVector = new int[blocks];
    blockVectors = new int[blocks];
    panel = new long[blocks];
    long bytes = 0;
    for (int blk = 0, v0 = 0; blk < blocks; blk++) {
      int nv = PanamaSmallGemm.spreadBlock(vectors, v0, blocks - blk); // as gemvTRows spreads
      firstVector[blk] = v0;
      blockVectors[blk] = nv;
      panel[blk] = bytes;
      long size = V * nv * m;
      bytes += size;
      v0 += nv;
    }
    segment = Arena.ofAuto().allocate(bytes, ALIGN);
    fill(a);
  }

  @Override
  void fill(float[] a) {
    for (int blk = 0; blk < panel.length; blk++) {
      int j = firstVector[blk] * L;
      int width = Math.min(n, j + blockVectors[blk] * L) - j;
      for (int i = 0; i < m; i++) {
        MemorySegment.copy(a, i * n + j, segment, ValueLayout.JAVA_FLOAT,
            panel[blk] + i * V * blockVectors[blk], width);
      }
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
    if (whole == 0) {
      narrow(x, rows, count, b, y);
      return;
    }
    for (int blk = 0; blk < panel.length; blk++) {
      final int v0 = firstVector[blk];
      final boolean last = v0 + blockVectors[blk] > whole;
      final int nv = last ? blockVectors[blk] - 1 : blockVectors[blk];
      final long base = panel[blk];
      final long rowBytes = V * blockVectors[blk];
      final int j = v0 * L;
      final int we = whole * L;
      switch (PanamaSmallGemm.gemvTRowsLoop(nv)) {
        case 16 -> SegmentRowsBlocks.gemvTRows16(segment, base, rowBytes, x, rows, count, b, y,
            j, nv, last, we, n);
        case 12 -> SegmentRowsBlocks.gemvTRows12(segment, base, rowBytes, x, rows, count, b, y,
            j, nv, last, we, n);
        default -> SegmentRowsBlocks.gemvTRows8(segment, base, rowBytes, x, rows, count, b, y,
            j, nv, last, we, n);
      }
    }
  }

  /** {@code n < L}: one accumulator, one aligned load a row. */
  private void narrow(float[] x, int[] rows, int count, float[] b, float[] y) {
    final VectorMask<Float> lanes = S.indexInRange(0, n);
    FloatVector c = FloatVector.fromArray(S, b, 0, lanes);
    for (int t = 0; t < count; t++) {
      final int i = rows[t];
      c = FloatVector.broadcast(S, x[i]).fma(
          FloatVector.fromMemorySegment(S, segment, i * V, ORDER), c);
    }
    c.intoArray(y, 0, lanes);
  }

  /**
   * As {@link #gemvTRows}, each block's whole vectors in chunks of up to 8 (as
   * {@code PanamaSmallGemm.gemvTRowsPair}), the last block's last chunk with its last vector,
   * a whole load of the padded row; each chunk one pass over the row list for both samples.
   */
  @Override
  void gemvTRowsPair(float[] x, int x1, int[] rows, int count, float[] b, float[] y, int y1) {
    if (n < L) {
      narrowPair(x, x1, rows, count, b, y, y1);
      return;
    }
    final float[] chunk = PanamaSmallGemm.PAIR_CHUNK.get();
    final int pair = PanamaSmallGemm.PAIR_VECTORS;
    final int whole = n / L;
    final int wholeEnd = whole * L;
    for (int blk = 0; blk < panel.length; blk++) {
      final int v0 = firstVector[blk];
      final boolean tail = v0 + blockVectors[blk] > whole;
      final int nv = tail ? blockVectors[blk] - 1 : blockVectors[blk];
      final long rowBytes = V * blockVectors[blk];
      int c = 0;
      do { // once at least: a last block of the last vector alone
        final int cv = Math.min(pair, nv - c);
        final boolean last = tail && c + cv == nv;
        final int j = (v0 + c) * L;
        final int lastLen = last ? n - wholeEnd : 0;
        PanamaSmallGemm.pairBiasIn(b, j, cv, wholeEnd, lastLen, chunk);
        if (cv == pair && !last) {
          SegmentRowsBlocks.gemvTRowsPair8(segment, panel[blk] + c * V, rowBytes, x, x1, rows,
              count, chunk);
        } else {
          SegmentRowsBlocks.gemvTRowsPairRest(segment, panel[blk] + c * V, rowBytes, x, x1,
              rows, count, chunk, cv, last);
        }
        PanamaSmallGemm.pairSumsOut(chunk, cv, 0, lastLen, y, y1, j, wholeEnd);
        c += cv;
      } while (c < nv);
    }
  }

  /** {@link #narrow} for two samples. */
  private void narrowPair(float[] x, int x1, int[] rows, int count, float[] b, float[] y,
      int y1) {
    final VectorMask<Float> lanes = S.indexInRange(0, n);
    FloatVector c = FloatVector.fromArray(S, b, 0, lanes);
    FloatVector d = c;
    for (int t = 0; t < count; t++) {
      final int i = rows[t];
      final FloatVector w = FloatVector.fromMemorySegment(S, segment, i * V, ORDER);
      c = FloatVector.broadcast(S, x[i]).fma(w, c);
      d = FloatVector.broadcast(S, x[x1 + i]).fma(w, d);
    }
    c.intoArray(y, 0, lanes);
    d.intoArray(y, y1, lanes);
  }
}
