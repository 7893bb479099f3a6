package dev.kickback.bench.jmh;

import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long {@link dev.kickback.api.Warmup#run} takes for the paper network at batch 1 in a
 * fresh JVM: one call per fork, timed (SingleShotTime), several forks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class WarmupBench {
  private Network net;

  @Setup
  public void setup() {
    net = Network.initialize(Net.PAPER.spec(), 1);
  }

  @Benchmark
  public Object warmUp() {
    return dev.kickback.api.Warmup.run(net, Rule.KICKBACK, 1, Duration.ofSeconds(30));
  }
}
