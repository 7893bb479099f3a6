package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.testkit.RandomNets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A divergent step throws, names the layer and leaves the network exactly as before. */
class DivergenceTest {

  private static void assertSameParameters(Network want, Network got) {
    for (int l = 0; l < want.spec().layers(); l++) {
      assertArrayEquals(want.weights(l), got.weights(l), 0f, "weights of layer " + l);
      assertArrayEquals(want.biases(l), got.biases(l), 0f, "biases of layer " + l);
    }
  }

  @ParameterizedTest
  @EnumSource(Rule.class)
  void anOverflowingUpdateIsRolledBack(Rule rule) {
    NetworkSpec spec = NetworkSpec.builder(4).hidden(8, 6).head(Head.LINEAR).build();
    Network net = Network.initialize(spec, 3);
    Network before = net.copy();
    SplittableRandom rnd = new SplittableRandom(1);
    float[] x = RandomNets.gaussian(rnd, 2 * 4);
    float[] y = {1e3f, -1e3f};
    Trainer t = new Trainer(net, 2);
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> t.step(rule, x, y, 2, 1e38f));
    assertSameParameters(before, net);
    assertTrue(e.getMessage().startsWith("training step diverged: "), e.getMessage());
    assertTrue(e.getMessage().contains("is not finite; the network was restored to its state"
        + " before the step. Try a lower learning rate than lr[" + e.layer() + "] = 1.0E38"),
        e.getMessage());
    // and the trainer still works afterwards
    float loss = t.step(rule, x, y, 2, 1e-3f);
    assertTrue(Float.isFinite(loss));
  }

  @ParameterizedTest
  @EnumSource(Rule.class)
  void aNonFiniteForwardPassNamesTheLayerAndChangesNothing(Rule rule) {
    NetworkSpec spec = NetworkSpec.builder(3).hidden(5, 4).head(Head.LINEAR).build();
    Network net = Network.initialize(spec, 4);
    float[] w = net.weights(1);
    java.util.Arrays.fill(w, 3e38f);
    net.setWeights(1, w);
    Network before = net.copy();
    float[] x = {10f, 10f, 10f};
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(net, 1).step(rule, x, new float[] {0f}, 1, 0.1f));
    assertEquals(1, e.layer(), e.getMessage());
    assertTrue(e.getMessage().contains("because layer 1's pre-activation (row 0, unit 0) is"
        + " Infinity; the network is unchanged"), e.getMessage());
    assertSameParameters(before, net);
  }

  /**
   * The in-place path rests on the trainer's bounds: after every step, for both rules, at rates
   * from tiny to divergent, each bound is at least the true largest magnitude, a step either
   * succeeds with every parameter finite or throws with the network unchanged, and a write from
   * outside (setWeights, another trainer) makes the bounds be measured again. Batches of 1 to 8:
   * the rows path up to {@code Trainer.ROWS_MAX_BATCH}, and the GEMM path, whose guard bounds
   * the update by the maxima the feedback pass measured, above it.
   */
  @ParameterizedTest
  @EnumSource(Rule.class)
  void boundsNeverUnderstateTheParametersAndDivergenceNeverCorrupts(Rule rule) {
    NetworkSpec spec = NetworkSpec.builder(5).hidden(9, 7).head(Head.PAIR)
        .coherence(Coherence.COHERENT).build();
    Network net = Network.initialize(spec, 8);
    Trainer t = new Trainer(net, 8);
    Trainer other = new Trainer(net, 8);
    SplittableRandom rnd = new SplittableRandom(12);
    int diverged = 0;
    for (int s = 0; s < 400; s++) {
      int batch = 1 + rnd.nextInt(8);
      float[] x = RandomNets.gaussian(rnd, batch * 5);
      float[] y = RandomNets.gaussian(rnd, batch);
      for (int i = 0; i < y.length; i++) {
        y[i] *= (float) Math.pow(10, rnd.nextInt(4));
      }
      // mostly ordinary rates, one step in ten anywhere up to 1e37
      float lr = (float) Math.pow(10, rnd.nextInt(10) == 0 ? rnd.nextInt(38) : -6 + rnd.nextInt(5));
      Network before = net.copy();
      Trainer who = s % 7 == 3 ? other : t;
      try {
        who.step(rule, x, y, batch, lr);
      } catch (DivergenceException e) {
        diverged++;
        assertSameParameters(before, net);
      }
      for (int l = 0; l < spec.layers(); l++) {
        float[] w = net.weights(l);
        float[] b = net.biases(l);
        float mw = 0;
        float mb = 0;
        for (float v : w) {
          assertTrue(Float.isFinite(v), "step " + s + ": weights[" + l + "] not finite");
          mw = Math.max(mw, Math.abs(v));
        }
        for (float v : b) {
          assertTrue(Float.isFinite(v), "step " + s + ": biases[" + l + "] not finite");
          mb = Math.max(mb, Math.abs(v));
        }
        double wb = who.weightBound(l);
        assertTrue(Double.isNaN(wb) || wb >= mw, "step " + s + " layer " + l + ": bound " + wb
            + " < max |w| " + mw);
        double bb = who.biasBound(l);
        assertTrue(Double.isNaN(bb) || bb >= mb, "step " + s + " layer " + l + ": bound " + bb
            + " < max |b| " + mb);
      }
      if (s == 200) { // an outside write of large values: bounds must not stay small
        float[] w = net.weights(1);
        w[3] = 1e30f;
        net.setWeights(1, w);
        assertTrue(Double.isNaN(t.weightBound(1)), "bound kept after setWeights");
      }
    }
    assertTrue(diverged > 10 && diverged < 390, "diverged " + diverged + " of 400 steps");
  }

  /**
   * A step may keep every weight finite and still leave the network unable to predict: at a
   * rate of 1e30 the weights stay near 1e28 while the forward pass overflows. Whatever the
   * rate, after a step (taken or refused) the network predicts finite values for the batch it
   * was trained on, and a refused step changed nothing.
   */
  @ParameterizedTest
  @EnumSource(Rule.class)
  void noStepLeavesTheNetworkUnableToPredictItsTrainingInputs(Rule rule) {
    NetworkSpec spec = NetworkSpec.builder(4).hidden(8, 6).head(Head.PAIR).build();
    SplittableRandom rnd = new SplittableRandom(5);
    int refusedForPredictions = 0;
    for (int e = 10; e <= 37; e++) {
      Network net = Network.initialize(spec, e);
      float[] x = RandomNets.gaussian(rnd, 2 * 4);
      float[] y = {1f, -1f};
      Network before = net.copy();
      try {
        new Trainer(net, 2).step(rule, x, y, 2, (float) Math.pow(10, e));
      } catch (DivergenceException d) {
        assertSameParameters(before, net);
        refusedForPredictions += d.getMessage().contains("the network's output for row") ? 1 : 0;
      }
      float[] out = new float[2];
      net.predict(x, 2, out, net.newWorkspace(2));
      assertTrue(Float.isFinite(out[0]) && Float.isFinite(out[1]),
          "rate 1e" + e + ": predictions " + out[0] + ", " + out[1]);
    }
    assertTrue(refusedForPredictions > 0, "no step was refused for its predictions alone");
  }

  @ParameterizedTest
  @EnumSource(Rule.class)
  void inputsFarBeyondAnyScaleAreNamedAsTheCause(Rule rule) {
    NetworkSpec spec = NetworkSpec.builder(4).hidden(8, 6).head(Head.LINEAR).build();
    Network net = Network.initialize(spec, 6);
    Network before = net.copy();
    float[] x = {1e30f, -1e30f, 1e30f, 1e30f};
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(net, 1).step(rule, x, new float[] {1f}, 1, 0.01f));
    assertTrue(e.getMessage().contains("The inputs' scale is the cause (largest |x| so far"
        + " 1.0E30): standardize the inputs")
        || e.getMessage().contains("the inputs' scale is the cause (largest |x| in this batch"
        + " 1.0E30): standardize the inputs"), e.getMessage());
    assertSameParameters(before, net);
  }
}
