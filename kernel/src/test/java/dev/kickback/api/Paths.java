package dev.kickback.api;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;

/** Kernel paths by name, for parameterized tests; "vector" is skipped where it cannot load. */
final class Paths {
  private Paths() {}

  static final String[] NAMES = {"scalar", "vector"};

  static KernelOps get(String name) {
    if (name.equals("scalar")) {
      return Kernels.scalar();
    }
    assumeTrue(Kernels.vector().isPresent(),
        () -> "vector kernels unavailable: " + Kernels.vectorUnavailableReason().orElse(""));
    return Kernels.vector().get();
  }
}
