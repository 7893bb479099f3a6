package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import dev.kickback.flink.LearnerConfig;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;

/**
 * What the benchmarks of keys learning online on Flink share: their parameters (what runs the
 * records, the parallelism, the state backend, the keys, their network, the model cache), what
 * each key learns, and the report's labels. {@link FlinkLearnBench} times whole bounded jobs,
 * {@link FlinkStreamBench} a running one.
 */
// a fixed heap, as a TaskManager's (-Xms = -Xmx): with the default one, which G1 grows, the
// first 10 to 15 s of the 10,000-key rows ran 20% slower than the rest. 1 GB: a 4 GB heap
// touched up front (AlwaysPreTouch) did as well but took 7.4 s a fork to start on this VM.
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public abstract class FlinkLearners extends BenchBase {
  /** What runs the records. */
  public enum Runner {
    PLAIN,
    FLINK
  }

  /** {@code PLAIN}: {@code KeyLearner} in a plain loop on one thread; {@code FLINK}: a job. */
  @Param({"PLAIN", "FLINK"})
  public Runner runner;

  /** The learner's parallelism in the job (the source is one more task, at parallelism 1). */
  @Param({"1"})
  public int parallelism;

  /**
   * Flink's state backend: {@code hashmap} (objects on the heap) or {@code rocksdb} (with
   * incremental checkpoints).
   */
  @Param({"hashmap"})
  public String backend = "hashmap";

  /** Keys, their records interleaved (record {@code i} has key {@code i % keys}). */
  @Param({"8"})
  public int keys = 8;

  /** Each key's network: {@code paper} (21-200-100-10) or {@code small} (21-32-16). */
  @Param({"paper"})
  public String net = "paper";

  /**
   * The learner's model cache on RocksDB ({@link LearnerConfig#modelCache}): {@code on} (its
   * default size, 64 MiB: 215 paper networks, 4,028 small ones), {@code off} (every record
   * decodes and encodes its key's model), or a size in MiB.
   */
  @Param({"on"})
  public String cache = "on";

  /** Throws unless the plain loop runs at parallelism 1: it has one thread. */
  void checkPlainParallelism() {
    if (runner == Runner.PLAIN && parallelism != 1) {
      throw new IllegalArgumentException("the plain loop runs on one thread: parallelism 1");
    }
  }

  /** What every key learns, with this benchmark's network and cache. */
  LearnerConfig config() {
    LearnerConfig c = keysLearning(net);
    return switch (cache) {
      case "on" -> c;
      case "off" -> c.modelCache(0);
      default -> c.modelCache(Long.parseLong(cache) << 20);
    };
  }

  /**
   * What every key learns in the Flink benchmarks: the paper network ({@code paper}) or a
   * 21-32-16 one ({@code small}), Kickback at batch 1, NMSE every 10,000 samples.
   */
  static LearnerConfig keysLearning(String net) {
    LearnerConfig c = LearnerConfig.paper(Net.PAPER.spec().inputWidth()).every(10_000, 0);
    return switch (net) {
      case "paper" -> c;
      case "small" -> c.hidden(32, 16);
      default -> throw new IllegalArgumentException("net " + net + ": paper or small");
    };
  }

  /**
   * The report's path label: {@code PLAIN}, or {@code FLINK_P} and the parallelism with the
   * backend and cache when not the heap's.
   */
  String path() {
    return runner == Runner.PLAIN ? "PLAIN"
        : "FLINK_P" + parallelism + (backend.equals("hashmap") ? "" : "_" + backend.toUpperCase(
            java.util.Locale.ROOT) + switch (cache) {
              case "on" -> "";
              case "off" -> "_NOCACHE";
              default -> "_CACHE" + cache + "M";
            });
  }

  /**
   * The report's labels of a row named {@code benchmark}: {@link #path}, shape network and
   * keys; per record one batch-1 forward pass and one Kickback step.
   */
  Workload model(String benchmark) {
    NetworkSpec spec = config().spec();
    return new Workload(benchmark, "kickback", path(), net + "_" + keys + "keys", 1,
        runner == Runner.PLAIN ? 1 : parallelism,
        spec.forwardFlopsPerSample() + spec.stepFlopsPerSample(), 0, 1);
  }
}
