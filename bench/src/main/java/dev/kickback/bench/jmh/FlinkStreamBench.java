package dev.kickback.bench.jmh;

import dev.kickback.flink.KeyLearner;
import dev.kickback.flink.KeyModel;
import dev.kickback.flink.Prediction;
import dev.kickback.flink.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Records per second of a learner job that is already running: the steady state of a
 * long-lived job, where {@link FlinkLearnBench} times whole bounded jobs (submission,
 * deployment, every key's first model and the end-of-input flush included). The trial starts
 * one unbounded job (the same learner and source as {@link FlinkLearnBench}'s) and leaves it
 * running; an operation is one record through it, and an invocation waits until the job's sink
 * has seen {@value #RECORDS} more predictions. The warm-up iterations bring the JIT's
 * compilations and every key's model. {@code PLAIN}: the same per-record work in a plain loop
 * over models kept from invocation to invocation. Parameters: {@link FlinkLearners}', and
 * {@code checkpointEvery}.
 *
 * <p>Checkpoints are their own concern ({@link FlinkStateBench} times one, and the fork prints
 * the running job's): by default this job takes none. With {@code checkpointEvery} seconds the
 * measured iterations include the checkpoints that fall into them; on a 2-core VM a checkpoint
 * of 10,000 small keys' state (45 MB on the heap) took 0.4 s on average and up to 1.7 s, and
 * iterations of 2 to 5 s varied by 20 to 40%: such rows need many more iterations for a tight
 * interval.
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(FlinkStreamBench.RECORDS)
public class FlinkStreamBench extends FlinkLearners {
  static final int RECORDS = 20_000;
  /** How often an invocation looks at the sink's count: its timing resolution. */
  private static final long POLL_NANOS = 500_000;

  /** Predictions the running job's sink has seen (the job runs in this JVM's MiniCluster). */
  static final AtomicLong SEEN = new AtomicLong();

  /** Seconds between the running job's checkpoints; 0: none. */
  @Param({"0"})
  public int checkpointEvery;

  private FlinkLearnBench.Records records;
  private MiniCluster cluster;
  private Path checkpoints;
  private JobID job;
  private KeyLearner learner;
  private final Map<String, KeyModel> models = new HashMap<>();
  private final FlinkLearnBench.Count out = new FlinkLearnBench.Count();
  private long next;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    checkPlainParallelism();
    records = new FlinkLearnBench.Records(keys);
    if (runner == Runner.PLAIN) {
      learner = new KeyLearner(config());
      return;
    }
    checkpoints = Files.createTempDirectory("kickback-flink-stream");
    cluster = FlinkLearnBench.startCluster(parallelism);
    job = cluster.submitJob(FlinkLearnBench.learnerJob(backend, checkpoints,
        java.time.Duration.ofSeconds(checkpointEvery), parallelism, config(), records,
        Long.MAX_VALUE, new CountingSink()))
        .get().getJobID();
    while (cluster.getJobStatus(job).get() != JobStatus.RUNNING) {
      Thread.sleep(20);
    }
  }

  @Benchmark
  public long records() {
    if (runner == Runner.PLAIN) {
      for (int i = 0; i < RECORDS; i++, next++) {
        Sample s = records.map(next);
        models.put(s.key(), learner.onRecord(s.key(), models.get(s.key()), s, out));
      }
      return out.n;
    }
    long target = SEEN.get() + RECORDS;
    long seen;
    while ((seen = SEEN.get()) < target) {
      LockSupport.parkNanos(POLL_NANOS); // the job has both cores; this thread only looks
    }
    return seen;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (cluster == null) {
      return;
    }
    var stats = checkpointEvery == 0 ? null
        : cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
    cluster.cancelJob(job).get();
    cluster.closeAsync().get();
    if (stats != null) {
      FlinkLearnBench.reportCheckpoints(List.of(stats), "a running job, " + backend + ", "
          + keys + " keys of " + net);
    }
    FlinkLearnBench.deleteTree(checkpoints);
  }

  @Override
  public Workload model() {
    return model("flink_stream");
  }

  /** As {@link FlinkLearnBench}'s rows, with the checkpoint interval when there is one. */
  @Override
  String path() {
    return super.path() + (checkpointEvery == 0 ? "" : "_CHECKPOINT_" + checkpointEvery + "S");
  }

  /** Counts the predictions into {@link #SEEN}. */
  static final class CountingSink implements Sink<Prediction> {
    private static final long serialVersionUID = 1L;

    @Override
    public SinkWriter<Prediction> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(Prediction p, Context c) {
          SEEN.incrementAndGet();
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
