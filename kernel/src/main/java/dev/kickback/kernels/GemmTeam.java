package dev.kickback.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits one packed GEMM over a fixed team of threads by columns of C: the caller computes the
 * first range, daemon helpers the others. Ranges are whole NR-column slivers, and
 * {@link PanamaPackedGemm} computes every element the same way whatever range holds it, so the
 * result is bitwise the single-threaded one however the columns are shared out.
 *
 * <p>That freedom is used: the ranges are sized by each thread's measured speed (slivers per
 * nanosecond, smoothed over calls) rather than split evenly. On this 2-vCPU VM a second
 * FMA-bound thread slows the pair (measured: one GEMM alone 110 GFLOP/s on either core, two at
 * once about 105 and 70), and an even split left the caller waiting a third of the time.
 *
 * <p>Hand-off without allocation or locks: the caller writes the job's fields, then a volatile
 * sequence number; a helper spins on it for a while (a training step calls GEMMs back to back)
 * and then parks. If another thread is already using the team, the call runs alone on its
 * caller: the same bits, just slower.
 */
final class GemmTeam {
  /** About 50 us of spinning before a helper parks: a step's gaps between GEMMs are shorter. */
  private static final int SPINS = 1 << 15;

  private final Helper[] helpers;
  private final AtomicBoolean busy = new AtomicBoolean();
  /** Per part, smoothed slivers per nanosecond; only the caller, holding {@code busy}, writes. */
  private final double[] speed;
  /** Per part, the first column of this call's range; {@code starts[threads] = n}. */
  private final int[] starts;
  private final long[] elapsed;

  // the job, written by the caller before it publishes a new sequence number
  private int m, n, k, ars, acs, brs, bcs;
  private float alpha;
  private float[] a, b, c, signs;

  GemmTeam(int threads) {
    helpers = new Helper[threads - 1];
    speed = new double[threads];
    java.util.Arrays.fill(speed, 1.0 / threads);
    starts = new int[threads + 1];
    elapsed = new long[threads];
    for (int t = 0; t < helpers.length; t++) {
      helpers[t] = new Helper(t + 1);
    }
  }

  int threads() {
    return helpers.length + 1;
  }

  /** Shares the slivers of {@code n} columns out in proportion to each part's speed. */
  private void planRanges(int n) {
    int slivers = (n + PanamaPackedGemm.NR - 1) / PanamaPackedGemm.NR;
    double total = 0;
    for (double v : speed) {
      total += v;
    }
    double cumulative = 0;
    starts[0] = 0;
    for (int t = 1; t < speed.length; t++) {
      cumulative += speed[t - 1];
      int sliver = (int) Math.round(slivers * cumulative / total);
      starts[t] = Math.max(starts[t - 1], Math.min(n, sliver * PanamaPackedGemm.NR));
    }
    starts[speed.length] = n;
  }

  /**
   * Folds this call's timings into the speeds, both as shares summing to 1 (shapes differ from
   * call to call; only the ratios carry over): half old, half new. A part given no columns
   * keeps its share.
   */
  private void learnSpeeds() {
    double total = 0;
    for (int t = 0; t < speed.length; t++) {
      int cols = starts[t + 1] - starts[t];
      if (cols == 0 || elapsed[t] <= 0) {
        return;
      }
      total += cols / (double) elapsed[t];
    }
    for (int t = 0; t < speed.length; t++) {
      double now = (starts[t + 1] - starts[t]) / (double) elapsed[t] / total;
      speed[t] = 0.5 * speed[t] + 0.5 * now;
    }
  }

  /**
   * Runs the GEMM split over the team, or alone if the team is busy; with {@code signs}
   * non-null each output clamped to its column's sign as {@link PanamaPackedGemm} clamps it.
   */
  void gemm(int m, int n, int k, float alpha, float[] a, int ars, int acs, float[] b, int brs,
      int bcs, float[] c, float[] signs) {
    if (!busy.compareAndSet(false, true)) {
      PanamaPackedGemm.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, 0, n, signs);
      return;
    }
    try {
      this.m = m;
      this.n = n;
      this.k = k;
      this.alpha = alpha;
      this.a = a;
      this.ars = ars;
      this.acs = acs;
      this.b = b;
      this.brs = brs;
      this.bcs = bcs;
      this.c = c;
      this.signs = signs;
      planRanges(n);
      for (Helper h : helpers) {
        h.post();
      }
      long t0 = System.nanoTime();
      PanamaPackedGemm.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, 0, starts[1], signs);
      elapsed[0] = System.nanoTime() - t0;
      Throwable failure = null;
      for (Helper h : helpers) {
        Throwable f = h.awaitDone();
        if (failure == null) {
          failure = f;
        }
      }
      if (failure != null) {
        throw new IllegalStateException("GEMM helper thread failed", failure);
      }
      learnSpeeds();
    } finally {
      this.a = this.b = this.c = this.signs = null; // no references kept to the caller's arrays
      busy.set(false);
    }
  }

  private final class Helper implements Runnable {
    private final int part;
    private final Thread thread;
    private volatile long posted;
    private volatile long done;
    private volatile Throwable failure;

    Helper(int part) {
      this.part = part;
      thread = new Thread(this, "kickback-gemm-" + part);
      thread.setDaemon(true);
      thread.start();
    }

    void post() {
      posted = posted + 1;
      LockSupport.unpark(thread);
    }

    Throwable awaitDone() {
      long want = posted;
      while (done != want) {
        Thread.onSpinWait();
      }
      Throwable f = failure;
      failure = null;
      return f;
    }

    @Override
    public void run() {
      long seen = 0;
      while (true) {
        int spins = 0;
        while (posted == seen) {
          if (++spins < SPINS) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
        }
        seen = posted;
        try {
          long t0 = System.nanoTime();
          PanamaPackedGemm.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, starts[part],
              starts[part + 1], signs);
          elapsed[part] = System.nanoTime() - t0;
        } catch (Throwable t) {
          failure = t;
        }
        done = seen;
      }
    }
  }
}
