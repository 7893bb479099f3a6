package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import dev.kickback.flink.KeyLearner;
import dev.kickback.flink.KeyModel;
import dev.kickback.flink.KickbackStreams;
import dev.kickback.flink.LearnerConfig;
import dev.kickback.flink.ModelSnapshot;
import dev.kickback.flink.NmseReport;
import dev.kickback.flink.Prediction;
import dev.kickback.flink.Rejected;
import dev.kickback.flink.Sample;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Online learning of 8 keys' paper-sized networks (Kickback, batch 1: predict, then train, per
 * record) on Flink, against the same per-record work in a plain loop. One operation is one
 * record; one invocation is {@value #RECORDS} records: a whole bounded Flink job on a
 * MiniCluster started once per trial (HashMap state, a checkpoint every second; job
 * submission, deployment and the end-of-input flush are inside the measured time), or the same
 * records through {@link KeyLearner} in one thread with a map of {@link KeyModel}s.
 *
 * <p>{@code runner}: {@code PLAIN} the loop, {@code FLINK} the job with the learner at
 * {@code parallelism} 1 or 2 (the source is one more task, at parallelism 1) on the
 * {@code backend} {@code hashmap} or {@code rocksdb}. With RocksDB every record reads the key's
 * state from the database and writes it back (about 101 KB each way for the paper network) and
 * gets a new trainer, which is the cost this row shows. The records come from a pool of 4,096
 * generated samples, so the source does little work of its own.
 */
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 6, time = 1)
@OperationsPerInvocation(FlinkLearnBench.RECORDS)
public class FlinkLearnBench extends BenchBase {
  static final int RECORDS = 100_000;
  static final int SHORT = 10_000;
  static final int KEYS = 8;
  static final int POOL = 4096;

  /** What runs the records. */
  public enum Runner {
    PLAIN,
    FLINK
  }

  @Param({"PLAIN", "FLINK"})
  public Runner runner;

  @Param({"1"})
  public int parallelism;

  /** Flink's state backend: {@code hashmap} (objects on the heap) or {@code rocksdb}. */
  @Param({"hashmap"})
  public String backend;

  private final Records records = new Records();
  private MiniCluster cluster;
  private KeyLearner learner;

  static LearnerConfig config() {
    return LearnerConfig.paper(Net.PAPER.spec().inputWidth()).every(10_000, 0);
  }

  @Setup(Level.Trial)
  public void setup() throws Exception {
    if (runner == Runner.FLINK) {
      Configuration conf = new Configuration();
      cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
          .setNumTaskManagers(1).setNumSlotsPerTaskManager(Math.max(2, parallelism)).build());
      cluster.start();
    } else if (parallelism != 1) {
      throw new IllegalArgumentException("the plain loop runs on one thread: parallelism 1");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (cluster != null) {
      cluster.closeAsync().get();
    }
  }

  @Setup(Level.Invocation)
  public void freshModels() {
    learner = new KeyLearner(config()); // every invocation starts the keys from scratch
  }

  @Benchmark
  public long learn() throws Exception {
    return runner == Runner.PLAIN ? plainLoop(RECORDS) : flinkJob(RECORDS);
  }

  /** A tenth of the records, for the RocksDB backend, which is slower by about that much. */
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
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, backend);
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    KickbackStreams.learn(env.fromSource(new DataGeneratorSource<>(this.records, records,
            TypeInformation.of(Sample.class)), WatermarkStrategy.noWatermarks(), "records")
        .setParallelism(1), config())
        .predictions().sinkTo(new DiscardingSink<>());
    return cluster.executeJobBlocking(env.getStreamGraph().getJobGraph()).getNetRuntime();
  }

  /** Record {@code i}: key {@code i % 8}, inputs and target from a fixed pool. */
  static final class Records implements GeneratorFunction<Long, Sample> {
    private static final long serialVersionUID = 1L;
    private static final float[][] X = new float[POOL][];
    private static final float[] Y = new float[POOL];
    private static final String[] NAMES = new String[KEYS];

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
      for (int k = 0; k < KEYS; k++) {
        NAMES[k] = "key" + k;
      }
    }

    @Override
    public Sample map(Long i) {
      int p = (int) (i % POOL);
      return Sample.labeled(NAMES[(int) (i % KEYS)], i, X[p], Y[p]);
    }
  }

  /** Counts the plain loop's outputs, so none is dead code. */
  private static final class Count implements KeyLearner.Outputs {
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

  /** Per record: one batch-1 forward pass and one Kickback step. */
  @Override
  public Workload model() {
    NetworkSpec spec = Net.PAPER.spec();
    return new Workload("flink_learn", "kickback", runner == Runner.PLAIN ? "PLAIN"
        : "FLINK_P" + parallelism + (backend.equals("hashmap") ? "" : "_" + backend.toUpperCase(
            java.util.Locale.ROOT)), "paper_8keys", 1, runner == Runner.PLAIN ? 1 : parallelism,
        spec.forwardFlopsPerSample() + spec.stepFlopsPerSample(), 0, 1);
  }
}
