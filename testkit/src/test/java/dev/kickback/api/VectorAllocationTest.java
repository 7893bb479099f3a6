package dev.kickback.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link AllocationCheck} on the vector paths, in a JVM that runs no scalar kernel. */
class VectorAllocationTest {
  @ParameterizedTest(name = "{0} {1} batch {2}")
  @CsvSource({"vector, paper, 8", "vector, packed, 64", "vector2t, packed, 64"})
  void stepsAndPredictionsDoNotAllocate(String path, String shape, int maxBatch) {
    AllocationCheck.assertNoneOnceWarm(Paths.get(path), shape, maxBatch);
  }
}
