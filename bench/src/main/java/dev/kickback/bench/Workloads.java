package dev.kickback.bench;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.NetworkSpec;
import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import java.util.SplittableRandom;

/** The named kernel paths and network shapes the benchmarks and the report share. */
public final class Workloads {
  private Workloads() {}

  /**
   * A kernel path by name: vector, scalar or openblas, or vector2t / openblas2t for the same on
   * two threads (one step's GEMMs split across both cores).
   */
  public static KernelOps path(String name) {
    return switch (name) {
      case "vector2t" -> TwoThreads.VECTOR;
      case "openblas2t" -> OpenBlasKernelOps.threads(2);
      case "scalar" -> Kernels.scalar();
      case "vector" -> Kernels.vector().orElseThrow(() -> new IllegalStateException(
          "vector path requested but " + Kernels.vectorUnavailableReason().orElse("unavailable")));
      case "openblas" -> OpenBlasKernelOps.INSTANCE;
      default -> throw new IllegalArgumentException(
          "path = " + name + ": expected vector, scalar, openblas, vector2t or openblas2t");
    };
  }

  /** Threads used by a path: 2 for the *2t paths, else 1. */
  public static int threadsOf(String path) {
    return path.endsWith("2t") ? 2 : 1;
  }

  /** One shared two-thread instance: each instance owns a helper thread. */
  private static final class TwoThreads {
    static final KernelOps VECTOR = Kernels.vector(2).orElseThrow(() -> new IllegalStateException(
        "vector2t path requested but "
            + Kernels.vectorUnavailableReason().orElse("unavailable")));
  }

  /**
   * A network shape by name: {@code paper} is 21 -> 200 -> 100 -> 10 -> PAIR, {@code wide} is
   * 1024 -> 1024 -> 1024 -> 1024 -> PAIR; both COHERENT, the configuration Kickback is for.
   */
  public static NetworkSpec network(String shape) {
    return switch (shape) {
      case "paper" -> NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
      case "wide" -> NetworkSpec.builder(1024).hidden(1024, 1024, 1024).head(Head.PAIR)
          .coherence(Coherence.COHERENT).build();
      default -> throw new IllegalArgumentException(
          "shape = " + shape + ": expected paper or wide");
    };
  }

  /** FLOPs of one forward pass per sample: 2 per weight. */
  public static double forwardFlops(NetworkSpec spec) {
    return spec.forwardFlopsPerSample();
  }

  /**
   * Useful FLOPs of one training step per sample, the same for both rules: forward (2 per
   * weight), pulling feedback through every layer above the first (2 per weight) and the weight
   * update (2 per weight). Element-wise work and the bias update are not counted.
   */
  public static double stepFlops(NetworkSpec spec) {
    return 3.0 * spec.forwardFlopsPerSample() - 2.0 * spec.weightCount(0);
  }

  /** Standard-normal floats, seeded. */
  public static float[] gaussian(long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
