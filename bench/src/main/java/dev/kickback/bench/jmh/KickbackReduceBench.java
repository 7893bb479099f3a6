package dev.kickback.bench.jmh;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Kickback's reduction for one wide layer: {@code tau[B][1024] = D[B][1024] W[1024][1024]}, D the
 * signed activity masks of the layer above (half the units active, signs +-1). Counted as
 * 2 B 1024^2 FLOPs, although inactive units contribute nothing and a kernel may skip them;
 * bytes: W read once.
 */
public class KickbackReduceBench extends BenchBase {
  static final int WIDTH = 1024;

  @Param({"VECTOR", "SCALAR", "OPENBLAS"})
  public KernelPath path;

  @Param({"1", "256"})
  public int batch;

  private KernelOps ops;
  private float[] mask;
  private float[] w;
  private float[] tau;

  @Setup
  public void setup() {
    ops = path.ops();
    float[] s = RandomNets.gaussian(3, batch * WIDTH);
    mask = new float[batch * WIDTH];
    for (int i = 0; i < mask.length; i++) {
      int unit = i % WIDTH;
      mask[i] = s[i] > 0 ? (unit < WIDTH / 2 ? 1f : -1f) : 0f;
    }
    w = RandomNets.gaussian(4, WIDTH * WIDTH);
    tau = new float[batch * WIDTH];
  }

  @Benchmark
  public float[] kickbackReduce() {
    Arrays.fill(tau, 0f);
    ops.gemmNN(batch, WIDTH, WIDTH, 1f, mask, w, tau);
    return tau;
  }

  @Override
  public Workload model() {
    return new Workload("kickback_reduce", null, path.label(), "wide_layer", batch,
        path.threads(), 2.0 * batch * WIDTH * WIDTH, (double) F * WIDTH * WIDTH, 0);
  }
}
