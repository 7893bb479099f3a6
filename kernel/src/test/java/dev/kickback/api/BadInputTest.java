package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments raise an exception whose message names the argument and the value, and leave
 * the network exactly as it was.
 */
class BadInputTest {
  private static final int D = 3;
  private Network net;
  private Network pristine;
  private Trainer trainer;
  private final float[] x = {0.5f, -1f, 2f, 1f, 0f, -0.5f};
  private final float[] y = {0.25f, -0.75f};

  @BeforeEach
  void setUp() {
    net = Network.initialize(
        NetworkSpec.builder(D).hidden(4, 3).head(Head.PAIR).coherence(Coherence.COHERENT).build(), 9);
    pristine = net.copy();
    trainer = new Trainer(net, 4);
  }

  private void rejects(String message, Consumer<Trainer> call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> call.accept(trainer));
    assertEquals(message, e.getMessage());
    for (int l = 0; l < net.spec().layers(); l++) {
      assertArrayEquals(pristine.weights(l), net.weights(l), 0f, "weights of layer " + l);
      assertArrayEquals(pristine.biases(l), net.biases(l), 0f, "biases of layer " + l);
    }
  }

  @Test
  void wrongLengths() {
    rejects("x.length = 5: expected 6 (2 rows x 3 columns)",
        t -> t.step(Rule.KICKBACK, new float[5], y, 2, 0.1f));
    rejects("y.length = 2: expected 1 (1 rows x 1 columns)",
        t -> t.step(Rule.BACKPROP, new float[3], y, 1, 0.1f));
    rejects("lr.length = 2: expected one rate per weight layer, 3",
        t -> t.step(Rule.BACKPROP, x, y, 2, new float[] {0.1f, 0.1f}));
    rejects("dW.length = 1: expected 3 layers",
        t -> t.direction(Rule.KICKBACK, x, y, 2, new float[1][], new float[3][]));
  }

  @Test
  void batchOutOfRange() {
    rejects("batch = 0: must be in [1, 4] (the workspace's maxBatch)",
        t -> t.step(Rule.KICKBACK, new float[0], new float[0], 0, 0.1f));
    rejects("batch = -2: must be in [1, 4] (the workspace's maxBatch)",
        t -> t.step(Rule.KICKBACK, x, y, -2, 0.1f));
    rejects("batch = 5: must be in [1, 4] (the workspace's maxBatch)",
        t -> t.step(Rule.KICKBACK, new float[15], new float[5], 5, 0.1f));
  }

  @Test
  void nonFiniteInputsAndTargets() {
    float[] badX = x.clone();
    badX[4] = Float.NaN;
    rejects("x[4] = NaN (row 1, column 1): values must be finite",
        t -> t.step(Rule.KICKBACK, badX, y, 2, 0.1f));
    float[] infX = x.clone();
    infX[0] = Float.NEGATIVE_INFINITY;
    rejects("x[0] = -Infinity (row 0, column 0): values must be finite",
        t -> t.step(Rule.BACKPROP, infX, y, 2, 0.1f));
    rejects("y[1] = Infinity (row 1, column 0): values must be finite",
        t -> t.step(Rule.KICKBACK, x, new float[] {0f, Float.POSITIVE_INFINITY}, 2, 0.1f));
  }

  @Test
  void badLearningRates() {
    rejects("lr = 0.0: must be finite and > 0", t -> t.step(Rule.KICKBACK, x, y, 2, 0f));
    rejects("lr = -0.1: must be finite and > 0", t -> t.step(Rule.KICKBACK, x, y, 2, -0.1f));
    rejects("lr = NaN: must be finite and > 0", t -> t.step(Rule.KICKBACK, x, y, 2, Float.NaN));
    rejects("lr = Infinity: must be finite and > 0",
        t -> t.step(Rule.KICKBACK, x, y, 2, Float.POSITIVE_INFINITY));
    rejects("lr[2] = -1.0: must be finite and > 0",
        t -> t.step(Rule.BACKPROP, x, y, 2, new float[] {0.1f, 0.1f, -1f}));
  }

  @Test
  void predictionAndSetterErrors() {
    Workspace ws = net.newWorkspace(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> net.predict(new float[] {1f, Float.NaN, 0f}, 1, new float[1], ws));
    assertEquals("x[1] = NaN (row 0, column 1): values must be finite", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> net.predict(x, 2, new float[1], ws));
    assertEquals("out.length = 1: expected at least batch = 2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> net.predict(new float[4]));
    assertEquals("x.length = 4: expected a positive multiple of inputWidth = 3", e.getMessage());
    Network other = Network.initialize(NetworkSpec.builder(D).hidden(4, 3).build(), 1);
    e = assertThrows(IllegalArgumentException.class,
        () -> other.predict(x, 2, new float[2], ws));
    assertEquals("workspace was made for 3 -> 4 -> 3 -> PAIR (COHERENT), not for this network"
        + " (3 -> 4 -> 3 -> PAIR (FREE)): COHERENT here, FREE there", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> net.setWeights(1, new float[] {1, 2, 3}));
    assertEquals("weights[1].length = 3: expected 12 (3 rows x 4 columns)", e.getMessage());
    float[] w = net.weights(0);
    w[5] = Float.NaN;
    e = assertThrows(IllegalArgumentException.class, () -> net.setWeights(0, w));
    assertEquals("weights[0][5] = NaN (row 1, column 2): values must be finite", e.getMessage());
    rejects("weights[0][5] = NaN (row 1, column 2): values must be finite",
        t -> net.setWeights(0, w));
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> net.setWeights(2, null));
    assertEquals("weights[2] is null", npe.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> net.setBiases(1, new float[4]));
    assertEquals("biases[1].length = 4: expected 3 (1 rows x 3 columns)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> net.setBiases(0, new float[] {0, Float.POSITIVE_INFINITY, 0, 0}));
    assertEquals("biases[0][1] = Infinity (row 0, column 1): values must be finite",
        e.getMessage());
    Network wider = Network.initialize(NetworkSpec.builder(D).hidden(5, 3).build(), 1);
    float[] before = net.weights(0);
    e = assertThrows(IllegalArgumentException.class, () -> net.copyFrom(wider));
    assertEquals("copyFrom: 3 -> 5 -> 3 -> PAIR (FREE) into 3 -> 4 -> 3 -> PAIR (COHERENT):"
        + " hidden layer 0 has 4 units here, 5 there", e.getMessage());
    assertArrayEquals(before, net.weights(0), "nothing copied");
    npe = assertThrows(NullPointerException.class, () -> net.copyFrom(null));
    assertEquals("source", npe.getMessage());
    IllegalStateException ise = assertThrows(IllegalStateException.class,
        () -> net.readOnlyCopy().copyFrom(net));
    assertTrue(ise.getMessage().startsWith("copyFrom: this Network is a read-only snapshot"),
        ise.getMessage());
  }

  @Test
  void specErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(0));
    assertEquals("inputWidth = 0: must be in [1, 1048576]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(2).hidden(3, 0));
    assertEquals("hidden[1] = 0: widths must be >= 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(2).hidden(2).signs(new int[] {1, 0}).build());
    assertEquals("signs[0][1] = 0: must be +1 or -1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder(2).hidden(2, 2).signs(new int[] {1, -1}).build());
    assertEquals("signs given for 1 layers, but there are 2 hidden layers", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Trainer(net, 0));
    assertEquals("maxBatch = 0: must be >= 1", e.getMessage());
  }
}
