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
 * Inference: one forward pass of a batch ({@code shape/batch}). Operations per second times the
 * batch is samples per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class ForwardBench {
  @Param({"vector", "scalar", "openblas"})
  public String path;

  @Param({"paper/1", "paper/16", "paper/256", "wide/1", "wide/256"})
  public String config;

  private NetworkState s;

  @Setup
  public void setup() {
    s = new NetworkState(config, path, null);
  }

  @Benchmark
  public float[] forward() {
    s.net.predict(s.x, s.batch, s.out, s.ws);
    return s.out;
  }
}
