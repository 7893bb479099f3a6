package dev.kickback.kernels;

/**
 * Argument checks shared by the kernel entry points: O(1), but for an {@code int[]} row list's
 * O(count) scan, which is a small part of the O(count * n) work it guards ({@link RowList}s
 * are checked in O(1)).
 */
final class Shapes {
  private Shapes() {}

  static void checkGemm(
      String op, int m, int n, int k,
      float[] a, String aShape, long aNeed,
      float[] b, String bShape, long bNeed,
      float[] c) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          op + ": dimensions must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
    }
    need(op, "a", a, aShape, aNeed, m, n, k);
    need(op, "b", b, bShape, bNeed, m, n, k);
    need(op, "c", c, "m*n", (long) m * n, m, n, k);
  }

  private static void need(
      String op, String name, float[] arr, String shape, long need, int m, int n, int k) {
    if (arr == null) {
      throw new NullPointerException(op + ": " + name + " is null");
    }
    if (arr.length < need) {
      throw new IllegalArgumentException(
          op + ": " + name + ".length=" + arr.length + " < " + shape + "=" + need
              + " (m=" + m + ", n=" + n + ", k=" + k + ")");
    }
  }

  static void checkRange(String op, String name, float[] arr, int off, int n) {
    if (arr == null) {
      throw new NullPointerException(op + ": " + name + " is null");
    }
    if (n < 0 || off < 0 || (long) off + n > arr.length) {
      throw new IllegalArgumentException(
          op + ": " + name + "[" + off + ", " + off + "+" + n + ") is outside "
              + name + ".length=" + arr.length);
    }
  }

  /** A row list to be filled exists and holds {@code n} indices, one per entry scanned. */
  static void checkRowsFit(String op, int[] rows, int n) {
    if (rows == null) {
      throw new NullPointerException(op + ": rows is null");
    }
    if (rows.length < n) {
      throw new IllegalArgumentException(
          op + ": rows.length = " + rows.length + ": expected at least n = " + n);
    }
  }

  /** {@code rows[0 .. count)} exists and holds indices in {@code [0, m)}. */
  static void checkRows(String op, int[] rows, int count, int m) {
    checkList(op, rows, count, m);
    int outside = 0; // sign bit set by any index below 0 or at or past m: no branch per row
    for (int t = 0; t < count; t++) {
      outside |= rows[t] | (m - 1 - rows[t]);
    }
    if (outside < 0) {
      for (int t = 0; t < count; t++) {
        if (rows[t] < 0 || rows[t] >= m) {
          throw new IllegalArgumentException(
              op + ": rows[" + t + "]=" + rows[t] + " is outside [0, m=" + m + ")");
        }
      }
    }
  }

  /**
   * {@code rows[0 .. count)} exists and ascends strictly within {@code [0, m)}: each row listed
   * once, in order. One pass: strictly ascending with its ends in range puts every row in range.
   */
  static void checkRowsAscending(String op, int[] rows, int count, int m) {
    checkList(op, rows, count, m);
    if (count == 0) {
      return;
    }
    long order = rows[0] | (m - 1L - rows[count - 1]); // sign bit set by a bad step or end
    for (int t = 1; t < count; t++) {
      order |= (long) rows[t] - rows[t - 1] - 1; // no branch per row
    }
    if (order < 0) {
      checkRows(op, rows, count, m); // names the first row out of range, if one is
      for (int t = 1; t < count; t++) {
        if (rows[t] <= rows[t - 1]) {
          throw new IllegalArgumentException(op + ": rows[" + t + "]=" + rows[t]
              + " after rows[" + (t - 1) + "]=" + rows[t - 1] + ": rows must ascend, each once");
        }
      }
    }
  }

  /**
   * A {@link RowList} exists and was made from a vector no longer than {@code m}: its indices,
   * distinct and ascending by construction, are rows of an {@code m}-row matrix.
   */
  static void checkRows(String op, RowList rows, int m) {
    if (rows == null) {
      throw new NullPointerException(op + ": rows is null");
    }
    if (rows.bound > m) {
      throw new IllegalArgumentException(op + ": the row list was made from " + rows.bound
          + " entries: its rows may reach past m=" + m);
    }
  }

  /** A {@link RowList} to be made from {@code n} entries exists and can hold them. */
  static void checkRowsFit(String op, RowList rows, int n) {
    if (rows == null) {
      throw new NullPointerException(op + ": rows is null");
    }
    if (rows.capacity() < n) {
      throw new IllegalArgumentException(
          op + ": rows.capacity() = " + rows.capacity() + ": expected at least n = " + n);
    }
  }

  /** A row list exists and {@code count} fits both it and {@code m}. */
  private static void checkList(String op, int[] rows, int count, int m) {
    if (rows == null) {
      throw new NullPointerException(op + ": rows is null");
    }
    if (count < 0 || count > rows.length || count > m) {
      throw new IllegalArgumentException(op + ": count=" + count + " must be in [0, min(m="
          + m + ", rows.length=" + rows.length + ")]");
    }
  }
}
