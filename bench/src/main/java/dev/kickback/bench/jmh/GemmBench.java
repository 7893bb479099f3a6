package dev.kickback.bench.jmh;

import dev.kickback.bench.Workloads;
import dev.kickback.kernels.KernelOps;
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
 * Square GEMMs in the three transposition variants the training step uses: NT (forward),
 * NN (feedback through the next layer), TN (weight update). 2 n^3 FLOPs per operation. C keeps
 * accumulating across invocations (beta = 1), which changes no timing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {
  @Param({"vector", "scalar", "openblas"})
  public String path;

  @Param({"NT", "NN", "TN"})
  public String op;

  @Param({"256", "512", "1024"})
  public int n;

  private KernelOps ops;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setup() {
    ops = Workloads.path(path);
    a = Workloads.gaussian(1, n * n);
    b = Workloads.gaussian(2, n * n);
    c = new float[n * n];
  }

  @Benchmark
  public float[] gemm() {
    switch (op) {
      case "NT" -> ops.gemmNT(n, n, n, 1e-3f, a, b, c);
      case "NN" -> ops.gemmNN(n, n, n, 1e-3f, a, b, c);
      default -> ops.gemmTN(n, n, n, 1e-3f, a, b, c);
    }
    return c;
  }
}
