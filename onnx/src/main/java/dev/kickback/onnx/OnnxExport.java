package dev.kickback.onnx;

import com.google.protobuf.ByteString;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.io.ModelFile;
import dev.kickback.io.Standardization;
import dev.kickback.onnx.proto.OnnxSubset.AttributeProto;
import dev.kickback.onnx.proto.OnnxSubset.GraphProto;
import dev.kickback.onnx.proto.OnnxSubset.ModelProto;
import dev.kickback.onnx.proto.OnnxSubset.NodeProto;
import dev.kickback.onnx.proto.OnnxSubset.OperatorSetIdProto;
import dev.kickback.onnx.proto.OnnxSubset.StringStringEntryProto;
import dev.kickback.onnx.proto.OnnxSubset.TensorProto;
import dev.kickback.onnx.proto.OnnxSubset.TensorShapeProto;
import dev.kickback.onnx.proto.OnnxSubset.TypeProto;
import dev.kickback.onnx.proto.OnnxSubset.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a Kickback-J model as an ONNX model (IR version {@value #IR_VERSION}, opset
 * {@value #OPSET}) that computes what {@link Network#predict} computes:
 *
 * <pre>
 * x [batch, d] float32
 *   (with a standardization) Cast to double, Sub input_mean [d], Div input_sd [d], Cast to float
 *   per hidden layer l:  Gemm(h, W_l, b_l, transB=1) -&gt; Relu
 *   LINEAR head:         Gemm -&gt; [batch, 1]
 *   PAIR head:           Gemm -&gt; [batch, 2] -&gt; Relu -&gt; Split -&gt; Sub   (relu(s0) - relu(s1))
 *   (with a standardization) Cast to double, Mul target_sd, Add target_mean, Cast to float
 * y [batch, 1] float32
 * </pre>
 *
 * <p>A hidden unit's output is {@code nu_j relu(s_j)}; the sign is folded into the next layer's
 * weights ({@code W'[k][j] = W[k][j] nu_j}), which is exact because multiplying by +-1 only flips
 * a sign bit. The signs and the coherence go into the metadata properties
 * ({@value #SIGNS_KEY}, {@value #COHERENCE_KEY}), so that {@link OnnxImport} unfolds them and
 * gives back the same network bit for bit. The standardization runs in double, as
 * {@link Standardization} does, so an ONNX runtime sees the inputs the kernel sees.
 */
public final class OnnxExport {
  /** The ONNX IR version written: 8, which ONNX Runtime 1.14 and later load. */
  public static final int IR_VERSION = 8;
  /** The default-domain opset written. */
  public static final int OPSET = 17;
  /** Metadata key: the unit signs, one string of '+' and '-' per hidden layer, comma-separated. */
  public static final String SIGNS_KEY = "kickback.signs";
  /** Metadata key: FREE or COHERENT. */
  public static final String COHERENCE_KEY = "kickback.coherence";
  /** Metadata key: the spec in words ({@link NetworkSpec#toString()}), for people. */
  public static final String SPEC_KEY = "kickback.spec";
  /** The graph's input name. */
  public static final String INPUT = "x";
  /** The graph's output name. */
  public static final String OUTPUT = "y";

  private OnnxExport() {}

  /**
   * Saves {@code net} (and {@code std}, which may be null) as an ONNX file at {@code path},
   * atomically as {@link ModelFile#save} does.
   *
   * @throws IOException if the file cannot be written
   */
  public static void save(Path path, Network net, Standardization std) throws IOException {
    ModelFile.writeAtomically(path, encode(net, std));
  }

  /** The ONNX model's bytes; {@code std} may be null. */
  public static byte[] encode(Network net, Standardization std) {
    return model(net, std).toByteArray();
  }

  static ModelProto model(Network net, Standardization std) {
    Objects.requireNonNull(net, "net");
    NetworkSpec spec = net.spec();
    if (std != null && std.width() != spec.inputWidth()) {
      throw new IllegalArgumentException("standardization for " + std.width()
          + " inputs, network takes " + spec.inputWidth());
    }
    Graph g = new Graph();
    String h = INPUT;
    if (std != null) {
      h = g.node("Cast", "x_f64", attr("to", TensorProto.DataType.DOUBLE_VALUE), h);
      h = g.node("Sub", "x_centred", h, g.doubles("input_mean", std.inputMean(), spec.inputWidth()));
      h = g.node("Div", "x_standardized_f64", h, g.doubles("input_sd", std.inputSd(),
          spec.inputWidth()));
      h = g.node("Cast", "x_standardized", attr("to", TensorProto.DataType.FLOAT_VALUE), h);
    }
    for (int l = 0; l < spec.layers(); l++) {
      float[] w = net.weights(l);
      if (l > 0) {
        foldSigns(spec, l, w);
      }
      String name = l < spec.hiddenLayers() ? "hidden" + l : "head";
      String wName = g.floats(name + ".weight", w, spec.width(l), spec.fanIn(l));
      String bName = g.floats(name + ".bias", net.biases(l), spec.width(l));
      h = g.node("Gemm", name + ".s", attr("transB", 1), h, wName, bName);
      if (l < spec.hiddenLayers() || spec.head() == Head.PAIR) {
        h = g.node("Relu", name + ".relu", h);
      }
    }
    String y = std == null ? OUTPUT : "y_standardized";
    if (spec.head() == Head.PAIR) {
      NodeProto split = NodeProto.newBuilder().setOpType("Split").setName("head.split")
          .addInput(h).addOutput("head.plus").addOutput("head.minus")
          .addAttribute(attr("axis", 1)).build();
      g.graph.addNode(split);
      g.graph.addNode(NodeProto.newBuilder().setOpType("Sub").setName("head.difference")
          .addInput("head.plus").addInput("head.minus").addOutput(y));
    } else {
      g.rename(h, y);
    }
    if (std != null) {
      h = g.node("Cast", "y_f64", attr("to", TensorProto.DataType.DOUBLE_VALUE), y);
      h = g.node("Mul", "y_scaled", h, g.doubles("target_sd", new double[] {std.targetSd()}, 0));
      h = g.node("Add", "y_f64_out", h, g.doubles("target_mean", new double[] {std.targetMean()},
          0));
      g.graph.addNode(NodeProto.newBuilder().setOpType("Cast").setName(OUTPUT).addInput(h)
          .addOutput(OUTPUT).addAttribute(attr("to", TensorProto.DataType.FLOAT_VALUE)));
    }
    g.graph.setName("kickback").addInput(value(INPUT, spec.inputWidth()))
        .addOutput(value(OUTPUT, 1));
    return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("Kickback-J")
        .setProducerVersion(version()).setModelVersion(1)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .addMetadataProps(entry(SPEC_KEY, spec.toString()))
        .addMetadataProps(entry(COHERENCE_KEY, spec.coherence().name()))
        .addMetadataProps(entry(SIGNS_KEY, signs(spec)))
        .setGraph(g.graph).build();
  }

  /** {@code W'[k][j] = W[k][j] nu_j} for the units j of the hidden layer below {@code l}. */
  private static void foldSigns(NetworkSpec spec, int l, float[] w) {
    int in = spec.fanIn(l);
    for (int k = 0; k < spec.width(l); k++) {
      for (int j = 0; j < in; j++) {
        if (spec.sign(l - 1, j) < 0) {
          w[k * in + j] = -w[k * in + j];
        }
      }
    }
  }

  static String signs(NetworkSpec spec) {
    StringBuilder sb = new StringBuilder();
    for (int l = 0; l < spec.hiddenLayers(); l++) {
      if (l > 0) {
        sb.append(',');
      }
      for (int j = 0; j < spec.width(l); j++) {
        sb.append(spec.sign(l, j) > 0 ? '+' : '-');
      }
    }
    return sb.toString();
  }

  private static String version() {
    Package p = OnnxExport.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "development build" : v;
  }

  private static ValueInfoProto value(String name, int width) {
    TensorShapeProto shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width)).build();
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }

  private static AttributeProto attr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(value).build();
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  /** The graph being written: nodes in order, initializers with little-endian raw data. */
  private static final class Graph {
    final GraphProto.Builder graph = GraphProto.newBuilder();

    /** Adds a node of one output named {@code out}; returns {@code out}. */
    String node(String op, String out, String... inputs) {
      return node(op, out, null, inputs);
    }

    String node(String op, String out, AttributeProto attribute, String... inputs) {
      NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
      for (String in : inputs) {
        n.addInput(in);
      }
      if (attribute != null) {
        n.addAttribute(attribute);
      }
      graph.addNode(n);
      return out;
    }

    /** Renames the output of the last node (the LINEAR head's Gemm writes the graph output). */
    void rename(String from, String to) {
      NodeProto.Builder last = graph.getNodeBuilder(graph.getNodeCount() - 1);
      if (!last.getOutput(0).equals(from)) {
        throw new IllegalStateException(from + " is not the last node's output");
      }
      last.setOutput(0, to);
    }

    /** A float initializer of {@code dims} from the first elements of {@code values}. */
    String floats(String name, float[] values, int... dims) {
      int n = 1;
      for (int d : dims) {
        n *= d;
      }
      ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(values, 0, n);
      return initializer(name, TensorProto.DataType.FLOAT_VALUE, b, dims);
    }

    /** A double initializer: a vector of {@code width}, or a scalar when {@code width == 0}. */
    String doubles(String name, double[] values, int width) {
      ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asDoubleBuffer().put(values);
      return width == 0 ? initializer(name, TensorProto.DataType.DOUBLE_VALUE, b)
          : initializer(name, TensorProto.DataType.DOUBLE_VALUE, b, width);
    }

    private String initializer(String name, int type, ByteBuffer data, int... dims) {
      TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type)
          .setRawData(ByteString.copyFrom(data.array()));
      for (int d : dims) {
        t.addDims(d);
      }
      graph.addInitializer(t);
      return name;
    }
  }
}
