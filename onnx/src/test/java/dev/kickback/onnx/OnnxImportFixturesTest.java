package dev.kickback.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.NetworkSpec;
import dev.kickback.io.ModelFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files the project did not write: a {@code torch.nn.Sequential} of Linear and ReLU layers
 * (5 -> 8 -> 4 -> 1) exported by PyTorch's TorchScript exporter, and the same weights in the
 * layouts of the torch.export-based exporter (see {@code src/test/python/make_fixtures.py}, which
 * wrote them and PyTorch's outputs). Each imports as a LINEAR network with every sign +1 and
 * predicts PyTorch's outputs.
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

    List<String> rows = new String(resource("mlp-expected.csv"), StandardCharsets.US_ASCII)
        .lines().toList();
    float[] x = new float[rows.size() * 5];
    float[] torch = new float[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      String[] cells = rows.get(r).split(",");
      for (int i = 0; i < 5; i++) {
        x[r * 5 + i] = Float.parseFloat(cells[i]);
      }
      torch[r] = Float.parseFloat(cells[5]);
    }
    String why = Agreement.firstDisagreement(model.network(), null, x, rows.size(), torch);
    assertTrue(why == null, why);
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
