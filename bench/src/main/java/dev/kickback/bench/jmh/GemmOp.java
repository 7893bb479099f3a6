package dev.kickback.bench.jmh;

/** The GEMM transposition variants a training step uses. */
public enum GemmOp {
  /** C += A B^T: the forward pass. */
  NT,
  /** C += A B: feedback through the next layer. */
  NN,
  /** C += A^T B: the weight update. */
  TN
}
