package dev.kickback.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * A run at an emulated width ({@code ./kickback test-lanes N}) really ran at that width: the
 * launcher passes {@code -Dkickback.expect.lanes=N}, and the vector kernels must have that many
 * float lanes. Without the property (the everyday run) there is nothing to check.
 */
class LaneCountTest {
  @Test
  void theVectorKernelsRunAtTheRequestedWidth() {
    String expected = System.getProperty("kickback.expect.lanes");
    assumeTrue(expected != null && !expected.isEmpty(), "no width requested");
    assertEquals(Integer.parseInt(expected), Kernels.vector().map(v -> Kernels.lanes())
        .orElseThrow(() -> new AssertionError("vector kernels unavailable: "
            + Kernels.vectorUnavailableReason().orElse(""))));
  }
}
