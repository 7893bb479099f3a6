package dev.kickback.bench.jmh;

import dev.kickback.flink.KeyLearner;
import dev.kickback.flink.KeyModel;
import dev.kickback.flink.KickbackStreams;
import dev.kickback.flink.LearnerConfig;
import dev.kickback.flink.ModelSnapshot;
import dev.kickback.flink.NmseReport;
import dev.kickback.flink.Prediction;
import dev.kickback.flink.Rejected;
import dev.kickback.flink.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Online learning of {@code keys} keys' networks (Kickback, batch 1: predict, then train, per
 * record) on Flink, against the same per-record work in a plain loop. One operation is one
 * record; one invocation is {@value #RECORDS} records: a whole bounded Flink job on a
 * MiniCluster started once per trial (a checkpoint every second into files; job submission,
 * deployment and the end-of-input flush are inside the measured time), or the same records
 * through {@link KeyLearner} in one thread with a map of {@link KeyModel}s.
 *
 * <p>{@code runner}: {@code PLAIN} the loop, {@code FLINK} the job with the learner at
 * {@code parallelism} 1 or 2 (the source is one more task, at parallelism 1) on the
 * {@code backend} {@code hashmap} or {@code rocksdb} (incremental checkpoints). On RocksDB the
 * learner keeps models decoded between records ({@code cache=on}); with {@code cache=off} every
 * record reads its key's state from the database and writes it back (about 200 KB each way for
 * the paper network with the stability policy's best model) and gets a new trainer. With 10,000
 * keys and {@value #RECORDS} records every key learns from its first record: creating its model
 * is part of the cost. The records come from a pool of 4,096 generated samples, so the source
 * does little work of its own. At the end of a trial the fork prints its jobs' checkpoints:
 * count, state size, bytes written per checkpoint, duration. A running job's records/s, without
 * a job's start and end: {@link FlinkStreamBench}, which shares this class's job and records.
 */
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 6, time = 1)
@OperationsPerInvocation(FlinkLearnBench.RECORDS)
public class FlinkLearnBench extends FlinkLearners {
  static final int RECORDS = 100_000;
  static final int SHORT = 10_000;
  static final int POOL = 4096;

  private Records records;
  private MiniCluster cluster;
  private Path checkpoints;
  private KeyLearner learner;
  private final List<CheckpointStatsSnapshot> jobCheckpoints = new ArrayList<>();
  /** The invocation's Flink job, whose checkpoint statistics are read after it, untimed. */
  private JobID lastJob;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    checkPlainParallelism();
    records = new Records(keys);
    if (runner == Runner.FLINK) {
      checkpoints = Files.createTempDirectory("kickback-flink-bench");
      cluster = startCluster(parallelism);
    }
  }

  /** A MiniCluster of one TaskManager with a slot for each learner subtask and the source. */
  static MiniCluster startCluster(int parallelism) throws Exception {
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(new Configuration()).setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(Math.max(2, parallelism)).build());
    cluster.start();
    return cluster;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (cluster != null) {
      cluster.closeAsync().get();
      reportCheckpoints(jobCheckpoints, runner + ", " + backend + ", " + keys + " keys of "
          + net);
      deleteTree(checkpoints);
    }
  }

  /** Deletes {@code dir} and everything in it: a trial's checkpoints and savepoints. */
  static void deleteTree(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /**
   * The checkpoints of the trial's jobs, on the fork's output: how many completed, their state
   * size (the whole state) and checkpointed size (what the checkpoint wrote: with incremental
   * checkpoints, the new files), and their duration, end to end.
   */
  static void reportCheckpoints(List<CheckpointStatsSnapshot> jobCheckpoints, String what) {
    long n = 0;
    double duration = 0;
    long maxDuration = 0;
    double size = 0;
    double written = 0;
    for (CheckpointStatsSnapshot c : jobCheckpoints) {
      var summary = c.getSummaryStats();
      long k = summary.getEndToEndDurationStats().getCount();
      if (k == 0) {
        continue;
      }
      n += k;
      duration += summary.getEndToEndDurationStats().getAverage() * k;
      maxDuration = Math.max(maxDuration, summary.getEndToEndDurationStats().getMaximum());
      size += summary.getStateSizeStats().getAverage() * k;
      written += summary.getCheckpointedSize().getAverage() * k;
    }
    System.out.printf(java.util.Locale.ROOT, "%n[kickback] checkpoints of %s:"
        + " %d completed in %d jobs; state size %.2f MB, written per checkpoint %.2f MB;"
        + " duration %.0f ms on average, %d ms at most%n", what, n,
        jobCheckpoints.size(), n == 0 ? 0 : size / n / 1e6, n == 0 ? 0 : written / n / 1e6,
        n == 0 ? 0 : duration / n, maxDuration);
  }

  @Setup(Level.Invocation)
  public void freshModels() {
    learner = new KeyLearner(config()); // every invocation starts the keys from scratch
  }

  @TearDown(Level.Invocation)
  public void collectCheckpoints() throws Exception {
    if (lastJob != null) {
      jobCheckpoints.add(cluster.getArchivedExecutionGraph(lastJob).get()
          .getCheckpointStatsSnapshot());
      lastJob = null;
    }
  }

  @Benchmark
  public long learn() throws Exception {
    return runner == Runner.PLAIN ? plainLoop(RECORDS) : flinkJob(RECORDS);
  }

  /** A tenth of the records, for RocksDB without the model cache, slower by more than that. */
  @Benchmark
  @OperationsPerInvocation(SHORT)
  public long learnShort() throws Exception {
    return runner == Runner.PLAIN ? plainLoop(SHORT) : flinkJob(SHORT);
  }

  private long plainLoop(int records) {
    Map<String, KeyModel> models = new HashMap<>();
    Count out = new Count();
    for (long i = 0; i < records; i++) {
      Sample s = this.records.map(i);
      KeyModel m = learner.onRecord(s.key(), models.get(s.key()), s, out);
      models.put(s.key(), m);
    }
    models.forEach((k, m) -> learner.onEnd(k, m, out));
    return out.n;
  }

  private long flinkJob(int records) throws Exception {
    JobExecutionResult r = cluster.executeJobBlocking(learnerJob(backend, checkpoints,
        Duration.ofSeconds(1), parallelism, config(), this.records, records,
        new DiscardingSink<>()));
    lastJob = r.getJobID();
    return r.getNetRuntime();
  }

  /**
   * The learner on {@code records} records of {@code gen} ({@link Long#MAX_VALUE}: unbounded)
   * from a source task at parallelism 1, its predictions into {@code sink}; on {@code backend}
   * with a checkpoint every {@code checkpointEvery} (zero: none) into files under
   * {@code checkpoints} (incremental on RocksDB).
   */
  static JobGraph learnerJob(String backend, Path checkpoints, Duration checkpointEvery,
      int parallelism, LearnerConfig config, Records gen, long records, Sink<Prediction> sink) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, backend);
    if (!checkpointEvery.isZero()) {
      conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointEvery);
    }
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend.equals("rocksdb"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    KickbackStreams.learn(env.fromSource(new DataGeneratorSource<>(gen, records,
            TypeInformation.of(Sample.class)), WatermarkStrategy.noWatermarks(), "records")
        .setParallelism(1), config)
        .predictions().sinkTo(sink);
    return env.getStreamGraph().getJobGraph();
  }

  /** Record {@code i}: key {@code i % keys}, inputs and target from a fixed pool. */
  static final class Records implements GeneratorFunction<Long, Sample> {
    private static final long serialVersionUID = 1L;
    private static final float[][] X = new float[POOL][];
    private static final float[] Y = new float[POOL];
    private final String[] names;

    Records(int keys) {
      names = new String[keys];
      for (int k = 0; k < keys; k++) {
        names[k] = "key" + k;
      }
    }

    static {
      int d = Net.PAPER.spec().inputWidth();
      SplittableRandom r = new SplittableRandom(1);
      for (int p = 0; p < POOL; p++) {
        X[p] = new float[d];
        double s = 0;
        for (int j = 0; j < d; j++) {
          X[p][j] = (float) r.nextGaussian();
          s += X[p][j] * ((j % 3) - 1);
        }
        Y[p] = (float) Math.tanh(s);
      }
    }

    @Override
    public Sample map(Long i) {
      int p = (int) (i % POOL);
      return Sample.labeled(names[(int) (i % names.length)], i, X[p], Y[p]);
    }
  }

  /** Counts the plain loop's outputs, so none is dead code. */
  static final class Count implements KeyLearner.Outputs {
    long n;

    @Override
    public void prediction(Prediction p) {
      n += p.modelVersion();
    }

    @Override
    public void nmse(NmseReport r) {
      n++;
    }

    @Override
    public void rejected(Rejected r) {
      n++;
    }

    @Override
    public void snapshot(ModelSnapshot s) {
      n++;
    }
  }

  @Override
  public Workload model() {
    return model("flink_learn");
  }
}
