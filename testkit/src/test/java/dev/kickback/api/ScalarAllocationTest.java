package dev.kickback.api;

import org.junit.jupiter.api.Test;

/** {@link AllocationCheck} on the scalar path, in a JVM of its own. */
class ScalarAllocationTest {
  @Test
  void paperStepsAndPredictionsDoNotAllocate() {
    AllocationCheck.assertNoneOnceWarm(Paths.get("scalar"), "paper", 8);
  }
}
