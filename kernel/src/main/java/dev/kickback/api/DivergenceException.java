package dev.kickback.api;

/**
 * A training step produced a non-finite loss or parameter. The step has been undone: the
 * network holds exactly the parameters it had before the step.
 */
public final class DivergenceException extends ArithmeticException {
  private final int layer;

  DivergenceException(int layer, String message) {
    super(message);
    this.layer = layer;
  }

  /** The weight layer that went non-finite first. */
  public int layer() {
    return layer;
  }
}
