package dev.kickback.cli.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.testkit.RandomNets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Training#collapse}: dead layers and constant predictions are named, live nets not. */
class TrainingTest {
  private static final int ROWS = 50;
  private final float[] x = RandomNets.gaussian(7, ROWS * 4);

  private static Network net(Head head) {
    return Network.initialize(NetworkSpec.builder(4).hidden(8, 6).head(head)
        .coherence(Coherence.COHERENT).build(), 3);
  }

  @Test
  void aLiveNetworkIsNotCollapsed() {
    Network net = net(Head.PAIR);
    assertNull(Training.collapse(net, x, ROWS, 4, Training.predict(net, x, ROWS, 4)));
  }

  @Test
  void deadOutputUnitsAndDeadHiddenLayersAreNamed() {
    Network pair = net(Head.PAIR);
    pair.setBiases(2, new float[] {-1e6f, -1e6f});
    assertEquals("both output units are inactive on all 50 training rows",
        Training.collapse(pair, x, ROWS, 4, Training.predict(pair, x, ROWS, 4)));
    Network linear = net(Head.LINEAR);
    float[] off = new float[6];
    Arrays.fill(off, -1e6f);
    linear.setBiases(1, off);
    assertEquals("every unit of hidden layer 2 is inactive on all 50 training rows",
        Training.collapse(linear, x, ROWS, 4, Training.predict(linear, x, ROWS, 4)));
  }

  @Test
  void constantTestPredictionsAreNamed() {
    Network net = net(Head.PAIR);
    assertEquals("every test prediction is the same value",
        Training.collapse(net, x, ROWS, 4, new float[] {0.5f, 0.5f, 0.5f}));
  }
}
