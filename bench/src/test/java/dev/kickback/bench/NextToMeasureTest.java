package dev.kickback.bench;

import static dev.kickback.bench.Runs.fork;
import static dev.kickback.bench.Runs.params;
import static dev.kickback.bench.Runs.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.bench.report.Rows;
import java.util.List;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.junit.jupiter.api.Test;

/**
 * Which row the suite measures further: rows wider than ±10% first (they are not results), then
 * rows within it whose forks' means lie more than 10% apart, each up to its own number of forks.
 */
class NextToMeasureTest {
  /** Two forks 1.15x apart, ten iterations each: pooled, the interval is well within ±10%. */
  private static RunResult disagreeing(String batch) {
    return row(batch, 10, 100, 115);
  }

  /** Two forks 1.6x apart, three iterations each: an interval far wider than ±10%. */
  private static RunResult wide(String batch, double slow) {
    return row(batch, 3, slow, 160);
  }

  @Test
  void theRowsAreWhatTheirNamesSay() {
    assertTrue(BenchSuite.relativeError(disagreeing("1")) < Rows.MAX_RELATIVE_ERROR);
    assertTrue(BenchSuite.relativeError(row("1", 10, 100, 105)) < Rows.MAX_RELATIVE_ERROR);
    assertTrue(BenchSuite.relativeError(wide("1", 100)) > Rows.MAX_RELATIVE_ERROR);
  }

  @Test
  void aWideRowGoesBeforeOneWhoseForksDisagreeTheNarrowestFirst() {
    List<RunResult> all = List.of(disagreeing("1"), wide("2", 100), wide("4", 110));
    assertEquals(2, BenchSuite.nextToMeasure(all, r -> true));
    assertEquals(0, BenchSuite.nextToMeasure(List.of(disagreeing("1"), row("2", 10, 100, 105)),
        r -> true));
  }

  @Test
  void forksThatAgreeWithinTheirIntervalAreResults() {
    assertEquals(-1, BenchSuite.nextToMeasure(List.of(row("1", 10, 100, 105),
        row("2", 10, 100, 100)), r -> true));
  }

  @Test
  void rowsWhoseForksDisagreeGetFourForksTheFewestFirstThenTheWidestSpread() {
    RunResult four = row("1", 10, 100, 115, 100, 115);
    RunResult three = row("2", 10, 100, 112, 106);
    RunResult twoNear = row("4", 10, 100, 112);
    RunResult twoFar = row("8", 10, 100, 118);
    assertEquals(3, BenchSuite.nextToMeasure(List.of(four, three, twoNear, twoFar), r -> true));
    assertEquals(1, BenchSuite.nextToMeasure(List.of(four, three), r -> true));
    assertEquals(-1, BenchSuite.nextToMeasure(List.of(four), r -> true),
        BenchSuite.DISAGREEING_FORKS + " forks are enough for a row within its interval");
  }

  @Test
  void aWideRowStopsAtSixForksAndARowWhoseForkDoesNotFitIsLeft() {
    RunResult six = row("1", 3, 100, 160, 100, 160, 100, 160);
    assertTrue(BenchSuite.relativeError(six) > Rows.MAX_RELATIVE_ERROR);
    assertEquals(-1, BenchSuite.nextToMeasure(List.of(six), r -> true));
    List<RunResult> all = List.of(wide("2", 100), disagreeing("4"));
    assertEquals(1, BenchSuite.nextToMeasure(all, r -> r != all.get(0)));
    assertEquals(-1, BenchSuite.nextToMeasure(all, r -> false));
  }

  @Test
  void singleCallsAreNeverMeasuredFurther() {
    BenchmarkParams p = params(2, "1", Mode.SingleShotTime);
    RunResult cold = new RunResult(p, List.of(fork(p, 100), fork(p, 300)));
    assertEquals(-1, BenchSuite.nextToMeasure(List.of(cold), r -> true));
  }
}
