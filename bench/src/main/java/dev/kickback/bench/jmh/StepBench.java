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
 * <p>FLOPs: {@link NetworkSpec#stepFlopsPerSample()} per sample, the same for both rules (the
 * dense count; at batch 1 the kernel skips inactive rows). Bytes: {@link Traffic#step()}.
 */
public class StepBench extends NetworkBench {
  @Param({"KICKBACK", "BACKPROP"})
  public Rule rule;

  @Benchmark
  public float step(ThreadAlloc alloc) {
    alloc.op();
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
    return new Workload(name, rule.name().toLowerCase(Locale.ROOT), path, net.label(), batch,
        threads, (double) batch * spec.stepFlopsPerSample(), Traffic.of(net, batch).step(),
        batch);
  }
}
