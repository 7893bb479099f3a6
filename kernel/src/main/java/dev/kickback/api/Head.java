package dev.kickback.api;

/** The output layer of a network. */
public enum Head {
  /**
   * The paper's two output nodes: a positive and a negative rectifier on the last hidden layer,
   * {@code y_hat = relu(s_plus) - relu(s_minus)}. Both output biases start at +1.0 so the head
   * is not born dead.
   */
  PAIR,
  /** One linear unit, {@code y_hat = w . x + b}, treated as sign +1 and always active. */
  LINEAR;

  /** Number of output units. */
  public int width() {
    return this == PAIR ? 2 : 1;
  }
}
