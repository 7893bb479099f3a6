package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import dev.kickback.testkit.ReferenceNet;
import dev.kickback.testkit.SpecChecks.Case;
import dev.kickback.testkit.SpecChecks;
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

  /** NETS random networks and batches, every pre-activation 1e-3 away from a ReLU kink. */
  private static List<Case> cases(Head head, Coherence c, int depth, int maxWidth, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Case> cases = new ArrayList<>();
    while (cases.size() < NETS) {
      cases.add(SpecChecks.awayFromKinks(rnd, head, c, depth, maxWidth, BATCH, 1e-3));
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} {1} depth {2}")
  @MethodSource("configs")
  void backpropIsTheGradientOfTheLoss(Head head, Coherence c, int depth) {
    for (Case k : cases(head, c, depth, 12, 11L * depth + head.ordinal() + 5L * c.ordinal())) {
      double err = SpecChecks.finiteDifferenceError(k);
      assertTrue(err < 1e-6, "relative error of Backprop vs finite differences " + err
          + " on " + k.net().spec());
    }
  }

  /**
   * Within 1e-5 of the scale ({@link SpecChecks#referenceError}): about 170 float ulps of it;
   * the worst seen is about 1.6e-6.
   */
  @ParameterizedTest(name = "{0} {1} {2} depth {3}")
  @MethodSource("pathConfigs")
  void kernelDirectionsMatchTheDoubleReference(String path, Head head, Coherence c, int depth) {
    KernelOps ops = Paths.get(path);
    for (Case k : cases(head, c, depth, 40, 97L * depth + head.ordinal() + 3L * c.ordinal())) {
      for (Rule rule : Rule.values()) {
        // batch 1 too: the trainer has a batch-1 path of its own
        for (Case sub : List.of(k, k.first(1))) {
          double err = SpecChecks.referenceError(ops, sub, rule);
          assertTrue(err <= 1e-5, rule + " batch " + sub.batch() + " on " + k.net().spec()
              + ": error " + err + " of scale");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} {2} depth {3}")
  @MethodSource("pathConfigs")
  void kickbackEqualsBackpropOnTheTopTwoLayers(String path, Head head, Coherence c, int depth) {
    KernelOps ops = Paths.get(path);
    for (Case k : cases(head, c, depth, 40, 5L * depth + head.ordinal() + 7L * c.ordinal())) {
      // the whole batch, and its first sample alone (the trainer's batch-1 path)
      for (Case sub : List.of(k, k.first(1))) {
        long[] mismatches = SpecChecks.topLayerMismatches(ops, sub);
        assertEquals(0, mismatches[0], "parameters of the top two layers differing at batch "
            + sub.batch() + " on " + k.net().spec());
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
  }
}
