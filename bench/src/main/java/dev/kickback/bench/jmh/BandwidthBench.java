package dev.kickback.bench.jmh;

import java.util.Arrays;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The memory roofs for the report: streaming a float array of {@code kb} KB on one core with
 * the widest vectors, reading only ({@code READ}: a sum) or reading and writing it back
 * ({@code UPDATE}: a scale, the traffic of a weight update). 32 KB fits L1, 100 KB (the paper
 * network's weights) and 1 MB fit L2, 16 MB (beyond the wide network's 12 MB) does not.
 */
public class BandwidthBench extends BenchBase {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** What one pass does to each element. */
  public enum Mode {
    READ,
    UPDATE
  }

  @Param({"32", "100", "1024", "16384"})
  public int kb;

  @Param({"READ", "UPDATE"})
  public Mode mode;

  private float[] x;

  @Setup
  public void setup() {
    x = new float[kb * 256];
    Arrays.fill(x, 1e-3f);
  }

  @Benchmark
  public float stream() {
    return mode == Mode.READ ? sum(x) : scale(x);
  }

  /** Four independent accumulators, so the adds do not wait on each other. */
  private static float sum(float[] x) {
    int l = S.length();
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
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

  /** Bytes moved per operation: the array once, twice for UPDATE. No FLOPs are counted. */
  @Override
  public Workload model() {
    double bytes = kb * 1024.0 * (mode == Mode.READ ? 1 : 2);
    return new Workload("bandwidth", null, null, kb + "KB_" + mode.name().toLowerCase(Locale.ROOT),
        1, 1, 0, bytes, 0);
  }
}
