package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.testkit.RandomNets;
import dev.kickback.testkit.SpecChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrainerTest {

  static Stream<Arguments> stepShapes() {
    List<Arguments> out = new ArrayList<>();
    NetworkSpec[] specs = {
      NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT),
      NetworkSpec.paper(21, Head.LINEAR, Coherence.FREE),
      NetworkSpec.builder(17).hidden(31, 1, 13).head(Head.LINEAR).build(),
      NetworkSpec.builder(1).hidden(67).head(Head.PAIR).coherence(Coherence.COHERENT).build(),
    };
    for (NetworkSpec spec : specs) {
      for (int batch : new int[] {1, 5, 17, 64}) {
        for (Rule rule : Rule.values()) {
          out.add(Arguments.of(spec, batch, rule));
        }
      }
    }
    return out.stream();
  }

  /**
   * Whole training steps, vector against scalar: after 3 steps every layer's parameters
   * (weights and biases together) agree norm-wise within 1e-5 relative. Each step's update
   * differs only by summation order (about 1e-7 relative), so 1e-5 leaves room without hiding a
   * wrong block or tail. Biases are not compared alone: a bias that starts at 0 is a sum of
   * signed feedback and can cancel to near 0, where any relative measure is meaningless.
   */
  @ParameterizedTest(name = "{0} batch {1} {2}")
  @MethodSource("stepShapes")
  void vectorStepsMatchScalarSteps(NetworkSpec spec, int batch, Rule rule) {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vector().isPresent(),
        "vector kernels unavailable");
    SpecChecks.Drift d = SpecChecks.drift(Kernels.scalar(), Kernels.vector().get(),
        Network.initialize(spec, 5), rule, batch, 3, batch);
    assertTrue(d.loss() <= 1e-5, "loss difference " + d.loss());
    assertTrue(d.parameters() <= 1e-5, "parameters' relative difference " + d.parameters());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void coherentTrainingKeepsEveryNonInputWeightCoherent(String path) {
    KernelOps ops = Paths.get(path);
    NetworkSpec spec =
        NetworkSpec.builder(6).hidden(9, 7).head(Head.PAIR).coherence(Coherence.COHERENT).build();
    Network net = Network.initialize(spec, 2);
    Network free = net.copy(); // same weights, no clipping: shows the clip had work to do
    Trainer t = new Trainer(net, 8, ops);
    SplittableRandom rnd = new SplittableRandom(4);
    int zeroed = 0;
    for (int s = 0; s < 40; s++) {
      float[] x = RandomNets.gaussian(rnd, 8 * 6);
      float[] y = RandomNets.gaussian(rnd, 8);
      t.step(Rule.KICKBACK, x, y, 8, 0.5f);
    }
    for (int l = 1; l < spec.layers(); l++) {
      float[] w = net.weights(l);
      int nIn = spec.fanIn(l);
      for (int i = 0; i < w.length; i++) {
        int sign = spec.sign(l, i / nIn);
        assertTrue(sign * w[i] >= 0, "layer " + l + " weight " + i + " = " + w[i]
            + " into a unit of sign " + sign);
        if (w[i] == 0f && free.weights(l)[i] != 0f) {
          zeroed++;
        }
      }
    }
    assertTrue(zeroed > 0, "no weight was ever clipped; the test exercises nothing");
  }

  static Stream<String> paths() {
    return Stream.of(Paths.NAMES);
  }

  static Stream<Arguments> pathsAndRules() {
    return paths().flatMap(p -> Stream.of(Rule.values()).map(r -> Arguments.of(p, r)));
  }

  static Stream<Arguments> rowsSteps() {
    NetworkSpec paper = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
    NetworkSpec tails = NetworkSpec.builder(37).hidden(53, 41).head(Head.PAIR)
        .coherence(Coherence.COHERENT).build();
    return pathsAndRules().flatMap(a -> java.util.stream.IntStream
        .rangeClosed(1, Trainer.ROWS_MAX_BATCH).boxed().flatMap(b -> Stream.of(paper, tails)
            .map(n -> Arguments.of(a.get()[0], a.get()[1], b, n))));
  }

  @Test
  void uniformAndPerLayerRatesAgreeAndDirectionLeavesTheNetworkAlone() {
    NetworkSpec spec = NetworkSpec.paper(21, Head.LINEAR, Coherence.FREE);
    Network a = Network.initialize(spec, 8);
    Network b = a.copy();
    SplittableRandom rnd = new SplittableRandom(1);
    float[] x = RandomNets.gaussian(rnd, 4 * 21);
    float[] y = RandomNets.gaussian(rnd, 4);
    float[][] dw = new float[spec.layers()][];
    float[][] db = new float[spec.layers()][];
    for (int l = 0; l < spec.layers(); l++) {
      dw[l] = new float[spec.weightCount(l)];
      db[l] = new float[spec.width(l)];
    }
    Trainer ta = new Trainer(a, 4);
    float loss = ta.direction(Rule.KICKBACK, x, y, 4, dw, db);
    assertArrayEquals(b.weights(0), a.weights(0), 0f, "direction() changed the network");
    assertEquals(loss, ta.step(Rule.KICKBACK, x, y, 4, 0.02f), 0f);
    new Trainer(b, 4).step(Rule.KICKBACK, x, y, 4, new float[] {0.02f, 0.02f, 0.02f, 0.02f});
    for (int l = 0; l < spec.layers(); l++) {
      assertArrayEquals(a.weights(l), b.weights(l), 0f, "layer " + l);
    }
    // and a zero-rate layer stays put while others move
    Network c = Network.initialize(spec, 8);
    new Trainer(c, 4).step(Rule.KICKBACK, x, y, 4, new float[] {0.02f, 0.02f, 1e-30f, 0.02f});
    assertArrayEquals(Network.initialize(spec, 8).weights(2), c.weights(2), 1e-20f);
  }

  @Test
  void sameSeedSameNetworkAndSameTraining() {
    NetworkSpec spec = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
    Network a = Network.initialize(spec, 77);
    Network b = Network.initialize(spec, 77);
    Network c = Network.initialize(spec, 78);
    SplittableRandom rnd = new SplittableRandom(2);
    float[] x = RandomNets.gaussian(rnd, 16 * 21);
    float[] y = RandomNets.gaussian(rnd, 16);
    new Trainer(a, 16).step(Rule.BACKPROP, x, y, 16, 0.01f);
    new Trainer(b, 16).step(Rule.BACKPROP, x, y, 16, 0.01f);
    for (int l = 0; l < spec.layers(); l++) {
      assertArrayEquals(a.weights(l), b.weights(l), 0f);
    }
    assertTrue(a.weights(0)[0] != c.weights(0)[0]);
    assertEquals(1f, c.biases(3)[0], 0f, "PAIR output bias starts at 1");
    assertEquals(1f, c.biases(3)[1], 0f, "PAIR output bias starts at 1");
    assertEquals(0f, c.biases(0)[0], 0f, "hidden biases start at 0");
  }

  /**
   * Steps whose GEMMs are split over two threads return exactly the single-threaded network:
   * the split is by whole columns and every element is computed the same way.
   */
  @ParameterizedTest(name = "batch {0} {1}")
  @MethodSource("splitSteps")
  void stepsSplitOverTwoThreadsEqualSingleThreadedStepsBitwise(int batch, Rule rule) {
    KernelOps one = Paths.get("vector");
    KernelOps two = Paths.get("vector2t");
    // every GEMM of these steps is at least 2^24 multiply-adds: split by Kernels.vector(2)
    NetworkSpec spec = NetworkSpec.builder(256).hidden(1024, 512).head(Head.PAIR)
        .coherence(Coherence.COHERENT).build();
    Network a = Network.initialize(spec, 11);
    Network b = a.copy();
    Trainer ta = new Trainer(a, batch, one);
    Trainer tb = new Trainer(b, batch, two);
    SplittableRandom rnd = new SplittableRandom(batch);
    for (int s = 0; s < 3; s++) {
      float[] x = RandomNets.gaussian(rnd, batch * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, batch);
      assertEquals(Float.floatToIntBits(ta.step(rule, x, y, batch, 0.01f)),
          Float.floatToIntBits(tb.step(rule, x, y, batch, 0.01f)), "loss of step " + s);
    }
    for (int l = 0; l < spec.layers(); l++) {
      assertArrayEquals(SpecChecks.parameters(a, l), SpecChecks.parameters(b, l), "parameters of layer " + l);
    }
  }

  /**
   * A trainer's fast path on rows (taken when the network is known clipped, at batches up to
   * {@link Trainer#ROWS_MAX_BATCH}: rows of inputs nonzero in some sample only, each layer's
   * feedback read in the pass that updates the layer above, clip fused) and its general path
   * (feedback first, then every row, then a clip pass; taken after {@code setWeights}) give the
   * same bits, step after step, under both rules, on the paper network and on one whose layers
   * are all wider than a vector with a tail. Batch 1 and every batch the rows kernels take in
   * one pass.
   */
  @ParameterizedTest(name = "{0} {1} batch {2} {3}")
  @MethodSource("rowsSteps")
  void fastAndGeneralPathsGiveTheSameBits(String path, Rule rule, int batch, NetworkSpec spec) {
    KernelOps ops = Paths.get(path);
    Network fast = Network.initialize(spec, 8);
    Network general = fast.copy();
    Trainer tf = new Trainer(fast, batch, ops);
    Trainer tg = new Trainer(general, batch, ops);
    SplittableRandom rnd = new SplittableRandom(8);
    for (int s = 0; s < 20; s++) {
      general.setWeights(0, general.weights(0)); // the same values; the clip is now unknown
      assertTrue(fast.knownClipped());
      assertFalse(general.knownClipped());
      float[] x = RandomNets.gaussian(rnd, batch * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, batch);
      assertEquals(Float.floatToIntBits(tf.step(rule, x, y, batch, 0.05f)),
          Float.floatToIntBits(tg.step(rule, x, y, batch, 0.05f)), "loss of step " + s);
      for (int l = 0; l < spec.layers(); l++) {
        assertArrayEquals(SpecChecks.parameters(fast, l), SpecChecks.parameters(general, l),
            "step " + s + ", layer " + l);
      }
    }
  }

  /**
   * A step's own forward pass is the prediction {@code Network.predict} makes before it, bit
   * for bit, on every row, also when the step diverges.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void aStepsPredictionsAreThoseOfPredictBeforeIt(String path) {
    KernelOps ops = Paths.get(path);
    NetworkSpec spec = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
    Network net = Network.initialize(spec, 9);
    Trainer t = new Trainer(net, 4, ops);
    Workspace ws = net.newWorkspace(4, ops);
    SplittableRandom rnd = new SplittableRandom(9);
    float[] before = new float[4];
    for (int batch : new int[] {1, 4, 3, 2, 1}) {
      float[] x = RandomNets.gaussian(rnd, batch * spec.inputWidth());
      float[] y = RandomNets.gaussian(rnd, batch);
      net.predict(x, batch, before, ws);
      t.step(Rule.KICKBACK, x, y, batch, 0.05f);
      for (int r = 0; r < batch; r++) {
        assertEquals(Float.floatToIntBits(before[r]), Float.floatToIntBits(t.prediction(r)),
            "batch " + batch + ", row " + r);
      }
      int last = batch;
      org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
          () -> t.prediction(last));
    }
    float[] huge = new float[spec.inputWidth()];
    java.util.Arrays.fill(huge, 1e30f);
    net.predict(huge, 1, before, ws);
    org.junit.jupiter.api.Assertions.assertThrows(DivergenceException.class,
        () -> t.step(Rule.KICKBACK, huge, new float[] {1f}, 1, 0.05f));
    assertEquals(Float.floatToIntBits(before[0]), Float.floatToIntBits(t.prediction(0)));
  }

  /** What keeps a network known clipped: initialization, copies, biases, steps; not weights. */
  @Test
  void theClipIsKnownUntilTheWeightsAreWritten() {
    NetworkSpec spec = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
    Network net = Network.initialize(spec, 2);
    assertTrue(net.knownClipped());
    assertTrue(net.copy().knownClipped());
    net.setBiases(1, net.biases(1));
    assertTrue(net.knownClipped());
    net.setWeights(2, net.weights(2));
    assertFalse(net.knownClipped());
    new Trainer(net, 1).step(Rule.KICKBACK, new float[21], new float[1], 1, 0.01f);
    assertTrue(net.knownClipped());
    Network free = Network.initialize(NetworkSpec.paper(21, Head.PAIR, Coherence.FREE), 2);
    free.setWeights(0, free.weights(0));
    assertTrue(free.knownClipped(), "a FREE network has no clip to break");
  }

  /**
   * {@code copyFrom} puts a trained network back to a checkpoint in place: its parameters are
   * the checkpoint's, the clip stays known (so the next step takes the rows path), its trainer
   * re-measures its bounds, and the steps after it give the bits a fresh copy of the checkpoint
   * gives with a fresh trainer; from a source whose clip is unknown, this one's is unknown too.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void copyFromPutsANetworkBackToACheckpoint(String path) {
    KernelOps ops = Paths.get(path);
    NetworkSpec spec = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
    Network net = Network.initialize(spec, 4);
    Trainer t = new Trainer(net, 2, ops);
    SplittableRandom rnd = new SplittableRandom(4);
    float[] x = RandomNets.gaussian(rnd, 2 * spec.inputWidth());
    float[] y = RandomNets.gaussian(rnd, 2);
    t.step(Rule.KICKBACK, x, y, 2, 0.05f);
    Network checkpoint = net.copy();
    for (int s = 0; s < 5; s++) {
      t.step(Rule.BACKPROP, x, y, 2, 0.05f);
    }
    assertFalse(Double.isNaN(t.weightBound(1)));
    net.copyFrom(checkpoint);
    assertTrue(Double.isNaN(t.weightBound(1)), "the trainer's bounds are stale now");
    assertTrue(net.knownClipped());
    for (int l = 0; l < spec.layers(); l++) {
      assertArrayEquals(SpecChecks.parameters(checkpoint, l), SpecChecks.parameters(net, l),
          "layer " + l);
    }
    Network fresh = checkpoint.copy();
    Trainer tf = new Trainer(fresh, 2, ops);
    for (int s = 0; s < 3; s++) {
      assertEquals(Float.floatToIntBits(tf.step(Rule.KICKBACK, x, y, 2, 0.05f)),
          Float.floatToIntBits(t.step(Rule.KICKBACK, x, y, 2, 0.05f)), "loss of step " + s);
      for (int l = 0; l < spec.layers(); l++) {
        assertArrayEquals(SpecChecks.parameters(fresh, l), SpecChecks.parameters(net, l),
            "step " + s + ", layer " + l);
      }
    }
    checkpoint.setWeights(1, checkpoint.weights(1));
    net.copyFrom(checkpoint);
    assertFalse(net.knownClipped(), "the source's clip was unknown");
  }

  static Stream<Arguments> splitSteps() {
    return Stream.of(Rule.values()).flatMap(r -> Stream.of(64, 200).map(b -> Arguments.of(b, r)));
  }
}
