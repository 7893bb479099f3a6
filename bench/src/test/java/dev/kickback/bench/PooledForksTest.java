package dev.kickback.bench;

import static dev.kickback.bench.Runs.fork;
import static dev.kickback.bench.Runs.params;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.junit.jupiter.api.Test;

/**
 * A row measured further is the row JMH would have reported had it run all those forks at once:
 * the same score and interval, every fork's iterations kept, its parameters counting them.
 */
class PooledForksTest {
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
