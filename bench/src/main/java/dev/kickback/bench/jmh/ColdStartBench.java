package dev.kickback.bench.jmh;

import dev.kickback.api.Rule;
import dev.kickback.api.Warmup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time to steady state from a fresh JVM: each of the first 10,000 batch-1 calls of
 * {@code predict} or of a Kickback step on the paper network timed on its own (JMH
 * SingleShotTime, no warm-up iterations), on the step benchmarks' {@link NetworkState}, with or
 * without {@link Warmup#run} in the setup.
 * The report reads the curve: the first call, the steady state (median of the last 1,000),
 * and how many calls and how long it took to come within 2x of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@org.openjdk.jmh.annotations.Warmup(iterations = 0)
@Measurement(iterations = 10_000)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ColdStartBench {
  /** The call timed. */
  public enum Call { PREDICT, STEP }

  @Param({"PREDICT", "STEP"})
  public Call call;

  @Param({"false", "true"})
  public boolean warmup;

  private NetworkState s;

  @Setup
  public void setup() {
    s = new NetworkState(Net.PAPER, KernelPath.VECTOR, 1); // the step benchmarks' own state
    if (warmup) {
      System.out.println("warm-up: " + Warmup.run(s.net, Rule.KICKBACK, 1,
          Duration.ofSeconds(30)));
    }
  }

  @Benchmark
  public float call() {
    return call == Call.PREDICT ? s.forward()[0] : s.step(Rule.KICKBACK);
  }
}
