package dev.kickback.verify.checks;

import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.testkit.ReferenceNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SPEC check 5: while a FREE network trains, per epoch, the cosine between the Kickback and
 * Backprop updates per weight layer (on a fixed probe batch) and the fractions of coherent
 * edges (non-input weights with {@code nu_k w_jk >= 0}) and coherent nodes (hidden units with
 * {@code tau pi > 0} or both zero, over the probe samples).
 */
public final class CoherenceMonitor {
  /** One epoch's measurements. */
  public record Point(int epoch, double[] cosine, double edges, double nodes) {}

  private final float[] probeX;
  private final float[] probeY;
  private final int probe;
  private final List<Point> points = new ArrayList<>();

  public CoherenceMonitor(float[] x, float[] y, int width, int probe) {
    this.probe = probe;
    this.probeX = Arrays.copyOf(x, probe * width);
    this.probeY = Arrays.copyOf(y, probe);
  }

  public List<Point> points() {
    return points;
  }

  /** Measures {@code net} now, as epoch {@code epoch}. */
  public void measure(int epoch, Network net) {
    NetworkSpec spec = net.spec();
    Trainer t = new Trainer(net, probe);
    float[][] bw = new float[spec.layers()][];
    float[][] bb = new float[spec.layers()][];
    float[][] kw = new float[spec.layers()][];
    float[][] kb = new float[spec.layers()][];
    for (int l = 0; l < spec.layers(); l++) {
      bw[l] = new float[spec.weightCount(l)];
      kw[l] = new float[spec.weightCount(l)];
      bb[l] = new float[spec.width(l)];
      kb[l] = new float[spec.width(l)];
    }
    t.direction(Rule.BACKPROP, probeX, probeY, probe, bw, bb);
    t.direction(Rule.KICKBACK, probeX, probeY, probe, kw, kb);
    double[] cos = new double[spec.layers()];
    for (int l = 0; l < spec.layers(); l++) {
      double dot = 0;
      double nb = 0;
      double nk = 0;
      for (int k = 0; k < bw[l].length; k++) {
        dot += (double) bw[l][k] * kw[l][k];
        nb += (double) bw[l][k] * bw[l][k];
        nk += (double) kw[l][k] * kw[l][k];
      }
      cos[l] = nb == 0 || nk == 0 ? Double.NaN : dot / Math.sqrt(nb * nk);
    }
    long coherentEdges = 0;
    long edges = 0;
    for (int l = 1; l < spec.layers(); l++) {
      float[] w = net.weights(l);
      int nIn = spec.fanIn(l);
      for (int k = 0; k < w.length; k++) {
        edges++;
        if (spec.sign(l, k / nIn) * w[k] >= 0) {
          coherentEdges++;
        }
      }
    }
    ReferenceNet ref = new ReferenceNet(net);
    long coherentNodes = 0;
    long nodes = 0;
    for (int r = 0; r < probe; r++) {
      double[][] pre = ref.pre(probeX, r);
      double[][] pi = ref.influence(Rule.BACKPROP, pre);
      double[][] tau = ref.influence(Rule.KICKBACK, pre);
      for (int l = 0; l < spec.hiddenLayers(); l++) {
        for (int j = 0; j < pi[l].length; j++) {
          nodes++;
          if (pi[l][j] * tau[l][j] > 0 || (pi[l][j] == 0 && tau[l][j] == 0)) {
            coherentNodes++;
          }
        }
      }
    }
    points.add(new Point(epoch, cos, (double) coherentEdges / edges,
        (double) coherentNodes / nodes));
  }
}
