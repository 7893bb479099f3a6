package dev.kickback.kernels;

import java.util.Arrays;

/**
 * Per-thread copies, for one call, of the operands that end too close to their array's end for
 * the vector kernels. Those kernels finish a row with a masked load or store over a whole
 * vector's window, and the Vector API takes a window that passes the array's end lane by lane,
 * outside its intrinsics. A copy with zeros after it, as a workspace pads its vectors, costs one
 * pass over the operand, and the kernels then give the bits they give with room. Measured on
 * Emerald Rapids at 16 lanes, every array exactly sized, a JVM per case, best of 2: gemmNN
 * 32 x 10 x 100 35 us, through a Room 1.3 us (1.2-1.6 with room); the row operations over 100
 * rows of 10, gemvTRows 0.62-0.77 us to 0.21, gemvRows 0.74 to 0.37, gerRows 0.67 to 0.29,
 * gemvGerRows 1.43 to 0.57. The one-pass operations lost by it (rectify 64 x 100 x 200 2.3 us
 * to 4.0, gemv 8 x 200 0.05 to 0.075), so they do not use it ({@code KernelOps.room}).
 *
 * <p>A call that lacks room {@linkplain #open opens} the thread's Room, passes each operand
 * through {@link #in} (read), {@link #out} (read and written: the GEMMs accumulate into their
 * outputs) or {@link #over} (overwritten), calls its kernel and {@linkplain #close closes} it,
 * which copies the outputs back. Given a null Room (every operand has room) all three return
 * the operand itself, so a call names its kernel once. An operand given twice (the same array
 * as two arguments) is copied once. Copies grow and never shrink: nothing is allocated once a
 * thread has seen its largest operands.
 */
final class Room {
  /** Operands of the widest call: gemmNNRectify's seven, and one spare. */
  private static final int SLOTS = 8;

  private static final ThreadLocal<Room> PER_THREAD = ThreadLocal.withInitial(Room::new);

  private final float[][] sources = new float[SLOTS][];
  private final float[][] copies = new float[SLOTS][];
  /** Per slot: whether the source was copied in (whole), and whether the kernel writes it. */
  private final boolean[] loaded = new boolean[SLOTS];
  private final boolean[] written = new boolean[SLOTS];
  /** Per slot: the floats an overwritten operand's kernel writes, copied back if not loaded. */
  private final int[] ends = new int[SLOTS];
  private int used;
  private int floats;
  private boolean busy;
  /** The Room of a call made while this one is open (a kernel calling a public operation). */
  private Room inner;

  private Room() {
    Arrays.fill(copies, new float[0]);
  }

  /**
   * Whether {@code a}, used up to {@code end} (exclusive), has {@code floats} more floats after
   * that. A null operand (an optional one left out) has.
   */
  static boolean has(float[] a, int end, int floats) {
    return a == null || a.length - end >= floats;
  }

  /** This thread's Room for one call, with {@code floats} of room after each copied operand. */
  static Room open(int floats) {
    Room r = PER_THREAD.get();
    while (r.busy) {
      if (r.inner == null) {
        r.inner = new Room();
      }
      r = r.inner;
    }
    r.busy = true;
    r.used = 0;
    r.floats = floats;
    return r;
  }

  /** {@code a} if {@code r} is null or {@code a} has room up to {@code end}, else its copy. */
  static float[] in(Room r, float[] a, int end) {
    return r == null || has(a, end, r.floats) ? a : r.copy(a, end, true, false);
  }

  /** {@link #in}, and a copy is written back to {@code a} when the Room closes. */
  static float[] out(Room r, float[] a, int end) {
    return r == null || has(a, end, r.floats) ? a : r.copy(a, end, true, true);
  }

  /**
   * {@link #out} for an operand whose first {@code end} floats the kernel overwrites without
   * reading them: a copy is not filled first, and only those floats go back.
   */
  static float[] over(Room r, float[] a, int end) {
    return r == null || has(a, end, r.floats) ? a : r.copy(a, end, false, true);
  }

  /** Copies the outputs back and frees the Room; nothing for a null one. */
  static void close(Room r) {
    if (r == null) {
      return;
    }
    for (int i = 0; i < r.used; i++) {
      if (r.written[i]) {
        System.arraycopy(r.copies[i], 0, r.sources[i], 0,
            r.loaded[i] ? r.sources[i].length : r.ends[i]);
      }
      r.sources[i] = null;
    }
    r.used = 0;
    r.busy = false;
  }

  /**
   * A slot's copy of {@code a}: the whole array when {@code reads} (it ends within
   * {@code floats} of the used part, so that is at most one vector more), zeros after it (after
   * the used part when the kernel only writes it).
   */
  private float[] copy(float[] a, int end, boolean reads, boolean writes) {
    for (int i = 0; i < used; i++) {
      if (sources[i] == a) { // the same array as another operand of the call
        if (reads && !loaded[i]) {
          System.arraycopy(a, 0, copies[i], 0, a.length);
          loaded[i] = true;
        }
        written[i] |= writes;
        ends[i] = Math.max(ends[i], end);
        return copies[i];
      }
    }
    int i = used++;
    int n = a.length;
    if (copies[i].length < n + floats) {
      copies[i] = new float[n + floats];
    }
    float[] c = copies[i];
    if (reads) {
      System.arraycopy(a, 0, c, 0, n);
    }
    Arrays.fill(c, reads ? n : Math.min(end, n), n + floats, 0f);
    sources[i] = a;
    loaded[i] = reads;
    written[i] = writes;
    ends[i] = end;
    return c;
  }
}
