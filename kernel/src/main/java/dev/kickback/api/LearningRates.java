package dev.kickback.api;

import java.util.Objects;

/**
 * Per-layer learning rates from one base rate, for {@link Trainer#step(Rule, float[], float[],
 * int, float[])}. Kickback's feedback {@code tau} is a one-layer sum of weights, where
 * Backprop's {@code pi} is a product over every layer above; in deep networks the two part, and
 * a rate that suits Backprop (or a shallow Kickback network) can make Kickback's lower layers
 * take steps far larger than the gradient's, until their units die. The rules here shrink the
 * rates of deep networks; the verify report's depth sweep measures them against the plain rate.
 */
public final class LearningRates {
  private LearningRates() {}

  /** {@code lr} on every weight layer. */
  public static float[] uniform(NetworkSpec spec, float lr) {
    Checks.rate("lr", lr);
    float[] rates = new float[spec.layers()];
    java.util.Arrays.fill(rates, lr);
    return rates;
  }

  /**
   * {@code lr} times {@code (1/sqrt 3)^(h - 2)} on every layer of a network with {@code h > 2}
   * hidden layers, {@code lr} itself for one or two. Measured, not derived: on SARCOS joint 1
   * (PAIR, COHERENT, 100 units per layer, 30 epochs of batch 8) the best plain Kickback rate
   * fell from 0.03 at one and two hidden layers to 0.01, 0.003, 0.001 and 0.0003 at three,
   * four, six and eight, while Backprop's stayed at 0.03 to 0.1; this factor puts the default
   * 0.01 near the best rate at every depth. Dividing each layer's rate by the layers above it
   * was measured too and left six-layer networks dying at 0.01. The verify report's depth sweep
   * shows this rule beside the plain rate on two datasets.
   */
  public static float[] byDepth(NetworkSpec spec, float lr) {
    Checks.rate("lr", lr);
    float[] rates = new float[spec.layers()];
    int hidden = spec.hiddenLayers();
    java.util.Arrays.fill(rates, (float) (lr * Math.pow(1 / Math.sqrt(3), Math.max(0,
        hidden - 2))));
    return rates;
  }

  /**
   * Each layer's rate scaled by how much smaller Backprop's update of that layer is than
   * Kickback's on one batch ({@code ||dW_backprop(l)|| / ||dW_kickback(l)||}, at most 1), so that
   * Kickback's first steps have the gradient's size layer by layer. The network is not changed.
   * A layer whose Kickback update is zero on the batch keeps {@code lr}.
   *
   * @param x a batch of inputs, row-major {@code [rows][inputWidth]}
   * @param y its targets, {@code [rows]}
   */
  public static float[] matchedToBackprop(Network net, float[] x, float[] y, int rows,
      float lr) {
    Objects.requireNonNull(net, "net");
    Checks.rate("lr", lr);
    NetworkSpec spec = net.spec();
    Trainer probe = new Trainer(net, rows);
    int layers = spec.layers();
    float[][] kb = directions(probe, Rule.KICKBACK, x, y, rows, spec);
    float[][] bp = directions(probe, Rule.BACKPROP, x, y, rows, spec);
    float[] rates = new float[layers];
    for (int l = 0; l < layers; l++) {
      double ratio = norm(bp[l]) / norm(kb[l]);
      rates[l] = ratio < 1 ? (float) (lr * ratio) : lr; // NaN (no Kickback update): lr
    }
    return rates;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += (double) f * f;
    }
    return Math.sqrt(s);
  }

  private static float[][] directions(Trainer probe, Rule rule, float[] x, float[] y, int rows,
      NetworkSpec spec) {
    int layers = spec.layers();
    float[][] dw = new float[layers][];
    float[][] db = new float[layers][];
    for (int l = 0; l < layers; l++) {
      dw[l] = new float[spec.weightCount(l)];
      db[l] = new float[spec.width(l)];
    }
    probe.direction(rule, x, y, rows, dw, db);
    return dw;
  }
}
