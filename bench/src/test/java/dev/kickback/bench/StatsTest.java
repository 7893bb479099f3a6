package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void tQuantilesMatchTheTableAndApproachTheNormal() {
    assertEquals(12.706, Stats.tQuantile975(1), 1e-9);
    assertEquals(2.228, Stats.tQuantile975(10), 1e-9);
    assertEquals(2.042, Stats.tQuantile975(30), 1e-9);
    assertEquals(1.980, Stats.tQuantile975(120), 2e-3); // the table's 1.980
    double between = Stats.tQuantile975(2.5);
    assertTrue(between < 4.303 && between > 3.182, Double.toString(between));
  }

  @Test
  void normalCdfAtKnownPoints() {
    assertEquals(0.5, Stats.normalCdf(0), 1e-7);
    assertEquals(0.9750021, Stats.normalCdf(1.96), 1e-6);
    assertEquals(0.0227501, Stats.normalCdf(-2), 1e-6);
  }

  @Test
  void mannWhitneyOfSeparatedSamples() {
    double[] x = new double[10];
    double[] y = new double[10];
    for (int i = 0; i < 10; i++) {
      x[i] = i;
      y[i] = 100 + i;
    }
    // U = 0, mean 50, sd sqrt(100 * 21 / 12): z = 49.5 / 13.229 = 3.742
    assertEquals(1.83e-4, Stats.mannWhitneyP(x, y), 0.05e-4);
    assertEquals(Stats.mannWhitneyP(x, y), Stats.mannWhitneyP(y, x), 1e-15);
  }

  @Test
  void mannWhitneyOfOneSampleAgainstItselfIsOne() {
    double[] x = {1, 2, 3, 4, 5, 6};
    assertEquals(1.0, Stats.mannWhitneyP(x, x.clone()), 1e-6);
    assertEquals(1.0, Stats.mannWhitneyP(new double[] {2, 2, 2}, new double[] {2, 2}), 0);
  }

  @Test
  void mannWhitneyOfInterleavedSamplesIsLarge() {
    double[] x = {1, 3, 5, 7, 9, 11, 13, 15};
    double[] y = {2, 4, 6, 8, 10, 12, 14, 16};
    assertTrue(Stats.mannWhitneyP(x, y) > 0.5);
  }
}
