package dev.kickback.bench.jmh;

import dev.kickback.kernels.Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * The FP32 peak of one core, measured: 24 (or 12) independent chains of Vector API FMAs,
 * with nothing else in the loop, for the preferred species and for 256-bit vectors. A core that
 * splits 512-bit FMAs into two 256-bit halves (Zen 4) shows the same peak for both widths, one
 * that does not shows twice. The report's peak is the larger.
 *
 * <p>Why 24: an FMA's latency (4 cycles on the x86 cores seen here) times 2 FMA ports needs at
 * least 8 chains in flight, but the C2 code for 8, 12 and 16 chains ran at half the rate of 24
 * on Zen 4 (55 against 108-115 GFLOP/s at 3.6 GHz, measured), and 32 chains spill: 24
 * accumulators and the two operands fit the 32 vector registers. With 16 registers (AVX2, or
 * {@code -XX:UseAVX=2}) 24 chains spill (measured at 0.45 of the 12-chain rate), so there the
 * loop runs 12: chains 12 to 23 are behind a test of the constant, which the JIT folds away.
 */
public class PeakBench extends BenchBase {
  /**
   * Independent FMA chains in the loop: 24, or 12 with 16 vector registers. The report counts
   * the FLOPs of a call with this JVM's value, which is the forks' (the launcher starts the
   * report's JVM with the forks' vector flags).
   */
  public static final int CHAINS = Kernels.vectorRegisters() == 16 ? 12 : 24;
  static final int STEPS = 1024;
  private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> BITS_256 = FloatVector.SPECIES_256;

  /** The vector width probed. */
  public enum Width {
    PREFERRED,
    BITS_256;

    int lanes() {
      return this == PREFERRED ? PeakBench.PREFERRED.length() : PeakBench.BITS_256.length();
    }
  }

  @Param({"PREFERRED", "BITS_256"})
  public Width width;

  @Benchmark
  public float fma() {
    return width == Width.PREFERRED ? preferred() : bits256();
  }

  /*
   * Two copies of one loop, because the species must be a compile-time constant where the
   * vectors are made: a loop that took its species as a parameter was compiled (on-stack
   * replacement, before any inlining) with boxed vectors, measured at 3-17 GFLOP/s.
   * c = c * a + b converges to b / (1 - a): no overflow, no subnormals, nothing to fold.
   */

  private static float preferred() {
    FloatVector a = FloatVector.broadcast(PREFERRED, 0.999f);
    FloatVector b = FloatVector.broadcast(PREFERRED, 1e-3f);
    FloatVector c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
    FloatVector c12 = b, c13 = b, c14 = b, c15 = b, c16 = b, c17 = b, c18 = b, c19 = b, c20 = b, c21 = b, c22 = b, c23 = b;
    for (int i = 0; i < STEPS; i++) {
      c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
      c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
      c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
      if (CHAINS == 24) {
        c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        c16 = c16.fma(a, b); c17 = c17.fma(a, b); c18 = c18.fma(a, b); c19 = c19.fma(a, b);
        c20 = c20.fma(a, b); c21 = c21.fma(a, b); c22 = c22.fma(a, b); c23 = c23.fma(a, b);
      }
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
    return s.add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22).add(c23)
        .reduceLanes(VectorOperators.ADD);
  }

  private static float bits256() {
    FloatVector a = FloatVector.broadcast(BITS_256, 0.999f);
    FloatVector b = FloatVector.broadcast(BITS_256, 1e-3f);
    FloatVector c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
    FloatVector c12 = b, c13 = b, c14 = b, c15 = b, c16 = b, c17 = b, c18 = b, c19 = b, c20 = b, c21 = b, c22 = b, c23 = b;
    for (int i = 0; i < STEPS; i++) {
      c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
      c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
      c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
      if (CHAINS == 24) {
        c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        c16 = c16.fma(a, b); c17 = c17.fma(a, b); c18 = c18.fma(a, b); c19 = c19.fma(a, b);
        c20 = c20.fma(a, b); c21 = c21.fma(a, b); c22 = c22.fma(a, b); c23 = c23.fma(a, b);
      }
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
    return s.add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22).add(c23)
        .reduceLanes(VectorOperators.ADD);
  }

  @Override
  public Workload model() {
    return new Workload("peak", null, null, "fma_" + width.name().toLowerCase(
        java.util.Locale.ROOT), 1, 1, 2.0 * CHAINS * STEPS * width.lanes(), 0, 0);
  }
}
