package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Inference: one forward pass of a batch. Operations per second times the batch is samples per
 * second. FLOPs: 2 per weight per sample (what the dense pass would do; at batch 1 the kernel
 * skips the rows of zero inputs, so it does fewer). Bytes: {@link Traffic#forwardRead}.
 */
public class ForwardBench extends NetworkBench {
  @Benchmark
  public float[] forward(ThreadAlloc alloc) {
    alloc.op();
    return s.forward();
  }

  @Override
  public Workload model() {
    NetworkSpec spec = net.spec();
    return new Workload("forward", null, path.label(), net.label(), batch, path.threads(),
        (double) batch * spec.forwardFlopsPerSample(), Traffic.of(net, batch).forwardRead(),
        batch);
  }
}
