package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failure in the middle of a checkpointed job: Flink restarts it from the last checkpoint, and
 * every key ends exactly as in a run without the failure.
 */
class ExactlyOnceTest {
  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicLong SEEN = new AtomicLong();
  static final AtomicInteger CHECKPOINTS = new AtomicInteger();

  @TempDir
  Path dir;

  private String backend;

  /**
   * Passes records on; throws once, at the first record after {@code after} records and after a
   * completed checkpoint whose barrier followed at least one record (so the restart restores a
   * position inside the stream, not its start).
   */
  static final class FailOnce
      implements MapFunction<Sample, Sample>, CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private final long after;
    private transient long count;
    private transient long countAtBarrier;

    FailOnce(long after) {
      this.after = after;
    }

    @Override
    public Sample map(Sample s) {
      SEEN.incrementAndGet();
      if (++count >= after && CHECKPOINTS.get() > 0 && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at record " + s.seq());
      }
      return s;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
      countAtBarrier = count;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (countAtBarrier > 0) {
        CHECKPOINTS.incrementAndGet();
      }
    }
  }

  /**
   * The backends and the learner's model cache: ignored on the heap; on RocksDB off, holding 3
   * of the 7 keys (every few records a key is written back and another read), and holding all.
   */
  static Stream<Arguments> backends() {
    return Stream.of(Arguments.of("hashmap", 64), Arguments.of("rocksdb", 0),
        Arguments.of("rocksdb", 3), Arguments.of("rocksdb", 64));
  }

  @ParameterizedTest(name = "{0}, model cache of {1} keys")
  @MethodSource("backends")
  void aRestartFromACheckpointTrainsEverySampleOnce(String backend, int cachedKeys)
      throws Exception {
    FAILED.set(false);
    SEEN.set(0);
    CHECKPOINTS.set(0);
    CachedKeysReporter.MAX.set(0);
    LearnerConfig c = TestStreams.config().batch(3);
    c = c.modelCache(cachedKeys * c.bytesPerCachedKey());
    assertEquals(cachedKeys, c.cachedKeys());
    this.backend = backend;
    int keys = 7;
    long n = 4000;
    long failAfter = 1500;
    TestStreams.Records records = new TestStreams.Records(keys);
    Map<String, ModelSnapshot> clean = run(c, records, n, Long.MAX_VALUE, "eo-clean");
    assertTrue(!FAILED.get());
    SEEN.set(0);
    CHECKPOINTS.set(0); // count only the failing run's own checkpoints
    Map<String, ModelSnapshot> got = run(c, records, n, failAfter, "eo-failed");

    assertTrue(FAILED.get(), "the failure was injected");
    // the cache was in use where it should be (its size when the last task ended), and the
    // larger one held every key of a subtask
    int held = CachedKeysReporter.MAX.get();
    boolean cached = backend.equals("rocksdb") && cachedKeys > 0;
    assertTrue(!cached ? held == 0 : cachedKeys < keys ? held == cachedKeys
        : held >= (keys + 1) / 2 && held <= keys, "keys held decoded by a subtask: " + held);
    // the restart replayed only what came after the last checkpoint, not the whole stream
    assertTrue(SEEN.get() > n && SEEN.get() < n + failAfter,
        "records through the failing map over both attempts: " + SEEN.get());
    Map<String, byte[]> plain = TestStreams.reference(records.all(n), c);
    assertEquals(plain.keySet(), got.keySet());
    for (int k = 0; k < keys; k++) {
      String key = "k" + k;
      assertArrayEquals(clean.get(key).model(), got.get(key).model(), key);
      assertArrayEquals(plain.get(key), got.get(key).model(), key);
      long samples = (n - k + keys - 1) / keys; // records i < n with i % keys == k
      assertEquals(samples, got.get(key).samples(), key + ": samples trained");
      assertEquals((samples + 2) / 3, got.get(key).version(), key + ": steps");
    }
  }

  /** Parallelism 2, checkpoints every 100 ms, a failure after {@code failAfter} records. */
  private Map<String, ModelSnapshot> run(LearnerConfig c, TestStreams.Records records, long n,
      long failAfter, String name) throws Exception {
    StreamExecutionEnvironment env = TestStreams.env(2, dir.resolve(name), null, backend);
    // 2,000 records/s: the job lasts about two seconds, twenty checkpoint intervals
    KickbackStreams.Learning l = KickbackStreams.learn(
        TestStreams.source(env, records, n, 2000, "samples")
            .map(new FailOnce(failAfter)).uid("fail-once").setParallelism(1), c);
    l.snapshots().sinkTo(TestStreams.sink(name));
    env.execute();
    return TestStreams.finalModels(TestStreams.sunk(name));
  }
}
