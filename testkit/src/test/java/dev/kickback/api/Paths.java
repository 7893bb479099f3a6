package dev.kickback.api;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;

/**
 * Kernel paths by name, for parameterized tests; "vector" and "vector2t" (large GEMMs split over
 * two threads) are skipped where the vector kernels cannot load.
 */
final class Paths {
  private Paths() {}

  static final String[] NAMES = {"scalar", "vector"};

  static KernelOps get(String name) {
    if (name.equals("scalar")) {
      return Kernels.scalar();
    }
    assumeTrue(Kernels.vector().isPresent(),
        () -> "vector kernels unavailable: " + Kernels.vectorUnavailableReason().orElse(""));
    return name.equals("vector2t") ? TwoThreads.OPS : Kernels.vector().get();
  }

  /** One two-thread instance for all tests: each instance owns a helper thread. */
  private static final class TwoThreads {
    static final KernelOps OPS = Kernels.vector(2).orElseThrow();
  }
}
