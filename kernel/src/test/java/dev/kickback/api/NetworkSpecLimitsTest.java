package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Sizes a network or its model file cannot hold are refused before anything is allocated. */
class NetworkSpecLimitsTest {
  @Test
  void parameterCountsThatOverflowOrExceedTheLimitAreRefusedNamingTheCount() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(21).hidden(50000, 50000).build());
    assertEquals("a network of 21 inputs and hidden widths [50000, 50000] has 2501250002"
        + " parameters: at most 268435456 (1 GiB of floats) are allowed", e.getMessage());
    // 100000 x 100000 overflows an int: counted in long, refused the same way
    e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(1).hidden(100000, 100000).build());
    assertEquals("a network of 1 inputs and hidden widths [100000, 100000] has 10000500002"
        + " parameters: at most 268435456 (1 GiB of floats) are allowed", e.getMessage());
  }

  @Test
  void widthsAndDepthsBeyondTheModelFormatAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(2).hidden(3, (1 << 20) + 1).build());
    assertEquals("hidden[1] = 1048577: widths must be at most 1048576 (the model file"
        + " format's limit)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.builder(1 << 21));
    assertEquals("inputWidth = 2097152: must be in [1, 1048576]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(2).hidden(new int[65]).build());
    assertEquals("hidden[0] = 0: widths must be >= 1", e.getMessage());
    int[] deep = new int[65];
    java.util.Arrays.fill(deep, 2);
    e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(2).hidden(deep).build());
    assertEquals("65 hidden layers: at most 64 (the model file format's limit)", e.getMessage());
  }

  @Test
  void shapesWithinTheLimitsStillBuild() {
    int[] deep = new int[64];
    java.util.Arrays.fill(deep, 2);
    assertEquals(64, NetworkSpec.builder(2).hidden(deep).build().hiddenLayers());
    assertEquals(209_715_802L,
        NetworkSpec.builder(1 << 20).hidden(200).build().parameterCount());
  }
}
