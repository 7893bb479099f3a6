package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The A/B verdict: a regression needs the U test, the threshold and every fork to agree. */
class AbRunTest {
  private static final double T = 0.05;

  /** Five iterations around {@code mean}, spread ±1%. */
  private static double[] fork(double mean) {
    return new double[] {mean * 0.99, mean * 0.995, mean, mean * 1.005, mean * 1.01};
  }

  private static AbRun.Line line(double[] a1, double[] a2, double[] b1, double[] b2) {
    return new AbRun.Line("row", "ops/s", true, List.of(a1, a2), List.of(b1, b2));
  }

  @Test
  void theSameNumbersAreTheSame() {
    AbRun.Line l = line(fork(100), fork(101), fork(100.5), fork(100));
    assertEquals(AbRun.Verdict.SAME, l.verdict(T));
  }

  @Test
  void aTenPercentSlowdownInEveryForkIsARegression() {
    AbRun.Line l = line(fork(100), fork(101), fork(90), fork(91));
    assertEquals(AbRun.Verdict.REGRESSION, l.verdict(T));
    assertEquals(90.5 / 100.5, l.speed(), 1e-12);
    double[] ci = l.speedInterval();
    assertTrue(ci[0] < l.speed() && l.speed() < ci[1]);
  }

  @Test
  void aTimeThatGrowsIsARegressionToo() {
    AbRun.Line l = new AbRun.Line("row", "us/op", false, List.of(fork(100), fork(101)),
        List.of(fork(112), fork(111)));
    assertEquals(AbRun.Verdict.REGRESSION, l.verdict(T));
  }

  @Test
  void oneOddForkIsNotARegression() {
    // B's second fork matches A: the iterations differ significantly, the forks do not agree
    AbRun.Line l = line(fork(100), fork(100), fork(80), fork(100.5));
    assertEquals(AbRun.Verdict.SAME, l.verdict(T));
  }

  @Test
  void aSlowdownWithinTheThresholdIsSmall() {
    AbRun.Line l = line(fork(100), fork(100.2), fork(97), fork(97.2));
    assertEquals(AbRun.Verdict.SMALL, l.verdict(T));
  }

  @Test
  void aSpeedupIsFaster() {
    assertEquals(AbRun.Verdict.FASTER, line(fork(100), fork(101), fork(120), fork(119))
        .verdict(T));
  }

  @Test
  void aRowMissingOnOneSideIsSaid() {
    AbRun.Line l = new AbRun.Line("row", "ops/s", true, List.of(), List.of(fork(1), fork(1)));
    assertEquals(AbRun.Verdict.MISSING, l.verdict(T));
    assertTrue(AbRun.render(List.of(l), T, "a", "b", "headline", 1).contains(
        "| row | - | 1.000 ops/s (forks 1.000 1.000) | | | | not measured on both sides |"));
  }
}
