package dev.kickback.kernels;

/**
 * The rows a batch-1 kernel visits: distinct indices in ascending order, all below a bound,
 * written only by {@link KernelOps#nonzeroRows(float[], int, RowList)} and
 * {@link KernelOps#rectifyRows(int, float[], float[], float[], float[], RowList)}. Because no
 * one else can write it, the kernels that take a list check its bound against their row count
 * once instead of checking every index (the checks of the paper network's batch-1 forward
 * pass, 174 indices over four layers, took about 35 ns of it, measured).
 *
 * <p>Not thread-safe; a workspace owns one per layer.
 */
public final class RowList {
  final int[] index;
  int count;
  /** Every listed index is below it: the length of the vector the list was made from. */
  int bound;

  /** An empty list that can hold indices of vectors up to {@code capacity} long. */
  public RowList(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity = " + capacity + ": must be >= 0");
    }
    index = new int[capacity];
  }

  /** How many rows are listed. */
  public int count() {
    return count;
  }

  /** The {@code t}-th listed row, {@code 0 <= t < count()}. */
  public int get(int t) {
    java.util.Objects.checkIndex(t, count);
    return index[t];
  }

  /** The longest vector a list can be made from. */
  public int capacity() {
    return index.length;
  }

  /** The length of the vector the list was last made from: every index is below it. */
  public int bound() {
    return bound;
  }
}
