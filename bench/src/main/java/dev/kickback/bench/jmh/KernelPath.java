package dev.kickback.bench.jmh;

import dev.kickback.bench.OpenBlasKernelOps;
import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import java.util.Locale;

/**
 * The kernel path a benchmark runs on: ours (vector, scalar), OpenBLAS through the same
 * primitives, and the two-thread variants that split one step's large GEMMs over both cores.
 */
public enum KernelPath {
  VECTOR(1),
  SCALAR(1),
  OPENBLAS(1),
  VECTOR2T(2),
  OPENBLAS2T(2);

  private final int threads;

  KernelPath(int threads) {
    this.threads = threads;
  }

  /** Cores one operation uses. */
  public int threads() {
    return threads;
  }

  /** The OpenBLAS path with the same thread count: the peer a ratio is taken against. */
  public KernelPath peer() {
    return threads == 2 ? OPENBLAS2T : OPENBLAS;
  }

  /** The name in reports and on the command line ({@code -p path=VECTOR}), lower case. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The primitives; fails with the reason when the vector kernels cannot load. */
  public KernelOps ops() {
    return switch (this) {
      case VECTOR -> Kernels.vector().orElseThrow(() -> unavailable());
      case VECTOR2T -> TwoThreads.VECTOR;
      case SCALAR -> Kernels.scalar();
      case OPENBLAS -> OpenBlasKernelOps.INSTANCE;
      case OPENBLAS2T -> OpenBlasKernelOps.threads(2);
    };
  }

  private IllegalStateException unavailable() {
    return new IllegalStateException(label() + " path requested but "
        + Kernels.vectorUnavailableReason().orElse("the vector kernels are unavailable"));
  }

  /** One shared two-thread instance: each instance owns a helper thread. */
  private static final class TwoThreads {
    static final KernelOps VECTOR = Kernels.vector(2).orElseThrow(VECTOR2T::unavailable);
  }
}
