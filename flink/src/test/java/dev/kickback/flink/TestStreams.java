package dev.kickback.flink;

import dev.kickback.api.DivergenceException;
import dev.kickback.api.Network;
import dev.kickback.api.Trainer;
import dev.kickback.io.ModelFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Test jobs: a replayable synthetic stream, sinks into memory, and the plain-loop reference. */
final class TestStreams {
  private TestStreams() {}

  /** Every sink's records, by sink name; the MiniCluster runs in the test's JVM. */
  static final Map<String, Queue<Object>> SINKS = new ConcurrentHashMap<>();

  static final int WIDTH = 6;

  /**
   * The network of the tests: small, so that a MiniCluster job takes a second or two. The
   * stability policy is off, so that the plain loop of {@link #reference} is the learner's
   * exact reference; KeyLearnerTest tests the policy.
   */
  static LearnerConfig config() {
    return LearnerConfig.paper(WIDTH).hidden(16, 8).rule(dev.kickback.api.Rule.KICKBACK, 0.02f,
        LearnerConfig.Rates.PLAIN).stability(1f, 1, 0, 1f);
  }

  /**
   * Record {@code i}: key {@code "k" + i % keys}, inputs from a seed of its own, target a fixed
   * smooth function of them (its coefficients differ by key), so any run recreates any record.
   */
  static Sample sample(long i, int keys) {
    SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 7);
    int k = (int) (i % keys);
    float[] x = new float[WIDTH];
    double s = 0;
    for (int j = 0; j < WIDTH; j++) {
      x[j] = (float) r.nextGaussian();
      s += x[j] * ((j + k) % 3 - 1);
    }
    return Sample.labeled("k" + k, i, x, (float) Math.tanh(s));
  }

  /** A stream's records by number: {@link #sample} unless a test replaces some. */
  static final class Records implements GeneratorFunction<Long, Sample> {
    private static final long serialVersionUID = 1L;
    final int keys;
    final Map<Long, Sample> replaced = new HashMap<>();
    boolean queries;

    Records(int keys) {
      this.keys = keys;
    }

    @Override
    public Sample map(Long i) {
      Sample s = replaced.get(i);
      if (s != null) {
        return s;
      }
      s = sample(i, keys);
      return queries ? Sample.query(s.key(), s.seq(), s.x()) : s;
    }

    List<Sample> all(long n) {
      List<Sample> list = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        list.add(map(i));
      }
      return list;
    }
  }

  /** A local MiniCluster environment: HashMap state, checkpoints every 100 ms, 3 restarts. */
  static StreamExecutionEnvironment env(int parallelism, Path checkpoints, String restore) {
    return env(parallelism, checkpoints, restore, "hashmap");
  }

  /** As {@link #env(int, Path, String)} on the state backend {@code backend}. */
  static StreamExecutionEnvironment env(int parallelism, Path checkpoints, String restore,
      String backend) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, backend);
    conf.setString("metrics.reporter.cached-keys.factory.class",
        CachedKeysReporter.class.getName());
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(100));
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
    if (restore != null) {
      conf.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, restore);
    }
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    env.setMaxParallelism(128);
    return env;
  }

  /** Records {@code [0, n)} from one source subtask (so each key's records keep their order). */
  static DataStream<Sample> source(StreamExecutionEnvironment env, Records records, long n,
      double perSecond, String uid) {
    return env.fromSource(new DataGeneratorSource<>(records, n,
            RateLimiterStrategy.perSecond(perSecond), TypeInformation.of(Sample.class)),
        WatermarkStrategy.noWatermarks(), uid).uid(uid).setParallelism(1);
  }

  /**
   * Records {@code [0, n)} through the learner at {@code parallelism}, unthrottled; its outputs
   * go to the sinks {@code name + "-predictions"}, {@code "-nmse"}, {@code "-rejected"} and
   * {@code "-models"}.
   */
  static void learn(Path dir, int parallelism, Records records, long n, LearnerConfig c,
      String name) throws Exception {
    StreamExecutionEnvironment env = env(parallelism, dir, null);
    KickbackStreams.Learning l = KickbackStreams.learn(source(env, records, n, 1e6, "samples"),
        c);
    l.predictions().sinkTo(sink(name + "-predictions"));
    l.nmse().sinkTo(sink(name + "-nmse"));
    l.rejected().sinkTo(sink(name + "-rejected"));
    l.snapshots().sinkTo(sink(name + "-models"));
    env.execute();
  }

  /**
   * The last models of sink {@code name + "-models"}, checked bitwise against the plain loop's
   * over the same records.
   */
  static Map<String, ModelSnapshot> checkedModels(Records records, long n, LearnerConfig c,
      String name) {
    Map<String, byte[]> expected = reference(records.all(n), c);
    Map<String, ModelSnapshot> got = finalModels(sunk(name + "-models"));
    org.junit.jupiter.api.Assertions.assertEquals(expected.keySet(), got.keySet());
    expected.forEach((k, bytes) ->
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, got.get(k).model(), k));
    return got;
  }

  /** A sink adding every record to {@code SINKS.get(name)}. */
  static <T> Sink<T> sink(String name) {
    SINKS.put(name, new ConcurrentLinkedQueue<>());
    return new MemorySink<>(name);
  }

  @SuppressWarnings("unchecked")
  static <T> List<T> sunk(String name) {
    return new ArrayList<>((Queue<T>) (Queue<?>) SINKS.get(name));
  }

  private record MemorySink<T>(String name) implements Sink<T> {
    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      Queue<Object> q = SINKS.get(name);
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context c) {
          q.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }

  /** Each key's last published model (the highest version), as model-file bytes. */
  static Map<String, ModelSnapshot> finalModels(List<ModelSnapshot> snapshots) {
    Map<String, ModelSnapshot> last = new TreeMap<>();
    for (ModelSnapshot s : snapshots) {
      last.merge(s.key(), s, (a, b) -> b.version() > a.version() ? b : a);
    }
    return last;
  }

  /** The same learning without Flink, straight on the kernel's trainer: the reference. */
  static Map<String, byte[]> reference(List<Sample> records, LearnerConfig c) {
    Map<String, Network> nets = new TreeMap<>();
    Map<String, Trainer> trainers = new HashMap<>();
    Map<String, List<Sample>> pending = new HashMap<>();
    int d = c.inputWidth();
    for (Sample s : records) {
      if (!s.labeled() || s.x().length != d || !finite(s)) {
        continue;
      }
      Network net = nets.computeIfAbsent(s.key(), c::initialNetwork);
      trainers.computeIfAbsent(s.key(), k -> new Trainer(net, c.batch()));
      List<Sample> batch = pending.computeIfAbsent(s.key(), k -> new ArrayList<>());
      batch.add(s);
      if (batch.size() == c.batch()) {
        step(trainers.get(s.key()), batch, c);
      }
    }
    for (Map.Entry<String, List<Sample>> e : pending.entrySet()) {
      if (!e.getValue().isEmpty()) {
        step(trainers.get(e.getKey()), e.getValue(), c);
      }
    }
    Map<String, byte[]> out = new TreeMap<>();
    nets.forEach((k, net) -> out.put(k, ModelFile.encode(net, null)));
    return out;
  }

  private static void step(Trainer t, List<Sample> batch, LearnerConfig c) {
    int d = c.inputWidth();
    float[] x = new float[batch.size() * d];
    float[] y = new float[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      System.arraycopy(batch.get(i).x(), 0, x, i * d, d);
      y[i] = batch.get(i).y();
    }
    try {
      t.step(c.rule(), x, y, batch.size(), c.learningRates());
    } catch (DivergenceException e) {
      // rolled back: the learner rejects these samples
    }
    batch.clear();
  }

  private static boolean finite(Sample s) {
    for (float v : s.x()) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return Float.isFinite(s.y());
  }
}
