package dev.kickback.bench.jmh;

import dev.kickback.kernels.Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
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
 *
 * <p>Each chain runs through the FMA's addend, {@code c = a * b + c}, as a GEMM's accumulators
 * do: C2 writes x86 FMAs only as {@code vfmadd231ps}, whose destination is the addend. A chain
 * through the multiplicand ({@code c = c * a + b}, before) made C2 copy {@code b} into a fresh
 * register for every FMA and spill accumulators: on Zen 3 with 16 registers that loop read 55-60
 * GFLOP/s where this one read 87-90 and the same loop in C (gcc, AVX2 intrinsics) 85-93. The
 * loops are not inlined into JMH's measurement loop: inlined (the caller compiled on stack
 * replacement) the same 12 chains read about 40.
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
   * c = a * b + c grows by a * b (about 1e-3) a step from c's distinct start: after STEPS steps
   * no chain is above 26, no subnormals, and no two chains are the same value for the JIT (or a
   * C compiler, as gcc does) to merge.
   */

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  private static float preferred() {
    FloatVector a = FloatVector.broadcast(PREFERRED, 0.999f);
    FloatVector b = FloatVector.broadcast(PREFERRED, 1e-3f);
    FloatVector c0 = b, c1 = c0.add(1), c2 = c1.add(1), c3 = c2.add(1), c4 = c3.add(1);
    FloatVector c5 = c4.add(1), c6 = c5.add(1), c7 = c6.add(1), c8 = c7.add(1), c9 = c8.add(1);
    FloatVector c10 = c9.add(1), c11 = c10.add(1), c12 = c11.add(1), c13 = c12.add(1);
    FloatVector c14 = c13.add(1), c15 = c14.add(1), c16 = c15.add(1), c17 = c16.add(1);
    FloatVector c18 = c17.add(1), c19 = c18.add(1), c20 = c19.add(1), c21 = c20.add(1);
    FloatVector c22 = c21.add(1), c23 = c22.add(1);
    for (int i = 0; i < STEPS; i++) {
      c0 = a.fma(b, c0); c1 = a.fma(b, c1); c2 = a.fma(b, c2); c3 = a.fma(b, c3);
      c4 = a.fma(b, c4); c5 = a.fma(b, c5); c6 = a.fma(b, c6); c7 = a.fma(b, c7);
      c8 = a.fma(b, c8); c9 = a.fma(b, c9); c10 = a.fma(b, c10); c11 = a.fma(b, c11);
      if (CHAINS == 24) {
        c12 = a.fma(b, c12); c13 = a.fma(b, c13); c14 = a.fma(b, c14); c15 = a.fma(b, c15);
        c16 = a.fma(b, c16); c17 = a.fma(b, c17); c18 = a.fma(b, c18); c19 = a.fma(b, c19);
        c20 = a.fma(b, c20); c21 = a.fma(b, c21); c22 = a.fma(b, c22); c23 = a.fma(b, c23);
      }
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
    return s.add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22).add(c23)
        .reduceLanes(VectorOperators.ADD);
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  private static float bits256() {
    FloatVector a = FloatVector.broadcast(BITS_256, 0.999f);
    FloatVector b = FloatVector.broadcast(BITS_256, 1e-3f);
    FloatVector c0 = b, c1 = c0.add(1), c2 = c1.add(1), c3 = c2.add(1), c4 = c3.add(1);
    FloatVector c5 = c4.add(1), c6 = c5.add(1), c7 = c6.add(1), c8 = c7.add(1), c9 = c8.add(1);
    FloatVector c10 = c9.add(1), c11 = c10.add(1), c12 = c11.add(1), c13 = c12.add(1);
    FloatVector c14 = c13.add(1), c15 = c14.add(1), c16 = c15.add(1), c17 = c16.add(1);
    FloatVector c18 = c17.add(1), c19 = c18.add(1), c20 = c19.add(1), c21 = c20.add(1);
    FloatVector c22 = c21.add(1), c23 = c22.add(1);
    for (int i = 0; i < STEPS; i++) {
      c0 = a.fma(b, c0); c1 = a.fma(b, c1); c2 = a.fma(b, c2); c3 = a.fma(b, c3);
      c4 = a.fma(b, c4); c5 = a.fma(b, c5); c6 = a.fma(b, c6); c7 = a.fma(b, c7);
      c8 = a.fma(b, c8); c9 = a.fma(b, c9); c10 = a.fma(b, c10); c11 = a.fma(b, c11);
      if (CHAINS == 24) {
        c12 = a.fma(b, c12); c13 = a.fma(b, c13); c14 = a.fma(b, c14); c15 = a.fma(b, c15);
        c16 = a.fma(b, c16); c17 = a.fma(b, c17); c18 = a.fma(b, c18); c19 = a.fma(b, c19);
        c20 = a.fma(b, c20); c21 = a.fma(b, c21); c22 = a.fma(b, c22); c23 = a.fma(b, c23);
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
