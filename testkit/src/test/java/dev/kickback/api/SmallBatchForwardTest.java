package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.testkit.RandomNets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batches of up to {@code KernelOps.bySampleMaxBatch()} samples (3 on the vector path with 16
 * registers, else 1) through a network whose weights stay in cache go sample by sample: each
 * sample's pre-activations, outputs and masks, and its prediction, are then the bits batch 1
 * gives it, whichever row of the batch it is in. Larger batches, and every batch of a network
 * with more weights, go as a GEMM.
 */
class SmallBatchForwardTest {
  private static final NetworkSpec PAPER = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);

  @ParameterizedTest
  @ValueSource(strings = {"vector", "vector2t"})
  void eachSampleOfASmallBatchGetsItsBatchOneBits(String path) {
    KernelOps ops = Paths.get(path);
    assumeTrue(ops.bySampleMaxBatch() > 1, path + " forwards no batch sample by sample");
    Network net = Network.initialize(PAPER, 3);
    SplittableRandom rnd = new SplittableRandom(3);
    int d = PAPER.inputWidth();
    Workspace one = net.newWorkspace(1, ops);
    for (int batch = 2; batch <= ops.bySampleMaxBatch(); batch++) {
      float[] x = RandomNets.gaussian(rnd, batch * d);
      Workspace ws = net.newWorkspace(batch, ops);
      assertTrue(ws.forwardsBySample(batch));
      net.forward(ops, x, batch, ws);
      float[] predicted = new float[batch];
      net.predict(x, batch, predicted, net.newWorkspace(batch, ops));
      for (int r = 0; r < batch; r++) {
        float[] xr = java.util.Arrays.copyOfRange(x, r * d, (r + 1) * d);
        net.forward(ops, xr, 1, one);
        String where = path + ", batch " + batch + ", row " + r;
        for (int l = 0; l < PAPER.layers(); l++) {
          int n = PAPER.width(l);
          assertRow(one.pre[l], ws.pre[l], r, n, where + ", pre-activations of layer " + l);
          assertRow(one.out[l], ws.out[l], r, n, where + ", outputs of layer " + l);
          assertRow(one.mask[l], ws.mask[l], r, n, where + ", masks of layer " + l);
        }
        float[] alone = new float[1];
        net.predict(xr, 1, alone, one);
        assertEquals(Float.floatToIntBits(alone[0]), Float.floatToIntBits(predicted[r]),
            where + ", prediction");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"scalar", "vector", "vector2t"})
  void largerBatchesAndLargerNetworksGoAsAGemm(String path) {
    KernelOps ops = Paths.get(path);
    int most = ops.bySampleMaxBatch();
    assertEquals(path.equals("scalar") || Kernels.vectorRegisters() >= 32 ? 1 : 3, most);
    Workspace paper = Network.initialize(PAPER, 1).newWorkspace(8, ops);
    assertEquals(most > 1, paper.forwardsBySample(2));
    assertEquals(most > 1, paper.forwardsBySample(most));
    assertFalse(paper.forwardsBySample(most + 1));
    NetworkSpec wide = NetworkSpec.builder(256).hidden(256, 2).head(Head.PAIR)
        .coherence(Coherence.COHERENT).build(); // 66,048 weights, just over the bound
    assertFalse(Network.initialize(wide, 1).newWorkspace(8, ops).forwardsBySample(2));
    if (paper.single != null) {
      assertNull(paper.single.single, "the batch-1 buffers split nothing");
    }
  }

  /**
   * Where the path {@linkplain KernelOps#forwardsPairsByRows forwards pairs by rows} (the vector
   * path with 32 registers), a prediction of two samples has each sample's batch-1 values, from
   * the arrays and, after {@link Network#ROWS_PACK_AFTER} predictions, from the packed rows:
   * each layer's outputs and the predictions, equal as numbers (a zero's sign may differ, see
   * {@code Network.forward}); for the paper network with either head, and a wider one whose
   * layers are several chunks of vectors with a tail (129 and 300 wide, a 2-wide head). Its
   * row lists are then those of the inputs either sample reaches.
   */
  @ParameterizedTest
  @ValueSource(strings = {"scalar", "vector", "vector2t"})
  void twoSamplesPredictedTogetherGetTheirBatchOneValues(String path) {
    KernelOps ops = Paths.get(path);
    assumeTrue(ops.forwardsPairsByRows(), path + " forwards two samples as a GEMM");
    NetworkSpec wider = NetworkSpec.builder(40).hidden(129, 300).head(Head.PAIR)
        .coherence(Coherence.COHERENT).build();
    for (NetworkSpec spec : new NetworkSpec[] {PAPER,
        NetworkSpec.paper(21, Head.LINEAR, Coherence.COHERENT), wider}) {
      Network net = Network.initialize(spec, 5);
      SplittableRandom rnd = new SplittableRandom(5);
      int d = spec.inputWidth();
      float[] x = RandomNets.gaussian(rnd, 2 * d);
      for (int j = 0; j < d; j += 4) {
        x[j] = 0f; // inputs only the second sample reaches, and every other one neither
        x[d + j] = j % 8 == 0 ? 0f : x[d + j];
      }
      Workspace ws = net.newWorkspace(2, ops);
      Workspace one = net.newWorkspace(1, ops);
      for (int round = 0; round < 2; round++) {
        String where = path + ", " + spec + (round == 0 ? ", from the arrays" : ", packed");
        float[] predicted = new float[2];
        net.predict(x, 2, predicted, ws);
        for (int r = 0; r < 2; r++) {
          float[] xr = java.util.Arrays.copyOfRange(x, r * d, (r + 1) * d);
          float[] alone = new float[1];
          net.predict(xr, 1, alone, one);
          assertEquals(alone[0], predicted[r], 0f, where + ", prediction " + r);
          for (int l = 0; l < spec.layers(); l++) {
            int n = spec.width(l);
            for (int j = 0; j < n; j++) {
              assertEquals(one.out[l][j], ws.out[l][r * n + j], 0f,
                  where + ", row " + r + ", output " + j + " of layer " + l);
            }
          }
        }
        assertEquals(d - (d + 7) / 8, ws.rows[0].count(),
            where + ": the inputs either sample reaches");
        for (int i = 2; i <= Network.ROWS_PACK_AFTER; i++) {
          net.predict(x, 2, predicted, ws);
        }
      }
      assertEquals(Runtime.version().feature() >= 22 ? spec.layers() : 0, net.packedRowLayers(),
          spec + ": packed rows");
    }
  }

  private static void assertRow(float[] want, float[] batch, int r, int n, String what) {
    for (int j = 0; j < n; j++) {
      assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(batch[r * n + j]),
          what + ", unit " + j);
    }
  }
}
