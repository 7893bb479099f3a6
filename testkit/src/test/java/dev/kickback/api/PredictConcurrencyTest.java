package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kickback.testkit.RandomNets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads predicting on one network, each with its own workspace, get bitwise the same
 * answers as one thread. The single-threaded answers are taken first, from cold (interpreted)
 * code on a copy, the threaded ones once compiled: the kernels' results must not depend on the
 * JIT tier. On the network whose 256 -> 512 layer the vector path packs for predictions of 2 or
 * more samples, the threads race to pack the fresh network's weights, each making a whole copy,
 * and none may read one half-made; on both networks so they do for the rows of predictions of
 * one sample (vector path, Java 22 and later).
 */
class PredictConcurrencyTest {

  @ParameterizedTest
  @ValueSource(strings = {"paper", "packing"})
  void concurrentPredictionsEqualSingleThreadedOnes(String shape) throws Exception {
    NetworkSpec spec = shape.equals("paper") ? NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT)
        : NetworkSpec.builder(256).hidden(512, 9).head(Head.PAIR)
            .coherence(Coherence.COHERENT).build();
    int d = spec.inputWidth();
    Network net = Network.initialize(spec, 12);
    Network cold = net.copy();
    SplittableRandom rnd = new SplittableRandom(12);
    int batches = 64;
    float[][] xs = new float[batches][];
    float[][] want = new float[batches][];
    for (int i = 0; i < batches; i++) {
      int batch = 1 + i % 9;
      xs[i] = RandomNets.gaussian(rnd, batch * d);
    }
    for (int i = 0; i < batches; i++) {
      want[i] = cold.predict(xs[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          Workspace ws = net.newWorkspace(9);
          float[][] got = new float[batches][];
          for (int round = 0; round < 50; round++) {
            for (int i = 0; i < batches; i++) {
              float[] out = new float[xs[i].length / d];
              net.predict(xs[i], out.length, out, ws);
              got[i] = out;
            }
          }
          return got;
        }));
      }
      for (Future<float[][]> f : results) {
        float[][] got = f.get();
        for (int i = 0; i < batches; i++) {
          assertArrayEquals(want[i], got[i], 0f, "batch " + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
