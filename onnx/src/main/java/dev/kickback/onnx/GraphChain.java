package dev.kickback.onnx;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.io.ModelFile;
import dev.kickback.io.Standardization;
import dev.kickback.onnx.Tensors.Tensor;
import dev.kickback.onnx.proto.OnnxSubset.AttributeProto;
import dev.kickback.onnx.proto.OnnxSubset.GraphProto;
import dev.kickback.onnx.proto.OnnxSubset.NodeProto;
import dev.kickback.onnx.proto.OnnxSubset.TensorProto;
import dev.kickback.onnx.proto.OnnxSubset.TensorShapeProto;
import dev.kickback.onnx.proto.OnnxSubset.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a graph's nodes in order, keeping the one value that flows along the chain from the
 * input to the output, and turns what {@link OnnxImport} accepts (see its class comment) into a
 * network: each node is a constant, or the next link, allowed only where the chain is then
 * ({@link Stage}). The first node that does not fit ends the walk with an
 * {@link OnnxFormatException} naming it.
 */
final class GraphChain {
  /** The metadata {@link OnnxExport} writes: the unit signs and the coherence, if present. */
  record Metadata(String signs, Coherence coherence) {}

  /** Where the walk along the chain is: what the next node may be. */
  private enum Stage {
    /** Before the first layer: a standardization may come. */
    INPUT,
    /** After MatMul: the bias (Add) or a Relu. */
    PRODUCT,
    /** After a layer's affine map: Relu, or the LINEAR head's end. */
    AFFINE,
    /** After Relu: the next layer, or the PAIR head's Split. */
    RECTIFIED,
    /** After the PAIR head's Split: its Sub. */
    SPLIT,
    /** The head is complete: only the target's scale may follow. */
    HEAD
  }

  /** One affine layer as read: weights row-major {@code [out][in]}. */
  private record Layer(int out, int in, float[] weights, float[] biases) {}

  private final GraphProto graph;
  private final Map<String, TensorProto> initializers = new HashMap<>();
  /** Constant values: initializers as read, Constant nodes, transposes of constants. */
  private final Map<String, Tensor> constants = new HashMap<>();
  private final List<Layer> layers = new ArrayList<>();
  /** Where the walk is, and the node it is at (its index in the graph, for messages). */
  private Stage stage = Stage.INPUT;
  /** The value flowing along the chain, and its width. */
  private String current;
  private int width;
  /** The PAIR head's two halves after its Split. */
  private String plus;
  private String minus;
  private Head head;
  private double[] inputMean;
  private double[] inputSd;
  private double targetSd = 1;
  private double targetMean = 0;
  private boolean scaled;
  private boolean shifted;
  private int index;
  private NodeProto node;
  /** Which of the node's inputs is the chain's value ({@link #chainInput}), -1 if none. */
  private int chain;

  GraphChain(GraphProto graph) {
    this.graph = graph;
  }

  ModelFile.Model read(Metadata meta) throws OnnxFormatException {
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    ValueInfoProto input = input();
    ValueInfoProto output = only(graph.getOutputList(), "output");
    current = input.getName();
    width = staticWidth(input, "input");
    for (index = 0; index < graph.getNodeCount(); index++) {
      node = graph.getNode(index);
      step();
    }
    if (stage == Stage.AFFINE) {
      endLinearHead();
    }
    if (!output.getName().equals(current) || stage != Stage.HEAD) {
      throw new OnnxFormatException("the graph's output '" + shorten(output.getName())
          + "' is not the end of a LINEAR head (a one-unit layer without Relu) or of a PAIR"
          + " head (Relu, Split, Sub)" + (layers.isEmpty() ? ": the graph has no layer" : ""));
    }
    checkType(output, "output");
    int outWidth = staticWidth(output, "output");
    if (outWidth > 1) {
      throw new OnnxFormatException("the graph's output has " + outWidth + " columns: only"
          + " scalar outputs are read");
    }
    return build(meta);
  }

  private ValueInfoProto input() throws OnnxFormatException {
    List<ValueInfoProto> inputs = new ArrayList<>();
    for (ValueInfoProto v : graph.getInputList()) {
      if (!initializers.containsKey(v.getName())) { // IR < 4 lists initializers as inputs
        inputs.add(v);
      }
    }
    ValueInfoProto in = only(inputs, "input");
    checkType(in, "input");
    if (staticWidth(in, "input") < 1) {
      throw new OnnxFormatException("the graph's input '" + shorten(in.getName())
          + "' has no static width: its shape must be [batch, d] with d a number");
    }
    return in;
  }

  private static ValueInfoProto only(List<ValueInfoProto> values, String what)
      throws OnnxFormatException {
    if (values.size() != 1) {
      throw new OnnxFormatException("the graph has " + values.size() + " " + what + "s: a"
          + " Kickback-J network has one " + what + " (a [batch, d] float tensor"
          + (what.equals("output") ? ", here [batch, 1]" : "") + ")");
    }
    return values.get(0);
  }

  private static void checkType(ValueInfoProto v, String what) throws OnnxFormatException {
    if (!v.getType().hasTensorType()
        || v.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new OnnxFormatException("the graph's " + what + " '" + shorten(v.getName())
          + "' is not a float32 tensor" + (v.getType().hasTensorType() ? " (element type "
          + Tensors.typeName(v.getType().getTensorType().getElemType()) + ")" : ""));
    }
  }

  /** The second dimension of a [batch, n] value; 0 if unknown. */
  private static int staticWidth(ValueInfoProto v, String what) throws OnnxFormatException {
    TensorShapeProto shape = v.getType().getTensorType().getShape();
    if (!v.getType().getTensorType().hasShape()) {
      return 0;
    }
    if (shape.getDimCount() != 2) {
      throw new OnnxFormatException("the graph's " + what + " '" + shorten(v.getName())
          + "' has " + shape.getDimCount() + " dimensions: expected [batch, width]");
    }
    TensorShapeProto.Dimension d = shape.getDim(1);
    if (!d.hasDimValue()) {
      return 0;
    }
    if (d.getDimValue() < 1 || d.getDimValue() > NetworkSpec.MAX_WIDTH) {
      throw new OnnxFormatException("the graph's " + what + " '" + shorten(v.getName())
          + "' has width " + d.getDimValue() + ": expected 1 to " + NetworkSpec.MAX_WIDTH);
    }
    return (int) d.getDimValue();
  }

  /** Reads one node: a constant, or the next link of the chain. */
  private void step() throws OnnxFormatException {
    if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
      throw refuse("custom operator domain '" + shorten(node.getDomain()) + "' is not"
          + " supported");
    }
    String op = node.getOpType();
    if (op.equals("Constant")) {
      constants.put(output(), constantAttribute());
      return;
    }
    chain = chainInput();
    if (chain < 0) {
      foldConstant(op);
      return;
    }
    switch (op) {
      case "Identity" -> moveTo(output());
      case "Cast" -> cast();
      case "Sub" -> sub();
      case "Div" -> div();
      case "Gemm" -> gemm();
      case "MatMul" -> matMul();
      case "Add" -> add();
      case "Mul" -> mul();
      case "Relu" -> relu();
      case "Split" -> split();
      default -> throw refuse("operator " + op + " is not supported: a Kickback-J network is"
          + " Gemm (or MatMul and Add) and Relu layers, with a LINEAR or PAIR head");
    }
  }

  /** The index among the node's inputs of the chain's value, or -1 if it takes none. */
  private int chainInput() throws OnnxFormatException {
    int found = -1;
    for (int i = 0; i < node.getInputCount(); i++) {
      String in = node.getInput(i);
      if (in.isEmpty() || constants.containsKey(in) || initializers.containsKey(in)) {
        continue;
      }
      boolean onChain = in.equals(current) || (stage == Stage.SPLIT
          && (in.equals(plus) || in.equals(minus)));
      if (!onChain) {
        throw refuse("input '" + shorten(in) + "' is not the value the chain carries here ('"
            + shorten(current) + "'): only a single chain of layers is supported");
      }
      if (found >= 0 && stage != Stage.SPLIT) {
        throw refuse("it takes the chain's value twice");
      }
      found = found < 0 ? i : found;
    }
    return found;
  }

  private void foldConstant(String op) throws OnnxFormatException {
    switch (op) {
      case "Identity" -> constants.put(output(), constant(0, "its input"));
      case "Transpose" -> {
        Tensor t = constant(0, "its input");
        long[] perm = ints("perm", new long[] {1, 0});
        if (t.rank() != 2 || perm.length != 2 || perm[0] != 1 || perm[1] != 0) {
          throw refuse("only the transpose of a matrix (perm [1, 0]) is supported");
        }
        constants.put(output(), transpose(t));
      }
      default -> throw refuse("operator " + op + " on constants is not supported");
    }
  }

  private void cast() throws OnnxFormatException {
    long to = integer("to", -1);
    if (to != TensorProto.DataType.FLOAT_VALUE && to != TensorProto.DataType.DOUBLE_VALUE) {
      throw refuse("Cast to " + Tensors.typeName((int) to) + ": only casts between float and"
          + " double are supported");
    }
    if (stage != Stage.INPUT && stage != Stage.HEAD && stage != Stage.AFFINE) {
      throw refuse("a Cast between layers is not supported");
    }
    if (stage == Stage.AFFINE) {
      endLinearHead();
    }
    moveTo(output());
  }

  private void sub() throws OnnxFormatException {
    if (stage == Stage.SPLIT) {
      if (node.getInputCount() != 2 || !node.getInput(0).equals(plus)
          || !node.getInput(1).equals(minus)) {
        throw refuse("the PAIR head's Sub must take the Split's first output minus its second");
      }
      stage = Stage.HEAD;
      head = Head.PAIR;
      current = output();
      return;
    }
    if (stage != Stage.INPUT || inputMean != null || inputSd != null
        || chain != 0) {
      throw refuse("Sub is supported only as the input standardization's first step"
          + " (x - mean) and in the PAIR head");
    }
    inputMean = vector(1, width, "the input mean");
    moveTo(output());
  }

  private void div() throws OnnxFormatException {
    if (stage != Stage.INPUT || inputSd != null || chain != 0) {
      throw refuse("Div is supported only in the input standardization ((x - mean) / sd)");
    }
    inputSd = vector(1, width, "the input standard deviation");
    moveTo(output());
  }

  private void gemm() throws OnnxFormatException {
    requireLayerStart();
    if (chain != 0) {
      throw refuse("the chain's value must be Gemm's first input (A)");
    }
    if (floatAttr("alpha", 1f) != 1f || floatAttr("beta", 1f) != 1f) {
      throw refuse("alpha and beta must be 1");
    }
    if (integer("transA", 0) != 0) {
      throw refuse("transA must be 0");
    }
    long transB = integer("transB", 0);
    if (transB != 0 && transB != 1) {
      throw refuse("transB = " + transB + ": must be 0 or 1");
    }
    Tensor w = constant(1, "its weight input B");
    if (transB == 0) {
      w = transpose(checkMatrix(w));
    }
    float[] weights = weights(checkMatrix(w));
    int out = (int) w.dims()[0];
    float[] biases = node.getInputCount() > 2 && !node.getInput(2).isEmpty()
        ? toFloats(biasVector(2, out)) : new float[out];
    addLayer(out, weights, biases);
    stage = Stage.AFFINE;
  }

  private void matMul() throws OnnxFormatException {
    requireLayerStart();
    if (chain != 0) {
      throw refuse("the chain's value must be MatMul's first input");
    }
    Tensor w = transpose(checkMatrix(constant(1, "its weight input")));
    addLayer((int) w.dims()[0], weights(w), new float[(int) w.dims()[0]]);
    stage = Stage.PRODUCT;
  }

  private void add() throws OnnxFormatException {
    int other = 1 - chain;
    if (node.getInputCount() != 2) {
      throw refuse("Add must have two inputs");
    }
    if (stage == Stage.PRODUCT) {
      Layer last = layers.get(layers.size() - 1);
      System.arraycopy(toFloats(biasVector(other, last.out())), 0, last.biases(), 0, last.out());
      stage = Stage.AFFINE;
    } else if (stage == Stage.AFFINE || stage == Stage.HEAD) {
      if (stage == Stage.AFFINE) {
        endLinearHead();
      }
      if (shifted) {
        throw refuse("a second Add after the head is not supported");
      }
      targetMean = scalar(other, "the target mean");
      shifted = true;
    } else {
      throw refuse("Add is supported only as a layer's bias after MatMul and as the target's"
          + " mean after the head");
    }
    moveTo(output());
  }

  private void mul() throws OnnxFormatException {
    if (stage == Stage.AFFINE) {
      endLinearHead();
    }
    if (stage != Stage.HEAD || scaled || shifted) {
      throw refuse("Mul is supported only as the target's scale right after the head");
    }
    targetSd = scalar(1 - chain, "the target standard deviation");
    if (!(targetSd > 0)) {
      throw refuse("the target standard deviation is " + targetSd + ": must be > 0");
    }
    scaled = true;
    moveTo(output());
  }

  private void relu() throws OnnxFormatException {
    if (stage != Stage.AFFINE && stage != Stage.PRODUCT) {
      throw refuse("Relu must follow a layer (Gemm, or MatMul and Add)");
    }
    stage = Stage.RECTIFIED;
    moveTo(output());
  }

  private void split() throws OnnxFormatException {
    if (stage != Stage.RECTIFIED || width != 2) {
      throw refuse("Split is supported only in a PAIR head: after the Relu of a two-unit"
          + " last layer");
    }
    long axis = integer("axis", 0);
    if (axis != 1 && axis != -1) {
      throw refuse("the PAIR head splits on axis 1, not " + axis);
    }
    if (node.getOutputCount() != 2) {
      throw refuse("the PAIR head's Split must have two outputs");
    }
    long[] parts = node.getInputCount() > 1 && !node.getInput(1).isEmpty()
        ? toLongs(constant(1, "its split sizes")) : ints("split", new long[] {1, 1});
    if (parts.length != 2 || parts[0] != 1 || parts[1] != 1) {
      throw refuse("the PAIR head's Split must make two columns");
    }
    plus = node.getOutput(0);
    minus = node.getOutput(1);
    stage = Stage.SPLIT;
  }

  private void requireLayerStart() throws OnnxFormatException {
    if (stage != Stage.INPUT && stage != Stage.RECTIFIED) {
      throw refuse(stage == Stage.AFFINE || stage == Stage.PRODUCT
          ? "two layers without a Relu between them are not supported"
          : "a layer after the head is not supported");
    }
    if (stage == Stage.INPUT && inputMean != null && inputSd == null) {
      throw refuse("the input standardization subtracts a mean but divides by no standard"
          + " deviation");
    }
  }

  private void addLayer(int out, float[] weights, float[] biases) throws OnnxFormatException {
    if (out < 1 || out > NetworkSpec.MAX_WIDTH) {
      throw refuse("a layer of " + out + " units: expected 1 to " + NetworkSpec.MAX_WIDTH);
    }
    if (layers.size() > NetworkSpec.MAX_HIDDEN_LAYERS) {
      throw refuse("more than " + NetworkSpec.MAX_HIDDEN_LAYERS + " hidden layers");
    }
    layers.add(new Layer(out, width, weights, biases));
    moveTo(output());
    width = out;
  }

  private void endLinearHead() throws OnnxFormatException {
    if (width != 1) {
      throw refuse("the last layer has " + width + " units and no Relu: a LINEAR head has one"
          + " unit (a PAIR head two, with Relu, Split and Sub)");
    }
    head = Head.LINEAR;
    stage = Stage.HEAD;
  }

  private void moveTo(String value) {
    current = value;
  }

  private String output() throws OnnxFormatException {
    if (node.getOutputCount() != 1 || node.getOutput(0).isEmpty()) {
      throw refuse("expected one output, found " + node.getOutputCount());
    }
    return node.getOutput(0);
  }

  /** The checked float32 weights of a matrix already laid out [out][in]. */
  private float[] weights(Tensor w) throws OnnxFormatException {
    if (w.type() != TensorProto.DataType.FLOAT_VALUE) {
      throw refuse("the weights '" + shorten(w.name()) + "' are "
          + Tensors.typeName(w.type()) + ": only float32 weights are read");
    }
    if (w.dims()[1] != width) {
      throw refuse("the weights '" + shorten(w.name()) + "' " + w.shape() + " take "
          + w.dims()[1] + " inputs, but the value before has " + width + " columns");
    }
    return toFloats(w);
  }

  private Tensor checkMatrix(Tensor w) throws OnnxFormatException {
    if (w.rank() != 2) {
      throw refuse("the weights '" + shorten(w.name()) + "' have shape " + w.shape()
          + ": expected a matrix");
    }
    return w;
  }

  /** A bias: {@code [n]}, {@code [1, n]}, or one value broadcast. */
  private double[] biasVector(int input, int n) throws OnnxFormatException {
    Tensor b = constant(input, "its bias");
    if (b.type() != TensorProto.DataType.FLOAT_VALUE) {
      throw refuse("the bias '" + shorten(b.name()) + "' is " + Tensors.typeName(b.type())
          + ": only float32 biases are read");
    }
    return broadcast(b, n, "the bias");
  }

  /** A vector of n along the last axis ({@code [n]}, {@code [1, n]}, or one value). */
  private double[] vector(int input, int n, String what) throws OnnxFormatException {
    return broadcast(constant(input, what), n, what);
  }

  private double[] broadcast(Tensor t, int n, String what) throws OnnxFormatException {
    boolean row = t.rank() == 1 || (t.rank() == 2 && t.dims()[0] == 1);
    if (t.elements() == 1 && t.rank() <= 2) {
      double[] v = new double[n];
      java.util.Arrays.fill(v, t.values()[0]);
      return v;
    }
    if (!row || t.elements() != n) {
      throw refuse(what + " '" + shorten(t.name()) + "' has shape " + t.shape()
          + ": expected [" + n + "] or [1, " + n + "]");
    }
    return t.values();
  }

  private double scalar(int input, String what) throws OnnxFormatException {
    Tensor t = constant(input, what);
    if (t.elements() != 1) {
      throw refuse(what + " '" + shorten(t.name()) + "' has shape " + t.shape()
          + ": expected one value");
    }
    return t.values()[0];
  }

  private Tensor constant(int input, String what) throws OnnxFormatException {
    if (input < 0 || input >= node.getInputCount() || node.getInput(input).isEmpty()) {
      throw refuse(what + " is missing");
    }
    String name = node.getInput(input);
    Tensor t = constants.get(name);
    if (t == null) {
      TensorProto p = initializers.get(name);
      if (p == null) {
        throw refuse(what + " '" + shorten(name) + "' is not a constant");
      }
      t = Tensors.read(p, "initializer '" + shorten(name) + "'");
      constants.put(name, t);
    }
    return t;
  }

  private Tensor constantAttribute() throws OnnxFormatException {
    if (node.getAttributeCount() != 1 || !node.getAttribute(0).getName().equals("value")
        || !node.getAttribute(0).hasT()) {
      throw refuse("only Constant nodes with a 'value' tensor are supported");
    }
    return Tensors.read(node.getAttribute(0).getT(), "the value of Constant '"
        + shorten(node.getName()) + "'");
  }

  private AttributeProto attribute(String name) throws OnnxFormatException {
    AttributeProto found = null;
    for (AttributeProto a : node.getAttributeList()) {
      if (a.hasG() || a.getGraphsCount() > 0) {
        throw refuse("attribute '" + shorten(a.getName()) + "' holds a subgraph: not"
            + " supported");
      }
      if (a.getName().equals(name)) {
        found = a;
      }
    }
    return found;
  }

  private long integer(String name, long dflt) throws OnnxFormatException {
    AttributeProto a = attribute(name);
    return a == null ? dflt : a.getI();
  }

  private float floatAttr(String name, float dflt) throws OnnxFormatException {
    AttributeProto a = attribute(name);
    return a == null ? dflt : a.getF();
  }

  private long[] ints(String name, long[] dflt) throws OnnxFormatException {
    AttributeProto a = attribute(name);
    if (a == null) {
      return dflt;
    }
    long[] v = new long[a.getIntsCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.getInts(i);
    }
    return v;
  }

  private OnnxFormatException refuse(String why) {
    return new OnnxFormatException("node " + index + " (" + shorten(node.getOpType())
        + (node.getName().isEmpty() ? "" : " '" + shorten(node.getName()) + "'") + "): "
        + why);
  }

  private ModelFile.Model build(Metadata meta) throws OnnxFormatException {
    int hidden = layers.size() - 1;
    int[] widths = new int[hidden];
    for (int l = 0; l < hidden; l++) {
      widths[l] = layers.get(l).out();
    }
    int[][] signs = signs(meta.signs(), widths);
    float[][] w = new float[layers.size()][];
    float[][] b = new float[layers.size()][];
    for (int l = 0; l < layers.size(); l++) {
      Layer layer = layers.get(l);
      w[l] = layer.weights();
      b[l] = layer.biases();
      if (l > 0) {
        unfold(w[l], layer.out(), layer.in(), signs[l - 1]);
      }
    }
    try {
      NetworkSpec spec = NetworkSpec.builder(layers.get(0).in()).hidden(widths).signs(signs)
          .head(head).coherence(meta.coherence()).build();
      Network net = Network.of(spec, w, b);
      Standardization std = null;
      if (inputMean != null || inputSd != null || scaled || shifted) {
        int d = spec.inputWidth();
        std = new Standardization(inputMean == null ? new double[d] : inputMean,
            inputSd == null ? ones(d) : inputSd, targetMean, targetSd);
      }
      return new ModelFile.Model(net, std);
    } catch (IllegalArgumentException e) {
      throw new OnnxFormatException("the graph is not a valid network: " + e.getMessage());
    }
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  /** The signs in the metadata, or all +1 without it. */
  private static int[][] signs(String text, int[] widths) throws OnnxFormatException {
    int[][] signs = new int[widths.length][];
    String[] parts = text == null ? null : text.split(",", -1);
    if (parts != null && !(widths.length == 0 && text.isEmpty())
        && parts.length != widths.length) {
      throw new OnnxFormatException("metadata " + OnnxExport.SIGNS_KEY + " has signs for "
          + parts.length + " hidden layers; the graph has " + widths.length);
    }
    for (int l = 0; l < widths.length; l++) {
      signs[l] = new int[widths[l]];
      if (parts == null) {
        java.util.Arrays.fill(signs[l], 1);
        continue;
      }
      if (parts[l].length() != widths[l]) {
        throw new OnnxFormatException("metadata " + OnnxExport.SIGNS_KEY + " has "
            + parts[l].length() + " signs for hidden layer " + l + " of " + widths[l]
            + " units");
      }
      for (int j = 0; j < widths[l]; j++) {
        char c = parts[l].charAt(j);
        if (c != '+' && c != '-') {
          throw new OnnxFormatException("metadata " + OnnxExport.SIGNS_KEY + ": '" + c
              + "' for unit " + j + " of hidden layer " + l + " (expected + or -)");
        }
        signs[l][j] = c == '+' ? 1 : -1;
      }
    }
    return signs;
  }

  /** Undoes {@link OnnxExport}'s folding: {@code W[k][j] = W'[k][j] nu_j}. */
  private static void unfold(float[] w, int out, int in, int[] signs) {
    for (int k = 0; k < out; k++) {
      for (int j = 0; j < in; j++) {
        if (signs[j] < 0) {
          w[k * in + j] = -w[k * in + j];
        }
      }
    }
  }

  private static Tensor transpose(Tensor t) {
    int rows = (int) t.dims()[0];
    int cols = (int) t.dims()[1];
    double[] v = new double[t.values().length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        v[c * rows + r] = t.values()[r * cols + c];
      }
    }
    return new Tensor(t.name(), new long[] {cols, rows}, t.type(), v);
  }

  private static float[] toFloats(Tensor t) {
    return toFloats(t.values());
  }

  private static float[] toFloats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private static long[] toLongs(Tensor t) {
    long[] v = new long[t.values().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (long) t.values()[i];
    }
    return v;
  }

  static String shorten(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
