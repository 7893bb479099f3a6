package dev.kickback.bench;

import java.util.SplittableRandom;

/** Seeded inputs the benchmarks share. */
public final class Workloads {
  private Workloads() {}

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
