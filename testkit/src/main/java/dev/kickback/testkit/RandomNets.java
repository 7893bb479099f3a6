package dev.kickback.testkit;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.NetworkSpec;
import java.util.SplittableRandom;

/** Random small topologies and inputs for property tests. */
public final class RandomNets {
  private RandomNets() {}

  public static NetworkSpec spec(SplittableRandom rnd, Head head, Coherence coherence, int depth,
      int maxWidth) {
    int[] hidden = new int[depth];
    int[][] signs = new int[depth][];
    for (int l = 0; l < depth; l++) {
      hidden[l] = 1 + rnd.nextInt(maxWidth);
      signs[l] = new int[hidden[l]];
      for (int j = 0; j < hidden[l]; j++) {
        signs[l][j] = rnd.nextBoolean() ? 1 : -1;
      }
    }
    return NetworkSpec.builder(1 + rnd.nextInt(maxWidth)).hidden(hidden).signs(signs)
        .head(head).coherence(coherence).build();
  }

  /** Standard-normal floats from a fresh generator seeded with {@code seed}. */
  public static float[] gaussian(long seed, int n) {
    return gaussian(new SplittableRandom(seed), n);
  }

  /** Standard-normal floats. */
  public static float[] gaussian(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
