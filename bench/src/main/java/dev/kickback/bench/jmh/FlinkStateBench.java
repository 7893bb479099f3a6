package dev.kickback.bench.jmh;

import dev.kickback.flink.KickbackStreams;
import dev.kickback.flink.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state of many keys on Flink: how long a checkpoint of it takes, and how long a job takes
 * to come back from one. A learner job holds {@code keys} keys' models (every key has had
 * records) on the {@code backend} {@code hashmap} or {@code rocksdb} (incremental checkpoints,
 * the learner's model cache at its default size) and keeps learning from 5,000 records/s.
 *
 * <p>{@code checkpoint}: one checkpoint triggered while the job runs, end to end (barriers
 * through the job, the state written, the checkpoint acknowledged). With RocksDB's incremental
 * checkpoints each writes the files that are new since the last. {@code restore}: a job of one
 * record per key, started from a savepoint of the running job in the backend's native format
 * ({@code start=SAVEPOINT}) or from nothing ({@code start=EMPTY}: every key's model made anew),
 * submitted, run and finished: the difference between the two is what restoring the state
 * costs. Each trial's checkpoints' state size and bytes written go to a file beside the suite's
 * results ({@link #STATS_FILE}), which the report quotes. No FLOP or sample model: the report
 * shows these rows by method and parameters ({@code FlinkStateBench.checkpoint}, shape
 * {@code backend,keys,net,start}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// a fixed heap, as a TaskManager's (-Xms = -Xmx), as FlinkLearners'
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 6, time = 1)
public class FlinkStateBench {
  /** Records per second into the running job. */
  static final int RATE = 5000;

  /**
   * Where a fork appends its trials' checkpoint sizes: {@code kickback-flink-state-P.tsv} in the
   * temporary directory, P the process id of the JVM that forked it (the suite's), which reads
   * it after the runs.
   */
  public static final String STATS_FILE = "kickback-flink-state-%d.tsv";

  /** The system property that names the suite's process when the trial runs in it (no fork). */
  public static final String SUITE_PID = "kickback.suite.pid";

  /** Flink's state backend: {@code hashmap} or {@code rocksdb}. */
  @Param({"hashmap"})
  public String backend = "hashmap";

  @Param({"10000"})
  public int keys = 10000;

  /** Each key's network: {@code paper} (21-200-100-10) or {@code small} (21-32-16). */
  @Param({"small"})
  public String net = "small";

  /** Where {@code restore}'s job starts: from a savepoint of the running job, or empty. */
  public enum Start {
    SAVEPOINT,
    EMPTY
  }

  @Param({"SAVEPOINT"})
  public Start start = Start.SAVEPOINT;

  private MiniCluster cluster;
  private Path dir;
  private JobID running;
  private String savepoint;
  /** Whether the invocation took a checkpoint, whose statistics are then read, untimed. */
  private boolean checkpointed;
  private long checkpoints;
  private double stateBytes;
  private double writtenBytes;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("kickback-flink-state");
    cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(new Configuration()).setNumTaskManagers(1).setNumSlotsPerTaskManager(4)
        .build());
    cluster.start();
    running = cluster.submitJob(job(Long.MAX_VALUE, RATE, null).getStreamGraph().getJobGraph())
        .get().getJobID();
    while (cluster.getJobStatus(running).get() != JobStatus.RUNNING) {
      Thread.sleep(50);
    }
    Thread.sleep(1000L * keys / RATE + 2000); // every key has had a record, and then some
    if (start == Start.SAVEPOINT) {
      savepoint = cluster.triggerSavepoint(running, dir.resolve("savepoints").toUri().toString(),
          false, SavepointFormatType.NATIVE).get();
    }
  }

  /** The learner on {@code records} records, from {@code restore} (null: from nothing). */
  private StreamExecutionEnvironment job(long records, double perSecond, String restore) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, backend);
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        dir.resolve("checkpoints").toUri().toString());
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend.equals("rocksdb"));
    // checkpoints only when the benchmark triggers them
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofDays(1));
    if (restore != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restore);
      conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true); // the source's
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    FlinkLearnBench.Records gen = new FlinkLearnBench.Records(keys);
    DataGeneratorSource<Sample> source = perSecond > 0
        ? new DataGeneratorSource<>(gen, records, RateLimiterStrategy.perSecond(perSecond),
            TypeInformation.of(Sample.class))
        : new DataGeneratorSource<>(gen, records, TypeInformation.of(Sample.class));
    KickbackStreams.learn(env.fromSource(source, WatermarkStrategy.noWatermarks(), "records")
        .uid(restore == null && records == Long.MAX_VALUE ? "records" : "restore-records"),
        FlinkLearners.keysLearning(net)).predictions().sinkTo(new DiscardingSink<>());
    return env;
  }

  /** One checkpoint of the running job, end to end. */
  @Benchmark
  public String checkpoint() throws Exception {
    checkpointed = true;
    return cluster.triggerCheckpoint(running).get();
  }

  @TearDown(Level.Invocation)
  public void collectCheckpoint() throws Exception {
    if (!checkpointed) {
      return;
    }
    checkpointed = false;
    CompletedCheckpointStats c = cluster.getExecutionGraph(running).get()
        .getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
    if (c != null) {
      checkpoints++;
      stateBytes += c.getStateSize();
      writtenBytes += c.getCheckpointedSize();
    }
  }

  /** A job of one record per key from the savepoint (or from nothing), to its end. */
  @Benchmark
  public long restore() throws Exception {
    return cluster.executeJobBlocking(job(keys, 0, start == Start.SAVEPOINT ? savepoint : null)
        .getStreamGraph().getJobGraph()).getNetRuntime();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (checkpoints > 0) {
      String line = String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%.0f\t%.0f%n", backend, net,
          keys, checkpoints, stateBytes / checkpoints, writtenBytes / checkpoints);
      long suite = Long.getLong(SUITE_PID,
          ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L));
      Files.writeString(statsFile(suite), line, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    cluster.cancelJob(running).get();
    cluster.closeAsync().get();
    FlinkLearnBench.deleteTree(dir);
  }

  /** The checkpoint sizes of the forks of the JVM with process id {@code suitePid}. */
  public static Path statsFile(long suitePid) {
    return Path.of(System.getProperty("java.io.tmpdir"), String.format(Locale.ROOT, STATS_FILE,
        suitePid));
  }

  /**
   * The forks' checkpoint sizes, one line per trial (backend, network, keys, checkpoints, mean
   * state bytes, mean bytes written), read and removed; empty without any.
   */
  public static java.util.List<String> takeStats(long suitePid) throws IOException {
    Path f = statsFile(suitePid);
    if (!Files.exists(f)) {
      return java.util.List.of();
    }
    java.util.List<String> lines = Files.readAllLines(f);
    Files.delete(f);
    return lines;
  }
}
