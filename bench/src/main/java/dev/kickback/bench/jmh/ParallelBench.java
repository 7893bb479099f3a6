package dev.kickback.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * All cores, batch 256: every thread runs its own trainer (own network) or its own prediction
 * workspace on a shared network, and JMH reports the sum over threads. This is the throughput of
 * independent streams, not a single step split across cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
@Threads(Threads.MAX)
public class ParallelBench {

  /** Each thread trains its own network. */
  @State(Scope.Thread)
  public static class Training {
    @Param({"vector", "openblas"})
    public String path;

    @Param({"kickback", "backprop"})
    public String rule;

    @Param({"paper/256", "wide/256"})
    public String config;

    NetworkState s;

    @Setup
    public void setup() {
      s = new NetworkState(config, path, rule);
    }
  }

  /** Each thread predicts with its own network and workspace. */
  @State(Scope.Thread)
  public static class Inference {
    @Param({"vector", "openblas"})
    public String path;

    @Param({"paper/256", "wide/256"})
    public String config;

    NetworkState s;

    @Setup
    public void setup() {
      s = new NetworkState(config, path, null);
    }
  }

  @Benchmark
  public float step(Training t) {
    return t.s.step();
  }

  @Benchmark
  public float[] forward(Inference t) {
    t.s.net.predict(t.s.x, t.s.batch, t.s.out, t.s.ws);
    return t.s.out;
  }
}
