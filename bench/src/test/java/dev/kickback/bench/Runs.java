package dev.kickback.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.ThroughputResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/** JMH results built in memory, as the suite's runner returns them, for the suite's tests. */
final class Runs {
  static final IterationParams MEASURE =
      new IterationParams(IterationType.MEASUREMENT, 3, TimeValue.milliseconds(100), 1);

  private Runs() {}

  /** StepBench.step at the given batch on the paper network, with this many forks. */
  static BenchmarkParams params(int forks, String batch, Mode mode) {
    WorkloadParams w = new WorkloadParams();
    w.put("batch", batch, 0);
    w.put("net", "PAPER", 1);
    return new BenchmarkParams("dev.kickback.bench.jmh.StepBench.step", "generated", true, 1,
        new int[] {1}, List.of(), forks, 0,
        new IterationParams(IterationType.WARMUP, 2, TimeValue.seconds(1), 1), MEASURE,
        mode, w, TimeUnit.SECONDS, 1, "java", List.of(), "25", "vm", "25", "1.37",
        TimeValue.minutes(10));
  }

  static BenchmarkParams params(int forks) {
    return params(forks, "16", Mode.Throughput);
  }

  /** One fork: its iterations at these rates (ops per 100 ms). */
  static BenchmarkResult fork(BenchmarkParams p, double... ops) {
    List<IterationResult> its = new ArrayList<>();
    for (double o : ops) {
      IterationResult it = new IterationResult(p, MEASURE, new IterationResultMetaData(0, 0));
      it.addResult(new ThroughputResult(ResultRole.PRIMARY, "step", o, 100_000_000L,
          TimeUnit.SECONDS));
      its.add(it);
    }
    return new BenchmarkResult(p, its);
  }

  /** A row of forks whose iterations are {@code per} repetitions of each fork's rate. */
  static RunResult row(String batch, int per, double... forkRates) {
    BenchmarkParams p = params(forkRates.length, batch, Mode.Throughput);
    List<BenchmarkResult> forks = new ArrayList<>();
    for (double rate : forkRates) {
      double[] ops = new double[per];
      for (int i = 0; i < per; i++) {
        ops[i] = rate * (1 + 0.001 * (i % 3 - 1)); // a little noise, so the interval is finite
      }
      forks.add(fork(p, ops));
    }
    return new RunResult(p, forks);
  }
}
