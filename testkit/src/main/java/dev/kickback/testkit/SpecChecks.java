package dev.kickback.testkit;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.kernels.KernelOps;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * SPEC.md's checks 1-3 as routines that measure and return, so that one copy serves both the
 * unit tests (a few small networks, asserting) and the verify module (many networks, reporting).
 * Every error is norm-wise and relative (see each method); the callers hold the limits.
 */
public final class SpecChecks {
  private SpecChecks() {}

  /**
   * A network with a batch of inputs and targets, and its double-precision reference.
   *
   * @param batch rows of {@code x} ({@code batch * inputWidth} floats) and of {@code y}
   */
  public record Case(Network net, ReferenceNet ref, float[] x, float[] y, int batch) {
    /** The first {@code rows} samples of this case, on the same network. */
    public Case first(int rows) {
      int in = net.spec().inputWidth();
      return new Case(net, ref, Arrays.copyOf(x, rows * in), Arrays.copyOf(y, rows), rows);
    }
  }

  /**
   * Draws random networks ({@link RandomNets#spec}) and standard-normal batches until every
   * pre-activation of the batch is at least {@code margin} from a ReLU kink, where finite
   * differences and float rounding cannot flip a unit's activity.
   */
  public static Case awayFromKinks(SplittableRandom rnd, Head head, Coherence coherence,
      int depth, int maxWidth, int batch, double margin) {
    while (true) {
      NetworkSpec spec = RandomNets.spec(rnd, head, coherence, depth, maxWidth);
      Network net = Network.initialize(spec, rnd.nextLong());
      float[] x = RandomNets.gaussian(rnd, batch * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, batch);
      ReferenceNet ref = new ReferenceNet(net);
      if (ref.kinkMargin(x, batch) > margin) {
        return new Case(net, ref, x, y, batch);
      }
    }
  }

  /**
   * Check 1: Backprop in the double reference against central finite differences of the loss
   * (step 1e-5). The worst, over layers and over weights and biases, of
   * {@code ||fd - gradient|| / ||fd||}.
   */
  public static double finiteDifferenceError(Case k) {
    ReferenceNet ref = k.ref();
    double[][][] dir = ref.direction(Rule.BACKPROP, k.x(), k.y(), k.batch());
    double h = 1e-5;
    double worst = 0;
    for (int l = 0; l < ref.spec.layers(); l++) {
      for (int which = 0; which < 2; which++) {
        double[] p = which == 0 ? ref.w[l] : ref.b[l];
        double[] fd = new double[p.length];
        double[] gradient = new double[p.length];
        for (int i = 0; i < p.length; i++) {
          double keep = p[i];
          p[i] = keep + h;
          double up = ref.loss(k.x(), k.y(), k.batch());
          p[i] = keep - h;
          double down = ref.loss(k.x(), k.y(), k.batch());
          p[i] = keep;
          fd[i] = (up - down) / (2 * h);
          gradient[i] = -dir[which][l][i]; // the direction descends: it is minus the gradient
        }
        worst = Math.max(worst, relativeError(fd, gradient));
      }
    }
    return worst;
  }

  /**
   * Check 1, float kernels: {@code rule}'s update direction from {@code ops} against the
   * double reference. The worst, over layers and over weights and biases, of
   * {@code ||got - want|| / ||scale||}, where scale is the same sums over absolute values
   * ({@link ReferenceNet#magnitude}): float rounding is relative to that, not to a result
   * that may have cancelled.
   */
  public static double referenceError(KernelOps ops, Case k, Rule rule) {
    float[][][] got = Directions.of(ops, k.net(), rule, k.x(), k.y(), k.batch());
    double[][][] want = k.ref().direction(rule, k.x(), k.y(), k.batch());
    double[][][] scale = k.ref().magnitude(rule, k.x(), k.y(), k.batch());
    double worst = 0;
    for (int which = 0; which < 2; which++) {
      for (int l = 0; l < want[which].length; l++) {
        worst = Math.max(worst, scaledError(want[which][l], got[which][l], scale[which][l]));
      }
    }
    return worst;
  }

  /**
   * Check 3: parameters of the top two weight layers (weights and biases) whose Kickback and
   * Backprop directions from {@code ops} differ in any bit; 0 when the rules agree exactly,
   * as they must there (tau = pi). Also returns how many were compared.
   */
  public static long[] topLayerMismatches(KernelOps ops, Case k) {
    float[][][] bp = Directions.of(ops, k.net(), Rule.BACKPROP, k.x(), k.y(), k.batch());
    float[][][] kb = Directions.of(ops, k.net(), Rule.KICKBACK, k.x(), k.y(), k.batch());
    int top = k.net().spec().layers() - 1;
    long mismatches = 0;
    long compared = 0;
    for (int l = top; l >= Math.max(0, top - 1); l--) {
      for (int which = 0; which < 2; which++) {
        for (int i = 0; i < bp[which][l].length; i++) {
          compared++;
          if (Float.floatToIntBits(bp[which][l][i]) != Float.floatToIntBits(kb[which][l][i])) {
            mismatches++;
          }
        }
      }
    }
    return new long[] {mismatches, compared};
  }

  /**
   * How far two kernel paths drift apart over whole training steps.
   *
   * @param parameters worst, over layers, of the relative norm difference of a layer's weights
   *     and biases taken together (a bias alone can cancel to near 0, where any relative
   *     measure is meaningless)
   * @param loss worst difference of a step's loss, relative to max(1, loss)
   * @param ulps the largest difference of any single weight, in ulps of the larger
   */
  public record Drift(double parameters, double loss, double ulps) {}

  /**
   * Check 2: {@code steps} training steps of {@code rule} from the same network on paths
   * {@code a} and {@code b}, on seeded standard-normal batches, learning rate 0.01.
   */
  public static Drift drift(KernelOps a, KernelOps b, Network start, Rule rule, int batch,
      int steps, long seed) {
    Network na = start.copy();
    Network nb = start.copy();
    Trainer ta = new Trainer(na, batch, a);
    Trainer tb = new Trainer(nb, batch, b);
    SplittableRandom rnd = new SplittableRandom(seed);
    NetworkSpec spec = start.spec();
    double loss = 0;
    for (int s = 0; s < steps; s++) {
      float[] x = RandomNets.gaussian(rnd, batch * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, batch);
      float la = ta.step(rule, x, y, batch, 0.01f);
      float lb = tb.step(rule, x, y, batch, 0.01f);
      loss = Math.max(loss, Math.abs(la - lb) / Math.max(1, Math.abs(la)));
    }
    double params = 0;
    double ulps = 0;
    for (int l = 0; l < spec.layers(); l++) {
      float[] pa = parameters(na, l);
      float[] pb = parameters(nb, l);
      params = Math.max(params, relativeError(pa, pb));
      for (int i = 0; i < pa.length; i++) {
        float larger = Math.max(Math.abs(pa[i]), Math.abs(pb[i]));
        if (larger > 0) {
          ulps = Math.max(ulps, Math.abs((double) pa[i] - pb[i]) / Math.ulp(larger));
        }
      }
    }
    return new Drift(params, loss, ulps);
  }

  /** A layer's weights followed by its biases. */
  public static float[] parameters(Network net, int l) {
    float[] w = net.weights(l);
    float[] b = net.biases(l);
    float[] all = Arrays.copyOf(w, w.length + b.length);
    System.arraycopy(b, 0, all, w.length, b.length);
    return all;
  }

  /** {@code ||got - want|| / ||want||}, or the absolute norm when want is 0. */
  public static double relativeError(double[] want, double[] got) {
    return normRatio(want, got, want);
  }

  /** {@code ||got - want|| / ||want||} in double, or the absolute norm when want is 0. */
  public static double relativeError(float[] want, float[] got) {
    double[] w = ReferenceNet.toDouble(want);
    return normRatio(w, ReferenceNet.toDouble(got), w);
  }

  /** {@code ||got - want|| / ||scale||}, or the absolute norm when scale is 0. */
  public static double scaledError(double[] want, float[] got, double[] scale) {
    return normRatio(want, ReferenceNet.toDouble(got), scale);
  }

  private static double normRatio(double[] want, double[] got, double[] scale) {
    double err = 0;
    double norm = 0;
    for (int i = 0; i < want.length; i++) {
      err += (got[i] - want[i]) * (got[i] - want[i]);
      norm += scale[i] * scale[i];
    }
    return norm == 0 ? Math.sqrt(err) : Math.sqrt(err / norm);
  }
}
