package dev.kickback.kernels;

/**
 * Dense FP32 primitives over row-major {@code float[]} matrices with natural strides (the
 * leading dimension of an {@code [r][c]} matrix is {@code c}). Every operation accumulates into
 * its output, like BLAS with {@code beta = 1}: callers that want an overwrite zero the output
 * first. Arrays may be longer than the shape needs (workspaces are sized for the largest batch);
 * only the leading {@code rows * cols} elements are read or written.
 *
 * <p>Two implementations ship: {@link Kernels#scalar()}, the plain-Java reference, and a Vector
 * API implementation available through {@link Kernels#vector()} when {@code jdk.incubator.vector}
 * is readable. {@link Kernels#ops()} is the one chosen for this JVM. Implementations are
 * thread-safe. They allocate nothing per call: the vector path's large GEMMs use per-thread
 * pack buffers (about 1.1 MB) created on a thread's first such call and reused after.
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

  /** Short name for logs and benchmark parameters: {@code "scalar"} or {@code "vector"}. */
  public abstract String name();

  /**
   * {@code C[m][n] += alpha * A[m][k] * B[n][k]^T}: each output is a dot product of a row of A
   * with a row of B. The forward pass uses it with A = activations, B = weights.
   */
  public final void gemmNT(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    Shapes.checkGemm("gemmNT", m, n, k, a, "m*k", (long) m * k, b, "n*k", (long) n * k, c);
    if (m > 0 && n > 0 && k > 0) {
      gemmNTKernel(m, n, k, alpha, a, b, c);
    }
  }

  /**
   * {@code C[m][n] += alpha * A[m][k] * B[k][n]}. The feedback pass uses it to pull a signal
   * through the next layer's weights: {@code T[B][n_l] = S[B][n_l+1] * W[n_l+1][n_l]}.
   */
  public final void gemmNN(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    Shapes.checkGemm("gemmNN", m, n, k, a, "m*k", (long) m * k, b, "k*n", (long) k * n, c);
    if (m > 0 && n > 0 && k > 0) {
      gemmStridedA(m, n, k, alpha, a, k, 1, b, c);
    }
  }

  /**
   * {@code C[m][n] += alpha * A[k][m]^T * B[k][n]}: a rank-k update. The weight update uses it:
   * {@code W[n_out][n_in] += (eta / B) * G[B][n_out]^T * X[B][n_in]}.
   */
  public final void gemmTN(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    Shapes.checkGemm("gemmTN", m, n, k, a, "k*m", (long) k * m, b, "k*n", (long) k * n, c);
    if (m > 0 && n > 0 && k > 0) {
      gemmStridedA(m, n, k, alpha, a, 1, m, b, c);
    }
  }

  /**
   * Rank-1 update {@code A[i][j] += alpha * (x[i] * y[j])} over the rows with {@code x[i] != 0},
   * each such row then clamped like {@link #clampToSign} to the sign of {@code rowSigns[i]} when
   * {@code rowSigns} is not null. Rows with {@code x[i] == 0} are not touched at all: the
   * batch-1 weight update, where x is the feedback of a layer and inactive units have none, in
   * one pass over the rows it changes. On the rows it changes, the bits equal those of the same
   * implementation's {@code gemmTN(m, n, 1, alpha, x, y, a)} followed by the clamp.
   *
   * @param rowSigns null, or {@code [m]} values +1 or -1
   */
  public final void ger(int m, int n, float alpha, float[] x, float[] y, float[] a,
      float[] rowSigns) {
    Shapes.checkGemm("ger", m, n, 1, x, "m", m, y, "n", n, a);
    if (rowSigns != null) {
      Shapes.checkRange("ger", "rowSigns", rowSigns, 0, m);
    }
    if (m > 0 && n > 0) {
      gerKernel(m, n, alpha, x, y, a, rowSigns);
    }
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
   * {@code max_i |x[off + i]|} for {@code i < n}: 0 when {@code n = 0}, NaN if any element is
   * NaN, infinity if any is infinite (and none NaN). One pass both bounds and checks a vector.
   */
  public final float maxAbs(float[] x, int off, int n) {
    Shapes.checkRange("maxAbs", "x", x, off, n);
    return maxAbsKernel(x, off, n);
  }

  /**
   * Clamps {@code x[off .. off + n)} to the sign {@code positive ? [0, +inf) : (-inf, 0]}: the
   * coherence clip of the weights into one unit. NaN stays NaN.
   */
  public final void clampToSign(float[] x, int off, int n, boolean positive) {
    Shapes.checkRange("clampToSign", "x", x, off, n);
    clampToSignKernel(x, off, n, positive);
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

  protected void gerKernel(int m, int n, float alpha, float[] x, float[] y, float[] a,
      float[] rowSigns) {
    for (int i = 0; i < m; i++) {
      float xi = x[i];
      if (xi == 0f) {
        continue;
      }
      axpyKernel(n, alpha * xi, y, 0, a, i * n); // what the scalar gemmTN does for k = 1
      if (rowSigns != null) {
        clampToSignKernel(a, i * n, n, rowSigns[i] > 0);
      }
    }
  }

  protected void rectifyKernel(int rows, int n, float[] s, float[] nu, float[] o, float[] d) {
    for (int i = 0; i < rows * n; i++) {
      float on = s[i] > 0f ? nu[i % n] : 0f;
      d[i] = on;
      o[i] = on * s[i];
    }
  }

  protected float maxAbsKernel(float[] x, int off, int n) {
    float m = 0f;
    for (int i = off; i < off + n; i++) {
      m = Math.max(m, Math.abs(x[i])); // Math.max keeps a NaN
    }
    return m;
  }

  protected void clampToSignKernel(float[] x, int off, int n, boolean positive) {
    for (int i = off; i < off + n; i++) {
      // NaN compares false both ways and is kept, so a divergence is still detected
      if (positive ? x[i] < 0f : x[i] > 0f) {
        x[i] = 0f;
      }
    }
  }
}
