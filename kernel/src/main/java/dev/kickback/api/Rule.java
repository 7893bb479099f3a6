package dev.kickback.api;

/**
 * The credit-assignment rule of a training step, as SPEC.md defines it. The plainest statement
 * of both rules is the double-precision reference in the testkit module
 * ({@code dev.kickback.testkit.ReferenceNet#influence}: the unit's own influence is recursed
 * through the layer above for Backprop and taken as 1 there for Kickback); {@link Trainer} is
 * the same rule in GEMM form, and the tests hold it to the reference.
 */
public enum Rule {
  /** Exact stochastic gradient: feedback {@code beta * pi_j}, pi computed by recursion. */
  BACKPROP,
  /**
   * Kickback (Balduzzi et al., AAAI-15): feedback {@code beta * tau_j} with the influence
   * truncated after one layer, {@code tau_j = sum_k w_jk nu_k 1_k}; no recursion.
   */
  KICKBACK
}
