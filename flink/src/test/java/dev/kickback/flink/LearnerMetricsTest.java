package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** The operator's metrics count what the learner does with each record. */
class LearnerMetricsTest {
  /** A metric group that keeps what is registered in it, by "group.name". */
  private static final class Capture extends UnregisteredMetricsGroup {
    final Map<String, Metric> metrics;
    private final String prefix;

    Capture(String prefix, Map<String, Metric> metrics) {
      this.prefix = prefix;
      this.metrics = metrics;
    }

    @Override
    public MetricGroup addGroup(String name) {
      return new Capture(prefix + name + ".", metrics);
    }

    @Override
    public Counter counter(String name) {
      return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C c) {
      metrics.put(prefix + name, c);
      return c;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G g) {
      metrics.put(prefix + name, g);
      return g;
    }

    @Override
    public <M extends Meter> M meter(String name, M m) {
      metrics.put(prefix + name, m);
      return m;
    }
  }

  @Test
  void recordsPredictionsRejectionsStepsAndTheLatestNmseAreCounted() {
    Capture group = new Capture("", new LinkedHashMap<>());
    LearnerMetrics metrics = new LearnerMetrics(group);
    assertEquals(List.of("kickback.records", "kickback.predictions", "kickback.rejectedRecords",
        "kickback.steps", "kickback.stepsPerSecond", "kickback.latestRecentNmse",
        "kickback.cachedKeys"),
        List.copyOf(group.metrics.keySet()));
    assertTrue(Double.isNaN(gauge(group)));

    KeyLearner learner = new KeyLearner(TestStreams.config().every(5, 0));
    List<Object> out = new ArrayList<>();
    KeyLearner.Outputs to = metrics.counting(Collect.into(out));
    KeyModel m = null;
    for (long i = 0; i < 12; i++) {
      metrics.record();
      m = learner.onRecord("k0", m, TestStreams.sample(i, 1), to);
    }
    metrics.record();
    m = learner.onRecord("k0", m, Sample.labeled("k0", 12, new float[2], 1f), to); // bad width
    metrics.record();
    learner.onRecord("k0", m, Sample.query("k0", 13, new float[TestStreams.WIDTH]), to);

    assertEquals(14, count(group, "records"));
    assertEquals(13, count(group, "predictions")); // 12 steps' predictions and the query's
    assertEquals(13, out.stream().filter(o -> o instanceof Prediction).count());
    assertEquals(1, count(group, "rejectedRecords"));
    assertEquals(12, count(group, "steps"));
    NmseReport last = null;
    for (Object o : out) {
      if (o instanceof NmseReport r) {
        last = r;
      }
    }
    assertEquals(10, last.samples());
    assertEquals(last.recentNmse(), gauge(group));
  }

  private static long count(Capture g, String name) {
    return ((Counter) g.metrics.get("kickback." + name)).getCount();
  }

  private static double gauge(Capture g) {
    return (Double) ((Gauge<?>) g.metrics.get("kickback.latestRecentNmse")).getValue();
  }
}
