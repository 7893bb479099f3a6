package dev.kickback.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.io.ModelFile;
import dev.kickback.onnx.proto.OnnxSubset.AttributeProto;
import dev.kickback.onnx.proto.OnnxSubset.GraphProto;
import dev.kickback.onnx.proto.OnnxSubset.ModelProto;
import dev.kickback.onnx.proto.OnnxSubset.NodeProto;
import dev.kickback.onnx.proto.OnnxSubset.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the importer must refuse, each with one {@link OnnxFormatException} that names the
 * problem. Each starts from a valid export (3 -> 4 -> 2 -> LINEAR, nodes: Gemm, Relu, Gemm,
 * Relu, Gemm) and breaks one thing.
 */
class OnnxRefusalTest {
  static final NetworkSpec SPEC = NetworkSpec.builder(3).hidden(4, 2).head(Head.LINEAR)
      .coherence(Coherence.FREE).build();

  static ModelProto valid() {
    return OnnxExport.model(Network.initialize(SPEC, 3), null);
  }

  static byte[] broken(Consumer<GraphProto.Builder> change) {
    ModelProto.Builder m = valid().toBuilder();
    change.accept(m.getGraphBuilder());
    return m.build().toByteArray();
  }

  static void assertRefused(byte[] bytes, String... fragments) {
    OnnxFormatException e = assertThrows(OnnxFormatException.class,
        () -> OnnxImport.decode(bytes));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "'" + f + "' not in: " + e.getMessage());
    }
    assertTrue(e.getMessage().lines().count() == 1, () -> "not one line: " + e.getMessage());
  }

  @Test
  void theValidStartingPointImports() throws Exception {
    OnnxImport.decode(valid().toByteArray());
  }

  @Test
  void aConvNodeIsNamed() {
    assertRefused(broken(g -> g.getNodeBuilder(2).setOpType("Conv").setName("conv1")),
        "node 2 (Conv 'conv1')", "operator Conv is not supported");
  }

  @Test
  void aSigmoidIsNamed() {
    assertRefused(broken(g -> g.getNodeBuilder(1).setOpType("Sigmoid")),
        "node 1 (Sigmoid", "operator Sigmoid is not supported");
  }

  @Test
  void twoOutputsAreRefused() {
    assertRefused(broken(g -> g.addOutput(g.getOutput(0).toBuilder().setName("y2"))),
        "the graph has 2 outputs");
  }

  @Test
  void aTruncatedFileIsRefused() {
    byte[] whole = valid().toByteArray();
    for (int cut : new int[] {0, 1, 7, whole.length / 3, whole.length / 2, whole.length - 3}) {
      assertThrows(OnnxFormatException.class,
          () -> OnnxImport.decode(Arrays.copyOf(whole, cut)), "cut at " + cut);
    }
    assertRefused(Arrays.copyOf(whole, whole.length - 3), "not a readable ONNX model");
  }

  @Test
  void aTwoGigabyteInitializerClaimIsRefusedBeforeAllocation() {
    // 2^29 floats = 2 GiB claimed; the file holds 48 bytes
    assertRefused(broken(g -> g.getInitializerBuilder(0).clearDims().addDims(1L << 29)
        .addDims(1)), "initializer 'hidden0.weight'", "claims dimensions [536870912, 1]");
    assertRefused(broken(g -> g.getInitializerBuilder(0).setDims(0, 1000)),
        "initializer 'hidden0.weight'", "needs 12000 bytes of raw data but holds 48");
    assertRefused(broken(g -> g.getInitializerBuilder(0).setDims(0, -4)),
        "negative dimension");
  }

  @Test
  void externalDataIsRefused() {
    assertRefused(broken(g -> g.getInitializerBuilder(0).clearRawData()
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)),
        "initializer 'hidden0.weight' keeps its data in an external file");
  }

  @Test
  void deeplyNestedSubgraphsStopAtTheRecursionLimit() throws Exception {
    // graph { node { attribute { g = graph { node { ... } } } } }, 3000 graphs deep, written
    // inside out on the wire: building it with the message classes would overflow the stack
    ByteString g = ByteString.EMPTY;
    for (int i = 0; i < 3000; i++) {
      g = field(1, field(5, field(6, g))); // GraphProto.node, NodeProto.attribute, Attribute.g
    }
    ByteString bomb = g;
    // a second ModelProto.graph field merges into the first, so the parser descends into it
    assertRefused(valid().toByteString().concat(field(7, bomb)).toByteArray(),
        "not a readable ONNX model", "nesting");
  }

  /** A length-delimited field: its tag, the length, the bytes. */
  static ByteString field(int number, ByteString body) throws java.io.IOException {
    ByteString.Output out = ByteString.newOutput(body.size() + 8);
    com.google.protobuf.CodedOutputStream c = com.google.protobuf.CodedOutputStream
        .newInstance(out);
    c.writeBytes(number, body);
    c.flush();
    return out.toByteString();
  }

  @Test
  void aSubgraphAttributeIsRefused() {
    assertRefused(broken(g -> g.getNodeBuilder(0).addAttribute(AttributeProto.newBuilder()
        .setName("body").setG(GraphProto.newBuilder()))), "node 0 (Gemm",
        "attribute 'body' holds a subgraph");
  }

  @Test
  void aBranchIsNotAChain() {
    // the second Gemm reads the graph input instead of the Relu's output
    assertRefused(broken(g -> g.getNodeBuilder(2).setInput(0, OnnxExport.INPUT)),
        "node 2 (Gemm", "only a single chain of layers is supported");
  }

  @Test
  void aWeightOfTheWrongWidthIsNamed() {
    assertRefused(broken(g -> g.getInitializerBuilder(2).setDims(1, 5)
        .setRawData(ByteString.copyFrom(new byte[2 * 5 * 4]))), "node 2 (Gemm",
        "'hidden1.weight' [2, 5] take 5 inputs, but the value before has 4 columns");
  }

  @Test
  void aCastToIntegersIsRefused() {
    assertRefused(broken(g -> g.addNode(1, NodeProto.newBuilder().setOpType("Cast")
        .addInput("hidden0.s").addOutput("c").addAttribute(AttributeProto.newBuilder()
            .setName("to").setI(TensorProto.DataType.INT64_VALUE)))),
        "node 1 (Cast", "only casts between float and double");
  }

  @Test
  void aLastLayerOfManyUnitsWithoutReluIsNotAHead() {
    NetworkSpec pair = NetworkSpec.builder(3).hidden(4).head(Head.PAIR).build();
    ModelProto.Builder m = OnnxExport.model(Network.initialize(pair, 1), null).toBuilder();
    GraphProto.Builder g = m.getGraphBuilder();
    // drop Relu, Split and Sub: the graph ends in the two-unit Gemm
    String gemmOut = g.getNode(2).getOutput(0);
    for (int i = 0; i < 3; i++) {
      g.removeNode(3);
    }
    g.setOutput(0, g.getOutput(0).toBuilder().setName(gemmOut));
    assertRefused(m.build().toByteArray(), "the last layer has 2 units and no Relu");
  }

  @Test
  void aModelFileIsNotOnnx(@TempDir Path dir) throws Exception {
    Path kbk = dir.resolve("m.kbk");
    ModelFile.save(kbk, Network.initialize(SPEC, 1), null);
    OnnxFormatException e = assertThrows(OnnxFormatException.class,
        () -> OnnxImport.load(kbk));
    assertTrue(e.getMessage().startsWith(kbk + ": "), e.getMessage());
  }

  @Test
  void aFolderIsNotAFile(@TempDir Path dir) {
    OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.load(dir));
    assertTrue(e.getMessage().endsWith("not a regular file"), e.getMessage());
  }

  @Test
  void badSignMetadataIsNamed() {
    ModelProto.Builder m = valid().toBuilder();
    for (int i = 0; i < m.getMetadataPropsCount(); i++) {
      if (m.getMetadataProps(i).getKey().equals(OnnxExport.SIGNS_KEY)) {
        m.setMetadataProps(i, m.getMetadataProps(i).toBuilder().setValue("++x+,+-"));
      }
    }
    assertRefused(m.build().toByteArray(), "metadata kickback.signs: 'x' for unit 2 of hidden"
        + " layer 0");
  }

  @Test
  void nonFiniteWeightsAreRefused() {
    byte[] nan = new byte[48];
    java.nio.ByteBuffer.wrap(nan).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(20, Float.NaN);
    assertRefused(broken(g -> g.getInitializerBuilder(0).setRawData(ByteString.copyFrom(nan))),
        "not a valid network", "NaN");
  }

  @Test
  void emptyFileIsRefused(@TempDir Path dir) throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.onnx"));
    OnnxFormatException e = assertThrows(OnnxFormatException.class,
        () -> OnnxImport.load(empty));
    assertTrue(e.getMessage().contains("no IR version"), e.getMessage());
  }
}
