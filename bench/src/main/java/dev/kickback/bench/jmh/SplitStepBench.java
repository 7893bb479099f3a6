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
 * One training step split across both cores (the *2t paths: every large GEMM divided by columns
 * between the caller and a helper thread), next to the same step on one thread in the same
 * suite, so the report can state the scaling. Unlike {@link ParallelBench} this is one network,
 * one stream: the latency of a step, not the throughput of independent ones.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class SplitStepBench {
  @Param({"vector", "vector2t", "openblas", "openblas2t"})
  public String path;

  @Param({"kickback", "backprop"})
  public String rule;

  @Param({"paper/64", "paper/256", "wide/256"})
  public String config;

  private NetworkState s;

  @Setup
  public void setup() {
    s = new NetworkState(config, path, rule);
  }

  @Benchmark
  public float splitStep() {
    return s.step();
  }
}
