package dev.kickback.flink;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for the test jobs' MiniCluster (in the tests' JVM): the most keys any
 * learner subtask held decoded ({@code kickback.cachedKeys}) when its metrics were removed, at
 * the end of the task. Flink finds it through its service file in the test resources.
 */
public final class CachedKeysReporter implements MetricReporter, MetricReporterFactory {
  static final AtomicInteger MAX = new AtomicInteger();

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return this;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {}

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    if (name.equals("cachedKeys") && metric instanceof Gauge<?> g) {
      MAX.accumulateAndGet(((Number) g.getValue()).intValue(), Math::max);
    }
  }
}
