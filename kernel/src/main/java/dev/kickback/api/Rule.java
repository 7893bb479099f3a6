package dev.kickback.api;

/** The credit-assignment rule of a training step. */
public enum Rule {
  /** Exact stochastic gradient: feedback {@code beta * pi_j}, pi computed by recursion. */
  BACKPROP,
  /**
   * Kickback (Balduzzi et al., AAAI-15): feedback {@code beta * tau_j} with the influence
   * truncated after one layer, {@code tau_j = sum_k w_jk nu_k 1_k}; no recursion.
   */
  KICKBACK
}
