package dev.kickback.api;

import dev.kickback.testkit.ReferenceNet;
import dev.kickback.testkit.RandomNets;
import dev.kickback.testkit.Directions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.kernels.KernelOps;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC checks 1 and 3 on random small networks: Backprop against central finite differences
 * (in the double reference), the float kernels against the double reference for both rules,
 * and Kickback equal to Backprop on the top two weight layers.
 */
class GradientTest {
  private static final int NETS = 12;
  private static final int BATCH = 3;

  static Stream<Arguments> configs() {
    List<Arguments> out = new ArrayList<>();
    for (Head head : Head.values()) {
      for (Coherence c : Coherence.values()) {
        for (int depth = 1; depth <= 4; depth++) {
          out.add(Arguments.of(head, c, depth));
        }
      }
    }
    return out.stream();
  }

  static Stream<Arguments> pathConfigs() {
    return configs().flatMap(a -> Stream.of(Paths.NAMES)
        .map(p -> Arguments.of(p, a.get()[0], a.get()[1], a.get()[2])));
  }

  /** A random network and batch whose pre-activations all stay 1e-3 away from a ReLU kink. */
  private record Case(Network net, ReferenceNet ref, float[] x, float[] y) {}

  private static List<Case> cases(Head head, Coherence c, int depth, int maxWidth, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Case> cases = new ArrayList<>();
    while (cases.size() < NETS) {
      NetworkSpec spec = RandomNets.spec(rnd, head, c, depth, maxWidth);
      Network net = Network.initialize(spec, rnd.nextLong());
      float[] x = RandomNets.gaussian(rnd, BATCH * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, BATCH);
      ReferenceNet ref = new ReferenceNet(net);
      if (ref.kinkMargin(x, BATCH) > 1e-3) {
        cases.add(new Case(net, ref, x, y));
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} {1} depth {2}")
  @MethodSource("configs")
  void backpropIsTheGradientOfTheLoss(Head head, Coherence c, int depth) {
    double worst = 0;
    for (Case k : cases(head, c, depth, 12, 11L * depth + head.ordinal() + 5L * c.ordinal())) {
      ReferenceNet ref = k.ref();
      double[][][] dir = ref.direction(Rule.BACKPROP, k.x(), k.y(), BATCH);
      double h = 1e-5;
      for (int l = 0; l < ref.spec.layers(); l++) {
        for (double[][] params : new double[][][] {ref.w, ref.b}) {
          double[] grad = params == ref.w ? dir[0][l] : dir[1][l];
          double[] p = params[l];
          double errSq = 0;
          double normSq = 0;
          for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + h;
            double up = ref.loss(k.x(), k.y(), BATCH);
            p[i] = keep - h;
            double down = ref.loss(k.x(), k.y(), BATCH);
            p[i] = keep;
            double fd = (up - down) / (2 * h);
            double backprop = -grad[i]; // the direction descends: it is minus the gradient
            errSq += (fd - backprop) * (fd - backprop);
            normSq += fd * fd;
          }
          double rel = normSq == 0 ? Math.sqrt(errSq) : Math.sqrt(errSq / normSq);
          worst = Math.max(worst, rel);
        }
      }
    }
    assertTrue(worst < 1e-6, "worst relative error of Backprop vs finite differences: " + worst);
  }

  @ParameterizedTest(name = "{0} {1} {2} depth {3}")
  @MethodSource("pathConfigs")
  void kernelDirectionsMatchTheDoubleReference(String path, Head head, Coherence c, int depth) {
    KernelOps ops = Paths.get(path);
    for (Case k : cases(head, c, depth, 40, 97L * depth + head.ordinal() + 3L * c.ordinal())) {
      for (Rule rule : Rule.values()) {
        // batch 1 too: Kickback's batch-1 path takes tau from the fused forward pass
        for (int batch : new int[] {BATCH, 1}) {
          float[] x = java.util.Arrays.copyOf(k.x(), batch * k.net().spec().inputWidth());
          float[] y = java.util.Arrays.copyOf(k.y(), batch);
          float[][][] got = Directions.of(ops, k.net(), rule, x, y, batch);
          double[][][] want = k.ref().direction(rule, x, y, batch);
          double[][][] scale = k.ref().magnitude(rule, x, y, batch);
          for (int l = 0; l < k.net().spec().layers(); l++) {
            String what = rule + " batch " + batch + " layer " + l + " of " + k.net().spec();
            assertClose(want[0][l], got[0][l], scale[0][l], 1e-5, "dW, " + what);
            assertClose(want[1][l], got[1][l], scale[1][l], 1e-5, "dB, " + what);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} {2} depth {3}")
  @MethodSource("pathConfigs")
  void kickbackEqualsBackpropOnTheTopTwoLayers(String path, Head head, Coherence c, int depth) {
    KernelOps ops = Paths.get(path);
    for (Case k : cases(head, c, depth, 40, 5L * depth + head.ordinal() + 7L * c.ordinal())) {
      // the whole batch, and its first sample alone: at batch 1 Kickback's tau comes out of the
      // fused forward pass, Backprop's from gemmNN
      int in = k.net().spec().inputWidth();
      for (int batch : new int[] {BATCH, 1}) {
        float[] x = java.util.Arrays.copyOf(k.x(), batch * in);
        float[] y = java.util.Arrays.copyOf(k.y(), batch);
        float[][][] bp = Directions.of(ops, k.net(), Rule.BACKPROP, x, y, batch);
        float[][][] kb = Directions.of(ops, k.net(), Rule.KICKBACK, x, y, batch);
        int top = k.net().spec().layers() - 1;
        for (int l = top; l >= top - 1; l--) {
          assertArrayEquals(bp[0][l], kb[0][l], 0f, "batch " + batch + " dW[" + l + "]");
          assertArrayEquals(bp[1][l], kb[1][l], 0f, "batch " + batch + " dB[" + l + "]");
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void kickbackDiffersFromBackpropBelowTheTopTwoLayers() {
    // The rule must actually truncate: with 3 hidden layers the first layer's update differs.
    NetworkSpec spec = NetworkSpec.builder(5).hidden(8, 8, 8).head(Head.LINEAR).build();
    SplittableRandom rnd = new SplittableRandom(3);
    Network net = Network.initialize(spec, 1);
    float[] x = RandomNets.gaussian(rnd, 4 * 5);
    float[] y = RandomNets.gaussian(rnd, 4);
    ReferenceNet ref = new ReferenceNet(net);
    double[][][] bp = ref.direction(Rule.BACKPROP, x, y, 4);
    double[][][] kb = ref.direction(Rule.KICKBACK, x, y, 4);
    double diff = 0;
    for (int i = 0; i < bp[0][0].length; i++) {
      diff = Math.max(diff, Math.abs(bp[0][0][i] - kb[0][0][i]));
    }
    assertTrue(diff > 1e-3, "Kickback and Backprop agree on layer 0: " + diff);
    assertEquals(spec.layers(), 4);
  }

  /**
   * Norm-wise: {@code ||got - want|| <= tol * ||scale||}, where scale is the same computation
   * over absolute values ({@link ReferenceNet#magnitude}). Float rounding is relative to that
   * scale, not to the possibly cancelled result: 1e-5 is about 170 float ulps of it (the worst seen is about 1.6e-6).
   */
  static void assertClose(double[] want, float[] got, double[] scale, double tol, String what) {
    double errSq = 0;
    double normSq = 0;
    for (int i = 0; i < want.length; i++) {
      errSq += (got[i] - want[i]) * (got[i] - want[i]);
      normSq += scale[i] * scale[i];
    }
    double err = Math.sqrt(errSq);
    double norm = Math.sqrt(normSq);
    assertTrue(err <= tol * norm || err < 1e-12,
        what + ": error " + err + " exceeds " + tol + " x scale " + norm);
  }
}
