package dev.kickback.bench.jmh;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Square n x n GEMMs. 2 n^3 FLOPs per operation; at least A and B read and C read and written
 * (16 n^2 bytes). C keeps accumulating across invocations (beta = 1), which changes no timing.
 */
public class GemmBench extends BenchBase {
  @Param({"VECTOR", "SCALAR", "OPENBLAS"})
  public KernelPath path;

  @Param({"NT", "NN", "TN"})
  public GemmOp op;

  @Param({"256", "512", "1024"})
  public int n;

  private KernelOps ops;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setup() {
    ops = path.ops();
    a = RandomNets.gaussian(1, n * n);
    b = RandomNets.gaussian(2, n * n);
    c = new float[n * n];
  }

  @Benchmark
  public float[] gemm() {
    switch (op) {
      case NT -> ops.gemmNT(n, n, n, 1e-3f, a, b, c);
      case NN -> ops.gemmNN(n, n, n, 1e-3f, a, b, c);
      case TN -> ops.gemmTN(n, n, n, 1e-3f, a, b, c);
    }
    return c;
  }

  @Override
  public Workload model() {
    return new Workload("gemm", null, path.label(), "gemm" + n + "_" + op, n, path.threads(),
        2.0 * n * n * n, 4.0 * F * n * n, 0);
  }
}
