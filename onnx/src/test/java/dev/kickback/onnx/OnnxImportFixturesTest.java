package dev.kickback.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.io.ModelFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files the project did not write: a {@code torch.nn.Sequential} of Linear and ReLU layers
 * (5 -> 8 -> 4 -> 1) exported by PyTorch's TorchScript exporter, and the same weights in the
 * layouts of the torch.export-based exporter (see {@code src/test/python/make_fixtures.py}, which
 * wrote them and PyTorch's outputs). Each imports as a LINEAR network with every sign +1 and
 * predicts PyTorch's outputs, and either rule fine-tunes it.
 */
class OnnxImportFixturesTest {

  @ParameterizedTest
  @ValueSource(strings = {"mlp-torchscript.onnx", "mlp-matmul-add.onnx",
      "mlp-matmul-transpose-floatdata.onnx"})
  void importsWhatPyTorchWroteAndPredictsItsOutputs(String file) throws IOException {
    ModelFile.Model model = OnnxImport.decode(resource(file));
    NetworkSpec expected = NetworkSpec.builder(5).hidden(8, 4)
        .signs(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, new int[] {1, 1, 1, 1})
        .head(Head.LINEAR).coherence(Coherence.FREE).build();
    assertEquals(expected, model.network().spec(),
        () -> expected.differenceFrom(model.network().spec()));
    assertNull(model.standardization());

    Samples torch = samples();
    String why = Agreement.firstDisagreement(model.network(), null, torch.x(), torch.rows(),
        torch.y());
    assertTrue(why == null, why);
  }

  /**
   * An imported model is an ordinary network: both rules fine-tune it online towards a shifted
   * target (PyTorch's outputs + 0.5), one sample at a time, and its error falls.
   */
  @ParameterizedTest
  @EnumSource(Rule.class)
  void anImportedModelFineTunesOnline(Rule rule) throws IOException {
    Network net = OnnxImport.decode(resource("mlp-torchscript.onnx")).network();
    Samples torch = samples();
    int n = torch.rows();
    float[] x = torch.x();
    float[] y = torch.y().clone();
    for (int r = 0; r < n; r++) {
      y[r] += 0.5f;
    }
    double before = mse(net.predict(x), y);
    Trainer trainer = new Trainer(net, 1);
    for (int epoch = 0; epoch < 50; epoch++) {
      for (int r = 0; r < n; r++) {
        trainer.step(rule, Arrays.copyOfRange(x, r * 5, r * 5 + 5), new float[] {y[r]}, 1,
            0.01f);
      }
    }
    double after = mse(net.predict(x), y);
    assertTrue(after < 0.2 * before, rule + ": MSE " + before + " -> " + after);
  }

  private static double mse(float[] p, float[] y) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += (p[i] - y[i]) * (p[i] - y[i]);
    }
    return s / y.length;
  }

  /** The inputs {@code [rows][5]} and PyTorch's outputs, from {@code mlp-expected.csv}. */
  record Samples(float[] x, float[] y) {
    int rows() {
      return y.length;
    }
  }

  static Samples samples() throws IOException {
    List<String> lines = new String(resource("mlp-expected.csv"), StandardCharsets.US_ASCII)
        .lines().toList();
    float[] x = new float[lines.size() * 5];
    float[] y = new float[lines.size()];
    for (int r = 0; r < lines.size(); r++) {
      String[] cells = lines.get(r).split(",");
      for (int i = 0; i < 5; i++) {
        x[r * 5 + i] = Float.parseFloat(cells[i]);
      }
      y[r] = Float.parseFloat(cells[5]);
    }
    return new Samples(x, y);
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = OnnxImportFixturesTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }
}
