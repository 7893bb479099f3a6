package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.api.Network;
import dev.kickback.io.ModelFile;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-key logic without Flink. */
class KeyLearnerTest {
  @Test
  void thePrequentialNmseIsThatOfThePredictionsMadeBeforeTraining() {
    KeyLearner learner = new KeyLearner(TestStreams.config().batch(2).every(25, 0));
    List<Object> out = new ArrayList<>();
    KeyModel m = null;
    for (long i = 0; i < 120; i++) {
      m = learner.onRecord("k0", m, TestStreams.sample(i * 2, 2), Collect.into(out));
    }
    List<Prediction> predictions = new ArrayList<>();
    List<NmseReport> reports = new ArrayList<>();
    for (Object o : out) {
      if (o instanceof Prediction p) {
        predictions.add(p);
      } else if (o instanceof NmseReport r) {
        reports.add(r);
      }
    }
    assertEquals(List.of(25L, 50L, 75L, 100L), reports.stream().map(NmseReport::samples)
        .toList());
    for (NmseReport r : reports) {
      int n = (int) r.samples();
      assertEquals(nmse(predictions, 0, n), r.nmse(), 1e-12 * r.nmse(), r.toString());
      double variance = sse(predictions, 0, n) / nmse(predictions, 0, n) / n; // of n targets
      assertEquals(sse(predictions, n - 25, n) / 25 / variance, r.recentNmse(),
          1e-9 * r.recentNmse(), r.toString());
      assertEquals(25, r.recentSamples());
      assertEquals((n + 1) / 2, r.modelVersion()); // the step that trained sample n
    }
  }

  @Test
  void aStateOfAnotherNetworkIsRefusedNamingTheDifference() {
    KeyModel m = KeyModelSerializerTest.state(3, 1);
    m.checked = false; // as restored
    KeyLearner other = new KeyLearner(TestStreams.config().hidden(16, 9));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> other.onRecord("k0", m, TestStreams.sample(9, 3), Collect.into(new ArrayList<>())));
    assertEquals("key k0: the restored model's network differs from the configured one: hidden"
        + " layer 1 has 8 units here, 9 there", e.getMessage());
    KeyLearner batch4 = new KeyLearner(TestStreams.config().batch(4));
    IllegalStateException b = assertThrows(IllegalStateException.class,
        () -> batch4.onRecord("k0", m, TestStreams.sample(9, 3), Collect.into(new ArrayList<>())));
    assertEquals("key k0: the restored state has micro-batches of 1, the configuration 4",
        b.getMessage());
  }

  @Test
  void aDivergedStepBacksTheKeysRateOff() {
    KeyLearner learner = new KeyLearner(TestStreams.config().stability(0.25f, 100, 0, 0.01f));
    List<Object> out = new ArrayList<>();
    KeyModel m = learner.onRecord("k0", null, TestStreams.sample(0, 1), Collect.into(out));
    assertEquals(1f, m.rateScale());
    float[] huge = new float[TestStreams.WIDTH]; // finite, but its step overflows
    java.util.Arrays.fill(huge, 1e30f);
    for (int i = 0; i < 4; i++) {
      m = learner.onRecord("k0", m, Sample.labeled("k0", 1 + i, huge, 1f), Collect.into(out));
    }
    assertEquals(0.01f, m.rateScale()); // 0.25, 0.0625, then the floor
    assertEquals(4, m.rejected());
  }

  @Test
  void windowsKeepTheBestModelABlowUpPutsItBackAndPatienceRunsOut() {
    Stability policy = new Stability(TestStreams.config().stability(0.5f, 10, 2, 1f / 64));
    KeyModel m = KeyModelSerializerTest.state(5, 1);
    double variance = m.targetM2 / m.trained;
    window(policy, m, 0.2 * variance); // the first window is the best so far
    assertEquals(0.2, m.bestNmse, 1e-12);
    Network best = m.best;
    assertTrue(best != m.network()); // a copy, not the live network
    byte[] bestBytes = ModelFile.encode(best, null);
    m.replaceNetwork(KeyModelSerializerTest.state(9, 1).network()); // learning went on
    window(policy, m, 0.3 * variance); // no progress: 1 of 2
    assertEquals(1f, m.rateScale());
    window(policy, m, 0.25 * variance); // 2 of 2: back off
    assertEquals(0.5f, m.rateScale());
    window(policy, m, 0.1 * variance); // a new best
    assertEquals(0.1, m.bestNmse, 1e-12);
    byte[] newBest = ModelFile.encode(m.network(), null);
    m.replaceNetwork(best);
    window(policy, m, 0.41 * variance); // over 4 x 0.1: the best model back, the rate down
    assertArrayEquals(newBest, ModelFile.encode(m.network(), null));
    assertEquals(0.25f, m.rateScale());
    assertArrayEquals(bestBytes, ModelFile.encode(best, null)); // the old best untouched
    m.windowCount = 9; // a window not yet full: nothing happens
    m.windowSse = 1e9;
    policy.trained(m);
    assertEquals(0.25f, m.rateScale());
  }

  /** Ends a window of 10 samples whose mean squared error is {@code mse}. */
  private static void window(Stability policy, KeyModel m, double mse) {
    m.windowCount = 10;
    m.windowSse = 10 * mse;
    policy.trained(m);
    assertEquals(0, m.windowCount);
  }

  @Test
  void theStabilityPolicyIsCheckedAndCanBeTurnedOff() {
    LearnerConfig c = TestStreams.config();
    assertEquals("backoff 0.0: must be in (0, 1] (1: off)", assertThrows(
        IllegalArgumentException.class, () -> c.stability(0f, 10, 1, 0.5f)).getMessage());
    assertEquals("window 0: must be >= 1 sample", assertThrows(
        IllegalArgumentException.class, () -> c.stability(0.5f, 0, 1, 0.5f)).getMessage());
    assertEquals("patience -1: must be >= 0 windows (0: off)", assertThrows(
        IllegalArgumentException.class, () -> c.stability(0.5f, 1, -1, 0.5f)).getMessage());
    assertEquals("minRateScale 0.0: must be in (0, 1]", assertThrows(
        IllegalArgumentException.class, () -> c.stability(0.5f, 1, 1, 0f)).getMessage());
    KeyLearner off = new KeyLearner(c.stability(1f, 1, 0, 1f));
    float[] huge = new float[TestStreams.WIDTH];
    java.util.Arrays.fill(huge, 1e30f);
    List<Object> out = new ArrayList<>();
    KeyModel m = off.onRecord("k0", null, TestStreams.sample(0, 1), Collect.into(out));
    m = off.onRecord("k0", m, Sample.labeled("k0", 1, huge, 1f), Collect.into(out));
    assertEquals(1f, m.rateScale());
  }

  private static double nmse(List<Prediction> p, int from, int to) {
    double mean = 0;
    for (int i = 0; i < to; i++) {
      mean += p.get(i).target();
    }
    mean /= to;
    double var = 0;
    for (int i = 0; i < to; i++) {
      double d = p.get(i).target() - mean;
      var += d * d;
    }
    return sse(p, from, to) / var;
  }

  private static double sse(List<Prediction> p, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      double e = (double) p.get(i).target() - p.get(i).prediction();
      s += e * e;
    }
    return s;
  }
}
