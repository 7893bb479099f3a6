package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;

/**
 * A row measured further is the row JMH would have reported had it run all those forks at once:
 * the same score and interval, every fork's iterations kept, its parameters counting them.
 */
class PooledForksTest {
  private static final IterationParams MEASURE =
      new IterationParams(IterationType.MEASUREMENT, 3, TimeValue.milliseconds(100), 1);

  private static BenchmarkParams params(int forks) {
    WorkloadParams w = new WorkloadParams();
    w.put("batch", "16", 0);
    w.put("net", "PAPER", 1);
    return new BenchmarkParams("dev.kickback.bench.jmh.StepBench.step", "generated", true, 1,
        new int[] {1}, List.of(), forks, 0,
        new IterationParams(IterationType.WARMUP, 2, TimeValue.seconds(1), 1), MEASURE,
        Mode.Throughput, w, TimeUnit.SECONDS, 1, "java", List.of(), "25", "vm", "25", "1.37",
        TimeValue.minutes(10));
  }

  /** One fork: its iterations at these rates (ops per 100 ms). */
  private static BenchmarkResult fork(BenchmarkParams p, double... ops) {
    List<IterationResult> its = new ArrayList<>();
    for (double o : ops) {
      IterationResult it = new IterationResult(p, MEASURE, new IterationResultMetaData(0, 0));
      it.addResult(new ThroughputResult(ResultRole.PRIMARY, "step", o, 100_000_000L,
          TimeUnit.SECONDS));
      its.add(it);
    }
    return new BenchmarkResult(p, its);
  }

  @Test
  void pooledForksAreOneRunOfAllOfThem() {
    BenchmarkParams two = params(2);
    BenchmarkParams one = params(1);
    RunResult first = new RunResult(two, List.of(fork(two, 100, 104, 98), fork(two, 80, 82, 79)));
    RunResult more = new RunResult(one, List.of(fork(one, 101, 99, 103)));
    RunResult pooled = BenchSuite.pooled(first, more);

    BenchmarkParams three = params(3);
    RunResult atOnce = new RunResult(three, List.of(fork(three, 100, 104, 98),
        fork(three, 80, 82, 79), fork(three, 101, 99, 103)));
    assertEquals(3, pooled.getParams().getForks());
    assertEquals(3, pooled.getBenchmarkResults().size());
    assertEquals(atOnce.getPrimaryResult().getScore(), pooled.getPrimaryResult().getScore());
    assertEquals(atOnce.getPrimaryResult().getScoreError(),
        pooled.getPrimaryResult().getScoreError());
    assertEquals(8460.0, pooled.getPrimaryResult().getStatistics().getSum(), 1e-9);
    assertEquals("16", pooled.getParams().getParam("batch"));
    assertEquals("PAPER", pooled.getParams().getParam("net"));
    assertArrayEquals(new Object[] {"batch", "net"},
        pooled.getParams().getParamsKeys().toArray());
  }
}
