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
  /**
   * Entries past the capacity: a whole vector of indices stored at any count below the capacity
   * stays inside the array (16 ints, a 512-bit vector), so a kernel's masked store of a layer's
   * last active units takes the Vector API's fast path instead of checking lane by lane (3% of
   * the paper network's batch-1 forward pass at 8 lanes, measured with JFR, where its 10-wide
   * layer's indices mostly ended past a 10-long array).
   */
  private static final int PAD = 16;

  final int[] index;
  private final int capacity;
  int count;
  /** Every listed index is below it: the length of the vector the list was made from. */
  int bound;

  /** An empty list that can hold indices of vectors up to {@code capacity} long. */
  public RowList(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity = " + capacity + ": must be >= 0");
    }
    this.capacity = capacity;
    index = new int[Math.addExact(capacity, PAD)];
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
    return capacity;
  }

  /** The length of the vector the list was last made from: every index is below it. */
  public int bound() {
    return bound;
  }
}
