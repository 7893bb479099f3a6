package dev.kickback.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The large-shape GEMM of the Vector API path, in the layout of Goto and van de Geijn: a KC x NC
 * block of B is copied ("packed") into slivers of NR columns, a MC x KC block of A into slivers
 * of MR rows, and an MR x NR micro-kernel multiplies one sliver of each with every operand
 * read sequentially. One routine serves all three operand layouts (NN, TN, NT): only the packing
 * reads differ, so NT, which has no contiguous column of B to broadcast against, gets the same
 * micro-kernel as the others.
 *
 * <p>Sizes (16 lanes): the B sliver (KC x NR = 256 x 32 floats, 32 KB) stays in the 48 KB L1
 * while the A block (MC x KC = 96 x 256, 96 KB) streams from L2; the packed B block (256 x 1024,
 * 1 MB) lives in L2. The micro-kernel is MR rows x 2 vectors. With 32 vector registers MR is 8:
 * 16 accumulators, 2 loads and 8 broadcasts per 16 FMAs; measured at 1024^3 against 4 x 4
 * vectors (16 accumulators, 80-90 GFLOP/s), 12 x 2 (24, 94-108) and 14 x 2 (28, 63-70: C2
 * spills): 8 x 2 gave 108-114 GFLOP/s. With 16 registers (AVX2) MR is 6, the block BLIS and
 * OpenBLAS use on Haswell: 12 accumulators, the 2 B vectors and a broadcast leave one register
 * spare, where 8 x 2 spilled (0.47 of the 256-bit peak, measured). One source for both: rows 6
 * and 7 are behind a test of the constant MR, which the JIT folds away.
 *
 * <p>Results do not depend on where a call's column range starts or ends: every output element
 * is the same sequence of operations (a sum over each KC block in order of p, then
 * {@code c = fma(sum, alpha, c)}), whether its tile is full, has fewer rows, or is an edge tile
 * of fewer columns finished by the scalar {@link Math#fma}. That is what lets {@link GemmTeam}
 * split the columns
 * between threads and still return the single-threaded bits.
 *
 * <p>Pack buffers are per thread (about 1.2 MB; up to 1.5 MB once a prepacked GEMM has packed an
 * A of more than 48 rows at k = 1024), allocated on a thread's first large GEMM and reused:
 * nothing is allocated after that.
 */
final class PanamaPackedGemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  static final int MR = VectorRegisters.Preferred.COUNT >= 32 ? 8 : 6;
  static final int NR = 2 * L;
  static final int KC = 256;
  static final int MC = 96;
  static final int NC = 1024;

  /**
   * Rows up to which {@link #gemmPrepacked} reads two slivers of B at once: 4 with 32 registers
   * (16 accumulators), 2 with 16.
   */
  private static final int PAIR_ROWS = VectorRegisters.Preferred.COUNT >= 32 ? 4 : 2;

  /**
   * Rows up to which {@link #gemmPrepacked} reads two slivers at once, {@code PAIR_ROWS} rows a
   * pass over each KC block of them: with 16 registers 3 (the second pass reads the block from
   * cache). Four rows go over one sliver in one pass ({@link PackedTiles#microFour}): measured on
   * Zen 3 (8 lanes), the wide network's forward pass at batch 4, 1.26x two passes of 2 rows over
   * two slivers. With 32 registers {@code PAIR_ROWS}, not measured otherwise.
   */
  private static final int PAIRED_ROWS = VectorRegisters.Preferred.COUNT >= 32 ? PAIR_ROWS : 3;

  /**
   * Whether the 1 or 2 rows past the whole tiles of a prepacked GEMM go over two slivers at
   * once ({@link #microPair}), as the rows of a GEMM of at most {@code PAIRED_ROWS} do: with 16
   * registers. One or two rows over one sliver ({@link PackedTiles#microRows}) are 2 or 4 fma
   * chains, each waiting on the fma latency; over two slivers 4 or 8. Measured on Zen 3 (8
   * lanes), one 1024 x 1024 B prepacked: 6 rows 155 us, 7 rows 283 us, 8 rows 294 us; in pairs 7
   * rows 1.13x, 8 rows 1.12x (one JVM taking turns); the 4 rows past 12 went 0.92x in pairs. With
   * 32 registers not measured.
   */
  private static final boolean REST_IN_PAIRS = VectorRegisters.Preferred.COUNT < 32;

  /**
   * Whether a prepacked GEMM whose sum is one KC block reads A in place ({@link #gemmOneBlock}):
   * with 16 registers, where the paper network's layers are read prepacked from
   * {@link #DIRECT_MIN_ROWS} rows, and MR is 6, the rows {@link #microDirectHalf} is written for.
   * With 32 registers only B at least 256 deep is prepacked; not measured there.
   */
  private static final boolean DIRECT_A = VectorRegisters.Preferred.COUNT < 32;

  /**
   * The fewest rows of A read in place, and the fewest rows of a tile {@link #gemmOneBlock}
   * splits them into when it can: at 4 rows a tile's 8 fma chains fill the fma latency of both
   * pipes. Measured on Zen 3 (8 lanes), one JVM taking turns with reading the layers unpacked
   * below 6 rows, the paper network's forward pass: 4 rows 1.33x, 5 rows 1.64x. A 3-row tile ran
   * at half the rate of a 4-row one (192 columns, 200 terms: 7.3 us against 3.6): C2 unrolled
   * its shorter loop 4 times and kept one row's accumulators on the stack.
   */
  static final int DIRECT_MIN_ROWS = 4;

  /**
   * Whether {@link #gemmPrepacked} and {@link #gemmPrepackedRectified} read this A in place:
   * {@link #DIRECT_A}, a sum of at most KC terms and at least {@link #DIRECT_MIN_ROWS} rows.
   */
  static boolean readsAInPlace(int m, int k) {
    return DIRECT_A && k <= KC && m >= DIRECT_MIN_ROWS;
  }

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    /**
     * {@link #gemm}'s A block (MC x KC), or {@link #gemmPrepacked}'s whole A or block of
     * {@link #PREPACKED_MC} rows: two MC blocks (192 KB) until a call packs a larger A, then
     * that call's, up to {@link #WHOLE_A_FLOATS}.
     */
    float[] a = new float[2 * MC * KC];
    final float[] b = new float[KC * NC];
    final float[] tile = new float[MR * NR];

    /** Grows {@link #a} to hold at least {@code floats}. */
    void growA(int floats) {
      if (a.length < floats) {
        a = new float[floats];
      }
    }
  }

  /**
   * The most floats of A {@link #gemmPrepacked} packs whole: 512 KB, 128 rows at k = 1024. Then
   * each sliver of B is read front to back once a call and C's columns of that sliver stay in
   * cache over its KC blocks; a larger A goes per KC block, MC rows at a time. Measured on Zen 5
   * (16 lanes), the wide network's forward pass, both jars in one JVM taking turns (16 pairs of
   * bursts, each order): against going per KC block from 64 rows, 64 rows 1.08x and 1.06x,
   * 128 rows 1.05x and 1.07x; 256 rows whole (1 MB) 1.00x and 1.02x, not worth the memory.
   * Earlier, against A whole up to 48 rows: 32 rows 1.04x, 48 rows 1.10x. With 16 registers not
   * measured.
   */
  static final int WHOLE_A_FLOATS = 128 * 1024;

  /**
   * Rows of A per block of {@link #gemmPrepacked} when A is too large to pack whole: 256 rows
   * x KC (256 KB) stay in L2 while each sliver's KC block of B, read from memory (a layer's
   * prepacked weights are 4 MB at 1024 x 1024), serves all their tiles; with {@link #MC}'s 96
   * rows the same block was read three times at 256 rows.
   * Measured on Zen 5 (16 lanes), the wide network's forward pass, both jars in one JVM taking
   * turns, in 6 JVMs alternating which loads first: batch 256 1.046, 1.015, 1.027, 1.021, 1.000,
   * 1.012; in one JVM batch 192 1.033, batch 512 1.006 (two blocks of 256). With 16 registers
   * 252, whole tiles of 6 rows; not measured there.
   */
  static final int PREPACKED_MC = 256 / MR * MR;

  /**
   * Whether {@link #gemm} takes its tiles a band of MR rows at a time across every sliver,
   * rather than down each sliver's rows: for a sum of one KC block (C read and written once)
   * into a C of at least 512 rows and {@link #NC} columns, the wide network's update
   * {@code W += alpha X^T D} from 16 samples. Down a sliver each of C's rows, 4 KB apart, gives
   * a 128-byte piece; across, each row streams (the likely reason, not measured apart: C's rows
   * 2 KB apart gained nothing). Bits are the same (the same tiles in another order). Measured
   * on Emerald Rapids (16 lanes), one JVM taking turns, clamped TN updates: 1024 x 1024 over 16
   * samples 1.18-1.24x, 24 1.19x, 32 1.19x, 64 1.09-1.19x, 128 1.26x, 256 1.03x; 512 x 1024
   * over 32 1.06x, 2048 x 1024 1.12x; not taken
   * where it lost: 1024 x 512 over 32 0.94x, 256 x 1024 x 128 (NN) 0.95x, the paper network's
   * packed NT shapes 0.92-0.95x, and sums deeper than a block (NN 1024^3 0.97x).
   */
  static boolean rowsFirst(int m, int n, int k) {
    return k <= KC && m >= 512 && n >= NC;
  }

  private PanamaPackedGemm() {}

  /**
   * Whether a shape is large enough for packing to pay at all: below this the copies cost more
   * than they save whatever the layout. {@link PanamaKernelOps} asks more of each layout above
   * it (measured per layout there).
   */
  static boolean worthPacking(int m, int n, int k) {
    return m >= MR && n >= NR && k >= 16 && (long) m * n * k >= (1L << 18);
  }

  /**
   * {@code C(i, j) += alpha * sum_p A(i, p) B(p, j)} for {@code i < m}, {@code jFrom <= j < jTo},
   * with {@code A(i, p) = a[i * ars + p * acs]}, {@code B(p, j) = b[p * brs + j * bcs]} and C
   * row-major with {@code n} columns.
   */
  static void gemm(int m, int n, int k, float alpha, float[] a, int ars, int acs, float[] b,
      int brs, int bcs, float[] c, int jFrom, int jTo) {
    gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, jFrom, jTo, null);
  }

  /**
   * {@link #gemm(int, int, int, float, float[], int, int, float[], int, int, float[], int, int)},
   * then with {@code signs} non-null each output set to 0 where {@code C(i, j) * signs[j] < 0}
   * ({@code KernelOps.clampRowsToSigns}), in the registers of the last KC block's tiles, before
   * their one store of the finished sum.
   */
  static void gemm(int m, int n, int k, float alpha, float[] a, int ars, int acs, float[] b,
      int brs, int bcs, float[] c, int jFrom, int jTo, float[] signs) {
    Buffers buf = BUFFERS.get();
    final boolean rowsFirst = rowsFirst(m, n, k);
    for (int j0 = jFrom; j0 < jTo; j0 += NC) {
      final int nc = Math.min(NC, jTo - j0);
      for (int k0 = 0; k0 < k; k0 += KC) {
        final int kc = Math.min(KC, k - k0);
        final float[] clamp = k0 + kc == k ? signs : null;
        packB(kc, nc, b, k0 * brs + j0 * bcs, brs, bcs, buf.b);
        for (int i0 = 0; i0 < m; i0 += MC) {
          final int mc = Math.min(MC, m - i0);
          packA(mc, kc, a, i0 * ars + k0 * acs, ars, acs, buf.a, 0);
          if (rowsFirst) {
            for (int is = 0; is < mc; is += MR) {
              for (int js = 0; js < nc; js += NR) {
                tile(Math.min(MR, mc - is), kc, Math.min(NR, nc - js), alpha, buf, is * kc,
                    buf.b, js * kc, c, (i0 + is) * n + j0 + js, n, clamp, j0 + js);
              }
            }
          } else {
            for (int js = 0; js < nc; js += NR) {
              sliver(mc, kc, Math.min(NR, nc - js), alpha, buf, 0, buf.b, js * kc, c,
                  i0 * n + j0 + js, n, clamp, j0 + js);
            }
          }
        }
      }
    }
  }

  /**
   * {@code B[k][n]} packed whole, once, for {@link #gemmPrepacked}: slivers of NR columns, each
   * over all k rows, {@code dst[s * k * NR + p * NR + jj] = B(p, s * NR + jj)}, zero past n:
   * {@link #packB}'s layout with all k rows one block, so a KC block of a sliver is laid out as
   * packB lays it out and the same micro-kernel reads it.
   */
  static float[] packWhole(int k, int n, float[] b) {
    final float[] dst = new float[Math.toIntExact(packedFloats(k, n))];
    packB(k, n, b, 0, n, 1, dst);
    return dst;
  }

  /** Floats {@link #packWhole} makes of a {@code k x n} B: n rounded up to whole slivers. */
  static long packedFloats(int k, int n) {
    return (long) (n + NR - 1) / NR * NR * k;
  }

  /**
   * {@code C[m][n] += alpha * A[m][k] B} with B from {@link #packWhole}. When A is at most
   * {@link #WHOLE_A_FLOATS} (128 rows at k = 1024), it is packed once, KC block after KC
   * block, and each sliver of B (k x NR floats, contiguous) is read front to back once, every
   * row block of A taking its turn on each KC block while it is in L1 (up to
   * {@code PAIRED_ROWS} rows, two slivers at a time); otherwise per KC block,
   * {@link #PREPACKED_MC} rows at a time, each sliver's block of B read once per such block of
   * rows. Either way B streams, where the unpacked kernels' column panels read its rows 4 KB
   * apart, which the prefetchers do not follow. Every output is the same sequence of operations
   * as in {@link #gemm}.
   */
  static void gemmPrepacked(int m, int n, int k, float alpha, float[] a, float[] bp,
      float[] c) {
    final Buffers buf = BUFFERS.get();
    if (readsAInPlace(m, k)) {
      gemmOneBlock(m, n, k, alpha, a, bp, c, buf, null, null, null, null);
      return;
    }
    final int rowsPadded = (m + MR - 1) / MR * MR;
    if ((long) rowsPadded * k <= WHOLE_A_FLOATS) {
      buf.growA(rowsPadded * k);
      for (int k0 = 0; k0 < k; k0 += KC) {
        packA(m, Math.min(KC, k - k0), a, k0, k, 1, buf.a, k0 * rowsPadded);
      }
      // rows in whole tiles, the others (all up to PAIRED_ROWS) over two slivers at once
      final int tiled = m <= PAIRED_ROWS ? 0
          : REST_IN_PAIRS && m % MR <= PAIR_ROWS ? m - m % MR : m;
      for (int js = 0; js < n; ) {
        final boolean pair = tiled < m && js + 2 * NR <= n;
        for (int k0 = 0; k0 < k; k0 += KC) {
          final int kc = Math.min(KC, k - k0);
          final int bOff = (js / NR * k + k0) * NR;
          if (pair) {
            final int a0 = k0 * rowsPadded;
            for (int is = 0; is < tiled; is += MR) {
              PackedTiles.micro(kc, alpha, buf.a, a0 + is * kc, bp, bOff, c, js + is * n, n);
              PackedTiles.micro(kc, alpha, buf.a, a0 + is * kc, bp, bOff + k * NR, c,
                  js + NR + is * n, n);
            }
            for (int r0 = tiled; r0 < m; r0 += PAIR_ROWS) { // rows r0.. of A's last sliver
              microPair(kc, Math.min(PAIR_ROWS, m - r0), alpha, buf.a, a0 + tiled * kc + r0
                  - tiled, bp, bOff, bOff + k * NR, c, js + r0 * n, n);
            }
          } else {
            sliver(m, kc, Math.min(NR, n - js), alpha, buf, k0 * rowsPadded, bp, bOff, c, js, n,
                null, 0);
          }
        }
        js += pair ? 2 * NR : NR;
      }
      return;
    }
    buf.growA(Math.min(rowsPadded, PREPACKED_MC) * KC);
    for (int k0 = 0; k0 < k; k0 += KC) {
      final int kc = Math.min(KC, k - k0);
      for (int i0 = 0; i0 < m; i0 += PREPACKED_MC) {
        final int mc = Math.min(PREPACKED_MC, m - i0);
        packA(mc, kc, a, i0 * k + k0, k, 1, buf.a, 0);
        for (int js = 0; js < n; js += NR) {
          sliver(mc, kc, Math.min(NR, n - js), alpha, buf, 0, bp, (js / NR * k + k0) * NR, c,
              i0 * n + js, n, null, 0);
        }
      }
    }
  }

  /**
   * A layer's forward pass over a B from {@link #packWhole}, for an A {@link #readsAInPlace read
   * in place}: {@code S = A B + bias} on every row, {@code D = S > 0 ? nu : 0}, {@code O = D S}
   * ({@code S} and {@code D} not stored when {@code d} is null), every tile's outputs written
   * from registers. Each output is the bits of copying the bias, {@link #gemmPrepacked} with
   * alpha 1 and rectifying.
   */
  static void gemmPrepackedRectified(int m, int n, int k, float[] a, float[] bp, float[] bias,
      float[] nu, float[] s, float[] o, float[] d) {
    gemmOneBlock(m, n, k, 1f, a, bp, s, BUFFERS.get(), bias, nu, o, d);
  }

  /**
   * {@link #gemmPrepacked} when the whole sum is one KC block, A read where it is: tiles of rows
   * ({@link PackedTiles#microDirect}, or for fewer than MR {@link PackedTiles#microDirectFour}
   * and {@link PackedTiles#microDirectRows}), MC rows at a time against each sliver of B. The
   * rows are split into as few tiles as MR allows, of as equal a size as keeps each at least
   * {@link #DIRECT_MIN_ROWS} (8 rows as 4 + 4, 9 as 5 + 4; 7 as 6 + 1): a tile of fewer rows runs
   * as long as one of 4 (its fma chains wait on the latency), so 6 + 2 rows took the time of
   * 6 + 4. Measured on Zen 3 (8 lanes), the paper network's forward pass in one JVM taking turns
   * against whole tiles with the last one overlapping the one before (rows computed twice): 8
   * rows 1.18x, 9 rows 1.13x, 10 rows 1.05x; 4 + 4 against 6 + 2 1.07x. A tile of 4 rows without
   * microDirectRows' tests of the row count: batch 4 1.08x, 8 1.06x, 9 1.03x. With a bias every
   * tile is rectified as {@link #gemmPrepackedRectified} says.
   */
  private static void gemmOneBlock(int m, int n, int k, float alpha, float[] a, float[] bp,
      float[] c, Buffers buf, float[] bias, float[] nu, float[] o, float[] d) {
    final int tiles = (m + MR - 1) / MR;
    final boolean even = m / tiles >= DIRECT_MIN_ROWS;
    final int base = even ? m / tiles : MR, extra = even ? m % tiles : 0;
    for (int t0 = 0; t0 < tiles; t0 += MC / MR) {
      final int tEnd = Math.min(tiles, t0 + MC / MR);
      for (int js = 0; js < n; js += NR) {
        final int bOff = js / NR * k * NR;
        final int nr = Math.min(NR, n - js);
        for (int t = t0; t < tEnd; t++) {
          final int is = t * base + Math.min(t, extra);
          final int mr = Math.min(base + (t < extra ? 1 : 0), m - is);
          if (nr < NR) { // as edge does it, over one vector when that holds the columns
            java.util.Arrays.fill(buf.tile, 0f);
            if (mr < MR) {
              PackedTiles.microDirectRows(k, mr, 1f, a, is * k, k, bp, bOff, buf.tile, 0, NR,
                  null, null, null, null, 0);
            } else if (nr <= L) {
              microDirectHalf(k, a, is * k, k, bp, bOff, buf.tile);
            } else {
              PackedTiles.microDirect(k, 1f, a, is * k, k, bp, bOff, buf.tile, 0, NR, null, null,
                  null, null, 0);
            }
            if (bias == null) {
              addTile(buf.tile, alpha, c, is * n + js, n, mr, nr);
            } else {
              addTileRectified(buf.tile, js, mr, nr, bias, nu, c, o, d, is * n + js, n);
            }
          } else if (mr == 4) {
            PackedTiles.microDirectFour(k, alpha, a, is * k, k, bp, bOff, c, is * n + js, n,
                bias, nu, o, d, js);
          } else if (mr < MR) {
            PackedTiles.microDirectRows(k, mr, alpha, a, is * k, k, bp, bOff, c, is * n + js, n,
                bias, nu, o, d, js);
          } else {
            PackedTiles.microDirect(k, alpha, a, is * k, k, bp, bOff, c, is * n + js, n, bias, nu,
                o, d, js);
          }
        }
      }
    }
  }

  /**
   * One KC block of one sliver of B ({@code nr <= NR} of its columns valid) against {@code mc}
   * packed rows of A from {@code aOff}, into C from {@code c0} with row stride {@code ldc}: full
   * tiles by {@link PackedTiles#micro}, fewer rows by {@link PackedTiles#microRows} (4 of 6 by
   * {@link PackedTiles#microFour}; 4 of 8, with 32 registers, measured no faster through it on
   * Zen 4: the wide network's forward pass at batch 12 1.01x, 20 0.98x, taking turns), a sliver
   * cut by the last column by {@link #edge}. Both GEMMs' tiles, so each output is the same
   * sequence of operations whichever made B. With {@code signs} non-null (the last KC block of
   * a clipped update) each finished sum is clamped to the sign of its column, C's columns from
   * {@code j}, before its store: the tiles' {@code *Clamped} variants, and a cut sliver lane by
   * lane with the same operations after edge.
   */
  private static void sliver(int mc, int kc, int nr, float alpha, Buffers buf, int aOff,
      float[] bp, int bOff, float[] c, int c0, int ldc, float[] signs, int j) {
    for (int is = 0; is < mc; is += MR) {
      tile(Math.min(MR, mc - is), kc, nr, alpha, buf, aOff + is * kc, bp, bOff, c,
          c0 + is * ldc, ldc, signs, j);
    }
  }

  /** One tile of {@link #sliver}: {@code mr} rows of A's sliver from {@code ai}, C from ci. */
  private static void tile(int mr, int kc, int nr, float alpha, Buffers buf, int ai, float[] bp,
      int bOff, float[] c, int ci, int ldc, float[] signs, int j) {
    final boolean clamp = signs != null;
    if (nr < NR) {
      edge(kc, alpha, buf.a, ai, bp, bOff, buf.tile, c, ci, ldc, mr, nr);
      for (int r = 0; clamp && r < mr; r++) {
        KernelOps.clampToSignsScalar(c, ci + r * ldc, nr, signs, j);
      }
    } else if (mr == 4 && MR == 6) {
      if (clamp) {
        PackedTiles.microFourClamped(kc, alpha, buf.a, ai, bp, bOff, c, ci, ldc, signs, j);
      } else {
        PackedTiles.microFour(kc, alpha, buf.a, ai, bp, bOff, c, ci, ldc);
      }
    } else if (mr < MR) {
      if (clamp) {
        PackedTiles.microRowsClamped(kc, mr, alpha, buf.a, ai, bp, bOff, c, ci, ldc, signs, j);
      } else {
        PackedTiles.microRows(kc, mr, alpha, buf.a, ai, bp, bOff, c, ci, ldc);
      }
    } else if (clamp) {
      PackedTiles.microClamped(kc, alpha, buf.a, ai, bp, bOff, c, ci, ldc, signs, j);
    } else {
      PackedTiles.micro(kc, alpha, buf.a, ai, bp, bOff, c, ci, ldc);
    }
  }

  /**
   * Slivers of MR rows: {@code dst[d0 + is * kc + p * MR + r] = A(is + r, p)}, zero past {@code mc}
   * so that the micro-kernel never branches on the row count. Reads run along A's contiguous
   * dimension across all slivers: walking one sliver at a time would read with a stride of a
   * whole row (4 KB at width 1024), which aliases in L1 (measured: TN 15% slower).
   */
  private static void packA(int mc, int kc, float[] a, int a0, int ars, int acs, float[] dst,
      int d0) {
    final int full = mc - mc % MR;
    if (acs == 1) { // rows of A are contiguous (NN, NT)
      for (int i = 0; i < mc; i++) {
        final int src = a0 + i * ars;
        final int d = d0 + (i - i % MR) * kc + i % MR;
        for (int p = 0; p < kc; p++) {
          dst[d + p * MR] = a[src + p];
        }
      }
    } else { // columns of A are contiguous (TN)
      for (int p = 0; p < kc; p++) {
        final int src = a0 + p * acs;
        for (int is = 0; is < full; is += MR) {
          final int d = d0 + is * kc + p * MR;
          final int sr = src + is * ars;
          for (int r = 0; r < MR; r++) {
            dst[d + r] = a[sr + r * ars];
          }
        }
        for (int i = full; i < mc; i++) {
          dst[d0 + full * kc + p * MR + i - full] = a[src + i * ars];
        }
      }
    }
    if (full < mc) {
      for (int p = 0; p < kc; p++) {
        for (int r = mc - full; r < MR; r++) {
          dst[d0 + full * kc + p * MR + r] = 0f;
        }
      }
    }
  }

  /**
   * Rows of B that {@link #packB} copies to every sliver before it goes on to the next rows.
   * Row by row, each row's 32 pieces went to 32 slivers 32 KB apart (the same L1 sets) and
   * packing ran at 14-23 GB/s; {@code PACK_ROWS} rows at a time write a run of that many
   * pieces into each sliver. Measured on Zen 5 (16 lanes), the three 1024 x 1024 weight
   * matrices packed per KC block, by vector loads and stores, in one JVM: 4 rows 486-569 us,
   * 8 rows 330-447, 16 rows 365-495, 32 rows 626-669, row by row 545-914 (by
   * {@code System.arraycopy}, as before; 8 rows by arraycopy 527-530).
   */
  private static final int PACK_ROWS = 8;

  /**
   * Slivers of NR columns: {@code dst[js * kc + p * NR + jj] = B(p, js + jj)}, zero past
   * {@code nc}. As in {@link #packA}, reads run along B's contiguous dimension, here
   * {@link #PACK_ROWS} rows at a time.
   */
  private static void packB(int kc, int nc, float[] b, int b0, int brs, int bcs, float[] dst) {
    final int full = nc - nc % NR;
    if (bcs == 1) { // rows of B are contiguous (NN, TN)
      for (int p0 = 0; p0 < kc; p0 += PACK_ROWS) {
        final int p1 = Math.min(kc, p0 + PACK_ROWS);
        for (int js = 0; js < full; js += NR) {
          for (int p = p0; p < p1; p++) {
            final int src = b0 + p * brs + js;
            final int d = js * kc + p * NR;
            FloatVector.fromArray(S, b, src).intoArray(dst, d);
            FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
          }
        }
        for (int p = p0; full < nc && p < p1; p++) {
          final int d = full * kc + p * NR;
          System.arraycopy(b, b0 + p * brs + full, dst, d, nc - full);
          java.util.Arrays.fill(dst, d + nc - full, d + NR, 0f);
        }
      }
    } else { // B is stored transposed (NT): its columns are contiguous
      for (int j = 0; j < nc; j++) {
        final int src = b0 + j * bcs;
        final int d = (j - j % NR) * kc + j % NR;
        for (int p = 0; p < kc; p++) {
          dst[d + p * NR] = b[src + p * brs];
        }
      }
      if (full < nc) {
        for (int p = 0; p < kc; p++) {
          final int d = full * kc + p * NR;
          java.util.Arrays.fill(dst, d + nc - full, d + NR, 0f);
        }
      }
    }
  }

  /**
   * A partial tile: the micro-kernel writes its raw sums into a zeroed MR x NR buffer
   * ({@code 1 * sum + 0} is exact), then the valid part is added with the same single rounding
   * as a full tile.
   */
  private static void edge(int kc, float alpha, float[] ap, int aOff, float[] bp, int bOff,
      float[] t, float[] c, int c0, int ldc, int mr, int nr) {
    java.util.Arrays.fill(t, 0f);
    PackedTiles.micro(kc, 1f, ap, aOff, bp, bOff, t, 0, NR);
    addTile(t, alpha, c, c0, ldc, mr, nr);
  }

  /**
   * {@link #addTile} onto the bias with alpha 1, rectified: per valid output {@code s = t + bias}
   * (as {@code fma(t, 1, bias)}), {@code d = s > 0 ? nu : 0}, {@code o = d * s}, as the vector
   * epilogue of {@link PackedTiles#microDirect} computes each lane.
   */
  private static void addTileRectified(float[] t, int j0, int mr, int nr, float[] bias,
      float[] nu, float[] s, float[] o, float[] d, int c0, int ldc) {
    for (int r = 0; r < mr; r++) {
      for (int jj = 0; jj < nr; jj++) {
        final int ci = c0 + r * ldc + jj;
        final float v = Math.fma(t[r * NR + jj], 1f, bias[j0 + jj]);
        final float on = v > 0f ? nu[j0 + jj] : 0f;
        o[ci] = on * v;
        if (d != null) {
          s[ci] = v;
          d[ci] = on;
        }
      }
    }
  }

  /** {@code C[r][jj] = fma(t[r][jj], alpha, C[r][jj])} for the valid part of a tile's sums. */
  private static void addTile(float[] t, float alpha, float[] c, int c0, int ldc, int mr,
      int nr) {
    for (int r = 0; r < mr; r++) {
      for (int jj = 0; jj < nr; jj++) {
        int ci = c0 + r * ldc + jj;
        c[ci] = Math.fma(t[r * NR + jj], alpha, c[ci]);
      }
    }
  }

  /**
   * {@link PackedTiles#microRows} over two slivers of B side by side (C's columns
   * {@code [c0, c0 + 2 NR)}), for {@code mr <= PAIR_ROWS}: a pass over few rows is bound by how
   * fast B arrives, and two sequential streams of it keep more lines in flight than one.
   * Measured on Zen 5 (16 lanes), 2 rows over three 1024 x 1024 layers: 287 us against 374 one
   * sliver at a time.
   */
  private static void microPair(int kc, int mr, float alpha, float[] ap, int a0, float[] bp,
      int b0, int b1, float[] c, int c0, int ldc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    for (int p = 0; p < kc; p++) {
      final FloatVector v0 = FloatVector.fromArray(S, bp, b0 + p * NR);
      final FloatVector v1 = FloatVector.fromArray(S, bp, b0 + p * NR + L);
      final FloatVector v2 = FloatVector.fromArray(S, bp, b1 + p * NR);
      final FloatVector v3 = FloatVector.fromArray(S, bp, b1 + p * NR + L);
      final int ai = a0 + p * MR;
      FloatVector x = FloatVector.broadcast(S, ap[ai]);
      c00 = x.fma(v0, c00);
      c01 = x.fma(v1, c01);
      c02 = x.fma(v2, c02);
      c03 = x.fma(v3, c03);
      if (mr > 1) {
        x = FloatVector.broadcast(S, ap[ai + 1]);
        c10 = x.fma(v0, c10);
        c11 = x.fma(v1, c11);
        c12 = x.fma(v2, c12);
        c13 = x.fma(v3, c13);
      }
      if (PAIR_ROWS > 2 && mr > 2) {
        x = FloatVector.broadcast(S, ap[ai + 2]);
        c20 = x.fma(v0, c20);
        c21 = x.fma(v1, c21);
        c22 = x.fma(v2, c22);
        c23 = x.fma(v3, c23);
      }
      if (PAIR_ROWS > 2 && mr > 3) {
        x = FloatVector.broadcast(S, ap[ai + 3]);
        c30 = x.fma(v0, c30);
        c31 = x.fma(v1, c31);
        c32 = x.fma(v2, c32);
        c33 = x.fma(v3, c33);
      }
    }
    final FloatVector al = FloatVector.broadcast(S, alpha);
    int r = c0;
    c00.fma(al, FloatVector.fromArray(S, c, r)).intoArray(c, r);
    c01.fma(al, FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
    c02.fma(al, FloatVector.fromArray(S, c, r + NR)).intoArray(c, r + NR);
    c03.fma(al, FloatVector.fromArray(S, c, r + NR + L)).intoArray(c, r + NR + L);
    if (mr > 1) {
      r += ldc;
      c10.fma(al, FloatVector.fromArray(S, c, r)).intoArray(c, r);
      c11.fma(al, FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
      c12.fma(al, FloatVector.fromArray(S, c, r + NR)).intoArray(c, r + NR);
      c13.fma(al, FloatVector.fromArray(S, c, r + NR + L)).intoArray(c, r + NR + L);
    }
    if (PAIR_ROWS > 2 && mr > 2) {
      r += ldc;
      c20.fma(al, FloatVector.fromArray(S, c, r)).intoArray(c, r);
      c21.fma(al, FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
      c22.fma(al, FloatVector.fromArray(S, c, r + NR)).intoArray(c, r + NR);
      c23.fma(al, FloatVector.fromArray(S, c, r + NR + L)).intoArray(c, r + NR + L);
    }
    if (PAIR_ROWS > 2 && mr > 3) {
      r += ldc;
      c30.fma(al, FloatVector.fromArray(S, c, r)).intoArray(c, r);
      c31.fma(al, FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
      c32.fma(al, FloatVector.fromArray(S, c, r + NR)).intoArray(c, r + NR);
      c33.fma(al, FloatVector.fromArray(S, c, r + NR + L)).intoArray(c, r + NR + L);
    }
  }

  /**
   * {@link PackedTiles#microDirect} into a zeroed tile ({@code alpha = 1}, as {@link #edge} calls
   * it) for a sliver's first vector only: the edge of a B whose last sliver holds at most L
   * columns. The paper network's 100-wide layer at 8 lanes is 6 slivers and 4 columns, whose
   * full-width edge took a fifth of the layer's time (Zen 3: 256 rows, 100 columns 1.19 times as
   * long as 96).
   */
  private static void microDirectHalf(int kc, float[] a, int a0, int lda, float[] bp, int b0,
      float[] t) {
    final int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    for (int p = 0; p < kc; p++) {
      final FloatVector v = FloatVector.fromArray(S, bp, b0 + p * NR);
      c0 = FloatVector.broadcast(S, a[a0 + p]).fma(v, c0);
      c1 = FloatVector.broadcast(S, a[a1 + p]).fma(v, c1);
      c2 = FloatVector.broadcast(S, a[a2 + p]).fma(v, c2);
      c3 = FloatVector.broadcast(S, a[a3 + p]).fma(v, c3);
      c4 = FloatVector.broadcast(S, a[a4 + p]).fma(v, c4);
      c5 = FloatVector.broadcast(S, a[a5 + p]).fma(v, c5);
    }
    final FloatVector one = FloatVector.broadcast(S, 1f);
    c0.fma(one, FloatVector.fromArray(S, t, 0)).intoArray(t, 0);
    c1.fma(one, FloatVector.fromArray(S, t, NR)).intoArray(t, NR);
    c2.fma(one, FloatVector.fromArray(S, t, 2 * NR)).intoArray(t, 2 * NR);
    c3.fma(one, FloatVector.fromArray(S, t, 3 * NR)).intoArray(t, 3 * NR);
    c4.fma(one, FloatVector.fromArray(S, t, 4 * NR)).intoArray(t, 4 * NR);
    c5.fma(one, FloatVector.fromArray(S, t, 5 * NR)).intoArray(t, 5 * NR);
  }
}
