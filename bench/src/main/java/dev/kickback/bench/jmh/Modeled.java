package dev.kickback.bench.jmh;

/**
 * A benchmark that states its own cost model. The report instantiates the benchmark class,
 * sets its {@code @Param} fields from the JMH result and calls {@link #model()}: no setup runs,
 * so the model may read parameters only.
 */
public interface Modeled {
  Workload model();
}
