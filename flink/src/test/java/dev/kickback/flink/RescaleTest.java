package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A savepoint taken at parallelism 2, in the middle of the stream, restored at 1 and at 3: every
 * key's model comes back as it was, training goes on, and every key ends as in one
 * uninterrupted run.
 */
class RescaleTest {
  static final int KEYS = 7;
  static final long N = 6000;
  static final LearnerConfig CONFIG = TestStreams.config();
  static final TestStreams.Records RECORDS = new TestStreams.Records(KEYS);

  @TempDir
  static Path dir;
  static String savepoint;
  static List<Prediction> before;

  @BeforeAll
  static void runAtParallelism2UntilASavepoint() throws Exception {
    StreamExecutionEnvironment env = TestStreams.env(2, dir.resolve("p2"), null);
    KickbackStreams.Learning l = KickbackStreams.learn(
        TestStreams.source(env, RECORDS, N, 1500, "samples"), CONFIG); // 4 s in all
    l.predictions().sinkTo(TestStreams.sink("rescale-before"));
    JobClient job = env.executeAsync();
    while (TestStreams.SINKS.get("rescale-before").size() < N / 4) {
      Thread.sleep(20);
    }
    savepoint = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
        SavepointFormatType.CANONICAL).get();
    job.getJobExecutionResult().get();
    before = TestStreams.sunk("rescale-before");
  }

  @ParameterizedTest(name = "restored at parallelism {0}")
  @ValueSource(ints = {1, 3})
  void everyModelComesBackAndTrainingGoesOn(int parallelism) throws Exception {
    assertTrue(before.size() >= N / 4 && before.size() < N,
        "the savepoint was taken mid-stream, after " + before.size() + " records");
    String run = "rescale-" + parallelism;
    StreamExecutionEnvironment env =
        TestStreams.env(parallelism, dir.resolve(run), savepoint);
    KickbackStreams.Learning l = KickbackStreams.learn(
        TestStreams.source(env, RECORDS, N, 1e6, "samples"), CONFIG);
    l.predictions().sinkTo(TestStreams.sink(run + "-predictions"));
    l.snapshots().sinkTo(TestStreams.sink(run + "-models"));
    env.execute();
    List<Prediction> after = TestStreams.sunk(run + "-predictions");

    // every record was predicted once: before the savepoint or after the restore
    TreeSet<Long> seqs = new TreeSet<>();
    before.forEach(p -> seqs.add(p.seq()));
    after.forEach(p -> assertTrue(seqs.add(p.seq()), "record " + p.seq() + " seen twice"));
    assertEquals(N, seqs.size());
    assertEquals(N - 1, seqs.last());

    // each key's first prediction after the restore came from the model it had at the savepoint:
    // at batch 1, one step per earlier sample of the key
    Map<String, Long> trainedBefore = new HashMap<>();
    before.forEach(p -> trainedBefore.merge(p.key(), 1L, Long::sum));
    Map<String, Prediction> first = new HashMap<>();
    after.forEach(p -> first.merge(p.key(), p, (a, b) -> a.seq() < b.seq() ? a : b));
    assertEquals(KEYS, first.size());
    first.forEach((k, p) -> assertEquals(trainedBefore.get(k), p.modelVersion(), k));

    Map<String, ModelSnapshot> got = TestStreams.checkedModels(RECORDS, N, CONFIG, run);
    got.forEach((k, s) -> assertEquals(N / KEYS + (Long.parseLong(k.substring(1)) < N % KEYS
        ? 1 : 0), s.samples(), k));
  }
}
