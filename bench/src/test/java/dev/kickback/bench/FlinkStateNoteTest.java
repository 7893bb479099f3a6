package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's note on FlinkStateBench's state sizes: one entry per backend, over its forks. */
class FlinkStateNoteTest {
  @Test
  void forksOfOneBackendAreOneCheckpointWeightedMean() {
    // backend, network, keys, checkpoints, mean state bytes, mean bytes written
    String note = BenchSuite.flinkStateNote(List.of(
        "hashmap\tsmall\t10000\t20\t50000000\t50000000",
        "hashmap\tsmall\t10000\t30\t60000000\t60000000",
        "rocksdb\tsmall\t10000\t10\t80000000\t30000000"));
    assertEquals("Flink state at FlinkStateBench's checkpoints: hashmap, 10000 keys of the small"
        + " network: 56.0 MB of state, 56.0 MB written per checkpoint (mean of 50 checkpoints);"
        + " rocksdb, 10000 keys of the small network: 80.0 MB of state, 30.0 MB written per"
        + " checkpoint (mean of 10 checkpoints).", note);
    assertNull(BenchSuite.flinkStateNote(List.of()));
  }
}
