package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Workspace#activeUnits} after a prediction counts the units whose pre-activation is
 * positive: the nonzero entries of the masks a training step's forward pass writes for the same
 * batch (a prediction need not write masks), every unit of a LINEAR head; at batch 1 and at
 * batches the fused rectifying GEMM serves, with and without its leftover rows.
 */
class ActiveUnitsTest {
  @ParameterizedTest(name = "{0} {1} batch {2}")
  @CsvSource({"scalar, PAIR, 1", "scalar, PAIR, 13", "vector, PAIR, 1", "vector, PAIR, 8",
      "vector, PAIR, 13", "vector, LINEAR, 16", "scalar, LINEAR, 3"})
  void activeUnitsAreTheTrainingMasksNonzeroEntries(String path, Head head, int batch) {
    KernelOps ops = Paths.get(path);
    NetworkSpec spec = NetworkSpec.builder(21).hidden(200, 100, 10).head(head)
        .coherence(Coherence.COHERENT).build();
    Network net = Network.initialize(spec, 5);
    float[] x = RandomNets.gaussian(new SplittableRandom(batch), batch * 21);
    Workspace predicted = net.newWorkspace(batch, ops);
    net.predict(x, batch, new float[batch], predicted);
    Workspace trained = net.newWorkspace(batch, ops);
    net.forward(ops, x, batch, trained);
    int someInactive = 0;
    for (int l = 0; l < spec.layers(); l++) {
      int n = spec.width(l);
      for (int r = 0; r < batch; r++) {
        int want = 0;
        for (int j = r * n; j < (r + 1) * n; j++) {
          want += trained.mask[l][j] != 0f ? 1 : 0;
        }
        assertEquals(want, predicted.activeUnits(l, r), "layer " + l + " row " + r);
        someInactive += want < n ? 1 : 0;
      }
    }
    assertTrue(someInactive > 0, "the check needs inactive units");
  }
}
