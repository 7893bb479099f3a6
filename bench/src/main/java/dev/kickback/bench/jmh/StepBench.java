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

/**
 * One SGD training step (forward, feedback, update, coherence clipping) on a batch, Backprop and
 * Kickback on the same network, batch and kernel path. The openblas path runs the library's own
 * Trainer with every GEMM done by cblas_sgemm.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class StepBench {
  @Param({"vector", "scalar", "openblas"})
  public String path;

  @Param({"kickback", "backprop"})
  public String rule;

  @Param({"paper/1", "paper/16", "paper/256", "wide/1", "wide/256"})
  public String config;

  private NetworkState s;

  @Setup
  public void setup() {
    s = new NetworkState(config, path, rule);
  }

  @Benchmark
  public float step() {
    return s.step();
  }
}
