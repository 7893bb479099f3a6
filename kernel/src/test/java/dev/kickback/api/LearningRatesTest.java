package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LearningRates}: the three ways one rate becomes a rate per layer. */
class LearningRatesTest {
  private static final NetworkSpec DEEP = NetworkSpec.builder(6).hidden(20, 20, 20, 20, 20, 20)
      .head(Head.PAIR).coherence(Coherence.COHERENT).build();

  @Test
  void uniformAndByDepth() {
    NetworkSpec paper = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT); // 4 weight layers
    assertArrayEquals(new float[] {0.01f, 0.01f, 0.01f, 0.01f},
        LearningRates.uniform(paper, 0.01f));
    // three hidden layers: one factor 1/sqrt(3), the same on every layer
    float third = (float) (0.03 / Math.sqrt(3));
    assertArrayEquals(new float[] {third, third, third, third},
        LearningRates.byDepth(paper, 0.03f));
    // six: (1/sqrt 3)^4 = 1/9
    for (float r : LearningRates.byDepth(DEEP, 0.09f)) {
      assertEquals(0.01f, r, 1e-9f);
    }
    NetworkSpec two = NetworkSpec.builder(3).hidden(5, 5).build();
    assertArrayEquals(new float[] {0.01f, 0.01f, 0.01f}, LearningRates.byDepth(two, 0.01f));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LearningRates.byDepth(paper, -1f));
    assertEquals("lr = -1.0: must be finite and > 0", e.getMessage());
  }

  /**
   * Matched: the head and the last hidden layer keep the rate (there tau = pi, so both rules'
   * updates are the same bits); no layer gets more than the rate; some lower layer of a deep
   * coherent network gets less (its Backprop update is the smaller); the network is not
   * changed.
   */
  @Test
  void matchedKeepsTheTopLayersAndShrinksNoneAbove() {
    Network net = Network.initialize(DEEP, 4);
    Network before = net.copy();
    SplittableRandom rnd = new SplittableRandom(4);
    int rows = 64;
    float[] x = new float[rows * DEEP.inputWidth()];
    float[] y = new float[rows];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      y[i] = (float) rnd.nextGaussian();
    }
    float[] rates = LearningRates.matchedToBackprop(net, x, y, rows, 0.01f);
    int last = DEEP.layers() - 1;
    assertEquals(0.01f, rates[last]);
    assertEquals(0.01f, rates[last - 1]);
    boolean smaller = false;
    for (float r : rates) {
      assertTrue(r > 0 && r <= 0.01f, "rate " + r);
      smaller |= r < 0.01f;
    }
    assertTrue(smaller, "no layer of a 6-layer coherent network was slowed down");
    for (int l = 0; l <= last; l++) {
      assertArrayEquals(before.weights(l), net.weights(l), "weights of layer " + l);
    }
  }
}
