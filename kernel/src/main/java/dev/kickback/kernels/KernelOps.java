package dev.kickback.kernels;

/**
 * Dense FP32 primitives over row-major {@code float[]} matrices with natural strides (the
 * leading dimension of an {@code [r][c]} matrix is {@code c}). Every operation accumulates into
 * its output, like BLAS with {@code beta = 1}: callers that want an overwrite zero the output
 * first. Arrays may be longer than the shape needs (workspaces are sized for the largest batch);
 * only the leading {@code rows * cols} elements are read or written. The vector implementation
 * runs fastest on arrays with 16 floats to spare after those elements (one 512-bit vector): in
 * the GEMMs and the row operations an array with less is copied for the call, into a per-thread
 * scratch that has them, and an output copied back ({@link #room}).
 *
 * <p>Two implementations ship: {@link Kernels#scalar()}, the plain-Java reference, and a Vector
 * API implementation available through {@link Kernels#vector()} when {@code jdk.incubator.vector}
 * is readable. {@link Kernels#ops()} is the one chosen for this JVM. Implementations are
 * thread-safe. They allocate nothing per call but {@link #packForGemmNN}, whose result is a
 * copy: the vector path's large GEMMs use per-thread pack buffers (about 1.1 MB) created on a
 * thread's first such call and reused after.
 *
 * <p>Results of the two implementations differ only by the order of floating-point summation:
 * each output element agrees within {@code 1e-5 * sum_p |a_p * b_p|} (see the tests).
 */
public abstract class KernelOps {

  /**
   * For implementations outside this library (a native BLAS in a benchmark, say). The public
   * entry points validate arguments and call the protected kernels only with in-range shapes
   * and positive dimensions.
   */
  protected KernelOps() {}

  /**
   * Floats this implementation's kernels want after the last entry of an operand they use: the
   * vector kernels finish a row with a masked load or store over a whole vector's window, which
   * the Vector API takes lane by lane where it passes the array's end. In the GEMMs and the row
   * operations (gemvTRows, gemvRows, gerRows, gemvGerRows, gemmNTRows, gemmNTGemmTNRows) an
   * operand with less room is copied for the call ({@code Room}): the same bits, one pass over
   * it more. Operands whose entries the kernels only broadcast or sum into one at a time (A of
   * gemmNN and gemmTN, x of gemvTRows and gerRows) are used where they are, and so are the
   * operands of the one-pass operations (rectify, the clamps, gemv, axpy), whose one short row
   * costs less than a copy of the rest. 0 (the default): operands are used where they are.
   */
  protected int room() {
    return 0;
  }

  /** Whether {@code a} (null: an optional operand left out) has the room after {@code end}. */
  private boolean roomy(float[] a, int end) {
    return Room.has(a, end, room());
  }

  /** This thread's {@code Room} for a call with an operand short of room. */
  private Room openRoom() {
    return Room.open(room());
  }

  /** Whether the operands of a rectifier (bias may be null, d too) all have room. */
  private boolean roomyRectify(int n, int size, float[] bias, float[] nu, float[] s, float[] o,
      float[] d) {
    return roomy(bias, n) && roomy(nu, n) && roomy(s, size) && roomy(o, size) && roomy(d, size);
  }

  /**
   * Whether the operands of a one-sample gemvGerRows that its kernels read a vector at a time
   * have room: not t and x, whose entries are taken one per row.
   */
  private boolean roomyGemvGer(int m, int n, float[] a, float[] v, float[] y, float[] colSigns) {
    return roomy(a, m * n) && roomy(v, n) && roomy(y, n) && roomy(colSigns, n);
  }

  /** Short name for logs and benchmark parameters: {@code "scalar"} or {@code "vector"}. */
  public abstract String name();

  /**
   * {@code C[m][n] += alpha * A[m][k] * B[n][k]^T}: each output is a dot product of a row of A
   * with a row of B. The feedback pass uses it to pull a signal through the input-major weights
   * of the layer above: {@code T[B][n_l] = S[B][n_l+1] * (W^T[n_l][n_l+1])^T}.
   */
  public final void gemmNT(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    Shapes.checkGemm("gemmNT", m, n, k, a, "m*k", (long) m * k, b, "n*k", (long) n * k, c);
    if (m > 0 && n > 0 && k > 0) {
      Room r = roomy(a, m * k) && roomy(b, n * k) && roomy(c, m * n) ? null : openRoom();
      gemmNTKernel(m, n, k, alpha, Room.in(r, a, m * k), Room.in(r, b, n * k),
          Room.out(r, c, m * n));
      Room.close(r);
    }
  }

  /**
   * {@code C[m][n] += alpha * A[m][k] * B[k][n]}. The forward pass uses it with A =
   * activations, B = a layer's input-major weights {@code W^T[n_in][n_out]}.
   */
  public final void gemmNN(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    Shapes.checkGemm("gemmNN", m, n, k, a, "m*k", (long) m * k, b, "k*n", (long) k * n, c);
    if (m > 0 && n > 0 && k > 0) {
      Room r = roomy(b, k * n) && roomy(c, m * n) ? null : openRoom(); // A: entries broadcast
      gemmStridedA(m, n, k, alpha, a, k, 1, Room.in(r, b, k * n), Room.out(r, c, m * n));
      Room.close(r);
    }
  }

  /**
   * A signed-rectifier layer's forward pass over a batch: {@code S[m][n] = A[m][k] B[k][n]} plus
   * {@code bias[n]} on every row, then {@link #rectify}: {@code D = S > 0 ? nu : 0} and
   * {@code O = D * S}. The same bits as copying the bias into each row of S, {@link #gemmNN} with
   * alpha 1 and {@link #rectify}; the vector implementation writes most rows' S, O and D while
   * their sums are still in registers, where the three passes cost a store of each bias row, a
   * load and store of S and a load of S again (the paper network at batch 256: 18 of its 95 us).
   *
   * @param bias {@code [n]}, added to every row
   * @param nu {@code [n]}: the sign (+1 or -1) of each column's unit
   * @param s {@code [m][n]} out: the pre-activations
   * @param o {@code [m][n]} out: the outputs
   * @param d {@code [m][n]} out: the signed activity mask
   */
  public final void gemmNNRectify(int m, int n, int k, float[] a, float[] b, float[] bias,
      float[] nu, float[] s, float[] o, float[] d) {
    int size = checkRectify("gemmNNRectify", m, n, k, a, b, bias, nu, s, o);
    Shapes.checkRange("gemmNNRectify", "d", d, 0, size);
    if (m > 0 && n > 0) {
      Room r = roomy(b, k * n) && roomyRectify(n, size, bias, nu, s, o, d) ? null : openRoom();
      gemmNNRectifyKernel(m, n, k, a, Room.in(r, b, k * n), Room.in(r, bias, n),
          Room.in(r, nu, n), Room.over(r, s, size), Room.over(r, o, size), Room.over(r, d, size));
      Room.close(r);
    }
  }

  /**
   * {@link #gemmNNRectify} for a prediction, which needs only the outputs: {@code O} bitwise as
   * gemmNNRectify gives it, with {@code S} as the kernel's scratch (its first {@code m * n}
   * floats are left with unspecified values) and no {@code D}. The vector implementation then
   * stores one vector per output vector where gemmNNRectify stores three.
   *
   * @param s {@code [m][n]} scratch
   * @param o {@code [m][n]} out: the outputs
   */
  public final void gemmNNRectifyOutput(int m, int n, int k, float[] a, float[] b, float[] bias,
      float[] nu, float[] s, float[] o) {
    int size = checkRectify("gemmNNRectifyOutput", m, n, k, a, b, bias, nu, s, o);
    if (m > 0 && n > 0) {
      Room r = roomy(b, k * n) && roomyRectify(n, size, bias, nu, s, o, null)
          ? null : openRoom();
      gemmNNRectifyKernel(m, n, k, a, Room.in(r, b, k * n), Room.in(r, bias, n),
          Room.in(r, nu, n), Room.over(r, s, size), Room.over(r, o, size), null);
      Room.close(r);
    }
  }

  /** The checks both rectifying GEMMs share; returns m * n, the outputs' size. */
  private static int checkRectify(String op, int m, int n, int k, float[] a, float[] b,
      float[] bias, float[] nu, float[] s, float[] o) {
    Shapes.checkGemm(op, m, n, k, a, "m*k", (long) m * k, b, "k*n", (long) k * n, s);
    Shapes.checkRange(op, "bias", bias, 0, n);
    Shapes.checkRange(op, "nu", nu, 0, n);
    int size = (int) Math.min((long) m * n, Integer.MAX_VALUE);
    Shapes.checkRange(op, "o", o, 0, size);
    return size;
  }

  /**
   * The three passes gemmNNRectify stands for; an implementation may fuse them. With
   * {@code d == null} only O is wanted (gemmNNRectifyOutput): S may be left as any scratch.
   */
  protected void gemmNNRectifyKernel(int m, int n, int k, float[] a, float[] b, float[] bias,
      float[] nu, float[] s, float[] o, float[] d) {
    copyBiasRows(bias, n, s, 0, m);
    if (k > 0) {
      gemmStridedA(m, n, k, 1f, a, k, 1, b, s);
    }
    rectifyKernel(m, n, s, nu, o, d);
  }

  /**
   * {@code s[r][0..n) = bias[0..n)} for {@code r < rows}: a batch's sums started from a layer's
   * bias, before a GEMM adds into them.
   *
   * @param s {@code [rows][n]}, row-major
   */
  public final void broadcastRows(int rows, int n, float[] bias, float[] s) {
    if (rows < 0 || n < 0 || (long) rows * n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("broadcastRows: dimensions must be >= 0 with rows*n in"
          + " int range, got rows=" + rows + ", n=" + n);
    }
    Shapes.checkRange("broadcastRows", "bias", bias, 0, n);
    Shapes.checkRange("broadcastRows", "s", s, 0, rows * n);
    copyBiasRows(bias, n, s, 0, rows);
  }

  /**
   * {@code bias[0..n)} into rows {@code [from, to)} of {@code s[][n]}: a sum's start. Rows
   * narrower than {@link #BIAS_ROWS_DOUBLING} floats are copied once, then the rows filled so far
   * are copied after themselves, doubling: an arraycopy call per row cost more than the row
   * (the paper network's 10- and 2-wide layers at batch 256: about 1 us each of a 90 us forward
   * pass).
   */
  static void copyBiasRows(float[] bias, int n, float[] s, int from, int to) {
    if (n >= BIAS_ROWS_DOUBLING || to - from < 2) {
      for (int r = from; r < to; r++) {
        System.arraycopy(bias, 0, s, r * n, n);
      }
      return;
    }
    System.arraycopy(bias, 0, s, from * n, n);
    for (int done = 1; done < to - from; done += Math.min(done, to - from - done)) {
      System.arraycopy(s, from * n, s, (from + done) * n, Math.min(done, to - from - done) * n);
    }
  }

  /**
   * Rows at least this wide get their own copy of the bias: one arraycopy reads the bias from L1,
   * where doubling would read the rows back (a wide layer's rows from L2).
   */
  static final int BIAS_ROWS_DOUBLING = 64;

  /**
   * {@code B[k][n]} (row-major) copied into the layout this implementation's
   * {@link #gemmNN(int, int, int, float, float[], PackedMatrix, float[])} reads fastest, or
   * null when it has no faster path for that shape (the scalar implementation never has; the
   * vector one for B at least 512 wide and 256 deep, whose register-blocked kernels otherwise
   * read column panels with rows 4 KB apart, and with 16 vector registers for B at least 96 wide
   * and 16 deep from 4 rows of A, 16 when deeper than 256:
   * {@link #multipliesPacked(PackedMatrix, int)}). Allocates the copy: about {@code 4 k n} bytes.
   */
  public final PackedMatrix packForGemmNN(int k, int n, float[] b) {
    checkPackSource("packForGemmNN", "b", "k", "n", k, n, b);
    return k > 0 && n > 0 ? packKernel(k, n, b) : null;
  }

  /** A matrix to pack, {@code [rows][cols]} in {@code src}, fits an int-indexed copy. */
  private static void checkPackSource(String op, String name, String r, String c, int rows,
      int cols, float[] src) {
    if (rows < 0 || cols < 0 || (long) rows * cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": dimensions must be >= 0 with " + r + "*" + c
          + " in int range, got " + r + "=" + rows + ", " + c + "=" + cols);
    }
    Shapes.checkRange(op, name, src, 0, rows * cols);
  }

  /**
   * {@link #gemmNN(int, int, int, float, float[], float[], float[])} with B packed by
   * {@link #packForGemmNN}: the same bits as from the source array, read in one sequential pass.
   *
   * @throws IllegalArgumentException if {@code b} is not {@code k x n} or was packed by an
   *     implementation of another class or vector width
   */
  public final void gemmNN(int m, int n, int k, float alpha, float[] a, PackedMatrix b,
      float[] c) {
    checkPackedForGemm("gemmNN", b, k, n);
    Shapes.checkGemm("gemmNN", m, n, k, a, "m*k", (long) m * k, b.data, "packed", 0, c);
    if (m > 0) {
      Room r = roomy(c, m * n) ? null : openRoom(); // A: entries broadcast or packed
      gemmNNPackedKernel(m, n, k, alpha, a, b, Room.out(r, c, m * n));
      Room.close(r);
    }
  }

  /**
   * {@link #gemmNNRectify} with B packed by {@link #packForGemmNN}: the same bits as from the
   * source array. The vector implementation writes a sum over at most 256 terms from registers
   * (16 registers: the paper network's layers from 4 rows), where the bias copy and the
   * rectifier are passes of their own otherwise.
   *
   * @throws IllegalArgumentException if {@code b} is not {@code k x n} or was packed by an
   *     implementation of another class or vector width
   */
  public final void gemmNNRectify(int m, int n, int k, float[] a, PackedMatrix b, float[] bias,
      float[] nu, float[] s, float[] o, float[] d) {
    int size = checkRectifyPacked("gemmNNRectify", m, n, k, a, b, bias, nu, s, o);
    Shapes.checkRange("gemmNNRectify", "d", d, 0, size);
    if (m > 0 && n > 0) {
      Room r = roomyRectify(n, size, bias, nu, s, o, d) ? null : openRoom();
      gemmNNRectifyPackedKernel(m, n, k, a, b, Room.in(r, bias, n), Room.in(r, nu, n),
          Room.over(r, s, size), Room.over(r, o, size), Room.over(r, d, size));
      Room.close(r);
    }
  }

  /**
   * {@link #gemmNNRectifyOutput} with B packed by {@link #packForGemmNN}: O bitwise as from the
   * source array, S as scratch.
   *
   * @throws IllegalArgumentException if {@code b} is not {@code k x n} or was packed by an
   *     implementation of another class or vector width
   */
  public final void gemmNNRectifyOutput(int m, int n, int k, float[] a, PackedMatrix b,
      float[] bias, float[] nu, float[] s, float[] o) {
    int size = checkRectifyPacked("gemmNNRectifyOutput", m, n, k, a, b, bias, nu, s, o);
    if (m > 0 && n > 0) {
      Room r = roomyRectify(n, size, bias, nu, s, o, null) ? null : openRoom();
      gemmNNRectifyPackedKernel(m, n, k, a, b, Room.in(r, bias, n), Room.in(r, nu, n),
          Room.over(r, s, size), Room.over(r, o, size), null);
      Room.close(r);
    }
  }

  /** The checks of the rectifying GEMMs over a packed B; returns m * n, the outputs' size. */
  private int checkRectifyPacked(String op, int m, int n, int k, float[] a, PackedMatrix b,
      float[] bias, float[] nu, float[] s, float[] o) {
    checkPackedForGemm(op, b, k, n);
    return checkRectify(op, m, n, k, a, b.data, bias, nu, s, o);
  }

  /**
   * The three passes the packed gemmNNRectify stands for (with {@code d == null} O only); an
   * implementation may fuse them.
   */
  protected void gemmNNRectifyPackedKernel(int m, int n, int k, float[] a, PackedMatrix b,
      float[] bias, float[] nu, float[] s, float[] o, float[] d) {
    copyBiasRows(bias, n, s, 0, m);
    if (k > 0) {
      gemmNNPackedKernel(m, n, k, 1f, a, b, s);
    }
    rectifyKernel(m, n, s, nu, o, d);
  }

  /** B of a packed GEMM is there, {@code k x n}, and packed by this implementation. */
  private void checkPackedForGemm(String op, PackedMatrix b, int k, int n) {
    checkPackedShape(op, "b", b, "k x n", k, n);
    if (!multipliesPacked(b)) {
      throw new IllegalArgumentException(op + ": b was packed by " + b.packer.getSimpleName()
          + " at " + b.lanes + " lanes, not by this " + getClass().getSimpleName() + " at "
          + packLanes());
    }
  }

  /**
   * A packed operand is there and has the shape the call expects, or the message says not. The
   * messages are built only to throw: a concatenation passed to requireNonNull is built on every
   * call unless C2 removes it, and in about one JVM of eight at 4 lanes it did not (160 bytes a
   * batch-1 prediction from packed rows for good, found with JFR's allocation samples).
   */
  private static void checkPackedShape(String op, String name, PackedMatrix p, String dims,
      int rows, int cols) {
    if (p == null) {
      throw new NullPointerException(op + ": " + name + " is null");
    }
    if (p.k != rows || p.n != cols) {
      throw new IllegalArgumentException(op + ": " + name + " is packed as " + p.k + " x " + p.n
          + ", expected " + dims + " = " + rows + " x " + cols);
    }
  }

  /**
   * Whether {@link #gemmNN(int, int, int, float, float[], PackedMatrix, float[])} takes
   * {@code b}: not null, and packed by this class at this vector width, by an instance that
   * packs (one that splits its GEMMs over threads does not).
   */
  public final boolean multipliesPacked(PackedMatrix b) {
    return b != null && b.data != null && packLanes() != 0 && b.packer == getClass()
        && b.lanes == packLanes();
  }

  /**
   * Whether {@link #multipliesPacked(PackedMatrix) b is taken} and multiplying an A of {@code m}
   * rows by it is faster than by the source array: from 2 rows for the layers packed for their
   * size, from more for those packed for where the unpacked kernels fall behind (see
   * {@link #packForGemmNN}). Either way the bits are the same.
   */
  public final boolean multipliesPacked(PackedMatrix b, int m) {
    return multipliesPacked(b) && m >= b.fromRows;
  }

  /** A packed B for {@code B[k][n]}, {@code k, n > 0}, or null: see packForGemmNN. */
  protected PackedMatrix packKernel(int k, int n, float[] b) {
    return null;
  }

  /**
   * The packed GEMM; called only with a B this class packed at {@link #packLanes()}. An
   * implementation whose {@link #packKernel} returns a matrix overrides both.
   */
  protected void gemmNNPackedKernel(int m, int n, int k, float alpha, float[] a, PackedMatrix b,
      float[] c) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " packs nothing");
  }

  /** The vector width a packed layout of this implementation is made for (0: none). */
  protected int packLanes() {
    return 0;
  }

  /** For implementations: a packed matrix over {@code data}, marked as this one's. */
  protected final PackedMatrix packed(int k, int n, float[] data) {
    return packed(k, n, data, 1);
  }

  /**
   * As {@link #packed(int, int, float[])}, faster than the source array only from
   * {@code fromRows} rows of A ({@link #multipliesPacked(PackedMatrix, int)}).
   */
  protected final PackedMatrix packed(int k, int n, float[] data, int fromRows) {
    return new PackedMatrix(k, n, data, getClass(), packLanes(), fromRows);
  }

  /** The floats of a matrix this implementation packed. */
  protected static float[] packedData(PackedMatrix b) {
    return b.data;
  }

  /**
   * {@code C[m][n] += alpha * A[k][m]^T * B[k][n]}: a rank-k update. The weight update uses it:
   * {@code W^T[n_in][n_out] += (eta / B) * X[B][n_in]^T * G[B][n_out]}.
   */
  public final void gemmTN(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    Shapes.checkGemm("gemmTN", m, n, k, a, "k*m", (long) k * m, b, "k*n", (long) k * n, c);
    if (m > 0 && n > 0 && k > 0) {
      Room r = roomy(b, k * n) && roomy(c, m * n) ? null : openRoom(); // A: entries broadcast
      gemmStridedA(m, n, k, alpha, a, 1, m, Room.in(r, b, k * n), Room.out(r, c, m * n));
      Room.close(r);
    }
  }

  /**
   * {@link #gemmTN} followed by {@link #clampRowsToSigns} of C, with the same bits: a coherent
   * layer's update and its clip. Where the vector kernels' blocks cover the shape, each output
   * is clamped in the registers that hold it before its one store, which saves the clip's pass
   * over the layer.
   *
   * @param colSigns {@code [n]}: the sign of the unit each column of C feeds (+1 or -1)
   */
  public final void gemmTNClampToSigns(int m, int n, int k, float alpha, float[] a, float[] b,
      float[] c, float[] colSigns) {
    Shapes.checkGemm("gemmTNClampToSigns", m, n, k, a, "k*m", (long) k * m, b, "k*n",
        (long) k * n, c);
    Shapes.checkRange("gemmTNClampToSigns", "colSigns", colSigns, 0, n);
    if (m > 0 && n > 0) {
      Room r = roomy(b, k * n) && roomy(c, m * n) && roomy(colSigns, n) ? null : openRoom();
      if (k > 0) { // A: entries broadcast
        gemmTNClampToSignsKernel(m, n, k, alpha, a, Room.in(r, b, k * n), Room.out(r, c, m * n),
            Room.in(r, colSigns, n));
      } else {
        clampRowsToSignsKernel(m, n, Room.out(r, c, m * n), Room.in(r, colSigns, n));
      }
      Room.close(r);
    }
  }

  /** The update, then the clamp pass; the vector kernels clamp in registers where they can. */
  protected void gemmTNClampToSignsKernel(int m, int n, int k, float alpha, float[] a,
      float[] b, float[] c, float[] colSigns) {
    gemmStridedA(m, n, k, alpha, a, 1, m, b, c);
    clampRowsToSignsKernel(m, n, c, colSigns);
  }

  /**
   * {@code y[j] += sum_t x[r_t] * A[r_t][j]} for {@code j < n}, {@code r_t = rows[t]},
   * {@code t < count}: {@code y += A^T x} over the listed rows of {@code A[m][n]}, the batch-1
   * forward pass of an input-major layer whose other inputs are zero (inactive units below).
   * Each output is accumulated in list order, one fused multiply-add per row, starting from
   * {@code y[j]}: both implementations give the same bits.
   *
   * @param rows {@code count} row indices in {@code [0, m)}
   */
  public final void gemvTRows(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] y) {
    Shapes.checkGemm("gemvTRows", 1, n, m, x, "m", m, a, "m*n", (long) m * n, y);
    Shapes.checkRows("gemvTRows", rows, count, m);
    if (n > 0) {
      Room r = roomy(a, m * n) && roomy(y, n) ? null : openRoom(); // x: entries broadcast
      float[] ry = Room.out(r, y, n);
      gemvTRowsKernel(m, n, Room.in(r, a, m * n), x, rows, count, ry, ry);
      Room.close(r);
    }
  }

  /**
   * {@code y[j] = b[j] + sum_t x[r_t] * A[r_t][j]} for {@code j < n} over the rows of a
   * {@link RowList}: {@link #gemvTRows(int, int, float[], float[], int[], int, float[])}
   * starting from {@code b} instead of {@code y} ({@code b} may be {@code y}), with the same
   * bits as copying {@code b[0..n)} into {@code y} and calling that. A batch-1 layer of the
   * forward pass, its bias read where it lies (copying it first cost a store and a reload per
   * vector), its rows not checked one by one.
   *
   * @param rows made from a vector at most {@code m} long
   * @param b {@code [n]}, the start of each sum (the layer's bias)
   */
  public final void gemvTRows(int m, int n, float[] a, float[] x, RowList rows, float[] b,
      float[] y) {
    Shapes.checkGemm("gemvTRows", 1, n, m, x, "m", m, a, "m*n", (long) m * n, y);
    Shapes.checkRange("gemvTRows", "b", b, 0, n);
    Shapes.checkRows("gemvTRows", rows, m);
    if (n > 0) {
      Room r = roomy(a, m * n) && roomy(b, n) && roomy(y, n) ? null : openRoom(); // x: broadcast
      gemvTRowsKernel(m, n, Room.in(r, a, m * n), x, rows.index, rows.count, Room.in(r, b, n),
          Room.out(r, y, n));
      Room.close(r);
    }
  }

  /**
   * {@code A[m][n]} (input-major weights) copied for
   * {@link #gemvTRows(int, int, PackedMatrix, float[], RowList, float[], float[])}: off the heap,
   * each row starting on a vector boundary (a heap array's rows mostly straddle cache lines, see
   * {@code OffHeapRows}), or null where this implementation has no such path (the scalar one
   * never has; the vector one on Java 22 and later, where the segment API is final). Allocates
   * about {@code 4 m n} bytes off the heap, freed when the copy is no longer reachable.
   */
  public final PackedMatrix packForGemvTRows(int m, int n, float[] a) {
    checkPackSource("packForGemvTRows", "a", "m", "n", m, n, a);
    OffHeapRows rows = m > 0 && n > 0 && rowLanes() != 0 ? OffHeapRows.copy(m, n, a) : null;
    return rows == null ? null : new PackedMatrix(rows, getClass(), rowLanes());
  }

  /**
   * Copies {@code A[m][n]} into rows this implementation packed before for the same shape
   * ({@link #packForGemvTRows}), instead of allocating new ones, and returns them: for whoever
   * packs the same layer again after its weights changed, while nothing reads the old rows.
   *
   * @throws IllegalArgumentException if {@code into} is not rows this implementation packed
   */
  public final PackedMatrix repackRows(PackedMatrix into, float[] a) {
    java.util.Objects.requireNonNull(into, "repackRows: into is null");
    if (!readsPackedRows(into)) {
      throw new IllegalArgumentException("repackRows: into is not rows packed by this "
          + getClass().getSimpleName() + " at " + rowLanes() + " lanes");
    }
    Shapes.checkRange("repackRows", "a", a, 0, into.k * into.n);
    into.offHeap.fill(a);
    return into;
  }

  /**
   * {@link #gemvTRows(int, int, float[], float[], RowList, float[], float[])} with A packed by
   * {@link #packForGemvTRows}: the same bits as from the source array.
   *
   * @throws IllegalArgumentException if {@code a} is not {@code m x n} or is not rows this
   *     implementation packed
   */
  public final void gemvTRows(int m, int n, PackedMatrix a, float[] x, RowList rows, float[] b,
      float[] y) {
    checkPackedRows("gemvTRows", m, n, a);
    Shapes.checkRange("gemvTRows", "x", x, 0, m);
    Shapes.checkRange("gemvTRows", "b", b, 0, n);
    Shapes.checkRange("gemvTRows", "y", y, 0, n);
    Shapes.checkRows("gemvTRows", rows, m);
    Room r = roomy(b, n) && roomy(y, n) ? null : openRoom(); // x: entries broadcast
    a.offHeap.gemvTRows(x, rows.index, rows.count, Room.in(r, b, n), Room.out(r, y, n));
    Room.close(r);
  }

  /**
   * Two samples' {@link #gemvTRows(int, int, float[], float[], RowList, float[], float[])} over
   * one list: {@code Y[r][j] = b[j] + sum_t X[r][r_t] * A[r_t][j]} for {@code r < 2} and
   * {@code j < n}, each listed row read once for both. Over the rows either sample reaches
   * ({@link #nonzeroColumns}) that is the forward pass of two samples through a layer: it reads
   * the union of their rows where a GEMM reads every row. Each sample's outputs are the bits of
   * gemvTRows of its row of X over the same list.
   *
   * @param x {@code [2][m]}, row-major
   * @param b {@code [n]}, not overlapping y
   * @param y {@code [2][n]}, row-major
   */
  public final void gemvTRowsPair(int m, int n, float[] a, float[] x, RowList rows, float[] b,
      float[] y) {
    if (m < 0 || n < 0) {
      throw new IllegalArgumentException(
          "gemvTRowsPair: dimensions must be >= 0, got m=" + m + ", n=" + n);
    }
    Shapes.checkRange("gemvTRowsPair", "a", a, 0, (int) Math.min((long) m * n,
        Integer.MAX_VALUE));
    checkPairArrays(m, n, x, b, y);
    Shapes.checkRows("gemvTRowsPair", rows, m);
    if (n > 0) {
      // x: entries broadcast
      Room r = roomy(a, m * n) && roomy(b, n) && roomy(y, 2 * n) ? null : openRoom();
      gemvTRowsPairKernel(m, n, Room.in(r, a, m * n), x, rows.index, rows.count,
          Room.in(r, b, n), Room.out(r, y, 2 * n));
      Room.close(r);
    }
  }

  /**
   * {@link #gemvTRowsPair(int, int, float[], float[], RowList, float[], float[])} with A packed
   * by {@link #packForGemvTRows}: the same bits as from the source array.
   *
   * @throws IllegalArgumentException if {@code a} is not {@code m x n} or is not rows this
   *     implementation packed
   */
  public final void gemvTRowsPair(int m, int n, PackedMatrix a, float[] x, RowList rows,
      float[] b, float[] y) {
    checkPackedRows("gemvTRowsPair", m, n, a);
    checkPairArrays(m, n, x, b, y);
    Shapes.checkRows("gemvTRowsPair", rows, m);
    Room r = roomy(b, n) && roomy(y, 2 * n) ? null : openRoom(); // x: entries broadcast
    a.offHeap.gemvTRowsPair(x, m, rows.index, rows.count, Room.in(r, b, n),
        Room.out(r, y, 2 * n), n);
    Room.close(r);
  }

  /**
   * Whether the forward pass of two samples (a prediction, and a step's) goes layer by layer as
   * gemvTRowsPair over the rows either sample reaches, from the rows {@link #packForGemvTRows}
   * packed where a prediction has them and from the arrays otherwise, rather than as a GEMM over
   * every row: false unless an implementation measured it faster.
   */
  public boolean forwardsPairsByRows() {
    return false;
  }

  private static void checkPairArrays(int m, int n, float[] x, float[] b, float[] y) {
    Shapes.checkRange("gemvTRowsPair", "x", x, 0, (int) Math.min(2L * m, Integer.MAX_VALUE));
    Shapes.checkRange("gemvTRowsPair", "b", b, 0, n);
    Shapes.checkRange("gemvTRowsPair", "y", y, 0, (int) Math.min(2L * n, Integer.MAX_VALUE));
  }

  private void checkPackedRows(String op, int m, int n, PackedMatrix a) {
    checkPackedShape(op, "a", a, "m x n", m, n);
    if (!readsPackedRows(a)) {
      throw new IllegalArgumentException(op + ": a is not rows packed by this "
          + getClass().getSimpleName() + " at " + rowLanes() + " lanes (packed by "
          + a.packer.getSimpleName() + " at " + a.lanes + (a.offHeap == null
          ? " lanes, for gemmNN)" : " lanes)"));
    }
  }

  /**
   * Whether {@link #gemvTRows(int, int, PackedMatrix, float[], RowList, float[], float[])}
   * takes {@code a}: not null, and rows packed by this class at this vector width.
   */
  public final boolean readsPackedRows(PackedMatrix a) {
    return a != null && a.offHeap != null && rowLanes() != 0 && a.packer == getClass()
        && a.lanes == rowLanes();
  }

  /**
   * The largest batch whose forward pass, through a network whose weights stay in cache, is
   * faster as that many passes of one sample over the weight rows of its nonzero inputs
   * ({@link #gemvTRows(int, int, float[], float[], RowList, float[], float[])} and
   * {@link #rectifyRows(int, float[], float[], float[], float[], RowList)}) than as one GEMM over
   * every row: 1 (never) unless an implementation measured more.
   */
  public int bySampleMaxBatch() {
    return 1;
  }

  /**
   * The vector width of the rows {@link #packForGemvTRows} makes (0: none, and it packs
   * nothing); {@code OffHeapRows}' implementation reads them with the vector kernels' species.
   */
  protected int rowLanes() {
    return 0;
  }

  /**
   * {@code y[r] += A[r][:] . x[:]} for the listed rows {@code r = rows[t]}, {@code t < count},
   * of {@code A[m][n]}: the batch-1 feedback pull through the input-major weights of the layer
   * above, for the units of this layer that are active (the others get no feedback).
   *
   * @param rows {@code count} row indices in {@code [0, m)}
   */
  public final void gemvRows(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] y) {
    Shapes.checkGemm("gemvRows", 1, m, n, x, "n", n, a, "m*n", (long) m * n, y);
    Shapes.checkRows("gemvRows", rows, count, m);
    if (n > 0) {
      Room r = roomy(a, m * n) && roomy(x, n) ? null : openRoom(); // y: one sum per entry
      gemvRowsKernel(m, n, Room.in(r, a, m * n), Room.in(r, x, n), rows, count, y);
      Room.close(r);
    }
  }

  /** {@link #gemvRows(int, int, float[], float[], int[], int, float[])} over a {@link RowList}. */
  public final void gemvRows(int m, int n, float[] a, float[] x, RowList rows, float[] y) {
    Shapes.checkGemm("gemvRows", 1, m, n, x, "n", n, a, "m*n", (long) m * n, y);
    Shapes.checkRows("gemvRows", rows, m);
    if (n > 0) {
      Room r = roomy(a, m * n) && roomy(x, n) ? null : openRoom(); // y: one sum per entry
      gemvRowsKernel(m, n, Room.in(r, a, m * n), Room.in(r, x, n), rows.index, rows.count, y);
      Room.close(r);
    }
  }

  /**
   * Rank-1 update {@code A[i][j] += alpha * (x[i] * y[j])} over the listed rows
   * {@code i = rows[t]}, {@code t < count}, each then clamped like {@link #clampToSigns} to
   * {@code colSigns} when that is not null; other rows are not touched at all. The batch-1
   * weight update of an input-major layer, listing the rows of its nonzero inputs, in one pass
   * over the rows it changes, clip included. On the rows it changes, the bits equal those of the
   * same implementation's {@code gemmTN(m, n, 1, alpha, x, y, a)} followed by the clamp.
   *
   * @param rows {@code count} distinct row indices in {@code [0, m)}, ascending
   * @param colSigns null, or {@code [n]} values +1 or -1: the sign of the unit each column feeds
   */
  public final void gerRows(int m, int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    Shapes.checkGemm("gerRows", m, n, 1, x, "m", m, y, "n", n, a);
    Shapes.checkRowsAscending("gerRows", rows, count, m);
    if (colSigns != null) {
      Shapes.checkRange("gerRows", "colSigns", colSigns, 0, n);
    }
    if (n > 0) {
      // x: entries broadcast
      Room r = roomy(y, n) && roomy(a, m * n) && roomy(colSigns, n) ? null : openRoom();
      gerRowsKernel(m, n, alpha, x, rows, count, Room.in(r, y, n), Room.out(r, a, m * n),
          Room.in(r, colSigns, n));
      Room.close(r);
    }
  }

  /**
   * {@link #gerRows(int, int, float, float[], int[], int, float[], float[], float[])} over a
   * {@link RowList}, whose rows are distinct and ascending by construction.
   */
  public final void gerRows(int m, int n, float alpha, float[] x, RowList rows, float[] y,
      float[] a, float[] colSigns) {
    Shapes.checkGemm("gerRows", m, n, 1, x, "m", m, y, "n", n, a);
    Shapes.checkRows("gerRows", rows, m);
    if (colSigns != null) {
      Shapes.checkRange("gerRows", "colSigns", colSigns, 0, n);
    }
    if (n > 0) {
      // x: entries broadcast
      Room r = roomy(y, n) && roomy(a, m * n) && roomy(colSigns, n) ? null : openRoom();
      gerRowsKernel(m, n, alpha, x, rows.index, rows.count, Room.in(r, y, n), Room.out(r, a, m * n),
          Room.in(r, colSigns, n));
      Room.close(r);
    }
  }

  /**
   * {@link #gemvRows} then {@link #gerRows} on the same rows, in one pass over each of them:
   * {@code t[r] += A[r][:] . v[:]} with the row as it was, then
   * {@code A[r][j] += alpha * (x[r] * y[j])}, clamped to {@code colSigns} when that is not
   * null, for {@code r = rows[t]}. The batch-1 step's pass over the input-major weights of a
   * layer: the feedback of the layer below (the units listed, its active ones) read from the
   * rows that the update then changes. The bits equal those of the two calls in that order.
   *
   * @param rows {@code count} distinct row indices in {@code [0, m)}, ascending
   * @param v {@code [n]}, pulled through the rows (the layer's signed activity mask for
   *     Kickback, its {@code nu 1 pi} for Backprop)
   * @param t {@code [m]}, accumulates the listed rows' dot products
   * @param x {@code [m]}, the layer's inputs; {@code y} {@code [n]}, its feedback
   * @param colSigns null, or {@code [n]} values +1 or -1: the sign of the unit each column feeds
   */
  public final void gemvGerRows(int m, int n, float[] a, int[] rows, int count, float[] v,
      float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    checkGemvGerRows(m, n, a, v, t, x, y, colSigns);
    Shapes.checkRowsAscending("gemvGerRows", rows, count, m);
    if (n > 0) {
      Room r = roomyGemvGer(m, n, a, v, y, colSigns) ? null : openRoom();
      gemvGerRowsKernel(m, n, Room.out(r, a, m * n), rows, count, Room.in(r, v, n), t, alpha, x,
          Room.in(r, y, n), Room.in(r, colSigns, n));
      Room.close(r);
    }
  }

  /**
   * {@link #gemvGerRows(int, int, float[], int[], int, float[], float[], float, float[],
   * float[], float[])} over a {@link RowList}, whose rows are distinct and ascending by
   * construction.
   */
  public final void gemvGerRows(int m, int n, float[] a, RowList rows, float[] v, float[] t,
      float alpha, float[] x, float[] y, float[] colSigns) {
    checkGemvGerRows(m, n, a, v, t, x, y, colSigns);
    Shapes.checkRows("gemvGerRows", rows, m);
    if (n > 0) {
      Room r = roomyGemvGer(m, n, a, v, y, colSigns) ? null : openRoom();
      gemvGerRowsKernel(m, n, Room.out(r, a, m * n), rows.index, rows.count, Room.in(r, v, n),
          t, alpha, x, Room.in(r, y, n), Room.in(r, colSigns, n));
      Room.close(r);
    }
  }

  /**
   * {@link #gemvGerRows(int, int, float[], RowList, float[], float[], float, float[], float[],
   * float[])} for sample {@code p} of a batch, in place: the rows that sample alone reaches in a
   * small batch's step, where the other samples' inputs are zero. The bits of the one-sample
   * call on copies of the sample's vectors, each followed by a whole vector of zeros (as a
   * workspace pads its vectors; without that room a narrow row's dot is taken lane by lane).
   *
   * @param p the sample, {@code >= 0}; v and y hold at least {@code p + 1} rows of n, t and x
   *     at least {@code p + 1} rows of m, of which row p is read (and t's accumulated)
   * @param v {@code [][n]}: sample p's row is pulled through the listed rows
   * @param t {@code [][m]}: sample p's row accumulates the listed rows' dot products
   * @param x {@code [][m]}, the layer's inputs; {@code y} {@code [][n]}, its feedback
   * @param colSigns null, or {@code [n]} values +1 or -1: the sign of the unit each column feeds
   */
  public final void gemvGerRows(int m, int n, float[] a, RowList rows, int p, float[] v,
      float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    if (p < 0 || m < 0 || n < 0) {
      throw new IllegalArgumentException(
          "gemvGerRows: p, m and n must be >= 0, got p=" + p + ", m=" + m + ", n=" + n);
    }
    int vo = Math.multiplyExact(p, n);
    int to = Math.multiplyExact(p, m);
    Shapes.checkRange("gemvGerRows", "a", a, 0, Math.multiplyExact(m, n));
    Shapes.checkRange("gemvGerRows", "v", v, vo, n);
    Shapes.checkRange("gemvGerRows", "t", t, to, m);
    Shapes.checkRange("gemvGerRows", "x", x, to, m);
    Shapes.checkRange("gemvGerRows", "y", y, vo, n);
    if (colSigns != null) {
      Shapes.checkRange("gemvGerRows", "colSigns", colSigns, 0, n);
    }
    Shapes.checkRows("gemvGerRows", rows, m);
    if (n > 0) { // the sample's vectors go through padded scratch (see the kernel)
      Room r = roomy(a, m * n) && roomy(colSigns, n) ? null : openRoom();
      gemvGerRowsOfSampleKernel(m, n, Room.out(r, a, m * n), rows.index, rows.count, p, v, t,
          alpha, x, y, Room.in(r, colSigns, n));
      Room.close(r);
    }
  }

  /**
   * {@code t[p][r] += A[r][:] . v[p][:]} for {@code p < k} and the rows {@code r} of a
   * {@link RowList}: {@code T[k][m] += V[k][n] A[m][n]^T} on the listed columns of T. A small
   * batch's feedback pull through the input-major weights of the layer above, for the units
   * active in some sample. At {@code k = 1}, the bits of {@link #gemvRows}.
   *
   * @param v {@code [k][n]}: per sample, the vector pulled through the rows
   * @param t {@code [k][m]}: per sample, accumulates the listed rows' dot products
   */
  public final void gemmNTRows(int m, int n, int k, float[] a, RowList rows, float[] v,
      float[] t) {
    checkRowsStep("gemmNTRows", m, n, k, a, rows, v, t);
    if (n > 0 && k > 0) {
      Room r = roomy(a, m * n) && roomy(v, k * n) ? null : openRoom(); // t: one sum per entry
      gemmNTRowsKernel(m, n, k, Room.in(r, a, m * n), rows.index, rows.count,
          Room.in(r, v, k * n), t);
      Room.close(r);
    }
  }

  /**
   * {@link #gemmNTRows} then the rank-k update
   * {@code A[r][j] += alpha * sum_p x[p][r] * y[p][j]} ({@code p < k}, {@code j < n}), clamped
   * to {@code colSigns} like {@link #clampToSigns} when that is not null, on the same rows, in
   * one pass over each: the dots read the row as it was. A small batch's step pass over an
   * input-major layer's rows that some sample reaches ({@link #nonzeroColumns}): the feedback
   * of the layer below read from the rows that the update then changes. Other rows are not
   * touched. For {@code k <= 256} (the GEMMs' depth block) the bits equal those of
   * {@code gemmNTRows} then the same implementation's {@code gemmTN(m, n, k, alpha, x, y, a)}
   * on the listed rows and the clamp; at {@code k = 1}, those of {@link #gemvGerRows}.
   *
   * @param v {@code [k][n]}: per sample, pulled through the rows (the layer's signed activity
   *     mask for Kickback, its {@code nu 1 pi} for Backprop)
   * @param t {@code [k][m]}: per sample, accumulates the listed rows' dot products
   * @param x {@code [k][m]}: per sample, the layer's inputs
   * @param y {@code [k][n]}: per sample, the layer's feedback
   * @param colSigns null, or {@code [n]} values +1 or -1: the sign of the unit each column feeds
   */
  public final void gemmNTGemmTNRows(int m, int n, int k, float[] a, RowList rows, float[] v,
      float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    checkRowsStep("gemmNTGemmTNRows", m, n, k, a, rows, v, t);
    Shapes.checkRange("gemmNTGemmTNRows", "x", x, 0, Math.multiplyExact(k, m));
    Shapes.checkRange("gemmNTGemmTNRows", "y", y, 0, Math.multiplyExact(k, n));
    if (colSigns != null) {
      Shapes.checkRange("gemmNTGemmTNRows", "colSigns", colSigns, 0, n);
    }
    if (n > 0 && k > 0) {
      Room r = roomy(a, m * n) && roomy(v, k * n) && roomy(y, k * n) && roomy(colSigns, n)
          ? null : openRoom(); // t and x: an entry per row
      gemmNTGemmTNRowsKernel(m, n, k, Room.out(r, a, m * n), rows.index, rows.count,
          Room.in(r, v, k * n), t, alpha, x, Room.in(r, y, k * n), Room.in(r, colSigns, n));
      Room.close(r);
    }
  }

  private static void checkRowsStep(String op, int m, int n, int k, float[] a, RowList rows,
      float[] v, float[] t) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          op + ": dimensions must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
    }
    Shapes.checkRange(op, "a", a, 0, Math.multiplyExact(m, n));
    Shapes.checkRange(op, "v", v, 0, Math.multiplyExact(k, n));
    Shapes.checkRange(op, "t", t, 0, Math.multiplyExact(k, m));
    Shapes.checkRows(op, rows, m);
  }

  /**
   * Lists the columns {@code j < n} of {@code V[rows][n]} that hold a nonzero entry in some
   * row, ascending, into {@code list} ({@code -0} counts as zero, NaN as nonzero): for a batch
   * of a layer's inputs, the rows of its input-major weights that some sample reaches, which
   * {@link #gemmNTGemmTNRows} visits. At {@code rows = 1}, {@link #nonzeroRows(float[], int,
   * RowList)}.
   *
   * @param v {@code [rows][n]}, row-major
   * @return the number of columns listed, {@code list.count()}
   */
  public final int nonzeroColumns(int rows, int n, float[] v, RowList list) {
    if (rows < 0) {
      throw new IllegalArgumentException("nonzeroColumns: rows = " + rows + ": must be >= 0");
    }
    Shapes.checkRange("nonzeroColumns", "v", v, 0, Math.multiplyExact(rows, n));
    Shapes.checkRowsFit("nonzeroColumns", list, n);
    list.count = rows == 0 ? 0 : nonzeroColumnsKernel(rows, n, v, list.index);
    list.bound = n;
    return list.count;
  }

  /**
   * {@link #nonzeroColumns} split by how many rows reach each column: the columns {@code j < n}
   * of {@code V[rows][n]} nonzero in two or more rows into {@code shared}, those nonzero in row
   * {@code p} alone into {@code alone[p]}, each ascending ({@code -0} counts as zero, NaN as
   * nonzero). For a small batch of a layer's inputs: the rows of its input-major weights that
   * {@link #gemmNTGemmTNRows} must visit with every sample, and those that sample {@code p}'s
   * {@link #gemvGerRows} alone changes, since the other samples' inputs there are zero.
   *
   * @param v {@code [rows][n]}, row-major
   * @param alone at least {@code rows} lists; entries from {@code rows} on are left as they are
   * @return the number of columns listed in {@code shared}
   */
  public final int splitNonzeroColumns(int rows, int n, float[] v, RowList shared,
      RowList[] alone) {
    if (rows < 1) {
      throw new IllegalArgumentException(
          "splitNonzeroColumns: rows = " + rows + ": must be >= 1");
    }
    Shapes.checkRange("splitNonzeroColumns", "v", v, 0, Math.multiplyExact(rows, n));
    Shapes.checkRowsFit("splitNonzeroColumns", shared, n);
    if (alone.length < rows) {
      throw new IllegalArgumentException("splitNonzeroColumns: alone.length = " + alone.length
          + ": expected at least rows = " + rows);
    }
    for (int p = 0; p < rows; p++) {
      Shapes.checkRowsFit("splitNonzeroColumns", alone[p], n);
      for (int q = 0; q < p; q++) {
        if (alone[p] == alone[q]) {
          throw new IllegalArgumentException(
              "splitNonzeroColumns: alone[" + p + "] is alone[" + q + "]: lists must differ");
        }
      }
      if (alone[p] == shared) {
        throw new IllegalArgumentException(
            "splitNonzeroColumns: alone[" + p + "] is shared: lists must differ");
      }
    }
    for (int p = 0; p < rows; p++) {
      alone[p].count = 0;
      alone[p].bound = n;
    }
    shared.count = splitNonzeroColumnsKernel(rows, n, v, shared.index, alone);
    shared.bound = n;
    return shared.count;
  }

  private static void checkGemvGerRows(int m, int n, float[] a, float[] v, float[] t,
      float[] x, float[] y, float[] colSigns) {
    Shapes.checkGemm("gemvGerRows", 1, m, n, v, "n", n, a, "m*n", (long) m * n, t);
    Shapes.checkRange("gemvGerRows", "x", x, 0, m);
    Shapes.checkRange("gemvGerRows", "y", y, 0, n);
    if (colSigns != null) {
      Shapes.checkRange("gemvGerRows", "colSigns", colSigns, 0, n);
    }
  }

  /**
   * Lists the indices {@code j < n} of the nonzero entries of {@code v[0..n)} in ascending order
   * into {@code rows} and returns how many there are ({@code -0} counts as zero, NaN as
   * nonzero). At batch 1 the forward pass lists each layer's nonzero inputs this way: the rows
   * of the input-major weights that {@link #gemvTRows} reads and {@link #gerRows} changes.
   *
   * @param rows at least {@code n} long; entries past the returned count are unspecified
   */
  public final int nonzeroRows(float[] v, int n, int[] rows) {
    Shapes.checkRange("nonzeroRows", "v", v, 0, n);
    Shapes.checkRowsFit("nonzeroRows", rows, n);
    return nonzeroRowsKernel(v, n, rows);
  }

  /**
   * {@link #nonzeroRows(float[], int, int[])} into a {@link RowList}, which then lists rows of
   * matrices with at least {@code n} rows.
   *
   * @return the number of rows listed, {@code rows.count()}
   */
  public final int nonzeroRows(float[] v, int n, RowList rows) {
    Shapes.checkRange("nonzeroRows", "v", v, 0, n);
    Shapes.checkRowsFit("nonzeroRows", rows, n);
    rows.count = nonzeroRowsKernel(v, n, rows.index);
    rows.bound = n;
    return rows.count;
  }

  /** {@code y[m] += alpha * A[m][n] * x[n]}: a batch-1 forward pass through one layer. */
  public final void gemv(int m, int n, float alpha, float[] a, float[] x, float[] y) {
    Shapes.checkGemm("gemv", 1, m, n, x, "n", n, a, "m*n", (long) m * n, y);
    if (m > 0 && n > 0) {
      gemmNTKernel(1, m, n, alpha, x, a, y);
    }
  }

  /** {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i < n}. */
  public final void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    Shapes.checkRange("axpy", "x", x, xOff, n);
    Shapes.checkRange("axpy", "y", y, yOff, n);
    axpyKernel(n, alpha, x, xOff, y, yOff);
  }

  /**
   * The signed rectifier over a row-major {@code [rows][n]} block of pre-activations {@code s}:
   * {@code d = s > 0 ? nu[j] : 0} (the signed activity mask) and {@code o = d * s}, with
   * {@code nu[j]} the sign (+1 or -1) of column {@code j}.
   */
  public final void rectify(int rows, int n, float[] s, float[] nu, float[] o, float[] d) {
    if (rows < 0 || n < 0) {
      throw new IllegalArgumentException(
          "rectify: dimensions must be >= 0, got rows=" + rows + ", n=" + n);
    }
    int size = (int) Math.min((long) rows * n, Integer.MAX_VALUE); // longer than any array
    Shapes.checkRange("rectify", "s", s, 0, size);
    Shapes.checkRange("rectify", "nu", nu, 0, n);
    Shapes.checkRange("rectify", "o", o, 0, size);
    Shapes.checkRange("rectify", "d", d, 0, size);
    if (rows > 0 && n > 0) {
      rectifyKernel(rows, n, s, nu, o, d);
    }
  }

  /**
   * {@link #rectify} of one sample's {@code n} pre-activations and {@link #nonzeroRows} of its
   * mask in one pass: {@code d[j] = s[j] > 0 ? nu[j] : 0}, {@code o[j] = d[j] * s[j]}, and the
   * indices of the nonzero {@code d[j]} listed ascending into {@code rows}. The batch-1 forward
   * pass's step from a layer's pre-activations to the row list of the layer above: the same
   * values as the two calls, with the mask read from registers instead of memory.
   *
   * @param rows at least {@code n} long; entries past the returned count are unspecified
   * @return how many indices were listed
   */
  public final int rectifyRows(int n, float[] s, float[] nu, float[] o, float[] d, int[] rows) {
    checkRectifyRows(n, s, nu, o, d);
    Shapes.checkRowsFit("rectifyRows", rows, n);
    return n == 0 ? 0 : rectifyRowsKernel(n, s, nu, o, d, rows);
  }

  /**
   * {@link #rectifyRows(int, float[], float[], float[], float[], int[])} into a
   * {@link RowList}, which then lists rows of matrices with at least {@code n} rows.
   *
   * @return the number of active units listed, {@code rows.count()}
   */
  public final int rectifyRows(int n, float[] s, float[] nu, float[] o, float[] d,
      RowList rows) {
    checkRectifyRows(n, s, nu, o, d);
    Shapes.checkRowsFit("rectifyRows", rows, n);
    rows.count = n == 0 ? 0 : rectifyRowsKernel(n, s, nu, o, d, rows.index);
    rows.bound = n;
    return rows.count;
  }
  private static void checkRectifyRows(int n, float[] s, float[] nu, float[] o, float[] d) {
    if (n < 0) {
      throw new IllegalArgumentException("rectifyRows: n must be >= 0, got n=" + n);
    }
    Shapes.checkRange("rectifyRows", "s", s, 0, n);
    Shapes.checkRange("rectifyRows", "nu", nu, 0, n);
    Shapes.checkRange("rectifyRows", "o", o, 0, n);
    Shapes.checkRange("rectifyRows", "d", d, 0, n);
  }

  /**
   * Whether every {@code x[off + i]}, {@code i < n}, is finite (neither infinite nor NaN): the
   * check of every batch a prediction or a step is given, before anything is written (the
   * scalar loop, with its early exit, cost 1.5 us of a 90 us prediction of 256 samples).
   */
  public final boolean allFinite(float[] x, int off, int n) {
    Shapes.checkRange("allFinite", "x", x, off, n);
    return allFiniteKernel(x, off, n);
  }

  /**
   * {@code max_i |x[off + i]|} for {@code i < n}: 0 when {@code n = 0}, NaN if any element is
   * NaN, infinity if any is infinite (and none NaN). One pass both bounds and checks a vector.
   */
  public final float maxAbs(float[] x, int off, int n) {
    Shapes.checkRange("maxAbs", "x", x, off, n);
    return maxAbsKernel(x, off, n);
  }

  /**
   * {@link #maxAbs} of each row of {@code X[m][n]}: {@code max[i] = max_j |x[i * n + j]|} for
   * {@code i < m} (0 for an empty row, NaN if the row holds a NaN). The overflow guard's
   * measure of a batch's inputs, one call per layer instead of one per sample.
   *
   * @param max {@code [m]}: receives the rows' maxima
   */
  public final void maxAbsRows(int m, int n, float[] x, float[] max) {
    if (m < 0 || n < 0) {
      throw new IllegalArgumentException(
          "maxAbsRows: dimensions must be >= 0, got m=" + m + ", n=" + n);
    }
    Shapes.checkRange("maxAbsRows", "x", x, 0, Math.multiplyExact(m, n));
    Shapes.checkRange("maxAbsRows", "max", max, 0, m);
    for (int i = 0; i < m; i++) {
      max[i] = maxAbsKernel(x, i * n, n);
    }
  }

  /**
   * One sample's feedback at a layer, in place: {@code v = g[off + j] * d[off + j]}, then
   * {@code e[off + j] = v} (when {@code e} is not null: Backprop's influence, pulled next) and
   * {@code g[off + j] = beta * v}, for {@code j < n}; returns {@code max_j |g[off + j]|} after
   * the update (NaN if any is NaN), the overflow guard's measure of the feedback.
   *
   * @param d {@code [off, off + n)}: the layer's mask, {@code nu} where a unit is active, else 0
   * @param g {@code [off, off + n)}: the pulled feedback on entry, the scaled one on return
   */
  public final float maskScaleMaxAbs(int n, float beta, float[] d, float[] g, float[] e,
      int off) {
    Shapes.checkRange("maskScaleMaxAbs", "d", d, off, n);
    Shapes.checkRange("maskScaleMaxAbs", "g", g, off, n);
    if (e != null) {
      Shapes.checkRange("maskScaleMaxAbs", "e", e, off, n);
    }
    return maskScaleMaxAbsKernel(n, beta, d, g, e, off);
  }

  /**
   * Zeroes each {@code x[off + j]} ({@code j < n}) whose sign disagrees with {@code signs[j]}
   * (+1 or -1): the coherence clip of one input's weights into the units of an input-major
   * layer. NaN stays NaN.
   */
  public final void clampToSigns(float[] x, int off, int n, float[] signs) {
    Shapes.checkRange("clampToSigns", "x", x, off, n);
    Shapes.checkRange("clampToSigns", "signs", signs, 0, n);
    clampToSignsKernel(x, off, n, signs);
  }

  /**
   * {@link #clampToSigns} of every row of {@code A[m][n]}: zeroes each {@code a[i * n + j]}
   * whose sign disagrees with {@code colSigns[j]} (+1 or -1), NaN kept. The coherence clip of a
   * whole input-major layer in one call, whose rows the vector kernel finishes with a vector
   * instead of a scalar loop of compares that mispredict on half the weights.
   *
   * @param colSigns {@code [n]}: the sign of the unit each column feeds
   */
  public final void clampRowsToSigns(int m, int n, float[] a, float[] colSigns) {
    if (m < 0 || n < 0) {
      throw new IllegalArgumentException(
          "clampRowsToSigns: dimensions must be >= 0, got m=" + m + ", n=" + n);
    }
    Shapes.checkRange("clampRowsToSigns", "a", a, 0, Math.multiplyExact(m, n));
    Shapes.checkRange("clampRowsToSigns", "colSigns", colSigns, 0, n);
    if (m > 0 && n > 0) {
      clampRowsToSignsKernel(m, n, a, colSigns);
    }
  }

  protected abstract void gemmNTKernel(int m, int n, int k, float alpha, float[] a, float[] b, float[] c);

  /**
   * {@code C[m][n] += alpha * sum_p A(i, p) * B[p][n]} with {@code A(i, p) = a[i * rs + p * cs]}:
   * one kernel serves both gemmNN ({@code rs = k, cs = 1}) and gemmTN ({@code rs = 1, cs = m}).
   */
  protected abstract void gemmStridedA(
      int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b, float[] c);

  /** {@code sum_i x[xOff + i] * y[yOff + i]} for {@code i < n}: the small GEMMs' inner loop. */
  protected abstract float dotKernel(int n, float[] x, int xOff, float[] y, int yOff);

  protected abstract void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

  /** Starts from {@code b}, which may be {@code y}: see gemvTRows over a RowList. */
  protected void gemvTRowsKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] b, float[] y) {
    copyStart(b, y, n);
    for (int t = 0; t < count; t++) {
      int i = rows[t];
      float xi = x[i];
      for (int j = 0; j < n; j++) {
        y[j] = Math.fma(xi, a[i * n + j], y[j]);
      }
    }
  }

  /** gemvTRowsPair: row by row, each sample's sums in list order from b. */
  protected void gemvTRowsPairKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] b, float[] y) {
    System.arraycopy(b, 0, y, 0, n);
    System.arraycopy(b, 0, y, n, n);
    for (int t = 0; t < count; t++) {
      int i = rows[t];
      float x0 = x[i];
      float x1 = x[m + i];
      for (int j = 0; j < n; j++) {
        y[j] = Math.fma(x0, a[i * n + j], y[j]);
        y[n + j] = Math.fma(x1, a[i * n + j], y[n + j]);
      }
    }
  }

  /**
   * {@code y[0..n) = b[0..n)} unless b is y: gemvTRows' start, for the kernels that start from y
   * (the scalar loop, and the vector kernel of rows narrower than a vector).
   */
  static void copyStart(float[] b, float[] y, int n) {
    if (b != y) {
      System.arraycopy(b, 0, y, 0, n);
    }
  }

  protected void gemvRowsKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] y) {
    for (int t = 0; t < count; t++) {
      int r = rows[t];
      y[r] += dotKernel(n, a, r * n, x, 0);
    }
  }

  protected void gerRowsKernel(int m, int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    for (int t = 0; t < count; t++) {
      int i = rows[t];
      axpyKernel(n, alpha * x[i], y, 0, a, i * n); // what the scalar gemmTN does for k = 1
      if (colSigns != null) {
        clampToSignsKernel(a, i * n, n, colSigns);
      }
    }
  }

  protected void gemvGerRowsKernel(int m, int n, float[] a, int[] rows, int count, float[] v,
      float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    gemvRowsKernel(m, n, a, v, rows, count, t);
    gerRowsKernel(m, n, alpha, x, rows, count, y, a, colSigns);
  }

  /**
   * Sample {@code p}'s gemvGerRows: the one-sample kernel on copies of the sample's vectors in
   * this thread's scratch (padded), since the row kernels read from an array's start.
   */
  protected void gemvGerRowsOfSampleKernel(int m, int n, float[] a, int[] rows, int count,
      int p, float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    float[][] s = SAMPLE_SCRATCH.get();
    if (s[0].length < n + VECTOR_PAD) { // grown, never shrunk: no allocation once warm
      s[0] = new float[n + VECTOR_PAD];
      s[3] = new float[n + VECTOR_PAD];
    }
    if (s[1].length < m + VECTOR_PAD) {
      s[1] = new float[m + VECTOR_PAD];
      s[2] = new float[m + VECTOR_PAD];
    }
    System.arraycopy(v, p * n, s[0], 0, n);
    System.arraycopy(t, p * m, s[1], 0, m);
    System.arraycopy(x, p * m, s[2], 0, m);
    System.arraycopy(y, p * n, s[3], 0, n);
    gemvGerRowsKernel(m, n, a, rows, count, s[0], s[1], alpha, s[2], s[3], colSigns);
    System.arraycopy(s[1], 0, t, p * m, m);
  }

  /** Floats past a scratch vector's end: a whole 512-bit vector read from any of its entries. */
  static final int VECTOR_PAD = 16;

  /** Per thread: v, t, x and y of one sample for {@link #gemvGerRowsOfSampleKernel}. */
  private static final ThreadLocal<float[][]> SAMPLE_SCRATCH =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0],
          new float[0]});

  protected void gemmNTRowsKernel(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t) {
    for (int p = 0; p < k; p++) {
      for (int i = 0; i < count; i++) {
        int r = rows[i];
        t[p * m + r] += dotKernel(n, a, r * n, v, p * n);
      }
    }
  }

  /** The scalar kernels' dots, then per row the scalar gemmTN's {@code a += (alpha x) y}. */
  protected void gemmNTGemmTNRowsKernel(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    gemmNTRowsKernel(m, n, k, a, rows, count, v, t);
    for (int i = 0; i < count; i++) {
      int r = rows[i];
      for (int p = 0; p < k; p++) {
        axpyKernel(n, alpha * x[p * m + r], y, p * n, a, r * n);
      }
      if (colSigns != null) {
        clampToSignsKernel(a, r * n, n, colSigns);
      }
    }
  }

  protected int nonzeroColumnsKernel(int rows, int n, float[] v, int[] list) {
    return listNonzeroColumns(rows, n, v, 0, list, 0);
  }

  /**
   * Lists the shared columns into {@code shared} (returning their count) and each row's own
   * into {@code alone[p]} (counting from its {@code count}, zero on entry).
   */
  protected int splitNonzeroColumnsKernel(int rows, int n, float[] v, int[] shared,
      RowList[] alone) {
    int c = 0;
    for (int j = 0; j < n; j++) {
      int reached = 0; // rows whose entry is nonzero (its bits without the sign)
      int last = 0;
      for (int r = 0; r < rows; r++) {
        int b = Float.floatToRawIntBits(v[r * n + j]) << 1;
        int on = (b | -b) >>> 31;
        reached += on;
        last = on != 0 ? r : last;
      }
      if (reached > 1) {
        shared[c++] = j;
      } else if (reached == 1) {
        RowList own = alone[last];
        own.index[own.count++] = j;
      }
    }
    return c;
  }

  /**
   * Appends the columns {@code j} in {@code [from, n)} of {@code V[rows][n]} with a nonzero entry
   * to {@code list[c ..]}, the rows' bits (the sign dropped) or-ed and counted as
   * {@link #listNonzero} counts; returns the new count. The scalar kernel, and the vector one's
   * tail.
   */
  static int listNonzeroColumns(int rows, int n, float[] v, int from, int[] list, int c) {
    for (int j = from; j < n; j++) {
      int b = 0;
      for (int r = 0; r < rows; r++) {
        b |= Float.floatToRawIntBits(v[r * n + j]) << 1;
      }
      list[c] = j;
      c += (b | -b) >>> 31;
    }
    return c;
  }

  /**
   * Stores every index and advances past the nonzero ones by arithmetic on the bits, so that no
   * compare can become a branch mispredicted on half the units. About 300 ns for 208 entries
   * (measured): the vector path's compress is the fast one.
   */
  protected int nonzeroRowsKernel(float[] v, int n, int[] rows) {
    return listNonzero(v, 0, n, rows, 0);
  }

  /**
   * Appends the indices {@code j} in {@code [from, n)} with {@code v[j] != 0} to
   * {@code rows[c ..]}; returns the new count. The scalar kernel, and the vector one's tail.
   */
  static int listNonzero(float[] v, int from, int n, int[] rows, int c) {
    for (int j = from; j < n; j++) {
      rows[c] = j;
      int b = Float.floatToRawIntBits(v[j]) << 1; // the sign dropped: 0 for +0 and -0 only
      c += (b | -b) >>> 31;
    }
    return c;
  }

  /**
   * {@code sum_i x[xOff + i] * y[yOff + i]} in index order, a rounded product added at a time:
   * the scalar dot product, and the vector kernels' for rows too short for a vector.
   */
  static float dotScalar(int n, float[] x, int xOff, float[] y, int yOff) {
    float s = 0f;
    for (int i = 0; i < n; i++) {
      s += x[xOff + i] * y[yOff + i];
    }
    return s;
  }

  /** rectify; with {@code d == null} (from gemmNNRectifyOutput) O only. */
  protected void rectifyKernel(int rows, int n, float[] s, float[] nu, float[] o, float[] d) {
    for (int i = 0; i < rows * n; i++) {
      float on = s[i] > 0f ? nu[i % n] : 0f;
      if (d != null) {
        d[i] = on;
      }
      o[i] = on * s[i];
    }
  }

  protected int rectifyRowsKernel(int n, float[] s, float[] nu, float[] o, float[] d,
      int[] rows) {
    rectifyKernel(1, n, s, nu, o, d);
    return nonzeroRowsKernel(d, n, rows);
  }

  protected boolean allFiniteKernel(float[] x, int off, int n) {
    for (int i = off; i < off + n; i++) {
      if (!Float.isFinite(x[i])) {
        return false;
      }
    }
    return true;
  }

  protected float maskScaleMaxAbsKernel(int n, float beta, float[] d, float[] g, float[] e,
      int off) {
    float max = 0f;
    for (int j = off; j < off + n; j++) {
      float v = g[j] * d[j];
      if (e != null) {
        e[j] = v;
      }
      g[j] = beta * v;
      max = Math.max(max, Math.abs(g[j]));
    }
    return max;
  }

  protected float maxAbsKernel(float[] x, int off, int n) {
    float m = 0f;
    for (int i = off; i < off + n; i++) {
      m = Math.max(m, Math.abs(x[i])); // Math.max keeps a NaN
    }
    return m;
  }

  protected void clampRowsToSignsKernel(int m, int n, float[] a, float[] colSigns) {
    for (int i = 0; i < m; i++) {
      clampToSignsKernel(a, i * n, n, colSigns);
    }
  }

  protected void clampToSignsKernel(float[] x, int off, int n, float[] signs) {
    clampToSignsScalar(x, off, n, signs);
  }

  /** The scalar clamp: the scalar kernel, and the vector kernels' for rows done lane by lane. */
  static void clampToSignsScalar(float[] x, int off, int n, float[] signs) {
    clampToSignsScalar(x, off, n, signs, 0);
  }

  /** {@code x[off..off+n)} clamped to {@code signs[from..from+n)}. */
  static void clampToSignsScalar(float[] x, int off, int n, float[] signs, int from) {
    for (int j = 0; j < n; j++) {
      // NaN compares false and is kept, so a divergence is still detected
      if (x[off + j] * signs[from + j] < 0f) {
        x[off + j] = 0f;
      }
    }
  }
}
