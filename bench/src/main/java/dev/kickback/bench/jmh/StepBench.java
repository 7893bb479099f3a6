package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import java.util.Locale;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * One SGD training step (forward, feedback, update, coherence clipping) on a batch. The
 * openblas paths run the library's own Trainer with every GEMM done by cblas_sgemm; the *2t
 * paths split one step's large GEMMs over both cores (one stream, so this is a step's latency,
 * not the throughput of independent streams: that is {@link ParallelBench}).
 *
 * <p>FLOPs: {@link NetworkSpec#stepFlopsPerSample()} per sample, the same for both rules. Bytes: the weights read for the forward pass,
 * the upper layers' read again for the feedback, all read and written by the update.
 */
public class StepBench extends NetworkBench {
  @Param({"KICKBACK", "BACKPROP"})
  public Rule rule;

  @Benchmark
  public float step() {
    return s.step(rule);
  }

  @Override
  public Workload model() {
    return stepModel("step", rule, path.label(), path.threads(), net, batch);
  }

  /** The step's cost model, for any implementation of it (ours on every path, or a peer's). */
  public static Workload stepModel(String name, Rule rule, String path, int threads, Net net,
      int batch) {
    NetworkSpec spec = net.spec();
    double all = weightBytes(spec);
    double upper = all - (double) F * spec.weightCount(0);
    return new Workload(name, rule.name().toLowerCase(Locale.ROOT), path, net.label(), batch,
        threads, (double) batch * spec.stepFlopsPerSample(),
        all + upper + 2 * all + (double) F * batch * spec.inputWidth(), batch);
  }
}
