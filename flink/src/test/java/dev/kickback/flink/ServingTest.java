package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.api.Network;
import dev.kickback.io.ModelFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning while serving: snapshots every 10 steps, broadcast to a parallel server. */
class ServingTest {
  @TempDir
  Path dir;

  @Test
  void everyServedPredictionIsThatOfTheSnapshotVersionItReports() throws Exception {
    int keys = 4;
    LearnerConfig c = TestStreams.config().every(1000, 10);
    TestStreams.Records samples = new TestStreams.Records(keys);
    TestStreams.Records queries = new TestStreams.Records(keys);
    queries.queries = true;
    StreamExecutionEnvironment env = TestStreams.env(2, dir, null);
    KickbackStreams.Learning l = KickbackStreams.learn(
        TestStreams.source(env, samples, 4000, 4000, "samples"), c);
    SingleOutputStreamOperator<Served> served = KickbackStreams.serve(
        TestStreams.source(env, queries, 2000, 2000, "queries").rebalance(), l.snapshots());
    served.setParallelism(2);
    served.sinkTo(TestStreams.sink("served"));
    served.getSideOutput(OnlineLearner.REJECTED).sinkTo(TestStreams.sink("served-rejected"));
    l.snapshots().sinkTo(TestStreams.sink("served-models"));
    env.execute();

    Map<String, Map<Long, Network>> published = new HashMap<>();
    for (ModelSnapshot s : TestStreams.<ModelSnapshot>sunk("served-models")) {
      published.computeIfAbsent(s.key(), k -> new TreeMap<>())
          .put(s.version(), ModelFile.decode(s.model()).network());
    }
    List<Served> answers = TestStreams.sunk("served");
    List<Rejected> rejected = TestStreams.sunk("served-rejected");
    assertEquals(2000, answers.size() + rejected.size());
    for (Rejected r : rejected) {
      assertEquals("no snapshot of this key has reached the server yet", r.reason());
    }
    assertTrue(answers.size() > 1000, answers.size() + " of 2000 queries served");
    Map<String, long[]> versions = new TreeMap<>();
    for (Served a : answers) {
      Network net = published.get(a.key()).get(a.modelVersion());
      assertNotNull(net, a + ": no such snapshot was published");
      assertEquals(0, a.modelVersion() % 10, a.toString());
      float expected = net.predict(TestStreams.sample(a.seq(), keys).x())[0];
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(a.prediction()),
          a.toString());
      versions.merge(a.key(), new long[] {a.modelVersion(), a.modelVersion()},
          (x, y) -> new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
    }
    // the server followed the learner: each key was served by several versions
    assertEquals(keys, versions.size());
    versions.forEach((k, v) -> assertTrue(v[1] - v[0] >= 100, k + " served versions " + v[0]
        + " to " + v[1]));
  }
}
