package dev.kickback.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every primitive, on both paths, against an exact (double) reference, over shapes that
 * include 1, primes, multiples of the vector length and one either side of them.
 *
 * <p>Tolerance: each output element {@code c + alpha * sum_p a_p b_p}, computed in float, may
 * differ from the exact value by at most {@code gamma(k + 2) * (|c| + |alpha| sum_p |a_p b_p|)},
 * {@code gamma(n) = n u / (1 - n u)}, u = 2^-24: the classical bound for any summation order,
 * so it holds for the scalar loop and for the blocked vector sums alike.
 */
class KernelOpsTest {
  private static final int[][] SHAPES = {
    {1, 1, 1}, {1, 17, 33}, {4, 4, 16}, {5, 13, 17}, {3, 64, 7}, {8, 65, 64}, {17, 31, 129},
    {2, 10, 100}, {13, 67, 1}, {1, 1, 300}, {7, 63, 15}, {4, 129, 31}, {64, 200, 21},
    {1, 128, 47}, {6, 127, 2}, {11, 3, 64},
    // past the vector kernels' 256 x 256 cache panels in k and n, with tails
    {5, 300, 260}, {1, 257, 513},
    // 2 and 3 rows over a B wider than a cache block: the streaming kernel (at 16 lanes)
    {2, 272, 300}, {3, 2080, 7},
    // the packed path: edge tiles in both directions, more than one KC, MC and NC block
    {37, 75, 300}, {105, 1030, 33}, {8, 32, 1024}, {9, 33, 513}, {96, 64, 256}, {8, 100, 200},
    // with 16 registers A read in place in tiles of fewer rows than MR (4, 5, 6 + 1, 5 + 4 + 4,
    // 5 + 4), their edges of at most a vector of columns and of more
    {4, 100, 200}, {5, 104, 21}, {7, 100, 200}, {13, 120, 50}, {9, 110, 40},
    // split over threads (>= 2^21 multiply-adds in these tests), with uneven sliver counts
    {64, 300, 200}, {50, 97, 500},
    // packed from 128 rows for NT, and for TN from 512 columns; NT as a transposed product from
    // 16 rows (batch 16 against the paper network's layers, a row count off the lanes, C
    // narrower than a vector); 8-row blocks of the unpacked kernel with column tails, and (sums
    // deeper than 128 at 16 lanes) in 2-vector panels, the last with up to a vector of columns
    // past it as a window (the paper network's second layer) or (60 columns) without
    {130, 70, 40}, {40, 520, 20}, {16, 200, 100}, {16, 10, 2}, {24, 3, 5}, {19, 100, 10},
    {16, 2, 10}, {12, 37, 9}, {72, 100, 200}, {16, 60, 200},
    // NT over at most 4 terms from 16 rows, row by row (the wide network's head), with tails
    {256, 1024, 2}, {17, 9, 4}, {20, 5, 3},
    // NT at batch 8 against the paper network's layers, and at 15 to 127 rows with rows and
    // columns past multiples of 8 and B past its first cache block of rows
    {8, 200, 100}, {8, 100, 10}, {8, 10, 2}, {15, 10, 2}, {40, 150, 30}, {127, 71, 256},
    // NT below 16 rows (16 lanes): 4 x 4 dot blocks over A's padded rows (a sum off whole
    // vectors, exactly one, past a block of B's rows and C's columns), rows of A past the
    // quads; fewer terms than a vector transposed from 4 rows, row by row over at most 4
    {8, 203, 77}, {14, 6, 9}, {9, 13, 8}, {8, 4, 256}, {12, 50, 257}, {8, 3, 17}, {7, 66, 16},
    {5, 67, 15}, {4, 9, 3}, {6, 1030, 2},
    // 16 to 31 rows over a C wider than a cache panel, unpacked: 8-row blocks without panels
    // (a sum deeper than 128 at 16 lanes), the last rows in 4-row blocks and past them
    {17, 300, 260}, {24, 520, 130}, {31, 264, 140},
    // packed over three KC blocks from 64 rows, the last rows in a partial tile, a cut sliver
    {70, 300, 520},
    // fewer than 16 terms over a C wider than a cache panel, in 4-row blocks across whole rows:
    // column tails of 2 vectors and a window, of a window alone, and 1 to 3 rows past the blocks
    {13, 300, 8}, {10, 1030, 5}, {16, 520, 15}, {7, 264, 9},
  };

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String path : new String[] {"scalar", "vector", "vector2t"}) {
      for (int[] s : SHAPES) {
        out.add(Arguments.of(path, s[0], s[1], s[2]));
      }
    }
    return out.stream();
  }

  static KernelOps path(String name) {
    if (name.equals("scalar")) {
      return Kernels.scalar();
    }
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    return name.equals("vector2t") ? TwoThreads.OPS : Kernels.vector().get();
  }

  /**
   * One two-thread instance for all tests (each owns a helper thread), splitting from 2^21
   * multiply-adds instead of the default 2^24 so that test-sized shapes take the split path.
   */
  private static final class TwoThreads {
    static final KernelOps OPS = new PanamaKernelOps(2, 1L << 21);
  }

  private static float[] gemm(KernelOps ops, Op op, int m, int n, int k, float[] a, float[] b,
      float[] c0) {
    float[] c = c0.clone();
    switch (op) {
      case NT -> ops.gemmNT(m, n, k, 0.75f, a, b, c);
      case NN -> ops.gemmNN(m, n, k, 0.75f, a, b, c);
      case TN -> ops.gemmTN(m, n, k, 0.75f, a, b, c);
    }
    return c;
  }

  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @MethodSource("splitShapes")
  void gemmsSplitOverThreadsEqualSingleThreadedBitwise(int m, int n, int k) {
    KernelOps one = path("vector");
    KernelOps two = path("vector2t");
    assertEquals("vector2t", two.name());
    SplittableRandom rnd = new SplittableRandom(m * 1000L + n + k);
    for (Op op : Op.values()) {
      float[] a = random(rnd, m * k);
      float[] b = random(rnd, n * k);
      float[] c0 = random(rnd, m * n);
      float[] want = gemm(one, op, m, n, k, a, b, c0);
      float[] got = gemm(two, op, m, n, k, a, b, c0);
      assertBits(want, got, op.toString());
    }
  }

  /**
   * gemmNN with B packed once ({@code packForGemmNN}) gives the bits of gemmNN from B itself, at
   * every row count: 1 to 5 (the rows of a partial tile; with 16 registers up to 3 in passes of 2
   * over two slivers, as are 1 or 2 rows past whole tiles: 7, 8, 25, and 4 alone or past whole
   * tiles in one pass over one sliver: 4, 10, 16), a full tile, A packed whole (at k = 1024, 97
   * and 103 rows in a grown pack buffer) or per block of PREPACKED_MC rows (129 and 263 rows at
   * k = 1024, more than it packs whole: one block, then two, the second a partial tile), A read
   * in place over more than MC rows (a sum of at most KC terms, 16 registers), and B's width cut
   * inside a sliver. The paper network's 200 -> 100 layer packs only with 16
   * registers.
   */
  @ParameterizedTest(name = "k={0} n={1}")
  @MethodSource("packedShapes")
  void gemmNNWithPackedBEqualsGemmNNBitwise(int k, int n) {
    KernelOps ops = path("vector");
    SplittableRandom rnd = new SplittableRandom(k * 7L + n);
    float[] b = random(rnd, k * n);
    PackedMatrix packed = ops.packForGemmNN(k, n, b);
    if (n < 512 && VectorRegisters.Preferred.COUNT >= 32) {
      assertNull(packed, "32 registers pack B of " + k + " x " + n);
      return;
    }
    assertNotNull(packed, "packs B of " + k + " x " + n);
    assertEquals(k, packed.rows());
    assertEquals(n, packed.cols());
    assertTrue(ops.multipliesPacked(packed));
    for (int m : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 10, 16, 24, 25, 33, 97, 103, 129, 263}) {
      float[] a = random(rnd, m * k);
      float[] c0 = random(rnd, m * n);
      float[] want = c0.clone();
      ops.gemmNN(m, n, k, 0.75f, a, b, want);
      float[] got = c0.clone();
      ops.gemmNN(m, n, k, 0.75f, a, packed, got);
      assertBits(want, got, "m=" + m);
    }
    Arrays.fill(b, Float.NaN); // a copy: later writes to B do not reach it
    float[] a = random(rnd, 2 * k);
    float[] c = new float[2 * n];
    ops.gemmNN(2, n, k, 1f, a, packed, c);
    for (float v : c) {
      assertTrue(Float.isFinite(v), "the packed copy read the source array");
    }
  }

  static Stream<Arguments> packedShapes() {
    return Stream.of(Arguments.of(256, 512), Arguments.of(300, 520), Arguments.of(1024, 1024),
        Arguments.of(257, 1030), Arguments.of(200, 100));
  }

  /**
   * Who packs what and from how many rows it reads the copy, and the refusals of the packed GEMM
   * and the packed rectifying GEMMs, each naming the problem.
   */
  @Test
  void packForGemmNNPacksOnlyWhereItPaysAndRefusesForeignMatrices() {
    KernelOps scalar = Kernels.scalar();
    float[] b = new float[1024 * 1024];
    assertNull(scalar.packForGemmNN(1024, 1024, b), "the scalar path has no packed GEMM");
    assertFalse(scalar.multipliesPacked(null));
    assertThrows(IllegalArgumentException.class, () -> scalar.packForGemmNN(1024, 1025, b));
    assertThrows(IllegalArgumentException.class, () -> scalar.packForGemmNN(-1, 3, b));
    KernelOps vector = path("vector");
    if (VectorRegisters.Preferred.COUNT < 32) { // the unpacked kernels' blocks are 6 rows
      PackedMatrix paper = vector.packForGemmNN(200, 100, b);
      assertNotNull(paper, "the paper network's 200 -> 100 layer");
      assertFalse(vector.multipliesPacked(paper, 3), "read as before up to 3 rows");
      assertTrue(vector.multipliesPacked(paper, 4), "read packed from 4 rows");
      PackedMatrix deep = vector.packForGemmNN(300, 100, b);
      assertFalse(vector.multipliesPacked(deep, 15), "deeper than 256: as before up to 15 rows");
      assertTrue(vector.multipliesPacked(deep, 16), "deeper than 256: packed from 16 rows");
      assertNotNull(vector.packForGemmNN(21, 200, b), "the paper network's first layer");
      assertNull(vector.packForGemmNN(15, 1024, b), "too shallow to pay");
      assertNull(vector.packForGemmNN(1024, 95, b), "too narrow to pay");
    } else {
      assertNull(vector.packForGemmNN(200, 100, b), "the unpacked kernels lead");
      assertNull(vector.packForGemmNN(255, 1024, b), "too shallow to pay");
      assertNull(vector.packForGemmNN(1024, 511, b), "too narrow to pay");
    }
    assertNull(path("vector2t").packForGemmNN(1024, 1024, b), "a team splits its GEMMs");
    PackedMatrix p = vector.packForGemmNN(256, 512, b);
    assertTrue(vector.multipliesPacked(p, 2), "read packed from 2 rows");
    assertFalse(vector.multipliesPacked(null, 2));
    assertFalse(scalar.multipliesPacked(p));
    assertFalse(path("vector2t").multipliesPacked(p));
    float[] a = new float[2 * 256];
    float[] c = new float[2 * 512];
    IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
        () -> scalar.gemmNN(2, 512, 256, 1f, a, p, c));
    assertTrue(foreign.getMessage().contains("packed by PanamaKernelOps"),
        foreign.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> vector.gemmNN(2, 512, 255, 1f, a, p, c));
    assertTrue(shape.getMessage().contains("packed as 256 x 512, expected k x n = 255 x 512"),
        shape.getMessage());
    IllegalArgumentException shortC = assertThrows(IllegalArgumentException.class,
        () -> vector.gemmNN(3, 512, 256, 1f, new float[3 * 256], p, c));
    assertTrue(shortC.getMessage().contains("c.length=1024 < m*n=1536"), shortC.getMessage());
    assertThrows(NullPointerException.class, () -> vector.gemmNN(2, 512, 256, 1f, a,
        (PackedMatrix) null, c));
    float[] bias = new float[512];
    float[] nu = filled(512, 1f);
    float[] o = new float[2 * 512];
    IllegalArgumentException foreignRectify = assertThrows(IllegalArgumentException.class,
        () -> scalar.gemmNNRectify(2, 512, 256, a, p, bias, nu, c, o, o.clone()));
    assertTrue(foreignRectify.getMessage().startsWith("gemmNNRectify: b was packed by"),
        foreignRectify.getMessage());
    IllegalArgumentException shapeRectify = assertThrows(IllegalArgumentException.class,
        () -> vector.gemmNNRectifyOutput(2, 511, 256, a, p, bias, nu, c, o));
    assertTrue(shapeRectify.getMessage().contains(
        "gemmNNRectifyOutput: b is packed as 256 x 512, expected k x n = 256 x 511"),
        shapeRectify.getMessage());
    IllegalArgumentException shortBias = assertThrows(IllegalArgumentException.class,
        () -> vector.gemmNNRectify(2, 512, 256, a, p, new float[511], nu, c, o, o.clone()));
    assertTrue(shortBias.getMessage().contains("bias[0, 0+512) is outside bias.length=511"),
        shortBias.getMessage());
  }

  /**
   * Who packs rows for gemvTRows, the copy's independence from its source, and the refusals of
   * gemvTRows over packed rows, each naming the problem.
   */
  @Test
  void packForGemvTRowsCopiesAndRefusesForeignMatrices() {
    KernelOps scalar = Kernels.scalar();
    float[] a = new float[] {1f, 2f, 3f, 4f, 5f, 6f};
    assertNull(scalar.packForGemvTRows(2, 3, a), "the scalar path reads the arrays");
    assertFalse(scalar.readsPackedRows(null));
    assertThrows(IllegalArgumentException.class, () -> scalar.packForGemvTRows(3, 3, a));
    assertThrows(IllegalArgumentException.class, () -> scalar.packForGemvTRows(-1, 3, a));
    KernelOps vector = path("vector");
    assumeTrue(Runtime.version().feature() >= 22, "aligned rows need Java 22");
    PackedMatrix p = vector.packForGemvTRows(2, 3, a);
    assertEquals(2, p.rows());
    assertEquals(3, p.cols());
    assertTrue(p.size() >= 6, "size " + p.size());
    assertTrue(vector.readsPackedRows(p));
    assertTrue(path("vector2t").readsPackedRows(p), "a team reads the rows as one thread");
    assertFalse(scalar.readsPackedRows(p));
    assertFalse(vector.multipliesPacked(p), "rows are not a GEMM's B");
    RowList both = new RowList(2);
    vector.nonzeroRows(new float[] {1f, 1f}, 2, both);
    Arrays.fill(a, Float.NaN); // a copy: later writes to A do not reach it
    float[] y = new float[3];
    vector.gemvTRows(2, 3, p, new float[] {1f, 10f}, both, new float[] {0.5f, 0f, 0f}, y);
    assertArrayEquals(new float[] {41.5f, 52f, 63f}, y, 0f);
    float[] other = new float[] {-1f, -2f, -3f, -4f, -5f, -6f};
    assertSame(p, vector.repackRows(p, other), "refilled in place");
    vector.gemvTRows(2, 3, p, new float[] {1f, 10f}, both, new float[] {0.5f, 0f, 0f}, y);
    assertArrayEquals(new float[] {-40.5f, -52f, -63f}, y, 0f);
    IllegalArgumentException refill = assertThrows(IllegalArgumentException.class,
        () -> scalar.repackRows(p, other));
    assertEquals("repackRows: into is not rows packed by this ScalarKernelOps at 0 lanes",
        refill.getMessage());
    refill = assertThrows(IllegalArgumentException.class,
        () -> vector.repackRows(p, new float[5]));
    assertEquals("repackRows: a[0, 0+6) is outside a.length=5", refill.getMessage());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> scalar.gemvTRows(2, 3, p, new float[2], both, new float[3], y));
    assertEquals("gemvTRows: a is not rows packed by this ScalarKernelOps at 0 lanes (packed by"
        + " PanamaKernelOps at " + Kernels.lanes() + " lanes)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> vector.gemvTRows(2, 2, p, new float[2], both, new float[3], y));
    assertEquals("gemvTRows: a is packed as 2 x 3, expected m x n = 2 x 2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> vector.gemvTRows(2, 3, p, new float[1], both, new float[3], y));
    assertEquals("gemvTRows: x[0, 0+2) is outside x.length=1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> vector.gemvTRows(2, 3, p, new float[2], both, new float[3], new float[2]));
    assertEquals("gemvTRows: y[0, 0+3) is outside y.length=2", e.getMessage());
    PackedMatrix gemmB = vector.packForGemmNN(256, 512, new float[256 * 512]);
    RowList none = new RowList(256);
    e = assertThrows(IllegalArgumentException.class, () -> vector.gemvTRows(256, 512, gemmB,
        new float[256], none, new float[512], new float[512]));
    assertEquals("gemvTRows: a is not rows packed by this PanamaKernelOps at " + Kernels.lanes()
        + " lanes (packed by PanamaKernelOps at " + Kernels.lanes() + " lanes, for gemmNN)",
        e.getMessage());
    assertThrows(NullPointerException.class, () -> vector.gemvTRows(2, 3, (PackedMatrix) null,
        new float[2], both, new float[3], y));
  }

  static Stream<Arguments> splitShapes() {
    return Stream.of(Arguments.of(64, 300, 200), Arguments.of(50, 97, 500),
        Arguments.of(256, 1024, 64), Arguments.of(9, 2100, 300), Arguments.of(130, 600, 40));
  }

  /**
   * The property the thread split rests on: the packed GEMM over columns [0, n) equals, bit for
   * bit, the same GEMM run as pieces over arbitrary column ranges, sliver-aligned or not.
   */
  @Test
  void packedGemmOverColumnPiecesEqualsOneCallBitwise() {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    SplittableRandom rnd = new SplittableRandom(5);
    int m = 37, n = 1100, k = 300;
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, n * k);
    float[] c0 = random(rnd, m * n);
    float[] whole = c0.clone();
    PanamaPackedGemm.gemm(m, n, k, 0.5f, a, k, 1, b, n, 1, whole, 0, n);
    for (int[] cuts : new int[][] {{0, 32, n}, {0, 1, 33, 1030, n}, {0, 517, n}}) {
      float[] pieces = c0.clone();
      for (int i = 0; i + 1 < cuts.length; i++) {
        PanamaPackedGemm.gemm(m, n, k, 0.5f, a, k, 1, b, n, 1, pieces, cuts[i], cuts[i + 1]);
      }
      for (int i = 0; i < whole.length; i++) {
        assertEquals(Float.floatToIntBits(whole[i]), Float.floatToIntBits(pieces[i]),
            Arrays.toString(cuts) + " element " + i);
      }
    }
  }

  /** Where the batch-1 rows are off the heap (a JVM and build of 22 or later), so are the sums. */
  @Test
  void theStreamingScratchIsOffTheHeapWhereTheRowsAre() {
    assertEquals(OffHeapRows.available(), StreamingScratch.aligned());
  }

  /**
   * The streaming kernel's bits are the register-blocked kernel's: the same partial sums per
   * block of KC rows, NN and TN, over blocks of rows of B with 0 to 3 left, more than one block,
   * C wider than one pass of its scratch, and 1 to 5, 7 to 9, 12 and 17 rows of A (one pass of
   * fewer rows than {@code PASS_ROWS} or all of them, and several); with the partial sums in the
   * thread's scratch (off the heap from Java 22) and in one on the heap.
   */
  @ParameterizedTest(name = "scratch on the heap: {0}")
  @ValueSource(booleans = {false, true})
  void streamingGemmEqualsTheRegisterBlockedKernelBitwise(boolean onHeap) {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    assumeTrue(PanamaStreamingGemm.takes(2, 272), "no streaming kernel at this width");
    StreamingScratch scratch = onHeap ? PanamaStreamingGemm.heapScratch() : null;
    SplittableRandom rnd = new SplittableRandom(11);
    for (int m : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 12, 17}) {
      for (int n : new int[] {272, 2080}) {
        for (int k : new int[] {1, 3, 4, 7, 300, 513}) {
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, k * n);
          float[] c0 = random(rnd, m * n);
          for (boolean tn : new boolean[] {false, true}) {
            int rs = tn ? 1 : k;
            int cs = tn ? m : 1;
            float[] want = c0.clone();
            PanamaSmallGemm.gemmStridedA(m, n, k, 0.5f, a, rs, cs, b, want);
            float[] got = c0.clone();
            if (onHeap) {
              PanamaStreamingGemm.gemm(m, n, k, 0.5f, a, rs, cs, b, got, scratch);
            } else {
              PanamaStreamingGemm.gemm(m, n, k, 0.5f, a, rs, cs, b, got);
            }
            assertBits(want, got, "m=" + m + " n=" + n + " k=" + k + (tn ? " TN" : " NN"));
          }
        }
      }
    }
  }

  /**
   * The KC blocks in parts give the panels' bits: each sum carried through the scratch from part
   * to part is the one pass's, for 16 and 24 rows, sums ending within a part and on its end (300,
   * 320, 513 and 640 terms: a last KC block of 44, 64, 1 and 128), C of 2 and 3 panels and wide;
   * and the dispatch sends the wide network's batch-16 and batch-24 layers there, not 8 or 32
   * rows, a B in L2 or a sum of one KC block.
   */
  @Test
  void subPanelGemmEqualsTheRegisterBlockedKernelBitwise() {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    assumeTrue(VectorRegisters.Preferred.COUNT >= 32, "the 8-row block needs 32 registers");
    SplittableRandom rnd = new SplittableRandom(13);
    int lanes = PanamaKernelOps.lanes();
    for (int m : new int[] {16, 24}) {
      for (int n : new int[] {4 * lanes, 6 * lanes, 1024}) {
        for (int k : new int[] {300, 320, 513, 640}) {
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, k * n);
          float[] c0 = random(rnd, m * n);
          float[] want = c0.clone();
          PanamaSmallGemm.gemmStridedA(m, n, k, 0.5f, a, k, 1, b, want);
          float[] got = c0.clone();
          PanamaSubPanelGemm.gemm(m, n, k, 0.5f, a, k, b, got);
          assertBits(want, got, "m=" + m + " n=" + n + " k=" + k);
        }
      }
    }
    assertTrue(PanamaSubPanelGemm.takes(16, 1024, 1024, 1));
    assertTrue(PanamaSubPanelGemm.takes(24, 1024, 1024, 1));
    assertFalse(PanamaSubPanelGemm.takes(8, 1024, 1024, 1), "8 rows");
    assertFalse(PanamaSubPanelGemm.takes(32, 1024, 1024, 1), "32 rows");
    assertFalse(PanamaSubPanelGemm.takes(20, 1024, 1024, 1), "not whole 8-row blocks");
    assertFalse(PanamaSubPanelGemm.takes(16, 1024, 1024, 16), "TN");
    assertFalse(PanamaSubPanelGemm.takes(16, 512, 512, 1), "B in L2");
    assertFalse(PanamaSubPanelGemm.takes(16, 4096, 256, 1), "one KC block");
  }

  /**
   * The unpacked strided kernel's bits are its definition's: per element of C, a sum from 0 by
   * one fma per term in order, then {@code c = fma(sum, alpha, c)}; over 4-row blocks and the
   * leftover rows of A (2 to 7 rows: one, two or three after the blocks, three in one pass with
   * 32 registers, where 5 and 6 rows take no block), and 16 to 32 rows (with 16 registers 6-row
   * blocks, then a 4-row block, or at 32 rows an 8-row block), C a vector or more wide with and without a
   * tail (one a few columns past the 4-vector blocks, whose window reaches back into them), in
   * one pass and in several (more vectors than the registers hold), NN and TN, sums within one KC
   * block.
   */
  @Test
  void stridedGemmIsItsFmaSequencePerElementBitwise() {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    SplittableRandom rnd = new SplittableRandom(12);
    int lanes = PanamaKernelOps.lanes();
    for (int m : new int[] {2, 3, 4, 5, 6, 7, 16, 20, 24, 32}) {
      for (int n : new int[] {lanes, lanes + 3, 2 * lanes - 1, 4 * lanes + 3, 100, 200,
          9 * lanes + 5, 300}) {
        for (int k : new int[] {1, 5, 21, 200}) {
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, k * n);
          float[] c0 = random(rnd, m * n);
          for (boolean tn : new boolean[] {false, true}) {
            int rs = tn ? 1 : k;
            int cs = tn ? m : 1;
            float[] got = c0.clone();
            PanamaSmallGemm.gemmStridedA(m, n, k, 0.5f, a, rs, cs, b, got);
            for (int i = 0; i < m; i++) {
              for (int j = 0; j < n; j++) {
                float want = Math.fma(fmaSequence(a, i * rs, cs, b, j, n, k), 0.5f, c0[i * n + j]);
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i * n + j]),
                    "m=" + m + " n=" + n + " k=" + k + (tn ? " TN" : " NN") + " c[" + i + "]["
                    + j + "]");
              }
            }
          }
        }
      }
    }
  }

  /**
   * The packed GEMM's bits where it takes its tiles a band of rows at a time
   * ({@code PanamaPackedGemm.rowsFirst}: a sum of one KC block into a C of at least 512 rows and
   * NC columns) are the definition's: per element a sum from 0 by one fma per term in order,
   * then {@code c = fma(sum, alpha, c)}, clamped to its column's sign where signs are given.
   * Rows past the MC blocks in a partial tile, columns past NC in a cut sliver, NN and TN, 19
   * terms and a whole block of 256.
   */
  @Test
  void packedGemmRowsFirstIsTheFmaSequencePerElementBitwise() {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    SplittableRandom rnd = new SplittableRandom(13);
    int m = 517;
    int n = 1050;
    for (int k : new int[] {19, 256}) {
      assertTrue(PanamaPackedGemm.rowsFirst(m, n, k), "rows first at k=" + k);
      float[] a = random(rnd, m * k);
      float[] b = random(rnd, k * n);
      float[] c0 = random(rnd, m * n);
      float[] signs = randomSigns(rnd, n);
      for (boolean tn : new boolean[] {false, true}) {
        int rs = tn ? 1 : k;
        int cs = tn ? m : 1;
        for (float[] clamp : new float[][] {null, signs}) {
          float[] got = c0.clone();
          PanamaPackedGemm.gemm(m, n, k, 0.5f, a, rs, cs, b, n, 1, got, 0, n, clamp);
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
              float want = Math.fma(fmaSequence(a, i * rs, cs, b, j, n, k), 0.5f, c0[i * n + j]);
              if (clamp != null && want * clamp[j] < 0f) {
                want = 0f;
              }
              assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i * n + j]),
                  "k=" + k + (tn ? " TN" : " NN") + (clamp == null ? "" : " clamped") + " c["
                  + i + "][" + j + "]");
            }
          }
        }
      }
    }
  }

  /**
   * {@code sum_p A(i, p) B(p, j)} from 0 by one fma per term in order, A's row from {@code a0}
   * with column stride {@code cs}, B row-major with n columns.
   */
  private static float fmaSequence(float[] a, int a0, int cs, float[] b, int j, int n, int k) {
    float sum = 0f;
    for (int p = 0; p < k; p++) {
      sum = Math.fma(a[a0 + p * cs], b[p * n + j], sum);
    }
    return sum;
  }

  /** Two callers on one two-thread instance at once: one gets the team, the other runs alone. */
  @Test
  void concurrentCallersOfOneTeamGetSingleThreadedBits() throws Exception {
    KernelOps one = path("vector");
    KernelOps two = path("vector2t");
    int m = 64, n = 512, k = 256;
    SplittableRandom rnd = new SplittableRandom(9);
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, n * k);
    float[] c0 = new float[m * n];
    float[] want = gemm(one, Op.NN, m, n, k, a, b, c0);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        results.add(pool.submit(() -> {
          for (int r = 0; r < 50; r++) {
            if (!Arrays.equals(want, gemm(two, Op.NN, m, n, k, a, b, c0))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (java.util.concurrent.Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void threadCountIsValidated() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Kernels.vector(0));
    assertEquals("threads = 0: expected 1 or more", e.getMessage());
  }

  /** {@code n} values, each +1 or -1 at random: a layer's unit signs. */
  private static float[] randomSigns(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = rnd.nextBoolean() ? 1f : -1f;
    }
    return v;
  }

  /**
   * NT over at most 4 terms (gemmNTNarrowK) is, element by element, the same sequence of
   * operations as the transposed product it replaced there, so the bits are the same: the wide
   * network's head (256 x 1024 x 2), C narrower than a vector, column tails, one term.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @MethodSource("narrowKShapes")
  void gemmNTOverFewTermsIsTheTransposedProductBitwise(int m, int n, int k) {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    SplittableRandom rnd = new SplittableRandom(m * 1000L + n * 10L + k);
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, n * k);
    float[] c0 = random(rnd, m * n);
    float[] want = c0.clone();
    PanamaSmallGemm.gemmNTTransposed(m, n, k, 0.75f, a, b, want);
    float[] got = c0.clone();
    PanamaSmallGemm.gemmNTNarrowK(m, n, k, 0.75f, a, b, got);
    assertBits(want, got, "gemmNTNarrowK");
  }

  /**
   * The dot-product gemmNT gives each output the bits of that row of A alone, however its rows
   * are blocked (4 x 4 where the sum is whole vectors, 2 x 4, 1 x 4, single dots for C's last
   * columns): every block runs the same lane-sum tree, DotBlock4x4 for 16 outputs at once.
   * Shapes: the wide network's pull at batch 4, 8, 13 and 16 (dispatched here below 32 rows);
   * quads beside a pair and a single row; C's columns past a 64-row block of B and not a
   * multiple of 4; sums that are not whole vectors (the quads over A's padded rows, the paper
   * network's pull at batch 8 and 13 among them; below a vector, 2 x 4 only).
   */
  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @MethodSource("dotBlockShapes")
  void gemmNTRowsInBlocksAreEachRowAloneBitwise(int m, int n, int k) {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    SplittableRandom rnd = new SplittableRandom(m * 1000L + n * 10L + k);
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, n * k);
    float[] c0 = random(rnd, m * n);
    float[] got = c0.clone();
    PanamaSmallGemm.gemmNT(m, n, k, 0.75f, a, b, got);
    float[] want = new float[m * n];
    for (int i = 0; i < m; i++) {
      float[] row = Arrays.copyOfRange(c0, i * n, (i + 1) * n);
      PanamaSmallGemm.gemmNT(1, n, k, 0.75f, Arrays.copyOfRange(a, i * k, (i + 1) * k),
          b, row);
      System.arraycopy(row, 0, want, i * n, n);
    }
    assertBits(want, got, "gemmNT " + m + " x " + n + " x " + k);
  }

  static Stream<Arguments> dotBlockShapes() {
    return Stream.of(Arguments.of(4, 64, 1024), Arguments.of(8, 130, 1024),
        Arguments.of(13, 67, 1024), Arguments.of(7, 9, 48), Arguments.of(15, 131, 16),
        Arguments.of(16, 66, 1024), Arguments.of(31, 68, 64), Arguments.of(6, 66, 40),
        Arguments.of(4, 3, 32), Arguments.of(8, 200, 100), Arguments.of(13, 67, 100),
        Arguments.of(5, 9, 17), Arguments.of(4, 70, 31), Arguments.of(7, 5, 12));
  }

  static Stream<Arguments> narrowKShapes() {
    return Stream.of(Arguments.of(256, 1024, 2), Arguments.of(16, 10, 2), Arguments.of(17, 9, 4),
        Arguments.of(20, 5, 3), Arguments.of(33, 24, 1));
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static double gamma(int n) {
    double u = Math.ulp(1f) / 2;
    return n * u / (1 - n * u);
  }

  /** Which operand layout: A(i,p) and B(p,j) as functions of the flat arrays. */
  private enum Op { NT, NN, TN }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("cases")
  void gemmVariantsMatchExactSums(String path, int m, int n, int k) {
    KernelOps ops = path(path);
    SplittableRandom rnd = new SplittableRandom(31L * m + 7L * n + k);
    for (Op op : Op.values()) {
      float[] a = random(rnd, m * k);
      float[] b = random(rnd, n * k);
      // one extra element beyond the shape on c: kernels must not touch it
      float[] c0 = random(rnd, m * n + 1);
      float alpha = 0.75f;
      float[] c = c0.clone();
      switch (op) {
        case NT -> ops.gemmNT(m, n, k, alpha, a, b, c);
        case NN -> ops.gemmNN(m, n, k, alpha, a, b, c);
        case TN -> ops.gemmTN(m, n, k, alpha, a, b, c);
      }
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double exact = 0;
          double abs = 0;
          for (int p = 0; p < k; p++) {
            double ap = switch (op) {
              case NT, NN -> a[i * k + p];
              case TN -> a[p * m + i];
            };
            double bp = switch (op) {
              case NT -> b[j * k + p];
              case NN, TN -> b[p * n + j];
            };
            exact += ap * bp;
            abs += Math.abs(ap * bp);
          }
          double want = c0[i * n + j] + alpha * exact;
          double bound = gamma(k + 2) * (Math.abs(c0[i * n + j]) + alpha * abs);
          double got = c[i * n + j];
          if (Math.abs(got - want) > bound) {
            throw new AssertionError(path + " gemm" + op + " C[" + i + "][" + j + "] = " + got
                + ", exact " + want + ", bound " + bound);
          }
        }
      }
      assertEquals(c0[m * n], c[m * n], 0f, path + " gemm" + op + " wrote past m*n");
    }
  }

  @ParameterizedTest(name = "{0} m={1} n={2}")
  @MethodSource("cases")
  void gemvAndLevel1MatchExactSums(String path, int m, int n, int unused) {
    KernelOps ops = path(path);
    SplittableRandom rnd = new SplittableRandom(17L * m + n);
    float[] a = random(rnd, m * n);
    float[] x = random(rnd, n + 3);
    float[] y0 = random(rnd, m);
    float[] y = y0.clone();
    ops.gemv(m, n, 2f, a, x, y);
    for (int i = 0; i < m; i++) {
      double exact = 0;
      double abs = 0;
      for (int p = 0; p < n; p++) {
        exact += (double) a[i * n + p] * x[p];
        abs += Math.abs((double) a[i * n + p] * x[p]);
      }
      assertEquals(y0[i] + 2 * exact, y[i], gamma(n + 2) * (Math.abs(y0[i]) + 2 * abs));
    }
    // level 1 with offsets: dot (the small GEMMs' inner kernel) and axpy over x[3, 3 + n)
    // and a[0, n)
    double exact = 0;
    double abs = 0;
    for (int p = 0; p < n; p++) {
      exact += (double) x[3 + p] * a[p];
      abs += Math.abs((double) x[3 + p] * a[p]);
    }
    assertEquals(exact, ops.dotKernel(n, x, 3, a, 0), gamma(n) * abs);
    float[] z = a.clone();
    ops.axpy(n, -0.5f, x, 3, z, 0);
    for (int p = 0; p < n; p++) {
      double tol = gamma(2) * (Math.abs(a[p]) + 0.5 * Math.abs(x[3 + p]));
      assertEquals(a[p] - 0.5 * x[3 + p], z[p], tol);
    }
    for (int p = n; p < z.length; p++) {
      assertEquals(a[p], z[p], 0f, "axpy wrote past n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void shapeErrorsNameTheArgument(String path) {
    KernelOps ops = path(path);
    float[] small = new float[5];
    float[] ok = new float[100];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmNT(2, 3, 4, 1f, small, ok, ok));
    assertEquals("gemmNT: a.length=5 < m*k=8 (m=2, n=3, k=4)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.gemmTN(2, 3, 4, 1f, ok, ok, small));
    assertEquals("gemmTN: c.length=5 < m*n=6 (m=2, n=3, k=4)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.gemmNN(-1, 3, 4, 1f, ok, ok, ok));
    assertEquals("gemmNN: dimensions must be >= 0, got m=-1, n=3, k=4", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.axpy(3, 1f, ok, 98, ok, 0));
    assertEquals("axpy: x[98, 98+3) is outside x.length=100", e.getMessage());
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> ops.axpy(3, 1f, ok, 0, null, 0));
    assertEquals("axpy: y is null", npe.getMessage());
  }

  /**
   * broadcastRows on every path: each of the first rows x n floats the bias's, for widths on both
   * sides of the doubling copy's bound and row counts that are not powers of two; nothing past
   * them written; a too-short s refused by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void broadcastRowsCopiesTheBiasIntoEveryRow(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {0, 1, 2, 10, 63, 64, 200}) {
      for (int rows : new int[] {0, 1, 2, 3, 7, 16, 37}) {
        SplittableRandom rnd = new SplittableRandom(83L * n + rows);
        float[] bias = random(rnd, n);
        float[] s = filled(rows * n + 5, 42f);
        ops.broadcastRows(rows, n, bias, s);
        for (int i = 0; i < s.length; i++) {
          float want = i < rows * n ? bias[i % n] : 42f;
          assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(s[i]),
              path + " n=" + n + " rows=" + rows + " s[" + i + "]");
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.broadcastRows(3, 2, new float[2], new float[5]));
    assertEquals("broadcastRows: s[0, 0+6) is outside s.length=5", e.getMessage());
  }

  /**
   * allFinite finds an infinity or a NaN at every position of ranges shorter than a vector,
   * whole vectors, whole vectors with a tail (the vector kernel's window), and more than one of
   * the vector kernel's chunks of 1,024 floats, the last shorter than a vector or not; ignores
   * what lies outside the range, and takes the largest, the smallest and the signed zero values
   * as finite.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void allFiniteFindsEachInfinityAndNaNIncludingTails(String path) {
    KernelOps ops = path(path);
    assertTrue(ops.allFinite(new float[] {Float.NaN}, 1, 0));
    for (int n : new int[] {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 21, 31, 32, 33, 63, 64, 65, 100,
        336, 1027, 2065}) {
      float[] x = random(new SplittableRandom(50 + n), n + 6);
      x[3] = Float.MAX_VALUE;
      x[3 + n / 2] = -Float.MIN_VALUE;
      x[2 + n] = -0f;
      x[2] = Float.NaN; // outside the range
      x[3 + n] = Float.POSITIVE_INFINITY;
      assertTrue(ops.allFinite(x, 3, n), "n=" + n);
      float[] y = x.clone();
      for (int at = 0; at < n; at++) {
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN}) {
          y[3 + at] = bad;
          assertFalse(ops.allFinite(y, 3, n), "n=" + n + " at=" + at + " value " + bad);
        }
        y[3 + at] = x[3 + at];
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.allFinite(new float[4], 2, 3));
    assertEquals("allFinite: x[2, 2+3) is outside x.length=4", e.getMessage());
  }

  /**
   * maskScaleMaxAbs on every path against its loop: g and e bitwise, the maximum exact, NaN
   * and infinity carried; lengths below a vector, whole vectors and tails, in arrays that end
   * where the range does (the vector kernel's scalar tail) and in padded ones (its masked one);
   * nothing written outside the range.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void maskScaleMaxAbsIsItsLoopBitwise(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {0, 1, 2, 5, 10, 15, 16, 17, 31, 32, 33, 48, 100, 200}) {
      for (int pad : new int[] {0, 16}) {
        for (boolean withE : new boolean[] {false, true}) {
          SplittableRandom rnd = new SplittableRandom(71L * n + pad + (withE ? 1 : 0));
          int off = 3;
          float[] d = randomSigns(rnd, off + n + pad);
          for (int j = 0; j < d.length; j += 3) {
            d[j] = 0f;
          }
          float[] g0 = random(rnd, off + n + pad);
          float beta = (float) rnd.nextDouble(-3, 3);
          for (float special : new float[] {1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] g = g0.clone();
            if (n > 0 && special != 1f) {
              g[off + rnd.nextInt(n)] = special;
              d[off + n - 1] = 1f;
              g[off + n - 1] = special; // reaches the output whatever the mask
            }
            float[] want = g.clone();
            float[] wantE = withE ? random(rnd, g.length) : null;
            float[] gotE = withE ? wantE.clone() : null;
            float max = 0f;
            for (int j = off; j < off + n; j++) {
              float v = want[j] * d[j];
              if (withE) {
                wantE[j] = v;
              }
              want[j] = beta * v;
              max = Math.max(max, Math.abs(want[j]));
            }
            float got = ops.maskScaleMaxAbs(n, beta, d, g, gotE, off);
            String at = path + " n=" + n + " pad=" + pad + " e=" + withE + " special=" + special;
            assertEquals(Float.floatToIntBits(max), Float.floatToIntBits(got), at + ": max");
            assertBits(want, g, at + ": g");
            if (withE) {
              assertBits(wantE, gotE, at + ": e");
            }
          }
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.maskScaleMaxAbs(3, 1f, new float[3], new float[3], new float[2], 0));
    assertEquals("maskScaleMaxAbs: e[0, 0+3) is outside e.length=2", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void maxAbsIsExactAndPropagatesNonFiniteValuesIncludingTails(String path) {
    KernelOps ops = path(path);
    assertEquals(0f, ops.maxAbs(new float[3], 1, 0));
    for (int n : new int[] {1, 5, 15, 16, 17, 31, 33, 100}) {
      float[] x = random(new SplittableRandom(40 + n), n + 6);
      for (int at = 0; at < n; at++) {
        float[] y = x.clone();
        y[3 + at] = -1e6f; // the largest magnitude, negative, at every position
        assertEquals(1e6f, ops.maxAbs(y, 3, n), "n=" + n + " at=" + at);
        y[3 + at] = Float.NEGATIVE_INFINITY;
        assertEquals(Float.POSITIVE_INFINITY, ops.maxAbs(y, 3, n), "n=" + n + " at=" + at);
        y[3 + (at + 1) % n] = Float.NaN;
        assertTrue(Float.isNaN(ops.maxAbs(y, 3, n)), "NaN after infinity, n=" + n + " at=" + at);
      }
      // values outside the range do not count
      float[] z = x.clone();
      z[2] = 1e9f;
      z[3 + n] = Float.NaN;
      float want = 0f;
      for (int i = 3; i < 3 + n; i++) {
        want = Math.max(want, Math.abs(x[i]));
      }
      assertEquals(want, ops.maxAbs(z, 3, n));
    }
  }

  /**
   * maxAbsRows against the plain maximum of each row's magnitudes, exactly: rows narrower than a
   * vector, a vector and a window, wider; the last row ending at the array's end; a row holding
   * a NaN, one an infinity; entries of {@code max} past m untouched.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void maxAbsRowsIsEachRowsMaxAbs(String path) {
    KernelOps ops = path(path);
    int[][] shapes = {{1, 1}, {3, 10}, {4, 21}, {2, 100}, {5, 200}, {3, 0}, {0, 7}};
    for (int[] shape : shapes) {
      int m = shape[0];
      int n = shape[1];
      float[] x = random(new SplittableRandom(60 + m * 7 + n), m * n); // exactly m n long
      if (m >= 3 && n > 0) {
        x[n + n / 2] = Float.NEGATIVE_INFINITY; // row 1
        x[2 * n + n - 1] = Float.NaN; // row 2, its last element
      }
      float[] max = new float[m + 2];
      Arrays.fill(max, 7f);
      ops.maxAbsRows(m, n, x, max);
      for (int i = 0; i < m; i++) {
        float want = 0f;
        for (int j = 0; j < n; j++) {
          want = Math.max(want, Math.abs(x[i * n + j]));
        }
        assertEquals(want, max[i], m + "x" + n + " row " + i); // NaN equals NaN, -0 not 0
      }
      assertEquals(7f, max[m], m + "x" + n + ": past m");
      assertEquals(7f, max[m + 1], m + "x" + n + ": past m");
    }
    IllegalArgumentException shortX = assertThrows(IllegalArgumentException.class,
        () -> ops.maxAbsRows(3, 10, new float[29], new float[3]));
    assertEquals("maxAbsRows: x[0, 0+30) is outside x.length=29", shortX.getMessage());
    IllegalArgumentException shortMax = assertThrows(IllegalArgumentException.class,
        () -> ops.maxAbsRows(3, 10, new float[30], new float[2]));
    assertEquals("maxAbsRows: max[0, 0+3) is outside max.length=2", shortMax.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> ops.maxAbsRows(-1, 10, new float[30], new float[3]));
    assertEquals("maxAbsRows: dimensions must be >= 0, got m=-1, n=10", negative.getMessage());
  }

  /**
   * gerRows over the nonzero coefficients against the same implementation's gemmTN with k = 1
   * followed by clampToSigns, bitwise on the rows it changes; unlisted rows (coefficient 0 or
   * -0) keep every bit, even a -0 or a wrong sign that a clamp would have changed. With and
   * without y and signs padded to a whole vector (the narrow rows' fast path); rows walked in
   * column blocks and rows streamed whole (past 16 vectors: 257 and 1029 at 16 lanes).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gerRowsEqualsRankOneGemmThenClampOnListedRowsAndLeavesOthersAlone(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 5, 10, 16, 21, 32, 47, 200, 257, 1029}) {
      for (int variant = 0; variant < 4; variant++) {
        boolean clamp = variant % 2 == 1;
        int pad = variant < 2 ? 0 : 16;
        int m = 9;
        SplittableRandom rnd = new SplittableRandom(n * 4L + variant);
        float[] x = random(rnd, m);
        x[2] = 0f;
        x[5] = -0f;
        float[] y = random(rnd, n + 3 + pad);
        y[0] = 0f; // an inactive input: products +-0 meet weights -0
        y[n / 2] = -0f;
        float[] a0 = random(rnd, m * n + 1 + pad);
        for (int i = 0; i < m; i++) {
          a0[i * n] = -0f;
          a0[i * n + n / 2] = -0f;
        }
        float[] signs = randomSigns(rnd, n + pad);
        float[] want = a0.clone();
        ops.gemmTN(m, n, 1, 0.3f, x, y, want);
        float[] got = a0.clone();
        int[] rows = nonzero(x, m);
        ops.gerRows(m, n, 0.3f, x, rows, rows.length, y, got, clamp ? signs : null);
        for (int i = 0; i < m; i++) {
          if (clamp) {
            ops.clampToSigns(want, i * n, n, signs);
          }
          for (int j = 0; j < n; j++) {
            float expected = x[i] == 0f ? a0[i * n + j] : want[i * n + j];
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got[i * n + j]),
                "n=" + n + " variant=" + variant + " A[" + i + "][" + j + "]");
          }
        }
        for (int e = m * n; e < a0.length; e++) {
          assertEquals(Float.floatToIntBits(a0[e]), Float.floatToIntBits(got[e]),
              "gerRows wrote past m*n, at " + e);
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gerRows(2, 3, 1f, new float[2], new int[] {0, 1}, 2, new float[3],
            new float[6], new float[2]));
    assertEquals("gerRows: colSigns[0, 0+3) is outside colSigns.length=2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.gerRows(2, 3, 1f,
        new float[2], new int[] {0, 2}, 2, new float[3], new float[6], null));
    assertEquals("gerRows: rows[1]=2 is outside [0, m=2)", e.getMessage());
  }

  /**
   * gemvGerRows against the same implementation's gemvRows then gerRows, bitwise: the dot
   * products of the rows as they were, the rows' updates, every unlisted row and every entry
   * past m*n untouched. Row lists with neighbours (stores near the next row's loads), gaps and
   * none; rows narrower than a vector, with a tail, whole vectors and past the fused length
   * (1029 at 16 lanes: the two passes); the pulled vector, y and the signs with and without
   * padding to a whole vector.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemvGerRowsEqualsGemvRowsThenGerRows(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 5, 10, 16, 21, 32, 47, 100, 200, 1029}) {
      for (int variant = 0; variant < 6; variant++) {
        boolean clamp = variant % 2 == 1;
        int pad = variant >= 2 ? 16 : 0;
        int m = 11;
        SplittableRandom rnd = new SplittableRandom(n * 8L + variant);
        float[] x = random(rnd, m);
        if (variant < 4) { // neighbours and gaps
          x[2] = 0f;
          x[5] = -0f;
          x[6] = 0f;
        } else { // every other row
          for (int i = 1; i < m; i += 2) {
            x[i] = 0f;
          }
        }
        float[] v = random(rnd, n + pad);
        v[n / 3] = 0f; // an inactive unit of the layer above
        float[] y = random(rnd, n + pad);
        float[] a0 = random(rnd, m * n + 1 + pad);
        float[] signs = randomSigns(rnd, n + pad);
        float[] t0 = random(rnd, m);
        int[] rows = nonzero(x, m);
        float[] wantA = a0.clone();
        float[] wantT = t0.clone();
        ops.gemvRows(m, n, wantA, v, rows, rows.length, wantT);
        ops.gerRows(m, n, 0.3f, x, rows, rows.length, y, wantA, clamp ? signs : null);
        float[] gotA = a0.clone();
        float[] gotT = t0.clone();
        ops.gemvGerRows(m, n, gotA, rows, rows.length, v, gotT, 0.3f, x, y,
            clamp ? signs : null);
        String at = "n=" + n + " variant=" + variant;
        for (int i = 0; i < m; i++) {
          assertEquals(Float.floatToIntBits(wantT[i]), Float.floatToIntBits(gotT[i]),
              at + " t[" + i + "]");
        }
        for (int e = 0; e < a0.length; e++) {
          assertEquals(Float.floatToIntBits(wantA[e]), Float.floatToIntBits(gotA[e]),
              at + " a[" + e + "]");
        }
        assertNotEquals(Float.floatToIntBits(a0[rows[0] * n]),
            Float.floatToIntBits(gotA[rows[0] * n]), at + ": the first listed row changed");
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], new int[] {0, 2, 1}, 3, new float[2],
            new float[3], 1f, new float[3], new float[2], null));
    assertEquals("gemvGerRows: rows[2]=1 after rows[1]=2: rows must ascend, each once",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], new int[] {1, 1}, 2, new float[2],
            new float[3], 1f, new float[3], new float[2], null));
    assertEquals("gemvGerRows: rows[1]=1 after rows[0]=1: rows must ascend, each once",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], new int[] {0}, 1, new float[2],
            new float[3], 1f, new float[2], new float[2], null));
    assertEquals("gemvGerRows: x[0, 0+3) is outside x.length=2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], new int[] {0, 5}, 2, new float[2],
            new float[3], 1f, new float[3], new float[2], null));
    assertEquals("gemvGerRows: rows[1]=5 is outside [0, m=3)", e.getMessage());
    // steps that overflow an int: still refused, naming the first row out of range
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6],
            new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE, 1}, 3, new float[2],
            new float[3], 1f, new float[3], new float[2], null));
    assertEquals("gemvGerRows: rows[1]=2147483647 is outside [0, m=3)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gerRows(3, 2, 1f, new float[3], new int[] {2, 0}, 2, new float[2],
            new float[6], null));
    assertEquals("gerRows: rows[1]=0 after rows[0]=2: rows must ascend, each once",
        e.getMessage());
  }

  /**
   * gemvGerRows for sample p of a batch, in place, against the one-sample call on copies of the
   * sample's vectors (what the batch's step did before), bitwise: the weights, every sample's
   * dots (the other samples' untouched). Two and three samples, each of them; rows narrower than
   * a vector, with a tail, whole vectors, past the fused length; the batch's arrays exactly
   * {@code k n} long (the last sample's vectors end at the array's end: a narrow kernel's vector
   * would pass it, and the kernel takes the copies itself) and padded. Bad samples are refused.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemvGerRowsOfOneSampleEqualsTheCallOnItsCopies(String path) {
    KernelOps ops = path(path);
    int m = 11;
    for (int n : new int[] {1, 5, 10, 16, 21, 100, 200, 1029}) {
      for (int k = 2; k <= 3; k++) {
        for (int p = 0; p < k; p++) {
          for (int pad : new int[] {0, 16}) {
            SplittableRandom rnd = new SplittableRandom(n * 64L + k * 8L + p * 2L + pad);
            float[] x = random(rnd, k * m);
            for (int i = 0; i < k * m; i += 3) {
              x[i] = 0f;
            }
            float[] v = random(rnd, k * n + pad);
            float[] y = random(rnd, k * n + pad);
            float[] t0 = random(rnd, k * m);
            float[] a0 = random(rnd, m * n + pad);
            float[] signs = randomSigns(rnd, n + pad);
            float[] xp = Arrays.copyOfRange(x, p * m, p * m + m + 16);
            RowList rows = new RowList(m);
            ops.nonzeroRows(xp, m, rows);
            float[] wantA = a0.clone();
            float[] wantT = t0.clone();
            float[] tp = Arrays.copyOfRange(t0, p * m, p * m + m);
            ops.gemvGerRows(m, n, wantA, rows, Arrays.copyOfRange(v, p * n, p * n + n + 16), tp,
                0.3f, xp, Arrays.copyOfRange(y, p * n, p * n + n + 16), signs);
            System.arraycopy(tp, 0, wantT, p * m, m);
            float[] gotA = a0.clone();
            float[] gotT = t0.clone();
            ops.gemvGerRows(m, n, gotA, rows, p, v, gotT, 0.3f, x, y, signs);
            String at = "n=" + n + " k=" + k + " p=" + p + " pad=" + pad;
            assertBits(wantA, gotA, at + ": weights");
            assertBits(wantT, gotT, at + ": dots");
            assertNotEquals(Float.floatToIntBits(a0[rows.get(0) * n]),
                Float.floatToIntBits(gotA[rows.get(0) * n]), at + ": the first listed row changed");
          }
        }
      }
    }
    RowList rows = new RowList(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], rows, -1, new float[4], new float[6], 1f,
            new float[6], new float[4], null));
    assertEquals("gemvGerRows: p, m and n must be >= 0, got p=-1, m=3, n=2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], rows, 2, new float[5], new float[9], 1f,
            new float[9], new float[6], null));
    assertEquals("gemvGerRows: v[4, 4+2) is outside v.length=5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvGerRows(3, 2, new float[6], rows, 2, new float[6], new float[9], 1f,
            new float[8], new float[6], null));
    assertEquals("gemvGerRows: x[6, 6+3) is outside x.length=8", e.getMessage());
  }

  /**
   * clampRowsToSigns against its definition, bitwise: per row, a weight whose sign disagrees
   * with its column's becomes +0, NaN and -0 stay; rows narrower than a vector (1 row, and 23
   * and 37 over the vector kernel's blocks of 16; 1 and 2 wide clamped as scalars, 3 to 15 by
   * the vector blocks at 4, 8 or 16 lanes), with a tail and whole; the matrix exactly m*n
   * long (the narrow rows' last vectors would pass its end) and padded, signs exactly n long and
   * padded; nothing past m*n changed. Bad shapes are refused by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void clampRowsToSignsClampsEveryRowByItsColumnsSigns(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 3, 7, 10, 15, 16, 17, 40, 100, 200}) {
      for (int[] mp : new int[][] {{23, 0}, {23, 3}, {23, 16}, {1, 0}, {37, 0}}) {
        int m = mp[0];
        int pad = mp[1];
        SplittableRandom rnd = new SplittableRandom(n * 31L + pad + m);
        float[] a = random(rnd, m * n + pad);
        a[n / 2] = Float.NaN;
        a[(m - 1) * n + n / 3] = -0f;
        a[m * n / 2] = -0f;
        float[] signs = randomSigns(rnd, n + pad);
        float[] got = a.clone();
        ops.clampRowsToSigns(m, n, got, signs);
        for (int e = 0; e < a.length; e++) {
          boolean inside = e < m * n;
          float sign = inside ? signs[e % n] : 0f;
          boolean wrong = inside && (sign > 0 ? a[e] < 0 : a[e] > 0);
          float want = wrong ? 0f : a[e];
          assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[e]),
              path + " n=" + n + " pad=" + pad + " at " + e);
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.clampRowsToSigns(3, 4, new float[12], new float[3]));
    assertEquals("clampRowsToSigns: colSigns[0, 0+4) is outside colSigns.length=3",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.clampRowsToSigns(3, 4, new float[11], new float[4]));
    assertEquals("clampRowsToSigns: a[0, 0+12) is outside a.length=11", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.clampRowsToSigns(-1, 4, new float[11], new float[4]));
    assertEquals("clampRowsToSigns: dimensions must be >= 0, got m=-1, n=4", e.getMessage());
  }

  /**
   * gemmTNClampToSigns against the same implementation's gemmTN, then clampRowsToSigns,
   * bitwise: shapes the vector kernel clamps in registers (rows in 4s; columns in whole 4-vector
   * blocks, past a 256-column panel, and with 1 to 3 vectors and a window after them or alone,
   * at 16, 8 and 4 lanes; fewer than 16 terms across rows wider than a panel), shapes it hands
   * to the update and the clamp pass (5 and 7 rows, rows narrower than 16 lanes, a sum deep
   * enough for panels) and C's the GEMM packs, clamped in the last KC block's tiles (whole
   * tiles, a cut sliver, fewer rows than a tile, two KC blocks, split over a team's threads), a
   * NaN and a -0 in C, signs padded; the rank-0 call clamps only. Bad shapes are refused by
   * name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemmTNClampToSignsIsTheUpdateThenTheClamp(String path) {
    KernelOps ops = path(path);
    int[][] shapes = {{4, 64, 8}, {8, 64, 1}, {12, 128, 5}, {64, 320, 8}, {16, 64, 16},
        {8, 32, 8}, {8, 16, 8}, {8, 100, 8}, {12, 40, 3}, {4, 20, 8}, {4, 70, 2},
        {200, 100, 8}, {5, 64, 8}, {7, 128, 8}, {8, 10, 8}, {8, 64, 160}, {32, 512, 64},
        {8, 64, 0},
        // packed: whole tiles and a cut sliver; two KC blocks and 4 rows past the tiles (a
        // team's split at 2^21 multiply-adds); 4 rows past the MC blocks
        {40, 520, 20}, {36, 512, 300}, {100, 1024, 32},
        // fewer than 16 terms over more than 256 columns: 4-row blocks across whole rows, the
        // columns past their 4-vector blocks 2 vectors and a window, a window alone, whole
        {12, 300, 8}, {8, 1030, 5}, {16, 1024, 15}};
    for (int[] shape : shapes) {
      int m = shape[0];
      int n = shape[1];
      int k = shape[2];
      for (int pad : new int[] {0, 5}) {
        SplittableRandom rnd = new SplittableRandom(m * 131L + n * 7L + k + pad);
        float[] a = random(rnd, k * m);
        float[] b = random(rnd, k * n);
        float[] c0 = random(rnd, m * n + pad);
        c0[n / 2] = Float.NaN;
        c0[m * n - 1] = -0f;
        float[] signs = randomSigns(rnd, n + pad);
        float[] want = c0.clone();
        ops.gemmTN(m, n, k, 0.3f, a, b, want);
        ops.clampRowsToSigns(m, n, want, signs);
        float[] got = c0.clone();
        ops.gemmTNClampToSigns(m, n, k, 0.3f, a, b, got, signs);
        for (int e = 0; e < want.length; e++) {
          assertEquals(Float.floatToIntBits(want[e]), Float.floatToIntBits(got[e]),
              path + " m=" + m + " n=" + n + " k=" + k + " pad=" + pad + " at " + e);
        }
      }
    }
    float[] ok = new float[16];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmTNClampToSigns(2, 4, 2, 1f, ok, ok, ok, new float[3]));
    assertEquals("gemmTNClampToSigns: colSigns[0, 0+4) is outside colSigns.length=3",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmTNClampToSigns(2, 4, 2, 1f, ok, ok, new float[7], ok));
    assertEquals("gemmTNClampToSigns: c.length=7 < m*n=8 (m=2, n=4, k=2)", e.getMessage());
  }

  /**
   * gemmNTRows against a double-precision definition (within 1e-5 of the sum of the products'
   * magnitudes), and bitwise against gemvRows of each sample's vector when those lie inside
   * v with a vector to spare (at one sample always): the dots are gemvRows' dots. Unlisted
   * rows' entries of t are not touched.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemmNTRowsIsGemvRowsPerSample(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 10, 16, 21, 47, 100, 200}) {
      for (int k : new int[] {1, 2, 3, 5}) {
        for (int pad : new int[] {0, 16}) {
          int m = 11;
          SplittableRandom rnd = new SplittableRandom(n * 17L + k * 3L + pad);
          float[] a = random(rnd, m * n + pad);
          float[] v = random(rnd, k * n + pad);
          float[] x = random(rnd, m);
          x[3] = 0f;
          x[7] = 0f;
          RowList rows = new RowList(m);
          ops.nonzeroRows(x, m, rows);
          float[] t0 = random(rnd, k * m);
          float[] got = t0.clone();
          ops.gemmNTRows(m, n, k, a, rows, v, got);
          String at = path + " n=" + n + " k=" + k + " pad=" + pad;
          for (int p = 0; p < k; p++) {
            float[] want = t0.clone();
            if (pad >= 16 || k == 1) {
              float[] vp = Arrays.copyOfRange(v, p * n, v.length);
              float[] tp = Arrays.copyOfRange(t0, p * m, p * m + m);
              ops.gemvRows(m, n, a, vp, rows, tp);
              System.arraycopy(tp, 0, want, p * m, m);
            }
            for (int r = 0; r < m; r++) {
              int e = p * m + r;
              if (r == 3 || r == 7) {
                assertEquals(Float.floatToIntBits(t0[e]), Float.floatToIntBits(got[e]), at);
                continue;
              }
              double exact = t0[e];
              double mag = Math.abs(t0[e]);
              for (int j = 0; j < n; j++) {
                exact += (double) a[r * n + j] * v[p * n + j];
                mag += Math.abs((double) a[r * n + j] * v[p * n + j]);
              }
              assertEquals(exact, got[e], 1e-5 * mag, at + " t[" + p + "][" + r + "]");
              if (pad >= 16 || k == 1) {
                assertEquals(Float.floatToIntBits(want[e]), Float.floatToIntBits(got[e]),
                    at + " t[" + p + "][" + r + "] against gemvRows");
              }
            }
          }
        }
      }
    }
  }

  /**
   * gemmNTGemmTNRows against the same implementation's gemmNTRows, then gemmTN and clampToSigns
   * on the listed rows, bitwise: the dots of the rows as they were, the rows' updates, every
   * unlisted row (no sample's input reaches it) and every entry past m*n untouched; at one
   * sample also against gemvGerRows. Over 1 to 4 samples (one pass) and 5 and 8 (a dot pass,
   * then an update pass), rows narrower than a vector, with a tail, whole and wide; v, y and
   * the signs exactly as long as the shape needs (the narrow rows' lane-by-lane fallback) and
   * padded.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemmNTGemmTNRowsEqualsTheDotsThenTheGemmThenTheClamp(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 10, 16, 21, 47, 100, 200, 1029}) {
      for (int k : new int[] {1, 2, 3, 4, 5, 8}) {
        for (int variant = 0; variant < 4; variant++) {
          boolean clamp = variant % 2 == 1;
          int pad = variant < 2 ? 0 : 16;
          int m = 13;
          SplittableRandom rnd = new SplittableRandom(n * 131L + k * 7L + variant);
          float[] x = random(rnd, k * m);
          for (int p = 0; p < k; p++) {
            x[p * m + 2] = p % 2 == 0 ? 0f : -0f; // reached by no sample
            x[p * m + 9] = 0f;
            if (p > 0) {
              x[p * m + 5] = 0f; // reached by the first sample only
            }
          }
          float[] v = random(rnd, k * n + pad);
          v[n / 3] = 0f;
          float[] y = random(rnd, k * n + pad);
          y[n / 2] = -0f;
          float[] a0 = random(rnd, m * n + 1 + pad);
          for (int i = 0; i < m; i++) {
            a0[i * n] = -0f;
          }
          float[] signs = randomSigns(rnd, n + pad);
          float[] t0 = random(rnd, k * m);
          RowList reached = new RowList(m);
          ops.nonzeroColumns(k, m, x, reached);
          assertEquals(m - 2, reached.count());
          float[] wantA = a0.clone();
          float[] wantT = t0.clone();
          ops.gemmNTRows(m, n, k, wantA, reached, v, wantT);
          float[] product = a0.clone();
          ops.gemmTN(m, n, k, 0.3f, x, y, product);
          for (int i = 0; i < m; i++) {
            if (clamp) {
              ops.clampToSigns(product, i * n, n, signs);
            }
            if (i != 2 && i != 9) {
              System.arraycopy(product, i * n, wantA, i * n, n);
            }
          }
          float[] gotA = a0.clone();
          float[] gotT = t0.clone();
          ops.gemmNTGemmTNRows(m, n, k, gotA, reached, v, gotT, 0.3f, x, y,
              clamp ? signs : null);
          String at = path + " n=" + n + " k=" + k + " variant=" + variant;
          for (int e = 0; e < k * m; e++) {
            assertEquals(Float.floatToIntBits(wantT[e]), Float.floatToIntBits(gotT[e]),
                at + " t[" + e / m + "][" + e % m + "]");
          }
          for (int e = 0; e < a0.length; e++) {
            assertEquals(Float.floatToIntBits(wantA[e]), Float.floatToIntBits(gotA[e]),
                at + " a[" + e / n + "][" + e % n + "]");
          }
          if (k == 1) {
            float[] rankOneA = a0.clone();
            float[] rankOneT = t0.clone();
            ops.gemvGerRows(m, n, rankOneA, reached, v, rankOneT, 0.3f, x, y,
                clamp ? signs : null);
            assertArrayEquals(rankOneA, gotA, at + ": gemvGerRows' weights");
            assertArrayEquals(rankOneT, gotT, at + ": gemvGerRows' dots");
          }
        }
      }
    }
    RowList fromFive = new RowList(5);
    ops.nonzeroColumns(1, 5, new float[] {1, 1, 1, 1, 1}, fromFive);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmNTGemmTNRows(4, 2, 1, new float[8], fromFive, new float[2], new float[4],
            1f, new float[4], new float[2], null));
    assertEquals("gemmNTGemmTNRows: the row list was made from 5 entries: its rows may reach"
        + " past m=4", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmNTGemmTNRows(5, 2, 2, new float[10], fromFive, new float[4],
            new float[10], 1f, new float[10], new float[3], null));
    assertEquals("gemmNTGemmTNRows: y[0, 0+4) is outside y.length=3", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmNTGemmTNRows(5, 2, 2, new float[10], fromFive, new float[4],
            new float[9], 1f, new float[10], new float[4], null));
    assertEquals("gemmNTGemmTNRows: t[0, 0+10) is outside t.length=9", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemmNTRows(5, 2, 2, new float[10], fromFive, new float[3], new float[10]));
    assertEquals("gemmNTRows: v[0, 0+4) is outside v.length=3", e.getMessage());
  }

  /** Pre-activations the rectifier tests plant: signed zeros, NaN, infinities, subnormals. */
  private static final float[] RECTIFIER_SPECIALS = {0f, -0f, Float.NaN,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};

  /**
   * rectify against its definition, bitwise, specials (NaN, infinities, -0) included, every
   * special among a block's first entries; one row and three, so that blocks of fewer entries
   * than a vector's lanes (the vector path's loop without vectors) and of more are both taken;
   * arrays two longer than the block and a vector longer, nothing past the block changed; and in
   * place, o the same array as s.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void rectifyMatchesTheDefinitionBitwise(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 7, 10, 16, 17, 33, 200}) {
      for (int[] rowsPad : new int[][] {{3, 2}, {3, 16}, {1, 2}}) {
        int rows = rowsPad[0];
        int pad = rowsPad[1];
        SplittableRandom rnd = new SplittableRandom(n + 1000L * pad + 100_000L * rows);
        float[] s = random(rnd, rows * n + pad);
        int specials = RECTIFIER_SPECIALS.length;
        for (int i = 0; i < s.length; i += i < specials ? 1 : 5) {
          s[i] = RECTIFIER_SPECIALS[i % specials];
        }
        float[] nu = randomSigns(rnd, n + pad);
        float[] o = filled(rows * n + pad, 42f);
        float[] d = filled(rows * n + pad, 42f);
        ops.rectify(rows, n, s, nu, o, d);
        for (int i = 0; i < rows * n; i++) {
          float on = s[i] > 0f ? nu[i % n] : 0f;
          assertEquals(Float.floatToIntBits(on), Float.floatToIntBits(d[i]), "d[" + i + "]");
          assertEquals(Float.floatToIntBits(on * s[i]), Float.floatToIntBits(o[i]),
              "o[" + i + "] for s = " + s[i]);
        }
        for (int i = rows * n; i < o.length; i++) {
          assertEquals(42f, o[i], "rectify wrote o past rows*n, n=" + n + " pad=" + pad);
          assertEquals(42f, d[i], "rectify wrote d past rows*n, n=" + n + " pad=" + pad);
        }
        float[] inPlace = s.clone(); // o the same array as s: each value read before written
        ops.rectify(rows, n, inPlace, nu, inPlace, d);
        for (int i = 0; i < rows * n; i++) {
          assertEquals(Float.floatToIntBits(o[i]), Float.floatToIntBits(inPlace[i]),
              "in place: o[" + i + "], n=" + n);
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.rectify(2, 3, new float[6], new float[2], new float[6], new float[6]));
    assertEquals("rectify: nu[0, 0+3) is outside nu.length=2", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void clampToSignsZeroesWrongSignsOnlyAndKeepsNaNAndMinusZero(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 7, 16, 19, 40}) {
      SplittableRandom rnd = new SplittableRandom(n);
      float[] x = random(rnd, n + 4);
      x[2 + n / 2] = Float.NaN;
      x[2 + n / 3] = -0f;
      float[] signs = randomSigns(rnd, n);
      signs[n / 3] = 1f; // -0 under a positive sign: not a wrong sign, kept as it is
      float[] y = x.clone();
      ops.clampToSigns(y, 2, n, signs);
      for (int i = 0; i < x.length; i++) {
        boolean inside = i >= 2 && i < 2 + n;
        boolean wrong = inside && (signs[i - 2] > 0 ? x[i] < 0 : x[i] > 0);
        float want = wrong ? 0f : x[i];
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y[i]),
            "n=" + n + " i=" + i);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.clampToSigns(new float[4], 0, 4, new float[3]));
    assertEquals("clampToSigns: signs[0, 0+4) is outside signs.length=3", e.getMessage());
  }


  /** The indices of {@code v[0 .. n)}'s nonzero entries, ascending. */
  private static int[] nonzero(float[] v, int n) {
    return java.util.stream.IntStream.range(0, n).filter(i -> v[i] != 0f).toArray();
  }

  /**
   * gemvTRows on every path against the plain loop it is defined by (one fma per listed row,
   * in list order): bitwise, since each lane does exactly that; over widths with and without
   * tails, one block of vectors and several (blocks of up to 16 vectors with 32 registers, 13
   * with 16: at 16 lanes 129 is 8 vectors and a window, 152 9 and a window, 200 12 and a window,
   * 241 15 and a window, 256 16, 257 two blocks, 385 and 1029 more; at 8 lanes 90 is 11 and a
   * window, 100 12 and a window, 104 13, 112 two blocks of 7, 152 blocks of 9 and 10, 200 12 and
   * 13: each of the 8- and 16-accumulator loops, and at 8 lanes the 12-accumulator one, with
   * some of its optional accumulators in use and some not), a row list with gaps, and an empty
   * list (y unchanged). The same from the rows {@code packForGemvTRows} copies off the heap,
   * where the path has them (the vector paths on Java 22 and later), the last vector a masked
   * whole load instead of the window.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemvTRowsIsTheFmaLoopOverListedRowsBitwise(String path) {
    KernelOps ops = path(path);
    boolean packs = !path.equals("scalar") && Runtime.version().feature() >= 22;
    List<int[]> shapes = new ArrayList<>(); // {m, n}
    for (int n : new int[] {1, 2, 10, 15, 16, 17, 48, 64, 90, 100, 104, 112, 128, 129, 152, 200,
        241, 256, 257, 385, 1029}) {
      shapes.add(new int[] {23, n});
    }
    for (int n : new int[] {100, 200, 1029}) {
      shapes.add(new int[] {200, n});
    }
    for (int[] shape : shapes) {
      int m = shape[0];
      int n = shape[1];
      SplittableRandom rnd = new SplittableRandom(31L * n + m);
      float[] a = random(rnd, m * n);
      float[] x = random(rnd, m);
      for (int i = 0; i < m; i += 3) {
        x[i] = 0f;
      }
      int[] rows = nonzero(x, m);
      PackedMatrix packed = ops.packForGemvTRows(m, n, a);
      assertEquals(packs, packed != null, path + " n=" + n + " packs rows");
      // y just longer than n, and padded to a whole vector (the narrow layers' fast path)
      for (float[] y0 : new float[][] {random(rnd, n + 2), random(rnd, n + 16)}) {
        for (int count : new int[] {rows.length, 0}) {
          float[] want = y0.clone();
          for (int t = 0; t < count; t++) {
            for (int j = 0; j < n; j++) {
              want[j] = Math.fma(x[rows[t]], a[rows[t] * n + j], want[j]);
            }
          }
          float[] got = y0.clone();
          ops.gemvTRows(m, n, a, x, rows, count, got);
          // from b into a y of other values: y[0..n) as the loop from b, the rest unchanged
          RowList list = new RowList(m);
          ops.nonzeroRows(count == 0 ? new float[m] : x, m, list);
          float[] b = Arrays.copyOf(y0, n);
          float[] fromB = random(rnd, y0.length);
          float[] past = fromB.clone();
          ops.gemvTRows(m, n, a, x, list, b, fromB);
          float[] fromRows = past.clone();
          if (packs) {
            ops.gemvTRows(m, n, packed, x, list, b, fromRows);
          }
          for (int j = 0; j < y0.length; j++) {
            String at = path + " n=" + n + " count=" + count + " y[" + j + "] of " + y0.length;
            assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(got[j]), at);
            assertEquals(Float.floatToIntBits(j < n ? want[j] : past[j]),
                Float.floatToIntBits(fromB[j]), "from b: " + at);
            if (packs) {
              assertEquals(Float.floatToIntBits(fromB[j]), Float.floatToIntBits(fromRows[j]),
                  "packed rows: " + at);
            }
          }
          assertArrayEquals(Arrays.copyOf(y0, n), b, path + " n=" + n + ": b changed");
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvTRows(2, 3, new float[6], new float[2], new int[] {1}, 2, new float[3]));
    assertEquals("gemvTRows: count=2 must be in [0, min(m=2, rows.length=1)]", e.getMessage());
    RowList fromThree = new RowList(3);
    ops.nonzeroRows(new float[] {0f, 0f, 1f}, 3, fromThree);
    e = assertThrows(IllegalArgumentException.class, () -> ops.gemvTRows(2, 3, new float[6],
        new float[2], fromThree, new float[3], new float[3]));
    assertEquals("gemvTRows: the row list was made from 3 entries: its rows may reach past m=2",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.gemvTRows(3, 3, new float[9],
        new float[3], fromThree, new float[2], new float[3]));
    assertEquals("gemvTRows: b[0, 0+3) is outside b.length=2", e.getMessage());
  }

  /**
   * gemvTRowsPair against each sample's fma loop over the one list, bitwise, from the arrays on
   * every path and from packed rows where the path has them: two samples with different zeros
   * (every third input of one, every other of the other) over the rows either reaches, so that
   * each sample also takes rows where its own input is zero; widths narrower than a vector, of
   * whole chunks of 8 vectors (128 and 256 at 16 lanes, 64 and 128 at 8), a last chunk short or
   * full with and without a tail, several panels; an empty list (b itself); y past its two rows
   * unchanged. Who takes pairs, and who refuses what, each message naming the problem.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemvTRowsPairIsEachSamplesFmaLoopOverTheUnionBitwise(String path) {
    KernelOps ops = path(path);
    boolean packs = !path.equals("scalar") && Runtime.version().feature() >= 22;
    assertEquals(packs && path.equals("vector") && Kernels.vectorRegisters() >= 32,
        ops.forwardsPairsByRows(), path);
    int m = 23;
    for (int n : new int[] {1, 10, 15, 16, 17, 48, 64, 100, 128, 129, 136, 152, 200, 241, 256,
        257, 385, 1029}) {
      SplittableRandom rnd = new SplittableRandom(37L * n);
      float[] a = random(rnd, m * n);
      float[] x = random(rnd, 2 * m);
      for (int i = 0; i < m; i++) {
        x[i] = i % 3 == 0 ? 0f : x[i];
        x[m + i] = i % 2 == 0 ? 0f : x[m + i];
      }
      float[] b = random(rnd, n);
      PackedMatrix packed = ops.packForGemvTRows(m, n, a);
      RowList union = new RowList(m);
      ops.nonzeroColumns(2, m, x, union);
      for (boolean empty : new boolean[] {false, true}) {
        RowList rows = union;
        if (empty) {
          rows = new RowList(m);
          ops.nonzeroColumns(2, m, new float[2 * m], rows);
        }
        float[] want = random(rnd, 2 * n + 16);
        float[] fromArrays = want.clone();
        float[] fromRows = want.clone();
        for (int r = 0; r < 2; r++) {
          for (int j = 0; j < n; j++) {
            float c = b[j];
            for (int t = 0; t < rows.count(); t++) {
              int i = rows.get(t);
              c = Math.fma(x[r * m + i], a[i * n + j], c);
            }
            want[r * n + j] = c;
          }
        }
        ops.gemvTRowsPair(m, n, a, x, rows, b, fromArrays);
        if (packs) {
          ops.gemvTRowsPair(m, n, packed, x, rows, b, fromRows);
        }
        for (int j = 0; j < want.length; j++) {
          String at = path + " n=" + n + " empty=" + empty + " y[" + j + "]";
          assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(fromArrays[j]), at);
          if (packs) {
            assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(fromRows[j]),
                "packed rows: " + at);
          }
        }
      }
    }
    RowList both = new RowList(2);
    ops.nonzeroColumns(2, 2, new float[] {1f, 0f, 0f, 1f}, both);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvTRowsPair(2, 3, new float[5], new float[4], both, new float[3],
            new float[6]));
    assertEquals("gemvTRowsPair: a[0, 0+6) is outside a.length=5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvTRowsPair(2, 3, new float[6], new float[3], both, new float[3],
            new float[6]));
    assertEquals("gemvTRowsPair: x[0, 0+4) is outside x.length=3", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvTRowsPair(2, 3, new float[6], new float[4], both, new float[3],
            new float[5]));
    assertEquals("gemvTRowsPair: y[0, 0+6) is outside y.length=5", e.getMessage());
    RowList fromThree = new RowList(3);
    ops.nonzeroColumns(1, 3, new float[] {0f, 0f, 1f}, fromThree);
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvTRowsPair(2, 3, new float[6], new float[4], fromThree, new float[3],
            new float[6]));
    assertEquals("gemvTRowsPair: the row list was made from 3 entries: its rows may reach past"
        + " m=2", e.getMessage());
    if (!packs) {
      return;
    }
    PackedMatrix p = ops.packForGemvTRows(2, 3, new float[6]);
    e = assertThrows(IllegalArgumentException.class,
        () -> Kernels.scalar().gemvTRowsPair(2, 3, p, new float[4], both, new float[3],
            new float[6]));
    assertEquals("gemvTRowsPair: a is not rows packed by this ScalarKernelOps at 0 lanes"
        + " (packed by PanamaKernelOps at " + Kernels.lanes() + " lanes)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvTRowsPair(2, 3, p, new float[3], both, new float[3], new float[6]));
    assertEquals("gemvTRowsPair: x[0, 0+4) is outside x.length=3", e.getMessage());
  }


  /**
   * The row-list kernels over a {@link RowList} give the bits of their {@code int[]} forms over
   * the same rows (gemvRows, gerRows with and without the clip, gemvGerRows, on the lists that
   * nonzeroRows and rectifyRows make); a list made from more entries than the matrix has rows
   * is refused by name, before anything is written.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void rowListFormsEqualTheIntArrayForms(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 10, 17, 100, 200}) {
      int m = 37;
      SplittableRandom rnd = new SplittableRandom(47L * n);
      float[] a = random(rnd, m * n);
      float[] x = random(rnd, m + 16);
      float[] v = random(rnd, n + 16);
      float[] y = random(rnd, n);
      float[] signs = randomSigns(rnd, n);
      float[] s = random(rnd, m);
      float[] o = new float[m];
      float[] d = new float[m];
      int[] rows = new int[m];
      int count = ops.rectifyRows(m, s, filled(m, 1f), o, d, rows);
      RowList list = new RowList(m);
      assertEquals(count, ops.rectifyRows(m, s, filled(m, 1f), o, d, list), path);
      assertEquals(count, list.count(), path);
      assertEquals(m, list.bound(), path);
      for (int t = 0; t < count; t++) {
        assertEquals(rows[t], list.get(t), path + " rows[" + t + "]");
      }
      String at = path + " n=" + n;
      float[] t0 = random(rnd, m);
      float[] t1 = t0.clone();
      ops.gemvRows(m, n, a, v, rows, count, t0);
      ops.gemvRows(m, n, a, v, list, t1);
      assertBits(t0, t1, "gemvRows " + at);
      for (float[] colSigns : new float[][] {null, signs}) {
        float[] a0 = a.clone();
        float[] a1 = a.clone();
        ops.gerRows(m, n, 0.25f, x, rows, count, y, a0, colSigns);
        ops.gerRows(m, n, 0.25f, x, list, y, a1, colSigns);
        assertBits(a0, a1, "gerRows " + at);
        a0 = a.clone();
        a1 = a.clone();
        t0 = random(rnd, m);
        t1 = t0.clone();
        ops.gemvGerRows(m, n, a0, rows, count, v, t0, 0.25f, x, y, colSigns);
        ops.gemvGerRows(m, n, a1, list, v, t1, 0.25f, x, y, colSigns);
        assertBits(a0, a1, "gemvGerRows a " + at);
        assertBits(t0, t1, "gemvGerRows t " + at);
      }
    }
    RowList fromFour = new RowList(4);
    assertEquals(1, ops.nonzeroRows(new float[] {0f, 0f, 0f, 1f}, 4, fromFour));
    float[] a = filled(6, 7f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.gerRows(3, 2, 1f, new float[3], fromFour, new float[2], a, null));
    assertEquals("gerRows: the row list was made from 4 entries: its rows may reach past m=3",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.gemvGerRows(3, 2, a, fromFour,
        new float[2], new float[3], 1f, new float[3], new float[2], null));
    assertEquals(
        "gemvGerRows: the row list was made from 4 entries: its rows may reach past m=3",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.gemvRows(3, 2, a, new float[2], fromFour, new float[3]));
    assertEquals("gemvRows: the row list was made from 4 entries: its rows may reach past m=3",
        e.getMessage());
    assertArrayEquals(filled(6, 7f), a, "a refused list wrote nothing");
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.nonzeroRows(new float[5], 5, fromFour));
    assertEquals("nonzeroRows: rows.capacity() = 4: expected at least n = 5", e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> fromFour.get(1));
  }

  private static void assertBits(float[] want, float[] got, String at) {
    for (int i = 0; i < want.length; i++) {
      assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
          at + " [" + i + "]");
    }
  }

  /**
   * gemmNNRectify against the passes it stands for on the same path: the bias copied into each
   * row, gemmNN with alpha 1 and rectify, bitwise in s, o and d, nothing written past m * n; and
   * gemmNNRectifyOutput's o bitwise the same, its scratch not written past m * n. The shapes
   * include the vector kernel's fused 8-row blocks in 2-vector panels with and without a window
   * (at every depth with 32 registers), in 4-row blocks (with 16 registers: {@code test-lanes
   * 8}), with 1 to 7 rows after them, and the shapes it leaves to the three passes (narrower
   * than a vector, B past a cache block, packed: from 64 rows over one and three KC blocks).
   * Where the path packs B ({@code packForGemmNN}; with 16 registers from 96 columns and 16
   * terms), the same for B packed: whole tiles written from registers for a sum of at most 256
   * terms, with edges of at most a vector and more, the rows past the tiles, more than MC rows,
   * and deeper sums left to the passes. Some biases are special values and some rows of A zero,
   * so that sums are exactly 0, -0, infinite and NaN.
   */
  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("cases")
  void gemmNNRectifyIsTheBiasCopyGemmNNAndRectifyBitwise(String path, int m, int n, int k) {
    KernelOps ops = path(path);
    SplittableRandom rnd = new SplittableRandom(31L * m + 7L * n + k);
    float[] b = random(rnd, k * n);
    assertRectifiesAsThePasses(ops, rnd, m, n, k, b, ops.packForGemmNN(k, n, b));
  }

  /**
   * The same for B packed where 32 registers pack it too (at least 512 wide and 256 deep), at
   * row counts of {@link #gemmNNWithPackedBEqualsGemmNNBitwise}: A packed whole and per block
   * of rows (two blocks at 263 rows), its last rows in partial tiles or over two slivers at
   * once, B's width cut inside a sliver.
   */
  @ParameterizedTest(name = "k={0} n={1}")
  @MethodSource("packedShapes")
  void gemmNNRectifyWithPackedBIsTheBiasCopyGemmNNAndRectifyBitwise(int k, int n) {
    KernelOps ops = path("vector");
    SplittableRandom rnd = new SplittableRandom(k * 11L + n);
    float[] b = random(rnd, k * n);
    PackedMatrix packed = ops.packForGemmNN(k, n, b);
    assumeTrue(packed != null, "this path does not pack B of " + k + " x " + n);
    for (int m : new int[] {1, 3, 4, 5, 9, 16, 25, 97, 129, 263}) {
      assertRectifiesAsThePasses(ops, rnd, m, n, k, b, packed);
    }
  }

  /**
   * gemmNNRectify and gemmNNRectifyOutput on {@code ops}, from B and (when non-null) from its
   * packed copy, against the passes they stand for; A with every fifth row zero and some biases
   * special values.
   */
  private static void assertRectifiesAsThePasses(KernelOps ops, SplittableRandom rnd, int m,
      int n, int k, float[] b, PackedMatrix packed) {
    float[] a = random(rnd, m * k);
    for (int i = 0; i < m; i += 5) {
      Arrays.fill(a, i * k, (i + 1) * k, 0f);
    }
    float[] bias = random(rnd, n);
    for (int j = 0; j < n; j += 7) {
      bias[j] = RECTIFIER_SPECIALS[(j / 7) % RECTIFIER_SPECIALS.length];
    }
    float[] nu = randomSigns(rnd, n);
    int size = m * n + 16;
    float[] s = filled(size, 42f);
    float[] o = filled(size, 42f);
    float[] d = filled(size, 42f);
    for (int r = 0; r < m; r++) {
      System.arraycopy(bias, 0, s, r * n, n);
    }
    ops.gemmNN(m, n, k, 1f, a, b, s);
    ops.rectify(m, n, s, nu, o, d);
    String at = "m=" + m + " ";
    assertRectifies(at, size, m * n, s, o, d, (fs, fo, fd) -> {
      if (fd == null) {
        ops.gemmNNRectifyOutput(m, n, k, a, b, bias, nu, fs, fo);
      } else {
        ops.gemmNNRectify(m, n, k, a, b, bias, nu, fs, fo, fd);
      }
    });
    if (packed != null) {
      assertRectifies(at + "packed ", size, m * n, s, o, d, (fs, fo, fd) -> {
        if (fd == null) {
          ops.gemmNNRectifyOutput(m, n, k, a, packed, bias, nu, fs, fo);
        } else {
          ops.gemmNNRectify(m, n, k, a, packed, bias, nu, fs, fo, fd);
        }
      });
    }
  }

  /**
   * A rectifying GEMM's s, o and d (into buffers of 42s) against the passes' bits, and, with
   * {@code d} null (its output-only form), o alone, its scratch left as it was past
   * {@code mn}.
   */
  private static void assertRectifies(String what, int size, int mn, float[] s, float[] o,
      float[] d, Rectifying call) {
    float[] fs = filled(size, 42f);
    float[] fo = filled(size, 42f);
    float[] fd = filled(size, 42f);
    call.run(fs, fo, fd);
    assertBits(s, fs, what + "s");
    assertBits(o, fo, what + "o");
    assertBits(d, fd, what + "d");
    float[] scratch = filled(size, 42f);
    float[] po = filled(size, 42f);
    call.run(scratch, po, null);
    assertBits(o, po, what + "gemmNNRectifyOutput's o");
    for (int i = mn; i < size; i++) {
      assertEquals(42f, scratch[i],
          what + "gemmNNRectifyOutput's scratch past m * n [" + i + "]");
    }
  }

  /** gemmNNRectify with some B, or with {@code d == null} gemmNNRectifyOutput. */
  private interface Rectifying {
    void run(float[] s, float[] o, float[] d);
  }

  /**
   * nonzeroRows on every path against its definition: the ascending indices of the entries that
   * are not zero, where -0 is zero and NaN and the smallest subnormal are not; over lengths with
   * and without a tail, all zero and all nonzero; a too-short list is refused by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void nonzeroRowsListsTheNonzeroEntriesInOrder(String path) {
    KernelOps ops = path(path);
    float[] special = {0f, -0f, Float.NaN, Float.MIN_VALUE, -1f, 1f, Float.POSITIVE_INFINITY};
    for (int n : new int[] {0, 1, 7, 15, 16, 17, 100, 208, 257}) {
      SplittableRandom rnd = new SplittableRandom(41L * n);
      float[] random = new float[n + 3];
      for (int j = 0; j < random.length; j++) {
        random[j] = special[rnd.nextInt(special.length)];
      }
      for (float[] v : new float[][] {random, new float[n], filled(n, -2f)}) {
        int[] want = nonzero(v, n);
        int[] rows = new int[n];
        int count = ops.nonzeroRows(v, n, rows);
        assertEquals(want.length, count, path + " n=" + n);
        assertArrayEquals(want, Arrays.copyOf(rows, count), path + " n=" + n);
        RowList list = new RowList(n + 1);
        assertEquals(want.length, ops.nonzeroRows(v, n, list), path + " n=" + n);
        assertArrayEquals(want, java.util.stream.IntStream.range(0, list.count())
            .map(list::get).toArray(), path + " n=" + n + " RowList");
        assertEquals(n, list.bound(), path + " n=" + n);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.nonzeroRows(new float[5], 5, new int[4]));
    assertEquals("nonzeroRows: rows.length = 4: expected at least n = 5", e.getMessage());
  }

  /**
   * nonzeroColumns on every path against its definition: the ascending columns of a
   * {@code [rows][n]} matrix with an entry that is not zero in some row (-0 is zero; NaN and the
   * smallest subnormal are not), over 1 to 5 rows (at 1, nonzeroRows' list), widths with and
   * without a tail, mostly-zero columns (a nonzero entry in one row of each), all zero; no rows
   * lists nothing; a too-short list and negative rows are refused by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void nonzeroColumnsListsTheColumnsWithANonzeroEntry(String path) {
    KernelOps ops = path(path);
    float[] special = {0f, -0f, 0f, -0f, 0f, Float.NaN, Float.MIN_VALUE, -1f};
    for (int rows = 0; rows <= 5; rows++) {
      for (int n : new int[] {0, 1, 7, 16, 17, 100, 257}) {
        SplittableRandom rnd = new SplittableRandom(47L * n + rows);
        float[] v = new float[rows * n + 3];
        for (int e = 0; e < v.length; e++) {
          v[e] = special[rnd.nextInt(special.length)];
        }
        for (float[] m : new float[][] {v, new float[rows * n]}) {
          List<Integer> want = new ArrayList<>();
          for (int j = 0; j < n; j++) {
            boolean any = false;
            for (int r = 0; r < rows; r++) {
              any |= m[r * n + j] != 0f || Float.isNaN(m[r * n + j]);
            }
            if (any) {
              want.add(j);
            }
          }
          RowList list = new RowList(n + 2);
          String at = path + " rows=" + rows + " n=" + n;
          assertEquals(want.size(), ops.nonzeroColumns(rows, n, m, list), at);
          assertEquals(want, java.util.stream.IntStream.range(0, list.count()).map(list::get)
              .boxed().toList(), at);
          assertEquals(n, list.bound(), at);
          if (rows == 1) {
            assertArrayEquals(nonzero(m, n), java.util.stream.IntStream.range(0, list.count())
                .map(list::get).toArray(), at + ": nonzeroRows' list");
          }
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.nonzeroColumns(2, 5, new float[10], new RowList(4)));
    assertEquals("nonzeroColumns: rows.capacity() = 4: expected at least n = 5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.nonzeroColumns(3, 5, new float[14], new RowList(5)));
    assertEquals("nonzeroColumns: v[0, 0+15) is outside v.length=14", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.nonzeroColumns(-1, 5, new float[14], new RowList(5)));
    assertEquals("nonzeroColumns: rows = -1: must be >= 0", e.getMessage());
  }

  /**
   * splitNonzeroColumns on every path against its definition: the columns nonzero in two or
   * more rows, and per row those nonzero in it alone (-0 is zero; NaN and the smallest
   * subnormal are not), over 1 to 5 rows and 33 (more than an int's bits), widths with and
   * without a tail, all zero, and each column nonzero in one row; together they are
   * nonzeroColumns' list. Too few lists, one list passed twice and no rows are refused
   * by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void splitNonzeroColumnsListsSharedColumnsAndEachRowsOwn(String path) {
    KernelOps ops = path(path);
    float[] special = {0f, -0f, 0f, -0f, 0f, Float.NaN, Float.MIN_VALUE, -1f, 2f};
    for (int rows : new int[] {1, 2, 3, 4, 5, 33}) {
      for (int n : new int[] {0, 1, 7, 16, 17, 100, 257}) {
        SplittableRandom rnd = new SplittableRandom(53L * n + rows);
        float[] v = new float[rows * n + 3];
        for (int e = 0; e < v.length; e++) {
          v[e] = special[rnd.nextInt(special.length)];
        }
        float[] single = new float[rows * n]; // each column reached by one row, any of them
        for (int col = 0; col < n; col++) {
          single[rnd.nextInt(rows) * n + col] = -2f;
        }
        for (float[] m : new float[][] {v, new float[rows * n], single}) {
          List<Integer> wantShared = new ArrayList<>();
          List<List<Integer>> wantAlone = new ArrayList<>();
          for (int r = 0; r < rows; r++) {
            wantAlone.add(new ArrayList<>());
          }
          for (int j = 0; j < n; j++) {
            List<Integer> reaching = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
              if (m[r * n + j] != 0f || Float.isNaN(m[r * n + j])) {
                reaching.add(r);
              }
            }
            if (reaching.size() > 1) {
              wantShared.add(j);
            } else if (reaching.size() == 1) {
              wantAlone.get(reaching.get(0)).add(j);
            }
          }
          RowList shared = new RowList(n + 2);
          RowList[] alone = new RowList[rows + 1];
          for (int r = 0; r <= rows; r++) {
            alone[r] = new RowList(n);
          }
          String at = path + " rows=" + rows + " n=" + n;
          assertEquals(wantShared.size(), ops.splitNonzeroColumns(rows, n, m, shared, alone), at);
          assertEquals(wantShared, listed(shared), at);
          assertEquals(n, shared.bound(), at);
          for (int r = 0; r < rows; r++) {
            assertEquals(wantAlone.get(r), listed(alone[r]), at + " row " + r);
            assertEquals(n, alone[r].bound(), at);
          }
          assertEquals(0, alone[rows].count(), at + ": a list past the rows is left alone");
          RowList union = new RowList(n);
          ops.nonzeroColumns(rows, n, m, union);
          List<Integer> all = new ArrayList<>(wantShared);
          wantAlone.forEach(all::addAll);
          java.util.Collections.sort(all);
          assertEquals(listed(union), all, at + ": together, nonzeroColumns' list");
        }
      }
    }
    RowList five = new RowList(5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.splitNonzeroColumns(2, 5, new float[10], five, new RowList[] {new RowList(5)}));
    assertEquals("splitNonzeroColumns: alone.length = 1: expected at least rows = 2",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.splitNonzeroColumns(2, 5,
        new float[10], new RowList(5), new RowList[] {five, five}));
    assertEquals("splitNonzeroColumns: alone[1] is alone[0]: lists must differ", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.splitNonzeroColumns(1, 5,
        new float[10], five, new RowList[] {five}));
    assertEquals("splitNonzeroColumns: alone[0] is shared: lists must differ", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.splitNonzeroColumns(2, 5,
        new float[10], new RowList(5), new RowList[] {new RowList(4), new RowList(5)}));
    assertEquals("splitNonzeroColumns: rows.capacity() = 4: expected at least n = 5",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.splitNonzeroColumns(0, 5, new float[10], new RowList(5), new RowList[0]));
    assertEquals("splitNonzeroColumns: rows = 0: must be >= 1", e.getMessage());
  }

  private static List<Integer> listed(RowList list) {
    return java.util.stream.IntStream.range(0, list.count()).map(list::get).boxed().toList();
  }


  /**
   * rectifyRows on every path: rectify's values and nonzeroRows' list of the mask, by their
   * definitions, bitwise; arrays exactly n long (a tail's masked loads and stores meet the
   * arrays' ends), a little longer and a vector longer (nothing past n changed), specials in s
   * and zeros in nu (a unit with no sign is never listed); a list exactly n long (where the last
   * indices of a layer not a whole number of vectors wide mostly do not fit a whole vector's
   * store, so they are stored under a mask) and one with 16 entries to spare (a RowList's: the
   * vector path's tail is then the window ending at n); o the same array as s (the window, which
   * rereads s, must not run); a too-short list is refused by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void rectifyRowsIsRectifyThenTheMasksRowList(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {0, 1, 2, 7, 10, 15, 16, 17, 31, 100, 200, 257}) {
      for (int extra : new int[] {0, 5, 16}) {
        rectifyRowsByDefinition(ops, path, n, extra, 0, false);
        rectifyRowsByDefinition(ops, path, n, extra, 16, false);
        rectifyRowsByDefinition(ops, path, n, extra, 16, true);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ops.rectifyRows(5, new float[5], new float[5], new float[5], new float[5],
            new int[4]));
    assertEquals("rectifyRows: rows.length = 4: expected at least n = 5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ops.rectifyRows(5, new float[5], new float[4], new float[5], new float[5],
            new int[5]));
    assertEquals("rectifyRows: nu[0, 0+5) is outside nu.length=4", e.getMessage());
  }

  private static void rectifyRowsByDefinition(KernelOps ops, String path, int n, int extra,
      int room, boolean inPlace) {
    SplittableRandom rnd = new SplittableRandom(43L * n + extra);
    float[] s = random(rnd, n + extra);
    for (int i = 0; i < n; i += 4) {
      s[i] = RECTIFIER_SPECIALS[i % RECTIFIER_SPECIALS.length];
    }
    float[] nu = new float[n + extra];
    for (int j = 0; j < nu.length; j++) {
      nu[j] = j % 9 == 8 ? 0f : rnd.nextBoolean() ? 1f : -1f;
    }
    float[] in = s.clone();
    float[] o = inPlace ? s : filled(n + extra, 42f);
    float[] d = filled(n + extra, 42f);
    int[] rows = new int[n + room];
    int count = ops.rectifyRows(n, s, nu, o, d, rows);
    float[] wantD = filled(n + extra, 42f);
    float[] wantO = inPlace ? in.clone() : filled(n + extra, 42f);
    for (int j = 0; j < n; j++) {
      wantD[j] = in[j] > 0f ? nu[j] : 0f;
      wantO[j] = wantD[j] * in[j];
    }
    String at = path + " n=" + n + " extra=" + extra + " room=" + room + " inPlace=" + inPlace;
    for (int j = 0; j < n + extra; j++) {
      assertEquals(Float.floatToIntBits(wantD[j]), Float.floatToIntBits(d[j]),
          at + " d[" + j + "]");
      assertEquals(Float.floatToIntBits(wantO[j]), Float.floatToIntBits(o[j]),
          at + " o[" + j + "] for s = " + in[j]);
    }
    int[] want = nonzero(wantD, n);
    assertEquals(want.length, count, at);
    assertArrayEquals(want, Arrays.copyOf(rows, count), at);
  }

  private static float[] filled(int n, float value) {
    float[] v = new float[n];
    Arrays.fill(v, value);
    return v;
  }

  /**
   * gemvRows: each listed row's dot product added to its own output, within the summation
   * bound of the exact value; unlisted outputs keep their bits; rows whose length leaves a tail;
   * an infinite weight in an unlisted row that a narrow row's whole-vector load reaches stays
   * out of the listed rows' sums.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathNames")
  void gemvRowsAddsTheListedRowsDotProductsOnly(String path) {
    KernelOps ops = path(path);
    for (int n : new int[] {1, 2, 10, 16, 17, 100, 200, 257}) {
      for (int xPad : new int[] {1, 16}) { // x padded to a whole vector: narrow rows' fast path
        int m = 29;
        SplittableRandom rnd = new SplittableRandom(37L * n + xPad);
        float[] a = random(rnd, m * n);
        // in the last row, which is not listed, but within a vector of the row before it
        a[(m - 1) * n] = Float.POSITIVE_INFINITY;
        float[] x = random(rnd, n + xPad);
        float[] mask = random(rnd, m);
        for (int i = 0; i < m; i += 2) {
          mask[i] = 0f;
        }
        int[] rows = nonzero(mask, m);
        float[] y0 = random(rnd, m);
        float[] y = y0.clone();
        ops.gemvRows(m, n, a, x, rows, rows.length, y);
        for (int i = 0; i < m; i++) {
          if (mask[i] == 0f) {
            assertEquals(Float.floatToIntBits(y0[i]), Float.floatToIntBits(y[i]), "y[" + i + "]");
            continue;
          }
          double exact = 0;
          double abs = 0;
          for (int p = 0; p < n; p++) {
            exact += (double) a[i * n + p] * x[p];
            abs += Math.abs((double) a[i * n + p] * x[p]);
          }
          assertEquals(y0[i] + exact, y[i], gamma(n + 2) * (Math.abs(y0[i]) + abs),
              path + " n=" + n + " x.length=" + x.length + " y[" + i + "]");
        }
      }
    }
  }


  static Stream<String> pathNames() {
    return Stream.of("scalar", "vector", "vector2t");
  }

  @Test
  void chosenPathFollowsModuleReadability() {
    String forced = System.getProperty(Kernels.PROPERTY, "auto");
    boolean moduleReadable =
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    String expected = switch (forced) {
      case "scalar" -> "scalar";
      case "vector" -> "vector";
      default -> moduleReadable ? "vector" : "scalar";
    };
    assertEquals(expected, Kernels.ops().name());
    assertEquals(moduleReadable, Kernels.vector().isPresent());
    assertEquals(!moduleReadable, Kernels.vectorUnavailableReason().isPresent());
  }
}
