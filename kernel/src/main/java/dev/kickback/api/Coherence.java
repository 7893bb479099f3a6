package dev.kickback.api;

/** Whether the weights between non-input layers are kept coherent (SPEC "Coherence"). */
public enum Coherence {
  /** No constraint; coherence can only be measured. */
  FREE,
  /**
   * Weights into a unit of sign nu have the sign of nu: initialized as {@code |w| * nu} and,
   * after every update, each violating weight is clipped to 0. Input-layer weights are free.
   * With a LINEAR head the output unit counts as positive, so its weights stay non-negative.
   */
  COHERENT
}
