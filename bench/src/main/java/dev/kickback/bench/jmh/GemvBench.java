package dev.kickback.bench.jmh;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@code y += A x} for the layers of the two networks at batch 1: the batch-1 forward pass is
 * one of these per layer. 2 rows cols FLOPs and 4 rows cols bytes (A read) per operation.
 */
public class GemvBench extends BenchBase {
  /** A layer's weight matrix, rows x cols. */
  public enum Layer {
    PAPER_IN(200, 21),
    PAPER_MID(100, 200),
    WIDE(1024, 1024);

    final int rows;
    final int cols;

    Layer(int rows, int cols) {
      this.rows = rows;
      this.cols = cols;
    }
  }

  @Param({"VECTOR", "SCALAR", "OPENBLAS"})
  public KernelPath path;

  @Param({"PAPER_IN", "PAPER_MID", "WIDE"})
  public Layer layer;

  private KernelOps ops;
  private float[] a;
  private float[] x;
  private float[] y;

  @Setup
  public void setup() {
    ops = path.ops();
    a = RandomNets.gaussian(1, layer.rows * layer.cols);
    x = RandomNets.gaussian(2, layer.cols);
    y = new float[layer.rows];
  }

  @Benchmark
  public float[] gemv() {
    ops.gemv(layer.rows, layer.cols, 1e-3f, a, x, y);
    return y;
  }

  @Override
  public Workload model() {
    double mn = (double) layer.rows * layer.cols;
    return new Workload("gemv", null, path.label(), "gemv" + layer.rows + "x" + layer.cols, 1,
        path.threads(), 2 * mn, F * mn, 0);
  }
}
