package dev.kickback.bench.djl;

import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.bench.jmh.BenchBase;
import dev.kickback.bench.jmh.KernelPath;
import dev.kickback.bench.jmh.Net;
import dev.kickback.bench.jmh.StepBench;
import dev.kickback.bench.jmh.Workload;
import dev.kickback.testkit.RandomNets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The peer a Java user would otherwise pick: the same training step in PyTorch 2.7.1 through
 * DJL (CPU engine from Maven Central, {@code ai.djl.offline=true}), Backprop by autograd + SGD
 * and Kickback in tensor operations, on {@code djl} (PyTorch on 1 thread) and {@code djl2t}
 * (2 intra-op threads). Setup first takes one step with DJL and one with this library's vector
 * trainer from the same network and batch and fails unless their parameters agree (relative
 * norm 1e-4 per layer): the peer computes the same thing.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true"})
public class DjlStepBench extends BenchBase {
  @Param({"djl", "djl2t"})
  public String path;

  @Param({"KICKBACK", "BACKPROP"})
  public Rule rule;

  @Param({"PAPER", "WIDE"})
  public Net net;

  @Param({"1", "256"})
  public int batch;

  private DjlNet djl;
  private boolean kickback;
  private float[] x;
  private float[] y;

  @Setup
  public void setup() {
    // PyTorch reads its thread counts once, when the engine starts
    String threads = path.equals("djl2t") ? "2" : "1";
    System.setProperty("ai.djl.pytorch.num_threads", threads);
    System.setProperty("ai.djl.pytorch.num_interop_threads", threads);
    System.setProperty("ENGINE_CACHE_DIR",
        System.getProperty("java.io.tmpdir") + "/kickback-djl-cache");
    NetworkSpec spec = net.spec();
    kickback = rule == Rule.KICKBACK;
    x = RandomNets.gaussian(2, batch * spec.inputWidth());
    y = RandomNets.gaussian(3, batch);
    Network start = Network.initialize(spec, 1);
    checkAgainstLibrary(start, spec);
    djl = new DjlNet(start, !kickback);
  }

  private void checkAgainstLibrary(Network start, NetworkSpec spec) {
    Network ours = start.copy();
    new Trainer(ours, batch, KernelPath.VECTOR.ops()).step(rule, x, y, batch, 1e-3f);
    try (DjlNet theirs = new DjlNet(start, !kickback)) {
      if (kickback) {
        theirs.kickbackStep(x, y, batch, 1e-3f);
      } else {
        theirs.backpropStep(x, y, batch, 1e-3f);
      }
      for (int l = 0; l < spec.layers(); l++) {
        check("weights[" + l + "]", ours.weights(l), theirs.weights(l));
        check("biases[" + l + "]", ours.biases(l), theirs.biases(l));
      }
    }
  }

  private static void check(String what, float[] want, float[] got) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < want.length; i++) {
      diff += (double) (want[i] - got[i]) * (want[i] - got[i]);
      norm += (double) want[i] * want[i];
    }
    if (Math.sqrt(diff) > 1e-4 * Math.max(Math.sqrt(norm), 1e-30)) {
      throw new IllegalStateException("DJL peer disagrees with the library after one step: "
          + what + " differs by " + Math.sqrt(diff) + " (norm " + Math.sqrt(norm) + ")");
    }
  }

  @Benchmark
  public float step() {
    return kickback ? djl.kickbackStep(x, y, batch, 1e-5f) : djl.backpropStep(x, y, batch, 1e-5f);
  }

  @TearDown
  public void tearDown() {
    djl.close();
  }

  @Override
  public Workload model() {
    return StepBench.stepModel("step", rule, path, path.equals("djl2t") ? 2 : 1, net, batch);
  }
}
