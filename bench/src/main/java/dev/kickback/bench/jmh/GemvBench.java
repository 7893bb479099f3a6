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
 * {@code y += A x} for the layers of the two networks at batch 1 ({@code rows x cols}): the
 * batch-1 forward pass is one of these per layer. 2 rows cols FLOPs per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class GemvBench {
  @Param({"vector", "scalar", "openblas"})
  public String path;

  @Param({"200x21", "100x200", "1024x1024"})
  public String shape;

  private KernelOps ops;
  private int rows;
  private int cols;
  private float[] a;
  private float[] x;
  private float[] y;

  @Setup
  public void setup() {
    ops = Workloads.path(path);
    String[] rc = shape.split("x");
    rows = Integer.parseInt(rc[0]);
    cols = Integer.parseInt(rc[1]);
    a = Workloads.gaussian(1, rows * cols);
    x = Workloads.gaussian(2, cols);
    y = new float[rows];
  }

  @Benchmark
  public float[] gemv() {
    ops.gemv(rows, cols, 1e-3f, a, x, y);
    return y;
  }
}
