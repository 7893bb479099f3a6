package dev.kickback.bench.jmh;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The memory roof for the report: streaming a float array that fits L1 (32 KB), L2 (100 KB, the
 * paper network's weights; 1 MB) with the widest vectors, reading only ({@code read}: a sum) or
 * reading and writing it back ({@code update}: a scale, the traffic of a weight update). Bytes
 * per operation: {@code kb * 1024}, twice that for update.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class BandwidthBench {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  @Param({"32", "100", "1024"})
  public int kb;

  @Param({"read", "update"})
  public String mode;

  private float[] x;
  private boolean read;

  @Setup
  public void setup() {
    x = new float[kb * 256];
    java.util.Arrays.fill(x, 1e-3f);
    read = mode.equals("read");
  }

  @Benchmark
  public float stream() {
    return read ? sum(x) : scale(x);
  }

  /** Four independent accumulators, so the adds do not wait on each other. */
  private static float sum(float[] x) {
    int l = S.length();
    FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
    for (int i = 0; i < x.length; i += 4 * l) {
      s0 = s0.add(FloatVector.fromArray(S, x, i));
      s1 = s1.add(FloatVector.fromArray(S, x, i + l));
      s2 = s2.add(FloatVector.fromArray(S, x, i + 2 * l));
      s3 = s3.add(FloatVector.fromArray(S, x, i + 3 * l));
    }
    return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
  }

  /** Multiplies by 1: the values (and so the next call) stay the same. */
  private static float scale(float[] x) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    for (int i = 0; i < x.length; i += S.length()) {
      FloatVector.fromArray(S, x, i).mul(one).intoArray(x, i);
    }
    return x[0];
  }
}
