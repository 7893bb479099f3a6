package dev.kickback.verify.checks;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Rule;
import dev.kickback.kernels.Kernels;
import dev.kickback.testkit.ReferenceNet;
import dev.kickback.testkit.SpecChecks.Case;
import dev.kickback.testkit.SpecChecks;
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

  /** A random network (depth 1-4) and batch (1-4), 1e-3 from every ReLU kink. */
  private static Case sample(SplittableRandom rnd, int maxWidth) {
    return SpecChecks.awayFromKinks(rnd, head(rnd), coh(rnd), 1 + rnd.nextInt(4), maxWidth,
        1 + rnd.nextInt(4), 1e-3);
  }

  /** Check 1: Backprop (double reference) against central finite differences. */
  CheckResult finiteDifferences() {
    SplittableRandom rnd = new SplittableRandom(1);
    double worst = 0;
    for (int i = 0; i < networks; i++) {
      worst = Math.max(worst, SpecChecks.finiteDifferenceError(sample(rnd, 16)));
    }
    return CheckResult.of("1. Backprop = finite differences (double)", worst < 1e-6, worst,
        networks + " random networks (depth 1-4, widths 1-16, both heads, FREE and COHERENT),"
            + " batch 1-4; worst relative error of a layer's weight or bias gradient, limit"
            + " 1e-6");
  }

  /** Check 1 continued: the float kernels' directions against the double reference. */
  CheckResult kernelAgainstReference() {
    SplittableRandom rnd = new SplittableRandom(2);
    double worst = 0;
    for (int i = 0; i < networks; i++) {
      Case k = sample(rnd, 64);
      for (Rule rule : Rule.values()) {
        worst = Math.max(worst, SpecChecks.referenceError(Kernels.ops(), k, rule));
      }
    }
    return CheckResult.of("1b. float kernels (" + Kernels.ops().name()
        + ") = double reference, both rules", worst < 1e-5, worst, networks
        + " random networks (depth 1-4, widths 1-64); error norm over the norm of the same sums"
        + " of absolute values, limit 1e-5");
  }

  /** Check 2: whole steps, vector against scalar; skipped where the vector path is absent. */
  CheckResult vectorAgainstScalar() {
    String name = "2. vector = scalar (3 whole steps)";
    if (Kernels.vector().isEmpty()) {
      return CheckResult.skipped(name, Kernels.vectorUnavailableReason().orElse(""));
    }
    SplittableRandom rnd = new SplittableRandom(3);
    double worst = 0;
    double worstLoss = 0;
    double worstUlp = 0;
    for (int i = 0; i < networks; i++) {
      Case k = sample(rnd, 64);
      Rule rule = rnd.nextBoolean() ? Rule.KICKBACK : Rule.BACKPROP;
      SpecChecks.Drift d = SpecChecks.drift(Kernels.scalar(), Kernels.vector().get(), k.net(),
          rule, k.batch(), 3, rnd.nextLong());
      worst = Math.max(worst, d.parameters());
      worstLoss = Math.max(worstLoss, d.loss());
      worstUlp = Math.max(worstUlp, d.ulps());
    }
    return CheckResult.of(name, worst <= 1e-5 && worstLoss <= 1e-5, worst,
        String.format(Locale.ROOT, "%d random networks, 3 steps each; parameters' relative"
            + " error (norm-wise per layer), limit 1e-5; losses within %.2g; largest difference"
            + " of any single parameter %.0f ulp", networks, worstLoss, worstUlp));
  }

  /** Check 3: Kickback = Backprop exactly on the last two weight layers. */
  CheckResult topLayersAgree() {
    SplittableRandom rnd = new SplittableRandom(4);
    long mismatches = 0;
    long compared = 0;
    for (int i = 0; i < networks; i++) {
      long[] m = SpecChecks.topLayerMismatches(Kernels.ops(), sample(rnd, 64));
      mismatches += m[0];
      compared += m[1];
    }
    return CheckResult.of("3. Kickback = Backprop on the top two layers (bitwise)",
        mismatches == 0, mismatches, networks + " random networks, " + compared
            + " parameters compared; worst_error counts mismatching parameters");
  }

  /** Check 4: the coherence theorem, and a FREE counterexample. */
  List<CheckResult> coherence() {
    Theorem coherent = theorem(Coherence.COHERENT, coherenceNetworks, 5);
    Theorem free = theorem(Coherence.FREE, coherenceNetworks, 6);
    List<CheckResult> out = new ArrayList<>();
    out.add(CheckResult.of("4. coherent: <Kickback, Backprop> > 0", coherent.negativeInner == 0
        && coherent.minCosine > 0, coherent.negativeInner, String.format(Locale.ROOT,
        "%d random COHERENT networks and samples, %d with a non-zero Backprop update; smallest"
            + " cosine %.3g; worst_error counts non-positive inner products",
        coherenceNetworks, coherent.nonZero, coherent.minCosine)));
    out.add(CheckResult.of("4. coherent: every coordinate agrees in sign",
        coherent.signDisagreements == 0 && coherent.negativeInfluence == 0,
        coherent.signDisagreements, String.format(Locale.ROOT,
        "%d coordinates with a non-zero Backprop component compared; %d hidden units with"
            + " pi < 0 or tau < 0; %d coordinates where Kickback moves and Backprop is exactly"
            + " 0 (units whose every path to the output is inactive: pi = 0 < tau)",
        coherent.coordinates, coherent.negativeInfluence, coherent.kickbackOnly)));
    out.add(CheckResult.of("4. coherent: a small Kickback step lowers the loss",
        coherent.lossIncreases == 0, coherent.lossIncreases, String.format(Locale.ROOT,
        "step eta * Kickback, eta halved until no unit changes activity and the prediction"
            + " moves by at most |beta| / 10; %d steps taken,"
            + " worst_error counts steps that did not lower the sample's loss",
        coherent.steps)));
    out.add(CheckResult.of("4. FREE counterexample exists (the check can fail)",
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
      Case s = sample1(rnd, c);
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

  /** One sample on a small random network (depth 2-4), 1e-4 from every kink. */
  private static Case sample1(SplittableRandom rnd, Coherence c) {
    return SpecChecks.awayFromKinks(rnd, head(rnd), c, 2 + rnd.nextInt(3), 12, 1, 1e-4);
  }

  /**
   * Applies {@code eta * kb} to a copy of the reference parameters, eta halved until no unit
   * changes activity and the prediction moves by at most a tenth of the error |beta| (a step
   * that overshoots the target can raise the loss along any descent direction). Returns
   * whether the loss fell, or null if no such eta was found in 60 halvings.
   */
  private static Boolean smallStepLowersLoss(ReferenceNet ref, double[][][] kb, Case s) {
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
}
