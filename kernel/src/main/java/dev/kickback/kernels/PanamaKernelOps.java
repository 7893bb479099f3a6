package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Large GEMMs go to {@link PanamaPackedGemm} (and, in a multi-threaded
 * instance, are split by {@link GemmTeam}); small ones, the batch-1 and few-row shapes of online
 * learning, to the register-blocked {@link PanamaSmallGemm}; the batch-1 step's passes over a
 * layer's listed rows to {@link PanamaRankOne}; which GEMM kernel serves which shape is
 * decided here, per layout, from measurements (see the GEMM section). The element-wise kernels
 * (rectify, maxAbs, clampToSigns, axpy) are here. {@link Kernels} creates this class only after
 * checking that {@code jdk.incubator.vector} is readable, inside a holder class's initializer,
 * so that on a JVM without the module it is never linked.
 */
final class PanamaKernelOps extends KernelOps {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final VectorSpecies<Integer> I = S.withLanes(int.class);
  /** Lane i holds i: the indices nonzeroRowsKernel compresses. */
  private static final IntVector INDEX = IntVector.zero(I).addIndex(1);

  /**
   * By default a GEMM is split over threads from this many multiply-adds up. Measured on this
   * 2-vCPU VM: the paper network's 5M-MAC GEMMs at batch 256 ran slower split (a whole step:
   * 400-630 against 720-790 steps/s), the wide network's 268M-MAC ones faster (1.3-1.7x); the
   * second vCPU is not a free core here (two FMA-bound processes reach 1.6x, not 2x).
   */
  static final long SPLIT_MIN_MACS = 1L << 24;

  /** Splits large GEMMs over threads, or null for a single-threaded implementation. */
  private final GemmTeam team;
  private final long splitMinMacs;

  PanamaKernelOps() {
    this.team = null;
    this.splitMinMacs = Long.MAX_VALUE;
  }

  /**
   * An implementation whose GEMMs of at least {@code splitMinMacs} multiply-adds (and large
   * enough to pack) run on {@code threads} threads (2 or more).
   */
  PanamaKernelOps(int threads, long splitMinMacs) {
    this.team = new GemmTeam(threads);
    this.splitMinMacs = splitMinMacs;
  }

  static int lanes() {
    return L;
  }

  /**
   * 3 with 16 registers, 1 with 32. Measured on Zen 3 (8 lanes, 16 registers), the paper
   * network's predictions in one JVM, batches taking turns, samples a second: batch 1 824k; as a
   * GEMM batch 2 571k, 3 471k, 4 809k, 8 890k; sample by sample batch 2 1.32x and 3 1.68x the
   * GEMM. With 32 registers (Zen 5, 16 lanes) the GEMM led from batch 2 (2 1.48-1.51M, 3
   * 2.24-2.27M, against 1.32-1.34M at batch 1), where its 2- and 3-row blocks hold 8 and 7
   * vectors of columns in registers.
   */
  @Override
  public int bySampleMaxBatch() {
    return VectorRegisters.Preferred.COUNT >= 32 ? 1 : 3;
  }

  /**
   * With 32 registers (gemvTRowsPair holds 18 vectors), where rows can be packed (Java 22 and
   * later: from the arrays alone the wide network is slower, below), and not for a team, whose
   * GEMMs split over its threads. Measured on Zen 4 (16 lanes), one JVM taking turns with the
   * GEMM, two gaussian samples: predictions once the rows are packed, the wide network 1.21x
   * (its layers alone, 172 us a pair against 199 for the prepacked GEMM: the two samples' rows
   * at half activity have a union of three quarters), the paper network 1.13x. From the arrays
   * (a prediction's first {@code Network.ROWS_PACK_AFTER} after a write, and every step, which
   * keeps its forward pass the prediction before it) the chunks read the wide network's 4 KB
   * rows 512 bytes at a time: its predictions 0.88x the GEMM then (238 us against 209, medians
   * of 12 bursts), the paper network's 1.02x; the steps at batch 2 1.01x (wide) and 0.96x and
   * 1.04x in two runs (paper), within the harness's noise. With 16 registers not measured.
   */
  @Override
  public boolean forwardsPairsByRows() {
    return team == null && VectorRegisters.Preferred.COUNT >= 32 && rowLanes() != 0;
  }

  @Override
  public String name() {
    return team == null ? "vector" : "vector" + team.threads() + "t";
  }

  /** The packed GEMM, split over the team when there is one and the shape is large enough. */
  private void packed(int m, int n, int k, float alpha, float[] a, int ars, int acs, float[] b,
      int brs, int bcs, float[] c) {
    packed(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, null);
  }

  /** {@link #packed}, each output clamped to {@code signs} of its column when non-null. */
  private void packed(int m, int n, int k, float alpha, float[] a, int ars, int acs, float[] b,
      int brs, int bcs, float[] c, float[] signs) {
    if (team != null && (long) m * n * k >= splitMinMacs) {
      team.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, signs);
    } else {
      PanamaPackedGemm.gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, 0, n, signs);
    }
  }

  // ---- GEMMs: which kernel for which shape --------------------------------------------------
  //
  // Measured on Zen 5 at 16 lanes (one loop per kernel over the paper and wide networks' shapes,
  // batch 8 to 256): packing pays only where its copies are spread over many rows and columns.
  // At the paper network's shapes the unpacked kernels won at almost every batch: its layers are
  // at most 200 wide (the packed edge tiles of a 100- or 200-wide C waste a fifth of their work)
  // and its first layer sums over 21 inputs, too few to amortize a tile's loads and stores of C.

  /**
   * Rows of A below which gemmNT stays in dot products where {@link DotBlock4x4} takes the sum:
   * 4 x 4 blocks against the transposed product, 1,024 x 1,024 on Zen 5 (one JVM taking turns),
   * 16 rows 255-277 us against 311-335, 20 386 against 680, 24 385-390 against 579-607, 32 490
   * against 438.
   */
  private static final int DOTS_MAX_ROWS = 32;

  /**
   * Rows of A from which gemmNT over fewer terms than a vector goes row by row or transposed
   * (see there); below, and at 2 or 3 rows, dot products.
   */
  private static final int FEW_TERMS_MIN_ROWS = 4;

  /**
   * NT ({@code C += alpha A B^T}, the feedback pull {@code g = pulled W^T}): dot products for fewer
   * than 16 rows of A, 4 rows by 4 ({@link DotBlock4x4}) where the sum is at least a 16-lane
   * vector; the transposed product up to 128 rows (m = 16: 8.9 us against 14.3 packed, 13.4 as dot
   * products; wide m = 8 to 64: 0.34-0.96 ms against 0.66-1.28 packed), except below {@link
   * #DOTS_MAX_ROWS} rows over sums of whole 16-lane vectors, where 4 x 4 dot blocks win (the wide
   * network's layers at batch 16 to 31); the packed kernel above (m = 128, 200 x 100: 43 us against
   * 61 transposed). From {@link #FEW_TERMS_MIN_ROWS} rows a sum over at most 4 terms goes row by
   * row (gemmNTNarrowK; m = 8, 100 x 2: 0.7 us against 2.6 as dot products), and at 16 lanes one
   * over fewer than 16 terms up to 15 rows as the transposed product, where a dot product would be
   * a single vector's lane sums. Measured on Emerald Rapids (16 lanes), one JVM taking turns,
   * against the lane pairs these replaced (8 rows of A, two terms of each, per vector, B's pairs
   * rearranged into every lane pair: 16 rearranges per 16 FMAs, one port's worth on Intel) and
   * against dot products: 8 x 200 x 100 1.23-1.28x, 12 x 200 x 100 1.45x, 5 x 200 x 100 1.33x (dots
   * in 2 x 4 blocks before); 8 x 100 x 10 1.53-1.60x, 12 x 100 x 10 2.35x, 6 x 100 x 10 1.9-2.6x;
   * from 4 rows over 2 terms 1.4-1.5x, the wide head at 6 rows (6 x 1024 x 2) 3.2x; at 8 lanes
   * ({@code -XX:UseAVX=2}) the narrow sums from 4 rows 1.75-2.9x, the rest unchanged. Steps, the
   * same way: the paper network's Kickback at batch 8 1.12-1.15x, 12 1.18x, 6 1.07x, Backprop at 8
   * 1.08x, 5 1.21x; the wide network's at 6 1.03x, at 8 and 12 level. Not measured on AMD, where
   * rearranges do not share the FMA ports (Zen 4 ran the lane pairs 1.3x the 2 x 4 dot products).
   * Not kept (Zen 4, 16 lanes): 8 rows of A transposed, each column one 8-lane vector, against 8
   * rows of B broadcast, 8 accumulators and no lane sums (8 x 200 x 100 5.3 us against 9.0). Beside
   * the 16-lane kernels that second species drew class-check deoptimizations in the Vector API's
   * shared code, and in 2 of 12 JVMs the kernel then ran unintrinsified (1.5 MB allocated per step
   * of the paper network at batch 256).
   */
  @Override
  protected void gemmNTKernel(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    if (m >= 128 && PanamaPackedGemm.worthPacking(m, n, k)) {
      packed(m, n, k, alpha, a, k, 1, b, 1, k, c);
    } else if (m >= FEW_TERMS_MIN_ROWS && k <= PanamaSmallGemm.NARROW_K) {
      PanamaSmallGemm.gemmNTNarrowK(m, n, k, alpha, a, b, c);
    } else if (m >= FEW_TERMS_MIN_ROWS && m < 16 && k < L && L == 16) {
      PanamaSmallGemm.gemmNTTransposed(m, n, k, alpha, a, b, c);
    } else if (m < 16 || m < DOTS_MAX_ROWS && DotBlock4x4.wholeVectors(k)) {
      PanamaSmallGemm.gemmNT(m, n, k, alpha, a, b, c);
    } else {
      PanamaSmallGemm.gemmNTTransposed(m, n, k, alpha, a, b, c);
    }
  }

  /**
   * NN (the forward pass, rows of A contiguous: {@code cs == 1}): packed from 64 rows when C is
   * at least 256 wide (96 with 16 registers: PACKED_NN_MIN_N), or from 32 rows when it is at
   * least 512 wide, and only when the sum runs over 32 terms or more (paper network, 256 x 200
   * x 21: 22.5 us unpacked against 26.9 packed; 32 x 100 x 200: 14.4 against 18.3; wide, 32 x
   * 1024 x 1024: 0.67 ms against 0.61). Since
   * the unpacked kernel's 8-row blocks keep a 2-vector panel of B in L1, it leads up to C 200
   * wide (Zen 5, 16 lanes: 256 x 100 x 200, 62-71 us against 81; 64 x 100 x 200, 14.7-24
   * against 21-28), ties at 256 (256 x 256 x 256: 219 against 218) and trails from 320 (256 x
   * 320 x 200: 207 against 187; 256 x 512 x 512: 1.22 ms against 0.84). TN (the update
   * {@code W += alpha X^T D}, A read down its columns): packed only for
   * C at least 512 wide and 32 rows (wide, batch 16: 0.27 ms against 0.34); the paper
   * network's updates ran faster unpacked at every batch to 256 (200 x 100 over 64 samples:
   * 17 us against 24), since packing A's columns is a strided copy. Two to eight rows over a B
   * wider than a cache block (to twelve with 16 registers) stream B's rows whole
   * ({@link PanamaStreamingGemm}); NN over 16 to 31 rows in 8-row blocks and a B over 2 MB goes
   * through its KC blocks in parts ({@link PanamaSubPanelGemm}).
   */
  @Override
  protected void gemmStridedA(
      int m, int n, int k, float alpha, float[] a, int rs, int cs, float[] b, float[] c) {
    if (packs(m, n, k, cs)) {
      packed(m, n, k, alpha, a, rs, cs, b, n, 1, c);
    } else if (PanamaStreamingGemm.takes(m, n)) {
      PanamaStreamingGemm.gemm(m, n, k, alpha, a, rs, cs, b, c);
    } else if (PanamaSubPanelGemm.takes(m, n, k, cs)) {
      PanamaSubPanelGemm.gemm(m, n, k, alpha, a, rs, b, c);
    } else {
      PanamaSmallGemm.gemmStridedA(m, n, k, alpha, a, rs, cs, b, c);
    }
  }

  /**
   * The clamp in the registers of the kernel that finishes each sum: the 4-row blocks'
   * ({@link PanamaSmallGemm#gemmTNClamped}) where those blocks cover the shape, the packed
   * tiles' in their last KC block where the GEMM packs (the wide network's 1024 x 1024 layers
   * from rank 16, split over the team as the plain update is); other shapes keep the clamp pass.
   * Measured on Zen 4 (16 lanes), one layer at a time, medians of 10 rounds of 0.1 s: the paper
   * network's 200 x 100 layer at rank 8 5.42 us against 7.41 for the update and the clamp pass,
   * rank 16 8.32 against 9.99, rank 64 27.8 against 29.6; a 1024 x 1024 layer at rank 8 313 us
   * against 365.
   */
  @Override
  protected void gemmTNClampToSignsKernel(int m, int n, int k, float alpha, float[] a,
      float[] b, float[] c, float[] colSigns) {
    if (packs(m, n, k, m)) {
      packed(m, n, k, alpha, a, 1, m, b, n, 1, c, colSigns);
    } else if (!PanamaStreamingGemm.takes(m, n)
        && PanamaSmallGemm.clampsInRegisters(m, n, k)) {
      PanamaSmallGemm.gemmTNClamped(m, n, k, alpha, a, b, c, colSigns);
    } else {
      super.gemmTNClampToSignsKernel(m, n, k, alpha, a, b, c, colSigns);
    }
  }

  /**
   * The narrowest C that NN with rows of A contiguous packs from 64 rows: 256 with 32 registers;
   * with 16 (AVX2), where the unpacked kernel's blocks are 6 rows of 2 vectors against the packed
   * kernel's 6 of 2 over contiguous, aligned panels, 96 (Zen 3, 8 lanes: the paper network's
   * 256 x 100 x 200 layer 155 us packed against 185-199 unpacked; its forward pass at batch 256
   * 1.12-1.14x, batch 64 1.01x, in one JVM against the unpacked layer; 256 x 200 x 21 stays
   * unpacked: 38 us against 42).
   */
  private static final int PACKED_NN_MIN_N = VectorRegisters.Preferred.COUNT >= 32 ? 256 : 96;

  private static boolean packs(int m, int n, int k, int cs) {
    return PanamaPackedGemm.worthPacking(m, n, k) && (cs == 1
        ? k >= 32 && (m >= 64 ? n >= PACKED_NN_MIN_N : m >= 32 && n >= 512)
        : m >= 32 && n >= 512);
  }

  /**
   * The rows in whole 8-row blocks rectified in registers
   * ({@link PanamaSmallGemm#gemmNNRectified}) where the unpacked kernel takes the shape and the
   * whole sum is one cache block; the bias copied into the last 1 to 7 rows first and those
   * rectified after, as the default does. Measured on Zen 5 at 16 lanes, the paper network's
   * batch-256 forward pass: the bias copies and the rectifier took 18 of its 95 us as separate
   * passes; with them in the kernels, forward at batch 8 to 256 1.04-1.09x (JMH, 3 forks each
   * side taking turns), the steps 1.02-1.04x. The same passes run per 8-row block, while its
   * outputs were in L1, gained nothing.
   */
  @Override
  protected void gemmNNRectifyKernel(int m, int n, int k, float[] a, float[] b, float[] bias,
      float[] nu, float[] s, float[] o, float[] d) {
    if (packs(m, n, k, 1) || PanamaStreamingGemm.takes(m, n)
        || !PanamaSmallGemm.rectifiesRows8(m, n, k)) {
      super.gemmNNRectifyKernel(m, n, k, a, b, bias, nu, s, o, d);
      return;
    }
    final int m8 = m & ~7;
    copyBiasRows(bias, n, s, m8, m);
    PanamaSmallGemm.gemmNNRectified(m, n, k, a, b, bias, nu, s, o, d);
    rectifyRange(m8, m, n, s, nu, o, d);
  }

  /**
   * B packed whole for B at least 512 wide and 256 deep: the wide network's layers (1024 x 1024),
   * whose forward pass at batch 2 to 64 read B in column panels with rows 4 KB apart or, at 2 and
   * 3 rows, streamed whole rows through a scratch. Measured on Zen 5 (16 lanes), three 1024 x
   * 1024 layers in turn, best of 60: 2 rows 466 us against 374 prepacked, 4 rows 546 against 419,
   * 8 rows 710 against 540, 16 rows 1,380 against 1,030, 32 rows 2,150 against 1,738, 64 rows
   * 3,328 against 3,146. With 16 registers also B at least 96 wide and 16 deep, used from
   * {@code PACKED_FROM_ROWS} rows: the unpacked kernel's 6-row blocks read B in column panels
   * (the paper network's 200 -> 100 layer: 16 KB panels of 200 rows 400 bytes apart) and the
   * per-call packing starts at 64 rows. Measured on Zen 3 at 8 lanes, the layer with its bias
   * and rectifier, prepacked against as before, in one JVM taking turns: 16 rows 17.5 us against
   * 23.5, 32 rows 22.9 against 27.4, 64 rows 63 against 78.6, 256 rows 207 against 221; but 2
   * rows 3.2 against 2.3, 4 rows 3.6 against 3.6, 8 rows 7.0 against 6.3. The 200-wide layer
   * over 21 inputs gained nothing then (256 rows 48.7 against 47.6); since a sum over at most 256
   * terms reads A in place and writes its rectified tiles from registers
   * ({@link #gemmNNRectifyPackedKernel}) it is packed too: the paper network's forward pass
   * 1.06x at batch 32 and 256 (one JVM taking turns, Zen 3). Both are read packed from 4 rows
   * ({@code PanamaPackedGemm.DIRECT_MIN_ROWS}).
   */
  @Override
  protected PackedMatrix packKernel(int k, int n, float[] b) {
    if (team != null || PanamaPackedGemm.packedFloats(k, n) > Integer.MAX_VALUE - 16) {
      return null;
    }
    if (n >= 512 && k >= 256) {
      return packed(k, n, PanamaPackedGemm.packWhole(k, n, b));
    }
    return VectorRegisters.Preferred.COUNT < 32 && n >= PACKED_NN_MIN_N && k >= 16
        ? packed(k, n, PanamaPackedGemm.packWhole(k, n, b),
            k <= PanamaPackedGemm.KC ? PanamaPackedGemm.DIRECT_MIN_ROWS : PACKED_FROM_ROWS)
        : null;
  }

  /**
   * The fewest rows from which a layer packed for 16 registers only is read packed, when its
   * sum is deeper than one KC block; a shallower one is read packed from 4 rows, since its tiles
   * read A in place (Zen 3, the paper network's forward pass against reading from 16 rows, one
   * JVM taking turns: batch 6 1.63x, 12 1.45x; and from 4 rows against 6: batch 4 1.34x, 5
   * 1.66x).
   */
  static final int PACKED_FROM_ROWS = 16;

  /** One 512-bit vector, as the workspaces pad their vectors ({@code NetworkSpec.PAD}). */
  @Override
  protected int room() {
    return VECTOR_PAD;
  }

  @Override
  protected void gemmNNPackedKernel(int m, int n, int k, float alpha, float[] a, PackedMatrix b,
      float[] c) {
    PanamaPackedGemm.gemmPrepacked(m, n, k, alpha, a, packedData(b), c);
  }

  /**
   * Every output written from registers when A is read in place (a sum of at most 256 terms, 16
   * registers: {@link PanamaPackedGemm#gemmPrepackedRectified}); otherwise the three passes.
   */
  @Override
  protected void gemmNNRectifyPackedKernel(int m, int n, int k, float[] a, PackedMatrix b,
      float[] bias, float[] nu, float[] s, float[] o, float[] d) {
    if (PanamaPackedGemm.readsAInPlace(m, k)) {
      PanamaPackedGemm.gemmPrepackedRectified(m, n, k, a, packedData(b), bias, nu, s, o, d);
    } else {
      super.gemmNNRectifyPackedKernel(m, n, k, a, b, bias, nu, s, o, d);
    }
  }

  /**
   * Rows for every layer, wide enough for a whole vector or not: at batch 1 the narrow layers'
   * single load a row is aligned too.
   */
  @Override
  protected int rowLanes() {
    return OffHeapRows.available() ? L : 0;
  }

  /** None for a team: its large GEMMs split over threads, which the packed path does not. */
  @Override
  protected int packLanes() {
    return team == null ? L : 0;
  }

  // ---- level 1 ---------------------------------------------------------------------------------

  @Override
  protected float dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
    return PanamaSmallGemm.dot(n, x, xOff, y, yOff);
  }

  @Override
  protected void gerRowsKernel(int m, int n, float alpha, float[] x, int[] rows, int count,
      float[] y, float[] a, float[] colSigns) {
    PanamaRankOne.gerRows(n, alpha, x, rows, count, y, a, colSigns);
  }

  @Override
  protected void gemvGerRowsKernel(int m, int n, float[] a, int[] rows, int count, float[] v,
      float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    if (!PanamaRankOne.gemvGerRows(n, a, rows, count, v, 0, t, 0, alpha, x, y, colSigns)) {
      super.gemvGerRowsKernel(m, n, a, rows, count, v, t, alpha, x, y, colSigns);
    }
  }

  /** In place where a vector from the sample's start fits in v, y and the signs. */
  @Override
  protected void gemvGerRowsOfSampleKernel(int m, int n, float[] a, int[] rows, int count,
      int p, float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    if (!PanamaRankOne.gemvGerRows(n, a, rows, count, v, p * n, t, p * m, alpha, x, y,
        colSigns)) {
      super.gemvGerRowsOfSampleKernel(m, n, a, rows, count, p, v, t, alpha, x, y, colSigns);
    }
  }

  @Override
  protected void gemmNTRowsKernel(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t) {
    PanamaRankK.gemmNTRows(m, n, k, a, rows, count, v, t);
  }

  @Override
  protected void gemmNTGemmTNRowsKernel(int m, int n, int k, float[] a, int[] rows, int count,
      float[] v, float[] t, float alpha, float[] x, float[] y, float[] colSigns) {
    PanamaRankK.gemmNTGemmTNRows(m, n, k, a, rows, count, v, t, alpha, x, y, colSigns);
  }

  /** A and y have a vector's room after their used parts here ({@link #room}). */
  @Override
  protected void gemvTRowsKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] b, float[] y) {
    if (n < L) {
      copyStart(b, y, n);
      PanamaSmallGemm.gemvTRowsNarrow(n, a, x, rows, count, y);
    } else {
      PanamaSmallGemm.gemvTRows(n, a, x, rows, count, b, y);
    }
  }

  @Override
  protected void gemvTRowsPairKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] b, float[] y) {
    PanamaSmallGemm.gemvTRowsPair(m, n, a, x, rows, count, b, y);
  }

  /** A and x have a vector's room after their used parts here ({@link #room}). */
  @Override
  protected void gemvRowsKernel(int m, int n, float[] a, float[] x, int[] rows, int count,
      float[] y) {
    if (n < L) {
      PanamaSmallGemm.gemvRowsNarrow(n, a, x, 0, rows, count, y, 0);
    } else {
      PanamaSmallGemm.gemvRows(n, a, x, 0, rows, count, y, 0);
    }
  }

  /**
   * Compare and blend: no branch for a sign that is on about half the time, the tail included
   * (a window or masked). A scalar tail's branch on the sign was compiled for the side the
   * warm-up saw, and when a unit of the wide network's 2-wide head changed sides seconds later
   * the trap threw the whole compiled forward pass away: one iteration of its Kickback step at
   * batch 16 ran at C1's speed, allocating 562 KB a step (measured).
   */
  @Override
  protected void rectifyKernel(int rows, int n, float[] s, float[] nu, float[] o, float[] d) {
    if ((long) rows * n < L) {
      rectifyFew(rows * n, n, s, nu, o, d);
    } else {
      rectifyRange(0, rows, n, s, nu, o, d);
    }
  }

  /**
   * rectifyKernel for fewer entries than a vector's lanes (a 2-wide head at batch 1 or 2),
   * without a vector: a head's rectifier runs once a step, about 1,000 times a second on the
   * wide network at batch 1, so C2 compiled rectifyRange 6 s into a JVM, and until then C1's
   * code boxed its vectors and masks (measured: 1.1 KB a step). Without a branch either (see
   * above): the sign's mask from the bits, {@code s > 0} exactly when they are those of a
   * positive number up to infinity, NaN and the zeros excluded; then the vector's operations, so
   * the same bits.
   */
  private static void rectifyFew(int count, int n, float[] s, float[] nu, float[] o, float[] d) {
    for (int i = 0; i < count; i++) {
      final int bits = Float.floatToRawIntBits(s[i]);
      final int off = ((bits - 1) | (0x7f800000 - bits)) >> 31; // -1 unless 0 < s <= inf
      final float on = Float.intBitsToFloat(Float.floatToRawIntBits(nu[i % n]) & ~off);
      o[i] = on * s[i];
      if (d != null) {
        d[i] = on;
      }
    }
  }

  /**
   * rectifyKernel over rows {@code [from, to)}; with {@code d == null} O only. A row at least a
   * vector wide whose outputs are not its inputs ends with the window ending at its last column,
   * as {@link #rectifyRowsWindow} does, not under a mask.
   */
  private static void rectifyRange(int from, int to, int n, float[] s, float[] nu, float[] o,
      float[] d) {
    final int nv = S.loopBound(n);
    final FloatVector zero = FloatVector.zero(S);
    final VectorMask<Float> tail = S.indexInRange(nv, n);
    final boolean mask = d != null;
    final boolean window = nv < n && nv > 0 && o != s && d != s;
    for (int r = from; r < to; r++) {
      final int row = r * n;
      for (int j = 0; j < nv; j += L) {
        FloatVector v = FloatVector.fromArray(S, s, row + j);
        FloatVector on =
            zero.blend(FloatVector.fromArray(S, nu, j), v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, row + j);
        if (mask) { // after O's store, so that no vector is live where the branch joins
          on.intoArray(d, row + j);
        }
      }
      if (window) {
        final int w = n - L;
        FloatVector v = FloatVector.fromArray(S, s, row + w);
        FloatVector on =
            zero.blend(FloatVector.fromArray(S, nu, w), v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, row + w);
        if (mask) {
          on.intoArray(d, row + w);
        }
      } else if (nv < n) {
        FloatVector v = FloatVector.fromArray(S, s, row + nv, tail);
        FloatVector on = zero.blend(FloatVector.fromArray(S, nu, nv, tail),
            v.compare(VectorOperators.GT, 0f));
        on.mul(v).intoArray(o, row + nv, tail);
        if (mask) {
          on.intoArray(d, row + nv, tail);
        }
      }
    }
  }

  /**
   * Per vector: the nonzero lanes' indices packed to the front by one compress and stored
   * whole at the count so far; the next store starts where they end. The store stays inside
   * {@code rows}: after j entries of v at most j indices are listed. Measured at 16, 8 and 4
   * lanes: 40-110 ns for 208 entries, against 300 for the scalar loop.
   */
  @Override
  protected int nonzeroRowsKernel(float[] v, int n, int[] rows) {
    final int nv = S.loopBound(n);
    int c = 0;
    int j = 0;
    for (; j < nv; j += L) {
      VectorMask<Float> on = FloatVector.fromArray(S, v, j).compare(VectorOperators.NE, 0f);
      INDEX.add(j).compress(on.cast(I)).intoArray(rows, c);
      c += on.trueCount();
    }
    return listNonzero(v, j, n, rows, c);
  }

  /**
   * nonzeroRowsKernel on the lane-wise OR of the rows' {@link #magnitudes} (a float is nonzero,
   * NaN included, exactly when its magnitude's bits are, and |-0| is 0, so a lane is nonzero
   * exactly when some row's is); the tail column by column.
   */
  @Override
  protected int nonzeroColumnsKernel(int rows, int n, float[] v, int[] list) {
    final int nv = S.loopBound(n);
    int c = 0;
    int j = 0;
    for (; j < nv; j += L) {
      IntVector any = magnitudes(FloatVector.fromArray(S, v, j));
      for (int r = 1; r < rows; r++) {
        any = any.or(magnitudes(FloatVector.fromArray(S, v, r * n + j)));
      }
      VectorMask<Integer> on = any.compare(VectorOperators.NE, 0);
      INDEX.add(j).compress(on).intoArray(list, c);
      c += on.trueCount();
    }
    return listNonzeroColumns(rows, n, v, j, list, c);
  }

  /**
   * Per vector of columns, how many rows reach each lane (counted in a float vector: masks
   * carried around the loop over the rows were boxed, 1.7 KB a paper-network step at batch 2),
   * then each list filled by a compress of the indices, with no branch per column (which rows
   * reach a column is a coin toss at half activity). The last columns, fewer than a vector, the
   * same way through masked loads: column by column they cost a mispredicted branch each (the
   * paper network's 200-, 100- and 10-wide layers end in 8, 4 and 10 such columns; its three
   * splits at batch 2 took 246 ns so, 175 masked, measured at 16 lanes). A list's store of a
   * whole vector of indices at its count stays inside the list's padding ({@link RowList}).
   */
  @Override
  protected int splitNonzeroColumnsKernel(int rows, int n, float[] v, int[] shared,
      RowList[] alone) {
    int c = 0;
    for (int j = 0; j < n; j += L) {
      final VectorMask<Float> in = S.indexInRange(j, n);
      FloatVector reached = FloatVector.zero(S);
      for (int r = 0; r < rows; r++) {
        reached = reached.add(FloatVector.zero(S).blend(1f,
            FloatVector.fromArray(S, v, r * n + j, in).compare(VectorOperators.NE, 0f)));
      }
      final IntVector columns = INDEX.add(j);
      final VectorMask<Float> twice = reached.compare(VectorOperators.GT, 1f);
      columns.compress(twice.cast(I)).intoArray(shared, c);
      c += twice.trueCount();
      final VectorMask<Float> once = reached.compare(VectorOperators.EQ, 1f);
      for (int p = 0; p < rows; p++) {
        VectorMask<Float> own = FloatVector.fromArray(S, v, p * n + j, in)
            .compare(VectorOperators.NE, 0f).and(once);
        RowList list = alone[p];
        columns.compress(own.cast(I)).intoArray(list.index, list.count);
        list.count += own.trueCount();
      }
    }
    return c;
  }

  /**
   * rectifyKernel's vectors and nonzeroRowsKernel's compress on them while in registers; the
   * last partial vector through masks (loads, stores and the listed indices), not a scalar loop
   * whose compares mispredict on half the units (the paper network's 10- and 2-wide layers are
   * all tail at 16 lanes). Measured on the paper network's batch-1 forward pass: the separate
   * passes took 120-135 ns of its 860-910. A layer at least a vector wide whose outputs are not
   * its inputs ends with the window ending at n instead (see {@link #rectifyRowsWindow}).
   */
  @Override
  protected int rectifyRowsKernel(int n, float[] s, float[] nu, float[] o, float[] d,
      int[] rows) {
    final FloatVector zero = FloatVector.zero(S);
    final int nv = S.loopBound(n);
    int c = 0;
    int j = 0;
    for (; j < nv; j += L) {
      final FloatVector v = FloatVector.fromArray(S, s, j);
      final FloatVector on =
          zero.blend(FloatVector.fromArray(S, nu, j), v.compare(VectorOperators.GT, 0f));
      on.intoArray(d, j);
      on.mul(v).intoArray(o, j);
      final VectorMask<Float> listed = on.compare(VectorOperators.NE, 0f);
      INDEX.add(j).compress(listed.cast(I)).intoArray(rows, c);
      c += listed.trueCount();
    }
    if (j < n && nv > 0 && c + L <= rows.length && o != s && d != s) {
      return rectifyRowsWindow(n, s, nu, o, d, rows, j, c);
    }
    if (j < n) {
      final VectorMask<Float> in = S.indexInRange(j, n);
      final FloatVector v = FloatVector.fromArray(S, s, j, in); // 0 past n: listed never
      final FloatVector on =
          zero.blend(FloatVector.fromArray(S, nu, j, in), v.compare(VectorOperators.GT, 0f));
      on.intoArray(d, j, in);
      on.mul(v).intoArray(o, j, in);
      final VectorMask<Float> listed = on.compare(VectorOperators.NE, 0f);
      final int count = listed.trueCount();
      INDEX.add(j).compress(listed.cast(I)).intoArray(rows, c, I.indexInRange(c, c + count));
      c += count;
    }
    return c;
  }

  /**
   * rectifyRowsKernel's last partial vector as the whole vector ending at n: its lanes before
   * {@code j} are stored again with the values they already hold (recomputed from s, which is
   * why o and d must not be s) and left out of the list by a compare of their indices. With 16
   * vector registers (AVX2) there are no mask registers, and a masked store is a slow
   * instruction on AMD cores: measured on Zen 3 at 8 lanes, where the paper network's 100- and
   * 10-wide layers end in partial vectors, a 10-wide layer's call took 18-23 ns against 35-50
   * with the masked tail, and the forward pass at batch 1 was 1.06x (one JVM taking turns). The
   * indices are stored whole, as in the loop: the caller checked that L entries fit from c.
   */
  private static int rectifyRowsWindow(int n, float[] s, float[] nu, float[] o, float[] d,
      int[] rows, int j, int c) {
    final int w = n - L;
    final FloatVector v = FloatVector.fromArray(S, s, w);
    final FloatVector on = FloatVector.zero(S)
        .blend(FloatVector.fromArray(S, nu, w), v.compare(VectorOperators.GT, 0f));
    on.intoArray(d, w);
    on.mul(v).intoArray(o, w);
    final IntVector index = INDEX.add(w);
    final VectorMask<Integer> listed = on.compare(VectorOperators.NE, 0f).cast(I)
        .and(index.compare(VectorOperators.GE, j));
    index.compress(listed).intoArray(rows, c);
    return c + listed.trueCount();
  }

  /**
   * {@code x * 0} is NaN exactly where x is infinite or NaN and a zero elsewhere, so four running
   * sums of those products stay zeros unless one lane meets a value that is not finite: adds
   * without a branch or a NaN-keeping max in the loop. Whole vectors, then for a length that
   * is not a multiple of L the window ending at {@code n} (lanes before the tail checked twice,
   * and no load past the range); shorter than a vector, the scalar loop. In chunks of at most
   * {@link #FINITE_CHUNK} floats, one call of {@link #allFiniteChunk} each.
   */
  @Override
  protected boolean allFiniteKernel(float[] x, int off, int n) {
    if (n < L) {
      return super.allFiniteKernel(x, off, n);
    }
    for (int i = 0; i < n; i += FINITE_CHUNK) {
      if (!allFiniteChunk(x, off + i, Math.min(FINITE_CHUNK, n - i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The most floats {@link #allFiniteChunk} checks a call, for {@link #NARROW_BLOCK}'s reason: a
   * step checks its inputs once, and the wide network's at batch 256 are 262,144 floats (in a
   * fresh JVM, JFR's allocation samples found this loop's boxed vectors 2.5 s in). Chunks of
   * 1,024 floats are 256 calls a step there, one reduction per 4 KB checked.
   */
  private static final int FINITE_CHUNK = 1024;

  /** {@link #allFiniteKernel} for {@code n <= FINITE_CHUNK} (a last chunk may be short). */
  private static boolean allFiniteChunk(float[] x, int off, int n) {
    if (n < L) {
      for (int i = off; i < off + n; i++) {
        if (!Float.isFinite(x[i])) {
          return false;
        }
      }
      return true;
    }
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    int i = 0;
    for (; i + 4 * L <= n; i += 4 * L) {
      s0 = s0.add(FloatVector.fromArray(S, x, off + i).mul(0f));
      s1 = s1.add(FloatVector.fromArray(S, x, off + i + L).mul(0f));
      s2 = s2.add(FloatVector.fromArray(S, x, off + i + 2 * L).mul(0f));
      s3 = s3.add(FloatVector.fromArray(S, x, off + i + 3 * L).mul(0f));
    }
    for (; i + L <= n; i += L) {
      s0 = s0.add(FloatVector.fromArray(S, x, off + i).mul(0f));
    }
    if (i < n) {
      s1 = s1.add(FloatVector.fromArray(S, x, off + n - L).mul(0f));
    }
    final FloatVector s = s0.add(s1).add(s2.add(s3));
    return !s.compare(VectorOperators.NE, s).anyTrue();
  }

  /**
   * The largest magnitude as the largest of the magnitudes' bit patterns ({@link #magnitudes}),
   * exact, so any lane order will do, and a lane counted twice changes nothing: four running
   * maxima (each max waits for the last: one chain ran the batch-1 step's five calls, 21 to 200
   * floats, in 6% of the step), then for a length that is not a multiple of L the window ending
   * at {@code n}; shorter than a vector, one whole vector with the lanes past {@code n} set to
   * zero where it fits the array.
   */
  @Override
  protected float maxAbsKernel(float[] x, int off, int n) {
    if (n < L) {
      if (off + L > x.length) {
        return super.maxAbsKernel(x, off, n);
      }
      return largest(IntVector.zero(I)
          .blend(magnitudes(FloatVector.fromArray(S, x, off)), I.indexInRange(0, n)));
    }
    IntVector m0 = IntVector.zero(I);
    IntVector m1 = m0;
    IntVector m2 = m0;
    IntVector m3 = m0;
    int i = 0;
    for (; i + 4 * L <= n; i += 4 * L) {
      m0 = m0.max(magnitudes(FloatVector.fromArray(S, x, off + i)));
      m1 = m1.max(magnitudes(FloatVector.fromArray(S, x, off + i + L)));
      m2 = m2.max(magnitudes(FloatVector.fromArray(S, x, off + i + 2 * L)));
      m3 = m3.max(magnitudes(FloatVector.fromArray(S, x, off + i + 3 * L)));
    }
    for (; i + L <= n; i += L) {
      m0 = m0.max(magnitudes(FloatVector.fromArray(S, x, off + i)));
    }
    if (i < n) {
      m1 = m1.max(magnitudes(FloatVector.fromArray(S, x, off + n - L)));
    }
    return largest(m0.max(m1).max(m2.max(m3)));
  }

  /**
   * Each lane's {@code |v|} as its bit pattern: v with the sign bit cleared. Between such
   * patterns integer order is float order, infinity above every finite value and every NaN
   * above infinity, so an integer max (one instruction) finds the largest magnitude as
   * {@link Math#max} would, a NaN where there is one (its payload aside). A float max keeps
   * Java's NaN and signed-zero rules in several instructions a vector, and so does its lane
   * reduction.
   */
  private static IntVector magnitudes(FloatVector v) {
    return v.reinterpretAsInts().and(0x7fffffff);
  }

  /** The largest of {@link #magnitudes}' lanes, as the float it is. */
  private static float largest(IntVector magnitudes) {
    return Float.intBitsToFloat(magnitudes.reduceLanes(VectorOperators.MAX));
  }

  /**
   * The scalar loop's products lane by lane ({@code beta * v} and {@code v * beta} are the same
   * bits), the maxima as in {@link #maxAbsKernel}; the last part vector through whole loads and
   * masked stores where a whole vector fits the arrays (the workspace's padded rows), else the
   * scalar loop. A pass of its own instead of the Trainer's scalar loop, whose running
   * {@code Math.max} waited on itself each element (5% of a batch-1 Kickback step).
   */
  @Override
  protected float maskScaleMaxAbsKernel(int n, float beta, float[] d, float[] g, float[] e,
      int off) {
    final int whole = n - n % L;
    final boolean fits = off + whole + L <= Math.min(d.length, g.length)
        && (e == null || off + whole + L <= e.length);
    if (whole == 0 && !fits) {
      return super.maskScaleMaxAbsKernel(n, beta, d, g, e, off);
    }
    IntVector m0 = IntVector.zero(I);
    IntVector m1 = m0;
    int j = 0;
    for (; j + 2 * L <= whole; j += 2 * L) {
      final FloatVector v0 = FloatVector.fromArray(S, g, off + j)
          .mul(FloatVector.fromArray(S, d, off + j));
      final FloatVector v1 = FloatVector.fromArray(S, g, off + j + L)
          .mul(FloatVector.fromArray(S, d, off + j + L));
      if (e != null) {
        v0.intoArray(e, off + j);
        v1.intoArray(e, off + j + L);
      }
      final FloatVector g0 = v0.mul(beta);
      final FloatVector g1 = v1.mul(beta);
      g0.intoArray(g, off + j);
      g1.intoArray(g, off + j + L);
      m0 = m0.max(magnitudes(g0));
      m1 = m1.max(magnitudes(g1));
    }
    if (j < whole) {
      final FloatVector v0 = FloatVector.fromArray(S, g, off + j)
          .mul(FloatVector.fromArray(S, d, off + j));
      if (e != null) {
        v0.intoArray(e, off + j);
      }
      final FloatVector g0 = v0.mul(beta);
      g0.intoArray(g, off + j);
      m0 = m0.max(magnitudes(g0));
      j += L;
    }
    final IntVector m = m0.max(m1);
    if (j == n) {
      return largest(m);
    }
    if (!fits) {
      return Math.max(largest(m), super.maskScaleMaxAbsKernel(n - j, beta, d, g, e, off + j));
    }
    final VectorMask<Float> tail = PanamaSmallGemm.LANE.compare(VectorOperators.LT, n - j);
    final FloatVector v = FloatVector.fromArray(S, g, off + j)
        .mul(FloatVector.fromArray(S, d, off + j));
    if (e != null) {
      v.intoArray(e, off + j, tail);
    }
    final FloatVector gv = v.mul(beta);
    gv.intoArray(g, off + j, tail);
    return largest(m.max(IntVector.zero(I).blend(magnitudes(gv), tail.cast(I))));
  }

  /**
   * Compare and blend, not max/min: a NaN must survive for the divergence check. The tail
   * masked, for {@link #rectifyKernel}'s reason: a violation is rare, so a scalar branch on it
   * would be compiled as a trap.
   */
  @Override
  protected void clampToSignsKernel(float[] x, int off, int n, float[] signs) {
    final int nv = S.loopBound(n);
    for (int j = 0; j < nv; j += L) {
      FloatVector v = FloatVector.fromArray(S, x, off + j);
      v.blend(0f, v.mul(FloatVector.fromArray(S, signs, j)).compare(VectorOperators.LT, 0f))
          .intoArray(x, off + j);
    }
    if (nv < n) {
      final VectorMask<Float> tail = S.indexInRange(nv, n);
      FloatVector v = FloatVector.fromArray(S, x, off + nv, tail);
      v.blend(0f, v.mul(FloatVector.fromArray(S, signs, nv, tail))
          .compare(VectorOperators.LT, 0f)).intoArray(x, off + nv, tail);
    }
  }

  /**
   * Rows of a whole vector or more: the vectors in order, then, for a row whose length is not a
   * whole number of vectors, the window ending at its end, loaded and clamped before the row's
   * first store and stored after its last (the clamp of a clamped value is itself, so the
   * lanes it shares with the last whole vector get the same bits twice, and no load waits for
   * a store to the bytes it reads). Narrower rows: clampRowsNarrow.
   */
  @Override
  protected void clampRowsToSignsKernel(int m, int n, float[] a, float[] colSigns) {
    if (n < L) {
      clampRowsNarrow(m, n, a, colSigns);
      return;
    }
    final int nv = S.loopBound(n);
    final int jw = n - L;
    final boolean tail = nv < n;
    final FloatVector sw = FloatVector.fromArray(S, colSigns, jw);
    for (int i = 0; i < m; i++) {
      final int row = i * n;
      FloatVector w = FloatVector.fromArray(S, a, row + jw);
      w = w.blend(0f, w.mul(sw).compare(VectorOperators.LT, 0f));
      for (int j = 0; j < nv; j += L) {
        FloatVector v = FloatVector.fromArray(S, a, row + j);
        v.blend(0f, v.mul(FloatVector.fromArray(S, colSigns, j)).compare(VectorOperators.LT, 0f))
            .intoArray(a, row + j);
      }
      if (tail) {
        w.intoArray(a, row + jw);
      }
    }
  }

  /**
   * Rows narrower than a vector (the paper network's 10-wide layer at 16 lanes): one vector from
   * each row's start, stored through a mask of the row's own lanes, each loaded two rows ahead
   * of its store (a load that overlaps a masked store still in flight waits for it to reach
   * the cache). Rows whose vector would pass a's end, all of them when the signs are shorter
   * than a vector, and rows of at most {@value #NARROW_SCALAR} go through the scalar clamp.
   */
  private static void clampRowsNarrow(int m, int n, float[] a, float[] colSigns) {
    final int vec = n <= NARROW_SCALAR || colSigns.length < L || a.length < L ? 0
        : Math.min(m, (a.length - L) / n + 1);
    for (int i = 0; i < vec; i += NARROW_BLOCK) {
      clampRowsNarrowBlock(i, Math.min(vec, i + NARROW_BLOCK), n, a, colSigns);
    }
    for (int i = vec; i < m; i++) {
      clampToSignsScalar(a, i * n, n, colSigns);
    }
  }

  /**
   * Rows per call of {@link #clampRowsNarrowBlock}. A step clamps each layer once, so a loop over
   * all of a tall narrow layer ran once or twice a step, too few calls for C2 to compile it
   * before some hundreds of them and too few iterations a call to move into its compiled loop
   * (OSR): in C1's code and the interpreter every vector is an object. Measured on Zen 3 when
   * the wide network's 1024 x 2 head still went through this loop (it is now clamped as
   * scalars, {@link #NARROW_SCALAR}), a fresh JVM stepping that network at batch 256: 328 KB a
   * step for the first 5.5 seconds, until C2 compiled the loop (JFR allocation samples,
   * {@code -XX:+PrintCompilation}); JMH's 4 s of warm-up ended inside that in slow spells.
   */
  private static final int NARROW_BLOCK = 16;

  /**
   * The widest rows {@link #clampRowsNarrow} clamps as scalars: a PAIR head's 2 columns. The
   * scalar loop is as fast there (Zen 3, 8 lanes, one JVM taking turns: 100 x 2 and 1024 x 2
   * 1.00x), and C1's code of it allocates nothing, where the vector block's boxes every vector
   * until C2 compiles it: a step of the paper network at batch 256 clamps its 10 x 2 head in
   * one block call, too few calls a second to reach C2 soon, and allocated 4,224 bytes a step
   * from 3 s to 6 s into a fresh JVM (the block compiled at tier 2, then 3, C2's code 6.3 s in:
   * {@code -XX:+PrintCompilation}); 0 from 3 s with the scalar loop. The latency suite's 4 s of
   * warm-up had measured whole forks of that row at 4,224 (its thread B/op).
   */
  private static final int NARROW_SCALAR = 2;

  /** {@link #clampRowsNarrow}'s vector loop over rows {@code from..to} (all within its vec). */
  private static void clampRowsNarrowBlock(int from, int to, int n, float[] a,
      float[] colSigns) {
    final FloatVector sv = FloatVector.fromArray(S, colSigns, 0);
    final VectorMask<Float> own = S.indexInRange(0, n);
    FloatVector ahead1 = FloatVector.fromArray(S, a, from * n);
    FloatVector ahead2 = from + 1 < to ? FloatVector.fromArray(S, a, (from + 1) * n) : sv;
    for (int i = from; i < to; i++) {
      final FloatVector v = ahead1;
      ahead1 = ahead2;
      if (i + 2 < to) {
        ahead2 = FloatVector.fromArray(S, a, (i + 2) * n);
      }
      v.blend(0f, v.mul(sv).compare(VectorOperators.LT, 0f)).intoArray(a, i * n, own);
    }
  }

  @Override
  protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    FloatVector al = FloatVector.broadcast(S, alpha);
    final int nv = S.loopBound(n);
    int i = 0;
    for (; i < nv; i += L) {
      FloatVector.fromArray(S, x, xOff + i)
          .fma(al, FloatVector.fromArray(S, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) { // fma like a lane: same bits as a masked vector, no masked store
      y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
    }
  }
}
