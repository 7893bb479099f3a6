package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Inference: one forward pass of a batch. Operations per second times the batch is samples per
 * second. FLOPs: 2 per weight per sample. Bytes: every weight read once per batch, plus the
 * inputs.
 */
public class ForwardBench extends NetworkBench {
  @Benchmark
  public float[] forward() {
    return s.forward();
  }

  @Override
  public Workload model() {
    NetworkSpec spec = net.spec();
    return new Workload("forward", null, path.label(), net.label(), batch, path.threads(),
        (double) batch * spec.forwardFlopsPerSample(),
        weightBytes(spec) + (double) F * batch * spec.inputWidth(), batch);
  }
}
