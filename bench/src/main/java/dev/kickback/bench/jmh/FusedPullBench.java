package dev.kickback.bench.jmh;

import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
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
 * Kickback's structural option at batch 1: a forward pass that also pulls every layer's signed
 * activity back through the same weights (tau for the layer below), {@code fused} in one read
 * of each weight matrix (KernelOps.gemvRectifyPull) or {@code unfused} as the trainer does it
 * (gemv and rectify, then gemmNN per layer). Same bits either way (tested); this measures which
 * is faster. The paper network, vector path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FusedPullBench {
  @Param({"fused", "unfused"})
  public String mode;

  private KernelOps ops;
  private NetworkSpec spec;
  private float[][] w;
  private float[][] b;
  private float[][] nu;
  private float[][] s;
  private float[][] o;
  private float[][] d;
  private float[][] tau;
  private float[] x;
  private boolean fused;

  @Setup
  public void setup() {
    ops = Workloads.path("vector");
    spec = Workloads.network("paper");
    Network net = Network.initialize(spec, 1);
    int layers = spec.layers();
    w = new float[layers][];
    b = new float[layers][];
    nu = new float[layers][];
    s = new float[layers][];
    o = new float[layers][];
    d = new float[layers][];
    tau = new float[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = net.weights(l);
      b[l] = net.biases(l);
      nu[l] = new float[spec.width(l)];
      for (int k = 0; k < nu[l].length; k++) {
        nu[l][k] = spec.sign(l, k);
      }
      s[l] = new float[spec.width(l)];
      o[l] = new float[spec.width(l)];
      d[l] = new float[spec.width(l)];
      tau[l] = new float[spec.width(l)];
    }
    x = Workloads.gaussian(2, spec.inputWidth());
    fused = mode.equals("fused");
  }

  /** Forward pass and tau for every layer below the head, one sample. */
  @Benchmark
  public float[][] forwardAndTau() {
    float[] in = x;
    for (int l = 0; l < spec.layers(); l++) {
      int n = spec.width(l);
      int nIn = spec.fanIn(l);
      System.arraycopy(b[l], 0, s[l], 0, n);
      float[] pull = l > 0 ? tau[l - 1] : null;
      if (pull != null) {
        java.util.Arrays.fill(pull, 0f);
      }
      if (fused) {
        ops.gemvRectifyPull(n, nIn, w[l], in, nu[l], s[l], o[l], d[l], pull);
      } else {
        ops.gemv(n, nIn, 1f, w[l], in, s[l]);
        ops.rectify(1, n, s[l], nu[l], o[l], d[l]);
        if (pull != null) {
          ops.gemmNN(1, nIn, n, 1f, d[l], w[l], pull);
        }
      }
      in = o[l];
    }
    return tau;
  }
}
