package dev.kickback.bench.jmh;

import org.openjdk.jmh.annotations.Threads;

/**
 * All cores, independent streams: {@link StepBench}'s step with every thread training its own
 * network (JMH reports the sum over threads). This is the throughput of many online models on
 * one machine, not one step split across cores (StepBench on a *2t path).
 */
@Threads(Threads.MAX)
public class ParallelBench extends StepBench {
  /** Per thread; the report multiplies by the threads JMH ran. */
  @Override
  public Workload model() {
    return stepModel("parallel_step", rule, path.label(), path.threads(), net, batch);
  }
}
