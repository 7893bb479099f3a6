package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
