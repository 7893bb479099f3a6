package dev.kickback.bench.jmh;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * A narrow GEMM and a row pass on operands sized exactly, against the same operands with a
 * vector's room after them: what the kernels' copies of short operands cost ({@code Room} in
 * the kernel), and what they save where the Vector API would take a row's last window lane by
 * lane. NN: {@code C[32][10] += A[32][100] B[100][10]}; ROWS: {@code y[10] += A[100][10]^T x}
 * over every row (gemvTRows). 2 m n k FLOPs; A, B and C read and C written (bytes).
 */
public class RoomBench extends BenchBase {
  /** The operation. */
  public enum Op {
    NN,
    ROWS
  }

  @Param({"NN", "ROWS"})
  public Op op;

  /** EXACT: every array exactly its used size; ROOM: 16 floats more. */
  @Param({"EXACT", "ROOM"})
  public String arrays;

  private static final int M = 32;
  private static final int N = 10;
  private static final int K = 100;

  private KernelOps ops;
  private float[] a;
  private float[] b;
  private float[] c;
  private int[] rows;

  @Setup
  public void setup() {
    ops = KernelPath.VECTOR.ops();
    int room = arrays.equals("ROOM") ? 16 : 0;
    int aSize = op == Op.NN ? M * K : K * N;
    int bSize = op == Op.NN ? K * N : K;
    a = Arrays.copyOf(RandomNets.gaussian(1, aSize), aSize + room);
    b = Arrays.copyOf(RandomNets.gaussian(2, bSize), bSize + room);
    c = new float[(op == Op.NN ? M * N : N) + room];
    rows = new int[K];
    Arrays.setAll(rows, i -> i);
  }

  @Benchmark
  public float[] call() {
    if (op == Op.NN) {
      ops.gemmNN(M, N, K, 1e-3f, a, b, c);
    } else {
      ops.gemvTRows(K, N, a, b, rows, K, c);
    }
    return c;
  }

  @Override
  public Workload model() {
    int m = op == Op.NN ? M : 1;
    double flops = 2.0 * m * N * K;
    double bytes = F * ((double) m * K + (double) K * N + 2.0 * m * N);
    return new Workload("room", null, "vector", op.name().toLowerCase() + "_" + m + "x" + N
        + "x" + K + "_" + arrays.toLowerCase(), m, 1, flops, bytes, 0);
  }
}
