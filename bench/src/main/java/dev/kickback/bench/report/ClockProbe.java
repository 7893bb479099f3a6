package dev.kickback.bench.report;

/**
 * Measures the core clock from a dependent chain of integer operations: each iteration of
 * {@code x = (x + C) ^ (x >>> 1)} waits for the previous one and takes two single-cycle ALU
 * operations on its critical path (add and shift in parallel, then xor), so the loop runs at 2
 * cycles per iteration whatever the compiler unrolls. The best of several timings is the clock
 * while the core is busy, turbo included; it is not read from /proc.
 */
public final class ClockProbe {
  private static final long ITERATIONS = 200_000_000L;

  private ClockProbe() {}

  /** Cycles per second, best of {@code repeats} timings after a warm-up. */
  public static double measureHz(int repeats) {
    long sink = chain(1, ITERATIONS / 10); // warm up and compile
    double best = 0;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      sink ^= chain(sink, ITERATIONS);
      long t1 = System.nanoTime();
      best = Math.max(best, 2.0 * ITERATIONS / ((t1 - t0) * 1e-9));
    }
    if (sink == 42) { // keeps the chain alive; practically never true
      System.out.print("");
    }
    return best;
  }

  private static long chain(long x, long n) {
    for (long i = 0; i < n; i++) {
      x = (x + 0x9E3779B97F4A7C15L) ^ (x >>> 1);
    }
    return x;
  }

  public static void main(String[] args) {
    System.out.printf("%.3f GHz%n", measureHz(5) / 1e9);
  }
}
