package dev.kickback.verify.checks;

import dev.kickback.api.Coherence;
import dev.kickback.testkit.Directions;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.testkit.RandomNets;
import dev.kickback.testkit.ReferenceNet;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * SPEC checks 1-4 at scale, on random networks: finite differences, vector against scalar,
 * Kickback against Backprop on the top two layers, and the coherence theorem (with a FREE
 * counterexample showing the theorem's check can fail).
 */
public final class GradientChecks {
  private final int networks;
  private final int coherenceNetworks;

  /** {@code networks} random networks per check; {@code coherenceNetworks} for check 4. */
  public GradientChecks(int networks, int coherenceNetworks) {
    this.networks = networks;
    this.coherenceNetworks = coherenceNetworks;
  }

  public List<CheckResult> runAll() {
    List<CheckResult> out = new ArrayList<>();
    out.add(finiteDifferences());
    out.add(kernelAgainstReference());
    out.add(vectorAgainstScalar());
    out.add(topLayersAgree());
    out.addAll(coherence());
    return out;
  }

  private static Head head(SplittableRandom rnd) {
    return rnd.nextBoolean() ? Head.PAIR : Head.LINEAR;
  }

  private static Coherence coh(SplittableRandom rnd) {
    return rnd.nextBoolean() ? Coherence.COHERENT : Coherence.FREE;
  }

  /** A random net and batch with every pre-activation at least 1e-3 from a ReLU kink. */
  private record Sample(Network net, ReferenceNet ref, float[] x, float[] y, int batch) {}

  private static Sample sample(SplittableRandom rnd, Head head, Coherence c, int maxWidth) {
    while (true) {
      int depth = 1 + rnd.nextInt(4);
      NetworkSpec spec = RandomNets.spec(rnd, head, c, depth, maxWidth);
      Network net = Network.initialize(spec, rnd.nextLong());
      int batch = 1 + rnd.nextInt(4);
      float[] x = RandomNets.gaussian(rnd, batch * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, batch);
      ReferenceNet ref = new ReferenceNet(net);
      if (ref.kinkMargin(x, batch) > 1e-3) {
        return new Sample(net, ref, x, y, batch);
      }
    }
  }

  /** Check 1: Backprop (double reference) against central finite differences. */
  CheckResult finiteDifferences() {
    SplittableRandom rnd = new SplittableRandom(1);
    double worst = 0;
    for (int i = 0; i < networks; i++) {
      Sample s = sample(rnd, head(rnd), coh(rnd), 16);
      ReferenceNet ref = s.ref();
      double[][][] dir = ref.direction(Rule.BACKPROP, s.x(), s.y(), s.batch());
      double errSq = 0;
      double normSq = 0;
      double h = 1e-5;
      for (int l = 0; l < ref.spec.layers(); l++) {
        for (int which = 0; which < 2; which++) {
          double[] p = which == 0 ? ref.w[l] : ref.b[l];
          double[] g = dir[which][l];
          for (int k = 0; k < p.length; k++) {
            double keep = p[k];
            p[k] = keep + h;
            double up = ref.loss(s.x(), s.y(), s.batch());
            p[k] = keep - h;
            double down = ref.loss(s.x(), s.y(), s.batch());
            p[k] = keep;
            double fd = (up - down) / (2 * h);
            errSq += (fd + g[k]) * (fd + g[k]);
            normSq += fd * fd;
          }
        }
      }
      worst = Math.max(worst, normSq == 0 ? Math.sqrt(errSq) : Math.sqrt(errSq / normSq));
    }
    return new CheckResult("1. Backprop = finite differences (double)", worst < 1e-6, worst,
        networks + " random networks (depth 1-4, widths 1-16, both heads, FREE and COHERENT),"
            + " batch 1-4; relative error of the whole gradient, limit 1e-6");
  }

  /** Check 1 continued: the float kernels' directions against the double reference. */
  CheckResult kernelAgainstReference() {
    SplittableRandom rnd = new SplittableRandom(2);
    double worst = 0;
    for (int i = 0; i < networks; i++) {
      Sample s = sample(rnd, head(rnd), coh(rnd), 64);
      for (Rule rule : Rule.values()) {
        float[][][] got = Directions.of(Kernels.ops(), s.net(), rule, s.x(), s.y(), s.batch());
        double[][][] want = s.ref().direction(rule, s.x(), s.y(), s.batch());
        double[][][] scale = s.ref().magnitude(rule, s.x(), s.y(), s.batch());
        for (int which = 0; which < 2; which++) {
          for (int l = 0; l < want[which].length; l++) {
            worst = Math.max(worst, scaledError(want[which][l], got[which][l],
                scale[which][l]));
          }
        }
      }
    }
    return new CheckResult("1b. float kernels (" + Kernels.ops().name()
        + ") = double reference, both rules", worst < 1e-5, worst, networks
        + " random networks (depth 1-4, widths 1-64); error norm over the norm of the same sums"
        + " of absolute values, limit 1e-5");
  }

  /** Check 2: whole steps, vector against scalar. */
  CheckResult vectorAgainstScalar() {
    if (Kernels.vector().isEmpty()) {
      return new CheckResult("2. vector = scalar (whole steps)", true, 0,
          "skipped: " + Kernels.vectorUnavailableReason().orElse(""));
    }
    SplittableRandom rnd = new SplittableRandom(3);
    double worst = 0;
    double worstUlp = 0;
    for (int i = 0; i < networks; i++) {
      Sample s = sample(rnd, head(rnd), coh(rnd), 64);
      Network a = s.net().copy();
      Network b = s.net().copy();
      Rule rule = rnd.nextBoolean() ? Rule.KICKBACK : Rule.BACKPROP;
      new Trainer(a, s.batch(), Kernels.scalar()).step(rule, s.x(), s.y(), s.batch(), 0.01f);
      new Trainer(b, s.batch(), Kernels.vector().get()).step(rule, s.x(), s.y(), s.batch(),
          0.01f);
      for (int l = 0; l < a.spec().layers(); l++) {
        float[] wa = a.weights(l);
        float[] wb = b.weights(l);
        double err = 0;
        double norm = 0;
        for (int k = 0; k < wa.length; k++) {
          double d = (double) wa[k] - wb[k];
          err += d * d;
          norm += (double) wa[k] * wa[k];
          worstUlp = Math.max(worstUlp, Math.abs(d) / Math.ulp(Math.max(Math.abs(wa[k]),
              Math.abs(wb[k]))));
        }
        worst = Math.max(worst, norm == 0 ? Math.sqrt(err) : Math.sqrt(err / norm));
      }
    }
    return new CheckResult("2. vector = scalar (whole steps)", worst < 1e-5, worst,
        String.format(Locale.ROOT, "%d random networks, one step each; weights' relative error"
            + " (norm-wise per layer), limit 1e-5; largest difference of any single weight"
            + " %.0f ulp", networks, worstUlp));
  }

  /** Check 3: Kickback = Backprop exactly on the last two weight layers. */
  CheckResult topLayersAgree() {
    SplittableRandom rnd = new SplittableRandom(4);
    long mismatches = 0;
    long compared = 0;
    for (int i = 0; i < networks; i++) {
      Sample s = sample(rnd, head(rnd), coh(rnd), 64);
      KernelOps ops = Kernels.ops();
      float[][][] bp = Directions.of(ops, s.net(), Rule.BACKPROP, s.x(), s.y(), s.batch());
      float[][][] kb = Directions.of(ops, s.net(), Rule.KICKBACK, s.x(), s.y(), s.batch());
      int top = s.net().spec().layers() - 1;
      for (int l = top; l >= Math.max(0, top - 1); l--) {
        for (int which = 0; which < 2; which++) {
          for (int k = 0; k < bp[which][l].length; k++) {
            compared++;
            if (Float.floatToIntBits(bp[which][l][k]) != Float.floatToIntBits(kb[which][l][k])) {
              mismatches++;
            }
          }
        }
      }
    }
    return new CheckResult("3. Kickback = Backprop on the top two layers (bitwise)",
        mismatches == 0, mismatches, networks + " random networks, " + compared
            + " parameters compared; worst_error counts mismatching parameters");
  }

  /** Check 4: the coherence theorem, and a FREE counterexample. */
  List<CheckResult> coherence() {
    Theorem coherent = theorem(Coherence.COHERENT, coherenceNetworks, 5);
    Theorem free = theorem(Coherence.FREE, coherenceNetworks, 6);
    List<CheckResult> out = new ArrayList<>();
    out.add(new CheckResult("4. coherent: <Kickback, Backprop> > 0", coherent.negativeInner == 0
        && coherent.minCosine > 0, coherent.negativeInner, String.format(Locale.ROOT,
        "%d random COHERENT networks and samples, %d with a non-zero Backprop update; smallest"
            + " cosine %.3g; worst_error counts non-positive inner products",
        coherenceNetworks, coherent.nonZero, coherent.minCosine)));
    out.add(new CheckResult("4. coherent: every coordinate agrees in sign",
        coherent.signDisagreements == 0 && coherent.negativeInfluence == 0,
        coherent.signDisagreements, String.format(Locale.ROOT,
        "%d coordinates with a non-zero Backprop component compared; %d hidden units with"
            + " pi < 0 or tau < 0; %d coordinates where Kickback moves and Backprop is exactly"
            + " 0 (units whose every path to the output is inactive: pi = 0 < tau)",
        coherent.coordinates, coherent.negativeInfluence, coherent.kickbackOnly)));
    out.add(new CheckResult("4. coherent: a small Kickback step lowers the loss",
        coherent.lossIncreases == 0, coherent.lossIncreases, String.format(Locale.ROOT,
        "step eta * Kickback, eta halved until no unit changes activity and the prediction"
            + " moves by at most |beta| / 10; %d steps taken,"
            + " worst_error counts steps that did not lower the sample's loss",
        coherent.steps)));
    out.add(new CheckResult("4. FREE counterexample exists (the check can fail)",
        free.negativeInner > 0, free.negativeInner, String.format(Locale.ROOT,
        "the same check on %d FREE networks: %d negative inner products, %d sign"
            + " disagreements, %d steps that raised the loss; smallest cosine %.3f; first: %s",
        coherenceNetworks, free.negativeInner, free.signDisagreements, free.lossIncreases,
        free.minCosine, free.firstCounterexample)));
    return out;
  }

  private static final class Theorem {
    long nonZero;
    long negativeInner;
    long signDisagreements;
    long coordinates;
    long negativeInfluence;
    long kickbackOnly;
    long lossIncreases;
    long steps;
    double minCosine = Double.POSITIVE_INFINITY;
    String firstCounterexample = "none";
  }

  private static Theorem theorem(Coherence c, int count, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Theorem t = new Theorem();
    for (int i = 0; i < count; i++) {
      Sample s = sample1(rnd, c);
      ReferenceNet ref = s.ref();
      double[][][] bp = ref.direction(Rule.BACKPROP, s.x(), s.y(), 1);
      double[][][] kb = ref.direction(Rule.KICKBACK, s.x(), s.y(), 1);
      double[][] pre = ref.pre(s.x(), 0);
      double[][] pi = ref.influence(Rule.BACKPROP, pre);
      double[][] tau = ref.influence(Rule.KICKBACK, pre);
      for (int l = 0; l < pi.length - 1; l++) {
        for (int j = 0; j < pi[l].length; j++) {
          if (pi[l][j] < 0 || tau[l][j] < 0) {
            t.negativeInfluence++;
          }
        }
      }
      double dot = 0;
      double nb = 0;
      double nk = 0;
      for (int which = 0; which < 2; which++) {
        for (int l = 0; l < bp[which].length; l++) {
          for (int k = 0; k < bp[which][l].length; k++) {
            double b = bp[which][l][k];
            double q = kb[which][l][k];
            dot += b * q;
            nb += b * b;
            nk += q * q;
            if (b != 0) {
              t.coordinates++;
              if (Math.signum(b) != Math.signum(q)) {
                t.signDisagreements++;
              }
            } else if (q != 0) {
              t.kickbackOnly++;
            }
          }
        }
      }
      if (nb == 0) {
        continue;
      }
      t.nonZero++;
      double cos = dot / Math.sqrt(nb * nk);
      t.minCosine = Math.min(t.minCosine, cos);
      if (!(dot > 0)) {
        t.negativeInner++;
        if (t.firstCounterexample.equals("none")) {
          t.firstCounterexample = s.net().spec() + ", inner product " + String.format(Locale.ROOT,
              "%.3g", dot) + ", cosine " + String.format(Locale.ROOT, "%.3f", cos);
        }
      }
      Boolean lowered = smallStepLowersLoss(ref, kb, s);
      if (lowered != null) {
        t.steps++;
        if (!lowered) {
          t.lossIncreases++;
        }
      }
    }
    return t;
  }

  /** One sample on a small random network, away from kinks. */
  private static Sample sample1(SplittableRandom rnd, Coherence c) {
    while (true) {
      int depth = 2 + rnd.nextInt(3);
      NetworkSpec spec = RandomNets.spec(rnd, head(rnd), c, depth, 12);
      Network net = Network.initialize(spec, rnd.nextLong());
      float[] x = RandomNets.gaussian(rnd, spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, 1);
      ReferenceNet ref = new ReferenceNet(net);
      if (ref.kinkMargin(x, 1) > 1e-4) {
        return new Sample(net, ref, x, y, 1);
      }
    }
  }

  /**
   * Applies {@code eta * kb} to a copy of the reference parameters, eta halved until no unit
   * changes activity and the prediction moves by at most a tenth of the error |beta| (a step
   * that overshoots the target can raise the loss along any descent direction). Returns
   * whether the loss fell, or null if no such eta was found in 60 halvings.
   */
  private static Boolean smallStepLowersLoss(ReferenceNet ref, double[][][] kb, Sample s) {
    double before = ref.loss(s.x(), s.y(), 1);
    double yHat = ref.predict(s.x(), 0);
    double beta = s.y()[0] - yHat;
    double[][] pre = ref.pre(s.x(), 0);
    double eta = 1e-2;
    for (int attempt = 0; attempt < 60; attempt++, eta /= 2) {
      ReferenceNet moved = new ReferenceNet(s.net());
      for (int l = 0; l < moved.w.length; l++) {
        for (int k = 0; k < moved.w[l].length; k++) {
          moved.w[l][k] += eta * kb[0][l][k];
        }
        for (int k = 0; k < moved.b[l].length; k++) {
          moved.b[l][k] += eta * kb[1][l][k];
        }
      }
      double[][] after = moved.pre(s.x(), 0);
      boolean same = Math.abs(moved.output(after) - yHat) <= 0.1 * Math.abs(beta);
      for (int l = 0; l < pre.length && same; l++) {
        for (int k = 0; k < pre[l].length; k++) {
          if ((pre[l][k] > 0) != (after[l][k] > 0)) {
            same = false;
            break;
          }
        }
      }
      if (same) {
        return moved.loss(s.x(), s.y(), 1) < before;
      }
    }
    return null;
  }

  static double scaledError(double[] want, float[] got, double[] scale) {
    double err = 0;
    double norm = 0;
    for (int i = 0; i < want.length; i++) {
      err += (got[i] - want[i]) * (got[i] - want[i]);
      norm += scale[i] * scale[i];
    }
    return norm == 0 ? Math.sqrt(err) : Math.sqrt(err / norm);
  }
}
