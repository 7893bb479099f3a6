package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.testkit.RandomNets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Predictions of 2 or more samples multiply by packed copies of the weights once the weights
 * stay unchanged over two of them (a 256 -> 512 layer: wide and deep enough for the vector
 * path to pack): the same bits as without, and every write of the weights (a step of either
 * rule, {@code setWeights}) drops the copies before the next prediction can read them; the same
 * for the aligned rows of predictions of one sample. Threads racing to pack:
 * {@link PredictConcurrencyTest}.
 */
class PackedPredictionTest {
  private static final NetworkSpec SPEC = NetworkSpec.builder(256).hidden(512, 9)
      .head(Head.PAIR).coherence(Coherence.COHERENT).build();

  /** What a network that never packed predicts: a fresh copy's first call. */
  private static float[] unpacked(Network net, float[] x, int batch, KernelOps ops) {
    Network fresh = net.copy();
    float[] out = new float[batch];
    fresh.predict(x, batch, out, fresh.newWorkspace(batch, ops));
    return out;
  }

  private static float[] predict(Network net, float[] x, int batch, Workspace ws) {
    float[] out = new float[batch];
    net.predict(x, batch, out, ws);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"scalar", "vector", "vector2t"})
  void packedPredictionsGiveTheUnpackedBitsAndFollowEveryWrite(String path) {
    KernelOps ops = Paths.get(path);
    boolean packs = path.equals("vector");
    Network net = Network.initialize(SPEC, 8);
    SplittableRandom rnd = new SplittableRandom(8);
    int batch = 5;
    float[] x = RandomNets.gaussian(rnd, batch * 256);
    float[] y = RandomNets.gaussian(rnd, batch);
    Workspace ws = net.newWorkspace(batch, ops);
    Trainer trainer = new Trainer(net, batch, ops);

    float[] first = predict(net, x, batch, ws);
    assertEquals(0, net.packedLayers(), "one prediction does not pack");
    assertArrayEquals(first, predict(net, x, batch, ws), 0f);
    assertEquals(packs ? 1 : 0, net.packedLayers(), "the 256 -> 512 layer only");
    assertArrayEquals(first, predict(net, x, batch, ws), 0f, "packed");
    assertArrayEquals(unpacked(net, x, batch, ops), first, 0f);

    for (Rule rule : Rule.values()) {
      trainer.step(rule, x, y, batch, 0.05f);
      assertEquals(0, net.packedLayers(), rule + " step drops the packed weights");
      float[] after = predict(net, x, batch, ws);
      assertFalse(java.util.Arrays.equals(first, after), "the step changed the predictions");
      assertArrayEquals(unpacked(net, x, batch, ops), after, 0f);
      assertArrayEquals(after, predict(net, x, batch, ws), 0f);
      assertEquals(packs ? 1 : 0, net.packedLayers(), "packed again");
      assertArrayEquals(after, predict(net, x, batch, ws), 0f);
      first = after;
    }

    float[] w = net.weights(0);
    for (int i = 0; i < w.length; i += 3) {
      w[i] = -w[i];
    }
    net.setWeights(0, w);
    assertEquals(0, net.packedLayers(), "setWeights drops the packed weights");
    float[] changed = predict(net, x, batch, ws);
    assertArrayEquals(unpacked(net, x, batch, ops), changed, 0f);
    assertArrayEquals(changed, predict(net, x, batch, ws), 0f);
    assertArrayEquals(changed, predict(net, x, batch, ws), 0f);

    float[] x1 = java.util.Arrays.copyOf(x, 256);
    assertArrayEquals(unpacked(net, x1, 1, ops), predict(net, x1, 1, ws), 0f,
        "batch 1 reads the weights as ever");
  }

  /**
   * With 16 vector registers the paper network's 21 -> 200 and 200 -> 100 layers pack too, and
   * predictions read the copies from 6 samples ({@code KernelOps.multipliesPacked(b, m)}): the
   * same bits as never packed at batches on both sides of that (4 and 8), also after a step
   * drops and a prediction packs them again. With 32 registers nothing of it packs.
   */
  @ParameterizedTest
  @ValueSource(strings = {"scalar", "vector", "vector2t"})
  void thePaperNetworksPackedLayerGivesTheUnpackedBitsOnEitherSideOfItsBatch(String path) {
    KernelOps ops = Paths.get(path);
    boolean packs = path.equals("vector") && Kernels.vectorRegisters() < 32;
    Network net = Network.initialize(NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT), 5);
    SplittableRandom rnd = new SplittableRandom(5);
    for (int batch : new int[] {4, 8}) {
      float[] x = RandomNets.gaussian(rnd, batch * 21);
      Workspace ws = net.newWorkspace(batch, ops);
      float[] first = predict(net, x, batch, ws);
      assertArrayEquals(first, predict(net, x, batch, ws), 0f);
      assertEquals(packs ? 2 : 0, net.packedLayers(), path + ": the two widest layers");
      assertArrayEquals(first, predict(net, x, batch, ws), 0f, "batch " + batch + " packed");
      assertArrayEquals(unpacked(net, x, batch, ops), first, 0f);
      Trainer trainer = new Trainer(net, batch, ops);
      trainer.step(Rule.KICKBACK, x, RandomNets.gaussian(rnd, batch), batch, 0.05f);
      float[] after = predict(net, x, batch, ws);
      assertFalse(java.util.Arrays.equals(first, after), "the step changed the predictions");
      assertArrayEquals(after, predict(net, x, batch, ws), 0f);
      assertArrayEquals(after, predict(net, x, batch, ws), 0f, "batch " + batch + " repacked");
      assertArrayEquals(unpacked(net, x, batch, ops), after, 0f);
    }
  }

  /**
   * Predictions of one sample read every layer from aligned rows off the heap once the weights
   * stay unchanged over {@link Network#ROWS_PACK_AFTER} predictions (the vector paths on Java 22
   * and later): the same bits as from the arrays, for the paper network with either head; every
   * write of the weights drops the rows before the next prediction can read them, and packing
   * again refills the rows dropped instead of allocating.
   */
  @ParameterizedTest
  @ValueSource(strings = {"scalar", "vector", "vector2t"})
  void batchOnePredictionsFromPackedRowsGiveTheArraysBitsAndFollowEveryWrite(String path) {
    KernelOps ops = Paths.get(path);
    boolean packs = !path.equals("scalar") && Runtime.version().feature() >= 22;
    for (Head head : Head.values()) {
      Network net = Network.initialize(NetworkSpec.paper(21, head, Coherence.COHERENT), 3);
      int layers = net.spec().layers();
      SplittableRandom rnd = new SplittableRandom(3);
      float[] x = RandomNets.gaussian(rnd, 21);
      float[] y = RandomNets.gaussian(rnd, 1);
      Workspace ws = net.newWorkspace(1, ops);
      Trainer trainer = new Trainer(net, 1, ops);

      float[] first = predict(net, x, 1, ws);
      for (int i = 2; i < Network.ROWS_PACK_AFTER; i++) {
        assertArrayEquals(first, predict(net, x, 1, ws), 0f);
      }
      assertEquals(0, net.packedRowLayers(), head + ": one prediction short of packing");
      assertArrayEquals(first, predict(net, x, 1, ws), 0f);
      assertEquals(packs ? layers : 0, net.packedRowLayers(), head + ": every layer");
      assertEquals(0, net.packedLayers(), head + ": no GEMM packs for batch 1");
      for (int i = 0; i < 5; i++) {
        float[] xi = RandomNets.gaussian(rnd, 21);
        assertArrayEquals(unpacked(net, xi, 1, ops), predict(net, xi, 1, ws), 0f, head + " packed");
      }
      for (Rule rule : Rule.values()) {
        trainer.step(rule, x, y, 1, 0.05f);
        assertEquals(0, net.packedRowLayers(), head + ": a " + rule + " step drops the rows");
        float[] after = predict(net, x, 1, ws);
        assertFalse(java.util.Arrays.equals(first, after), "the step changed the prediction");
        assertArrayEquals(unpacked(net, x, 1, ops), after, 0f);
        packAgain(net, x, after, ws);
        assertEquals(packs ? layers : 0, net.packedRowLayers(), head + ": packed again");
        for (int l = 0; l < layers; l++) {
          assertEquals(packs, net.packedRowsReused(l), head + ": layer " + l + " refilled");
        }
        assertArrayEquals(after, predict(net, x, 1, ws), 0f);
        first = after;
      }
      float[] w = net.weights(1);
      for (int i = 0; i < w.length; i += 3) {
        w[i] *= 2f;
      }
      net.setWeights(1, w);
      assertEquals(0, net.packedRowLayers(), head + ": setWeights drops the rows");
      float[] changed = predict(net, x, 1, ws);
      assertFalse(java.util.Arrays.equals(first, changed), "setWeights changed the prediction");
      assertArrayEquals(unpacked(net, x, 1, ops), changed, 0f);
      packAgain(net, x, changed, ws);
      assertEquals(packs ? layers : 0, net.packedRowLayers(), head + ": packed after setWeights");
      assertArrayEquals(changed, predict(net, x, 1, ws), 0f, head + " packed after setWeights");
    }
  }

  /** The predictions of one sample after a write up to packing, each {@code want}. */
  private static void packAgain(Network net, float[] x, float[] want, Workspace ws) {
    for (int i = 1; i < Network.ROWS_PACK_AFTER; i++) {
      assertArrayEquals(want, predict(net, x, 1, ws), 0f);
    }
  }
}
