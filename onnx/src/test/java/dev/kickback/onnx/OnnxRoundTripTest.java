package dev.kickback.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.io.ModelFile;
import dev.kickback.io.Standardization;
import dev.kickback.testkit.RandomNets;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every export loads in ONNX Runtime and predicts what {@link Network#predict} predicts, within
 * {@link Agreement#RELATIVE} (the two sum in different orders); importing it gives back the
 * network and its standardization bit for bit. Over both heads, both coherences, with and
 * without a standardization, and random depths, widths and unit signs.
 */
class OnnxRoundTripTest {
  static Stream<Arguments> models() {
    Stream.Builder<Arguments> b = Stream.builder();
    long seed = 1;
    for (Head head : Head.values()) {
      for (Coherence coherence : Coherence.values()) {
        for (boolean standardized : new boolean[] {false, true}) {
          for (int depth = 0; depth <= 3; depth++) {
            b.add(Arguments.of(head, coherence, standardized, depth, seed++));
          }
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1} standardized={2} depth={3}")
  @MethodSource("models")
  void onnxRuntimeAgreesAndImportGivesBackTheSameModel(Head head, Coherence coherence,
      boolean standardized, int depth, long seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    NetworkSpec spec = RandomNets.spec(rnd, head, coherence, depth, 40);
    Network net = Network.initialize(spec, seed);
    Standardization std = standardized ? randomStandardization(rnd, spec.inputWidth()) : null;
    byte[] onnx = OnnxExport.encode(net, std);

    int batch = 33;
    float[] raw = RandomNets.gaussian(rnd, batch * spec.inputWidth());
    for (int i = 0; i < raw.length && std != null; i++) {
      raw[i] = (float) (raw[i] * 3 + 10);
    }
    float[] theirs = runOnnx(onnx, raw, batch, spec.inputWidth());
    String why = Agreement.firstDisagreement(net, std, raw, batch, theirs);
    assertTrue(why == null, why);

    ModelFile.Model back = OnnxImport.decode(onnx);
    assertEquals(spec, back.network().spec(), () -> spec.differenceFrom(back.network().spec()));
    for (int l = 0; l < spec.layers(); l++) {
      assertArrayEquals(net.weights(l), back.network().weights(l), "weights " + l);
      assertArrayEquals(net.biases(l), back.network().biases(l), "biases " + l);
    }
    assertEquals(std, back.standardization());
  }

  @Test
  void aSavedExportIsTheEncodedBytes(@TempDir Path dir) throws Exception {
    Network net = Network.initialize(NetworkSpec.paper(21, Head.PAIR, Coherence.FREE), 7);
    Path file = dir.resolve("paper.onnx");
    OnnxExport.save(file, net, null);
    assertArrayEquals(OnnxExport.encode(net, null), Files.readAllBytes(file));
    assertEquals(net.spec(), OnnxImport.load(file).network().spec());
  }

  static Standardization randomStandardization(SplittableRandom rnd, int d) {
    double[] mean = new double[d];
    double[] sd = new double[d];
    for (int i = 0; i < d; i++) {
      mean[i] = 10 + rnd.nextGaussian();
      sd[i] = 0.5 + 3 * rnd.nextDouble();
    }
    return new Standardization(mean, sd, rnd.nextGaussian() * 5, 0.1 + rnd.nextDouble() * 10);
  }

  /** ONNX Runtime's output for {@code x [batch, d]}, one intra-op thread. */
  static float[] runOnnx(byte[] model, float[] x, int batch, int d) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model, options);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
              new long[] {batch, d});
          OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator()
              .next(), in))) {
        float[][] y = (float[][]) result.get(0).getValue();
        float[] flat = new float[batch];
        for (int i = 0; i < batch; i++) {
          assertEquals(1, y[i].length);
          flat[i] = y[i][0];
        }
        return flat;
      }
    }
  }
}
