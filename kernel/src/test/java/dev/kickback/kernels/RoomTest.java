package dev.kickback.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Operands without room after their used part ({@link Room}): every operation that copies them
 * gives the bits it gives on arrays with room, leaves their inputs as they were, and writes
 * nothing but its outputs' used parts; and the Room's own bookkeeping (an array passed twice,
 * overwritten outputs, a call inside a call) keeps each caller's data.
 */
class RoomTest {
  /** One operation's call on its operands, {@code v[i]} sized {@code sizes[i]} (or longer). */
  private interface Call {
    void run(KernelOps ops, float[][] v);
  }

  /**
   * An operation at a shape: its operands' used sizes and which of them are outputs.
   *
   * @param signs operands holding +1 or -1 per column (the clamps' and rectifiers' signs)
   */
  private record Case(String name, int[] sizes, boolean[] outputs, boolean[] signs, Call call) {
    @Override
    public String toString() {
      return name + Arrays.toString(sizes);
    }
  }

  private static final int[][] SHAPES = {
    {1, 10, 100}, {8, 2, 200}, {32, 10, 100}, {4, 15, 15}, {5, 17, 3}, {3, 33, 21}, {16, 100, 10},
    // B and C wide enough to be packed, with a cut sliver
    {6, 520, 300},
  };

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String path : new String[] {"scalar", "vector", "vector2t"}) {
      for (int[] s : SHAPES) {
        for (Case c : casesAt(s[0], s[1], s[2])) {
          out.add(Arguments.of(path, c));
        }
      }
    }
    return out.stream();
  }

  private static List<Case> casesAt(int m, int n, int k) {
    List<Case> cs = new ArrayList<>();
    int[] all = new int[Math.max(m, k)];
    Arrays.setAll(all, i -> i);
    int[] odd = IntStream.range(0, m).filter(i -> i % 2 == 1).toArray();
    boolean[] none = new boolean[8];
    cs.add(new Case("gemmNN", new int[] {m * k, k * n, m * n}, flags(2), none,
        (ops, v) -> ops.gemmNN(m, n, k, 0.75f, v[0], v[1], v[2])));
    cs.add(new Case("gemmNT", new int[] {m * k, n * k, m * n}, flags(2), none,
        (ops, v) -> ops.gemmNT(m, n, k, 0.75f, v[0], v[1], v[2])));
    cs.add(new Case("gemmTN", new int[] {k * m, k * n, m * n}, flags(2), none,
        (ops, v) -> ops.gemmTN(m, n, k, 0.75f, v[0], v[1], v[2])));
    cs.add(new Case("gemmTNClampToSigns", new int[] {k * m, k * n, m * n, n}, flags(2),
        flags(3), (ops, v) -> ops.gemmTNClampToSigns(m, n, k, 0.75f, v[0], v[1], v[2], v[3])));
    cs.add(new Case("gemmNNRectify", new int[] {m * k, k * n, n, n, m * n, m * n, m * n},
        flags(4, 5, 6), flags(3), (ops, v) -> ops.gemmNNRectify(m, n, k, v[0], v[1], v[2],
            v[3], v[4], v[5], v[6])));
    cs.add(new Case("gemmNNRectifyOutput", new int[] {m * k, k * n, n, n, m * n, m * n},
        flags(4, 5), flags(3), (ops, v) -> {
          ops.gemmNNRectifyOutput(m, n, k, v[0], v[1], v[2], v[3], v[4], v[5]);
          Arrays.fill(v[4], 0, m * n, 0f); // scratch: unspecified values
        }));
    cs.add(new Case("gemmNN packed", new int[] {m * k, k * n, m * n}, flags(2), none,
        (ops, v) -> {
          PackedMatrix p = ops.packForGemmNN(k, n, v[1]);
          if (p != null) {
            ops.gemmNN(m, n, k, 0.75f, v[0], p, v[2]);
          }
        }));
    cs.add(new Case("gemmNNRectify packed", new int[] {m * k, k * n, n, n, m * n, m * n, m * n},
        flags(4, 5, 6), flags(3), (ops, v) -> {
          PackedMatrix p = ops.packForGemmNN(k, n, v[1]);
          if (p != null) {
            ops.gemmNNRectify(m, n, k, v[0], p, v[2], v[3], v[4], v[5], v[6]);
          }
        }));
    // the row operations over k rows of A[k][n], every row or the odd ones
    cs.add(new Case("gemvTRows", new int[] {k * n, k, n}, flags(2), none,
        (ops, v) -> ops.gemvTRows(k, n, v[0], v[1], all, k, v[2])));
    cs.add(new Case("gemvTRows from b", new int[] {k * n, k, n, n}, flags(3), none,
        (ops, v) -> ops.gemvTRows(k, n, v[0], v[1], rowsOf(ops, v[1], k), v[2], v[3])));
    cs.add(new Case("gemvTRows into b", new int[] {k * n, k, n}, flags(2), none,
        (ops, v) -> ops.gemvTRows(k, n, v[0], v[1], rowsOf(ops, v[1], k), v[2], v[2])));
    cs.add(new Case("gemvTRowsPair", new int[] {k * n, 2 * k, n, 2 * n}, flags(3), none,
        (ops, v) -> {
          RowList rows = new RowList(k);
          ops.nonzeroColumns(2, k, v[1], rows);
          ops.gemvTRowsPair(k, n, v[0], v[1], rows, v[2], v[3]);
        }));
    cs.add(new Case("gemvRows", new int[] {m * n, n, m}, flags(2), none,
        (ops, v) -> ops.gemvRows(m, n, v[0], v[1], odd, odd.length, v[2])));
    cs.add(new Case("gerRows", new int[] {m, n, m * n, n}, flags(2), flags(3),
        (ops, v) -> ops.gerRows(m, n, 0.5f, v[0], odd, odd.length, v[1], v[2], v[3])));
    cs.add(new Case("gemvGerRows", new int[] {m * n, n, m, m, n, n}, flags(0, 2), flags(5),
        (ops, v) -> ops.gemvGerRows(m, n, v[0], odd, odd.length, v[1], v[2], 0.5f, v[3], v[4],
            v[5])));
    cs.add(new Case("gemvGerRows of sample 1", new int[] {m * n, 2 * n, 2 * m, 2 * m, 2 * n, n},
        flags(0, 2), flags(5), (ops, v) -> ops.gemvGerRows(m, n, v[0], rowsOf(ops, v[3], m), 1,
            v[1], v[2], 0.5f, v[3], v[4], v[5])));
    cs.add(new Case("gemmNTRows", new int[] {m * n, k * n, k * m}, flags(2), none,
        (ops, v) -> ops.gemmNTRows(m, n, k, v[0], rowsOf(ops, v[1], m), v[1], v[2])));
    cs.add(new Case("gemmNTGemmTNRows", new int[] {m * n, k * n, k * m, k * m, k * n, n},
        flags(0, 2), flags(5), (ops, v) -> {
          RowList rows = new RowList(m);
          ops.nonzeroColumns(k, m, v[3], rows);
          ops.gemmNTGemmTNRows(m, n, k, v[0], rows, v[1], v[2], 0.5f, v[3], v[4], v[5]);
        }));
    return cs;
  }

  /** The rows of the first {@code m} entries of {@code x} that are nonzero. */
  private static RowList rowsOf(KernelOps ops, float[] x, int m) {
    RowList rows = new RowList(m);
    ops.nonzeroRows(x, m, rows);
    return rows;
  }

  private static boolean[] flags(int... set) {
    boolean[] f = new boolean[8];
    for (int i : set) {
      f[i] = true;
    }
    return f;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void exactlySizedOperandsGiveTheBitsOfOperandsWithRoom(String path, Case c) {
    KernelOps ops = KernelOpsTest.path(path);
    SplittableRandom rnd = new SplittableRandom(c.toString().hashCode());
    int count = c.sizes().length;
    float[][] exact = new float[count][];
    float[][] roomy = new float[count][];
    for (int i = 0; i < count; i++) {
      int size = c.sizes()[i];
      exact[i] = new float[size];
      for (int j = 0; j < size; j++) {
        exact[i][j] = c.signs()[i] ? (rnd.nextBoolean() ? 1f : -1f)
            : rnd.nextInt(4) == 0 ? 0f : (float) rnd.nextGaussian();
      }
      // room of NaN: no kernel may read it into a result or write it
      roomy[i] = Arrays.copyOf(exact[i], size + 40);
      Arrays.fill(roomy[i], size, size + 40, Float.NaN);
    }
    float[][] before = Stream.of(exact).map(float[]::clone).toArray(float[][]::new);
    c.call().run(ops, roomy);
    c.call().run(ops, exact);
    for (int i = 0; i < count; i++) {
      int size = c.sizes()[i];
      assertArrayEquals(Arrays.copyOf(roomy[i], size), exact[i], path + " " + c + " operand " + i);
      for (int j = size; j < size + 40; j++) {
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(roomy[i][j]),
            path + " " + c + " operand " + i + " written past its used part at " + j);
      }
      if (!c.outputs()[i]) {
        assertArrayEquals(before[i], exact[i], path + " " + c + " input " + i + " changed");
      }
    }
  }

  @Test
  void anArrayPassedTwiceIsCopiedOnceAndWrittenBack() {
    float[] y = {1, 2, 3};
    Room r = Room.open(16);
    float[] asInput = Room.in(r, y, 3);
    float[] asOutput = Room.out(r, y, 3);
    assertSame(asInput, asOutput);
    assertNotSame(y, asInput);
    assertTrue(asInput.length >= 3 + 16, "room after the copy");
    asOutput[2] = 7;
    Room.close(r);
    assertArrayEquals(new float[] {1, 2, 7}, y);
  }

  @Test
  void anOverwrittenOutputIsNotReadAndOnlyItsUsedPartGoesBack() {
    float[] warm = {9, 9, 9, 9, 9};
    Room r = Room.open(16);
    Room.in(r, warm, 5); // leaves the slot's copy holding 9s
    Room.close(r);
    float[] o = {1, 2, 3, 4, 5};
    r = Room.open(16);
    float[] c = Room.over(r, o, 3);
    assertEquals(0f, c[3], "zeros after the used part");
    assertEquals(0f, c[4 + 16 - 1], "zeros in the room");
    c[0] = 10;
    c[1] = 11;
    c[2] = 12;
    Room.close(r);
    assertArrayEquals(new float[] {10, 11, 12, 4, 5}, o);
  }

  @Test
  void operandsWithRoomAndNullRoomsAreUsedWhereTheyAre() {
    float[] a = new float[20];
    Room r = Room.open(16);
    assertSame(a, Room.in(r, a, 4));
    assertSame(a, Room.out(r, a, 4));
    assertSame(null, Room.in(r, null, 4));
    Room.close(r);
    float[] exact = new float[4];
    assertSame(exact, Room.out(null, exact, 4));
    Room.close(null);
  }

  @Test
  void aRoomOpenedInsideAnotherKeepsBothCallersCopies() {
    float[] outer = {1, 2};
    float[] inner = {3, 4};
    Room r1 = Room.open(16);
    float[] c1 = Room.out(r1, outer, 2);
    Room r2 = Room.open(16);
    assertNotSame(r1, r2);
    float[] c2 = Room.out(r2, inner, 2);
    assertNotSame(c1, c2);
    c2[0] = 30;
    Room.close(r2);
    c1[0] = 10;
    Room.close(r1);
    assertArrayEquals(new float[] {10, 2}, outer);
    assertArrayEquals(new float[] {30, 4}, inner);
    Room again = Room.open(16);
    Room.close(again);
    assertSame(r1, again, "the thread's Room again once both closed");
  }

  @Test
  void copiesAllocateNothingOnceGrown() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    float[] a = new float[1000];
    float[] b = new float[300];
    Runnable call = () -> {
      Room r = Room.open(16);
      Room.in(r, a, 1000);
      Room.out(r, b, 290);
      Room.over(r, a, 999);
      Room.close(r);
    };
    // three rounds in a row without a byte, as testkit's AllocationCheck asks: a late
    // compilation can allocate once (CI saw 1,456 bytes in one round), a copy every call cannot
    long[] rounds = new long[50];
    int zeros = 0;
    int r = 0;
    for (; r < rounds.length && zeros < 3; r++) {
      long before = mx.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 1000; i++) {
        call.run();
      }
      rounds[r] = mx.getCurrentThreadAllocatedBytes() - before;
      zeros = rounds[r] == 0 ? zeros + 1 : 0;
    }
    assertEquals(3, zeros, "bytes allocated per round of 1000 calls: "
        + Arrays.toString(Arrays.copyOf(rounds, r)));
  }
}
