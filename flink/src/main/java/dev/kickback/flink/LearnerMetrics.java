package dev.kickback.flink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * The learner operator's metrics, per subtask, in the group {@code kickback} of the operator's
 * metric group (Flink's web UI and metric reporters show them): {@code records} received,
 * {@code predictions} sent, {@code rejectedRecords}, training {@code steps} taken and
 * {@code stepsPerSecond} (over Flink's default 60 s window), and {@code latestRecentNmse}, the
 * recent NMSE of the subtask's latest NMSE report (NaN before the first), and {@code cachedKeys},
 * the keys whose models the subtask holds decoded on a serializing backend (0 on the heap
 * backend, or with the cache off: {@link LearnerConfig#modelCache}).
 */
final class LearnerMetrics {
  private final Counter records;
  private final Counter predictions;
  private final Counter rejected;
  private final Counter steps;
  private volatile double latestRecentNmse = Double.NaN;
  private volatile ModelCache cache;

  LearnerMetrics(MetricGroup operator) {
    MetricGroup g = operator.addGroup("kickback");
    records = g.counter("records");
    predictions = g.counter("predictions");
    rejected = g.counter("rejectedRecords");
    steps = g.counter("steps");
    g.meter("stepsPerSecond", new MeterView(steps));
    g.gauge("latestRecentNmse", () -> latestRecentNmse);
    g.gauge("cachedKeys", () -> {
      ModelCache c = cache;
      return c == null ? 0 : c.size();
    });
  }

  /** The subtask keeps models in {@code c}. */
  void cache(ModelCache c) {
    cache = c;
  }

  /** A record arrived. */
  void record() {
    records.inc();
  }

  /** {@code to}, counting what passes through it into these metrics. */
  KeyLearner.Outputs counting(KeyLearner.Outputs to) {
    return new KeyLearner.Outputs() {
      @Override
      public void prediction(Prediction p) {
        predictions.inc();
        to.prediction(p);
      }

      @Override
      public void nmse(NmseReport r) {
        latestRecentNmse = r.recentNmse();
        to.nmse(r);
      }

      @Override
      public void rejected(Rejected r) {
        rejected.inc();
        to.rejected(r);
      }

      @Override
      public void snapshot(ModelSnapshot s) {
        to.snapshot(s);
      }

      @Override
      public void stepped(String key, long version) {
        steps.inc();
        to.stepped(key, version);
      }
    };
  }
}
