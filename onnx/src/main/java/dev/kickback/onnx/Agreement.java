package dev.kickback.onnx;

import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.io.Standardization;
import java.util.Locale;

/**
 * Whether another runtime's predictions for an exported model agree with the kernel's. Two
 * float32 implementations sum in different orders, so they may differ by a few roundings of
 * the terms the output adds up, not of the output itself: where the head's terms cancel (a
 * wide network's output of 0.02 from terms of 5) a bound relative to the output would demand
 * more than float32 gives either of them. So each row's bound is {@link #RELATIVE} times its
 * condition: the larger of the output's magnitude and the sum of the magnitudes of the terms of
 * the output layer's active units ({@code sum_j |w_j h_j| + |b|}, computed in double), in the
 * target's units when there is a standardization. The tests check every export with it and the
 * bench refuses to time ONNX Runtime without it.
 */
public final class Agreement {
  /** The bound the tests and the bench hold ONNX Runtime to: 1e-5 relative. */
  public static final double RELATIVE = 1e-5;

  private Agreement() {}

  /**
   * The first row where {@code theirs} differs from what {@code net} (behind {@code std}, which
   * may be null) predicts for the raw inputs {@code x [batch][d]}, in words, or null when every
   * row agrees within {@link #RELATIVE} of its condition.
   */
  public static String firstDisagreement(Network net, Standardization std, float[] x,
      int batch, float[] theirs) {
    NetworkSpec spec = net.spec();
    int d = spec.inputWidth();
    float[] in = x;
    if (std != null) {
      double[] raw = new double[batch * d];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = x[i];
      }
      in = std.inputs(raw, batch);
    }
    float[] ours = net.predict(java.util.Arrays.copyOf(in, batch * d));
    double[] condition = condition(net, in, batch);
    for (int r = 0; r < batch; r++) {
      double mine = std == null ? ours[r] : (float) std.target(ours[r]);
      double cond = std == null ? condition[r]
          : condition[r] * std.targetSd() + Math.abs(std.targetMean());
      double tol = RELATIVE * Math.max(Math.abs(mine), cond);
      if (!(Math.abs(mine - theirs[r]) <= tol)) {
        return String.format(Locale.ROOT, "row %d: Kickback-J predicts %s, the other runtime %s,"
            + " %.3g apart; allowed %.3g (1e-5 of the output layer's terms, %.4g)", r,
            (float) mine, theirs[r], Math.abs(mine - theirs[r]), tol, cond);
      }
    }
    return null;
  }

  /** Per row, {@code sum_j |w_j h_j| + |b|} over the output layer's active units, in double. */
  static double[] condition(Network net, float[] x, int batch) {
    NetworkSpec spec = net.spec();
    double[] cond = new double[batch];
    float[][] weights = new float[spec.layers()][];
    float[][] biases = new float[spec.layers()][];
    for (int l = 0; l < spec.layers(); l++) {
      weights[l] = net.weights(l);
      biases[l] = net.biases(l);
    }
    for (int r = 0; r < batch; r++) {
      double[] h = new double[spec.inputWidth()];
      for (int i = 0; i < h.length; i++) {
        h[i] = x[r * h.length + i];
      }
      for (int l = 0; l < spec.layers(); l++) {
        float[] w = weights[l];
        float[] b = biases[l];
        int in = spec.fanIn(l);
        boolean last = l == spec.layers() - 1;
        double[] next = new double[spec.width(l)];
        for (int k = 0; k < next.length; k++) {
          double s = b[k];
          double terms = Math.abs(b[k]);
          for (int j = 0; j < in; j++) {
            s += w[k * in + j] * h[j];
            terms += Math.abs(w[k * in + j] * h[j]);
          }
          if (!last) {
            next[k] = spec.sign(l, k) * Math.max(s, 0);
          } else if (spec.head() == Head.LINEAR || s > 0) {
            cond[r] += terms;
          }
        }
        h = next;
      }
    }
    return cond;
  }
}
