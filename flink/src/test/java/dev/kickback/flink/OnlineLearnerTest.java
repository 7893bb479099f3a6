package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The learner in a MiniCluster against the same learning in a plain loop on the trainer. */
class OnlineLearnerTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "micro-batch {0}")
  @ValueSource(ints = {1, 4})
  void everyKeyLearnsExactlyAsThePlainLoop(int batch) throws Exception {
    LearnerConfig c = TestStreams.config().batch(batch).every(50, 0);
    TestStreams.Records records = new TestStreams.Records(5);
    long n = 1003; // 200 or 201 per key: the last micro-batches are partial
    String run = "plain-" + batch;
    TestStreams.learn(dir, 2, records, n, c, run);

    Map<String, ModelSnapshot> got = TestStreams.checkedModels(records, n, c, run);
    got.forEach((k, s) -> assertEquals(k.equals("k0") || k.equals("k1") || k.equals("k2")
        ? 201 : 200, s.samples(), k));

    List<Prediction> predictions = TestStreams.sunk(run + "-predictions");
    assertEquals(n, predictions.size());
    for (Prediction p : predictions) {
      // each sample is predicted by the model before the step that trains on it
      assertEquals(p.seq() / 5 / batch, p.modelVersion(), "record " + p.seq());
      assertEquals(TestStreams.sample(p.seq(), 5).y(), p.target());
    }
    List<NmseReport> reports = TestStreams.sunk(run + "-nmse");
    // 4 reports per key at 50, 100, 150, 200 samples, and k0..k2's last one at 201
    assertEquals(5 * 4 + 3, reports.size());
    for (NmseReport r : reports) {
      assertTrue(r.nmse() > 0 && r.nmse() < 3, r.toString());
    }
  }

  @Test
  void badRecordsAreRejectedWithTheirReasonAndTheJobGoesOn() throws Exception {
    LearnerConfig c = TestStreams.config();
    TestStreams.Records records = new TestStreams.Records(3);
    records.replaced.put(10L, Sample.labeled("k1", 10, new float[5], 1f));
    float[] nan = TestStreams.sample(11, 3).x().clone();
    nan[2] = Float.NaN;
    records.replaced.put(11L, Sample.labeled("k2", 11, nan, 1f));
    records.replaced.put(12L, Sample.labeled("k0", 12, TestStreams.sample(12, 3).x(),
        Float.POSITIVE_INFINITY));
    float[] inf = TestStreams.sample(13, 3).x().clone();
    inf[0] = Float.NEGATIVE_INFINITY;
    records.replaced.put(13L, Sample.labeled("k1", 13, inf, 1f));
    float[] huge = new float[TestStreams.WIDTH]; // finite, but its step overflows
    java.util.Arrays.fill(huge, 1e30f);
    records.replaced.put(14L, Sample.labeled("k2", 14, huge, 1f));
    records.replaced.put(15L, Sample.query("k9", 15, new float[TestStreams.WIDTH]));
    long n = 300;
    TestStreams.learn(dir, 2, records, n, c, "bad");

    Map<Long, String> why = new java.util.TreeMap<>();
    for (Rejected r : TestStreams.<Rejected>sunk("bad-rejected")) {
      why.put(r.seq(), r.reason());
    }
    assertEquals(List.of(10L, 11L, 12L, 13L, 14L, 15L), List.copyOf(why.keySet()),
        why::toString);
    assertEquals(Map.of(
        10L, "x has 5 values, expected 6",
        11L, "x[2] is NaN",
        12L, "y is Infinity",
        13L, "x[0] is -Infinity",
        14L, why.get(14L),
        15L, "no model yet: the key has had no valid labeled sample"), why);
    assertTrue(why.get(14L).startsWith("the training step diverged (")
        && why.get(14L).endsWith("); the model was rolled back"), why.get(14L));

    // the models are those of the plain loop, which skips the same records
    Map<String, ModelSnapshot> got = TestStreams.checkedModels(records, n, c, "bad");
    // k0 lost 12 (rejected) and 15 (replaced by the query); k1 10 and 13; k2 11 and 14
    assertEquals(100 - 2, got.get("k0").samples());
    assertEquals(100 - 2, got.get("k1").samples());
    assertEquals(100 - 2, got.get("k2").samples());
  }

  @Test
  void aQueryIsPredictedAndNotTrainedOn() throws Exception {
    LearnerConfig c = TestStreams.config();
    TestStreams.Records records = new TestStreams.Records(2);
    for (long i = 100; i < 110; i++) {
      Sample s = TestStreams.sample(i, 2);
      records.replaced.put(i, Sample.query(s.key(), i, s.x()));
    }
    long n = 200;
    TestStreams.learn(dir, 1, records, n, c, "query");

    Map<String, ModelSnapshot> got = TestStreams.checkedModels(records, n, c, "query");
    assertEquals(95, got.get("k0").samples());
    for (Prediction p : TestStreams.<Prediction>sunk("query-predictions")) {
      if (p.seq() >= 100 && p.seq() < 110) {
        assertNull(p.target(), "query " + p.seq());
        assertEquals(50, p.modelVersion(), "query " + p.seq());
      }
    }
  }

  @Test
  void anIdleKeyTtlGivesTheStateATimeToLive() {
    LearnerConfig c = TestStreams.config();
    assertFalse(OnlineLearner.stateDescriptor(c).getTtlConfig().isEnabled());
    var ttl = OnlineLearner.stateDescriptor(c.idleKeyTtl(java.time.Duration.ofHours(6)))
        .getTtlConfig();
    assertTrue(ttl.isEnabled());
    assertEquals(java.time.Duration.ofHours(6), ttl.getTimeToLive());
    assertEquals(org.apache.flink.api.common.state.StateTtlConfig.StateVisibility
        .NeverReturnExpired, ttl.getStateVisibility());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> c.idleKeyTtl(java.time.Duration.ZERO));
    assertEquals("idleKeyTtl PT0S: must be positive (null: keys never expire)", e.getMessage());
  }
}
