package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** A whole network on one batch: the parameters and state forward passes and steps share. */
public abstract class NetworkBench extends BenchBase {
  @Param({"VECTOR", "SCALAR", "OPENBLAS"})
  public KernelPath path;

  @Param({"PAPER", "WIDE"})
  public Net net;

  @Param({"1", "2", "4", "8", "16", "256"})
  public int batch;

  NetworkState s;

  @Setup
  public void setup() {
    s = new NetworkState(net, path, batch);
  }

  /** Weight bytes of every layer (biases are under 1% and not counted). */
  public static double weightBytes(NetworkSpec spec) {
    double w = 0;
    for (int l = 0; l < spec.layers(); l++) {
      w += spec.weightCount(l);
    }
    return F * w;
  }
}
