package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
