package dev.kickback.testkit;

import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;

/**
 * A plain double-precision reference of SPEC.md, one sample at a time, with no shared code with
 * the kernels: forward pass, loss, and the Backprop and Kickback update directions.
 */
public final class ReferenceNet {
  public final NetworkSpec spec;
  public final double[][] w;
  public final double[][] b;

  public ReferenceNet(Network net) {
    spec = net.spec();
    int layers = spec.layers();
    w = new double[layers][];
    b = new double[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = toDouble(net.weights(l));
      b[l] = toDouble(net.biases(l));
    }
  }

  public static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  /** Pre-activations per layer for one sample. */
  public double[][] pre(float[] x, int row) {
    int layers = spec.layers();
    double[][] s = new double[layers][];
    double[] in = new double[spec.inputWidth()];
    for (int i = 0; i < in.length; i++) {
      in[i] = x[row * in.length + i];
    }
    for (int l = 0; l < layers; l++) {
      int nOut = spec.width(l);
      int nIn = spec.fanIn(l);
      s[l] = new double[nOut];
      double[] out = new double[nOut];
      for (int k = 0; k < nOut; k++) {
        double v = b[l][k];
        for (int j = 0; j < nIn; j++) {
          v += w[l][k * nIn + j] * in[j];
        }
        s[l][k] = v;
        out[k] = spec.sign(l, k) * Math.max(v, 0);
      }
      in = out;
    }
    return s;
  }

  public double output(double[][] s) {
    double[] top = s[spec.layers() - 1];
    if (spec.head() == Head.LINEAR) {
      return top[0];
    }
    return Math.max(top[0], 0) - Math.max(top[1], 0);
  }

  public double predict(float[] x, int row) {
    return output(pre(x, row));
  }

  /** Mean loss 0.5 (y - y_hat)^2 over the batch. */
  public double loss(float[] x, float[] y, int batch) {
    double sum = 0;
    for (int r = 0; r < batch; r++) {
      double e = y[r] - predict(x, r);
      sum += 0.5 * e * e;
    }
    return sum / batch;
  }

  /** Smallest |s| over all units and samples: distance to the nearest ReLU kink. */
  public double kinkMargin(float[] x, int batch) {
    double m = Double.POSITIVE_INFINITY;
    for (int r = 0; r < batch; r++) {
      for (double[] layer : pre(x, r)) {
        for (double v : layer) {
          m = Math.min(m, Math.abs(v));
        }
      }
    }
    return m;
  }

  /**
   * Per layer and unit, {@code |b_k| + sum_j |w_kj| m_j} with {@code m_j} the magnitude of input
   * j (|x_j|, or the magnitude of an active unit below, 0 for an inactive one): the scale of
   * the rounding error in each pre-activation of sample {@code row}, whose signed values are s.
   */
  private double[][] forwardMagnitude(float[] x, int row, double[][] s) {
    int layers = spec.layers();
    double[][] mag = new double[layers][];
    for (int l = 0; l < layers; l++) {
      int nIn = spec.fanIn(l);
      mag[l] = new double[spec.width(l)];
      for (int k = 0; k < mag[l].length; k++) {
        double v = Math.abs(b[l][k]);
        for (int j = 0; j < nIn; j++) {
          double m = l == 0 ? Math.abs(x[row * nIn + j]) : s[l - 1][j] > 0 ? mag[l - 1][j] : 0;
          v += Math.abs(w[l][k * nIn + j]) * m;
        }
        mag[l][k] = v;
      }
    }
    return mag;
  }

  /** The magnitude of y_hat's sums: the head's active units' (all, for LINEAR) magnitudes. */
  private double outputMagnitude(double[][] s, double[][] mag) {
    int last = spec.layers() - 1;
    double m = 0;
    for (int k = 0; k < spec.width(last); k++) {
      if (spec.head() == Head.LINEAR || s[last][k] > 0) {
        m += mag[last][k];
      }
    }
    return m;
  }

  /** Activity nu_k 1_k of unit k in layer l (the LINEAR head is always active, sign +1). */
  private double signedActivity(double[][] s, int l, int k) {
    if (l == spec.layers() - 1 && spec.head() == Head.LINEAR) {
      return 1;
    }
    return s[l][k] > 0 ? spec.sign(l, k) : 0;
  }

  /**
   * Per layer and unit, the influence a rule credits: pi (Backprop) or tau (Kickback) for the
   * pre-activations {@code s} of one sample; 1 for the head's units.
   */
  public double[][] influence(Rule rule, double[][] s) {
    return influence(rule, s, false);
  }

  private double[][] influence(Rule rule, double[][] s, boolean abs) {
    int layers = spec.layers();
    double[][] f = new double[layers][];
    f[layers - 1] = new double[spec.width(layers - 1)];
    java.util.Arrays.fill(f[layers - 1], 1);
    for (int l = layers - 2; l >= 0; l--) {
      int n = spec.width(l);
      int nNext = spec.width(l + 1);
      f[l] = new double[n];
      for (int j = 0; j < n; j++) {
        double v = 0;
        for (int k = 0; k < nNext; k++) {
          double up = rule == Rule.BACKPROP ? f[l + 1][k] : 1;
          double term = w[l + 1][k * n + j] * signedActivity(s, l + 1, k) * up;
          v += abs ? Math.abs(term) : term;
        }
        f[l][j] = v;
      }
    }
    return f;
  }

  /** Update direction for unit rate: {@code [0] = dW per layer, [1] = dB per layer}. */
  public double[][][] direction(Rule rule, float[] x, float[] y, int batch) {
    return direction(rule, x, y, batch, false);
  }

  /**
   * The same sums with every term replaced by its absolute value, the layer inputs by the
   * magnitudes of the forward sums that produced them ({@link #forwardMagnitude}) and beta by
   * |y| plus the magnitude of y_hat's sums: the scale against which a float computation's
   * rounding error is measured. Cancellation (a small beta = y - y_hat, a PAIR head whose two
   * outputs nearly cancel, signed terms summing to near 0) makes the signed result a poor
   * yardstick; this one bounds every intermediate quantity. (Measuring beta by |y_hat| alone
   * missed the forward pass's own cancellation: a batch-1 PAIR case exceeded it.)
   */
  public double[][][] magnitude(Rule rule, float[] x, float[] y, int batch) {
    return direction(rule, x, y, batch, true);
  }

  private double[][][] direction(Rule rule, float[] x, float[] y, int batch, boolean abs) {
    int layers = spec.layers();
    double[][] dw = new double[layers][];
    double[][] db = new double[layers][];
    for (int l = 0; l < layers; l++) {
      dw[l] = new double[w[l].length];
      db[l] = new double[b[l].length];
    }
    for (int r = 0; r < batch; r++) {
      double[][] s = pre(x, r);
      double[][] mag = abs ? forwardMagnitude(x, r, s) : null;
      double beta = abs ? Math.abs(y[r]) + outputMagnitude(s, mag) : y[r] - output(s);
      double[][] f = influence(rule, s, abs);
      for (int l = 0; l < layers; l++) {
        int nIn = spec.fanIn(l);
        double[] in = new double[nIn];
        for (int j = 0; j < nIn; j++) {
          in[j] = l == 0 ? x[r * nIn + j] : spec.sign(l - 1, j) * Math.max(s[l - 1][j], 0);
          if (abs) {
            in[j] = l == 0 ? Math.abs(in[j]) : s[l - 1][j] > 0 ? mag[l - 1][j] : 0;
          }
        }
        for (int k = 0; k < spec.width(l); k++) {
          double g = beta * f[l][k] * signedActivity(s, l, k) / batch;
          g = abs ? Math.abs(g) : g;
          db[l][k] += g;
          for (int j = 0; j < nIn; j++) {
            dw[l][k * nIn + j] += g * in[j];
          }
        }
      }
    }
    return new double[][][] {dw, db};
  }
}
