package dev.kickback.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kickback.api.Coherence;
import dev.kickback.io.ModelFile;
import dev.kickback.onnx.proto.OnnxSubset.ModelProto;
import dev.kickback.onnx.proto.OnnxSubset.OperatorSetIdProto;
import dev.kickback.onnx.proto.OnnxSubset.StringStringEntryProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads an ONNX model into a Kickback-J network: plain ReLU multilayer perceptrons with one
 * output, as PyTorch's exporters write them, and everything {@link OnnxExport} writes.
 *
 * <p>The graph must be one chain from its input to its output:
 *
 * <ol>
 *   <li>optionally a standardization: {@code Cast} to double or float, {@code Sub} of a mean
 *       vector, {@code Div} by a positive standard deviation vector, {@code Cast} back;
 *   <li>layers: {@code Gemm(h, W, b)} with alpha = beta = 1, no transA, W {@code [out, in]} with
 *       transB = 1 or {@code [in, out]} without; or {@code MatMul(h, W)} with W {@code [in, out]}
 *       (a constant, or a {@code Transpose} of one) then {@code Add} of the bias; each hidden layer
 *       followed by {@code Relu};
 *   <li>the head: a last layer of one unit without Relu (LINEAR), or of two units followed by
 *       {@code Relu}, {@code Split} on axis 1 and {@code Sub} of the second from the first (PAIR);
 *   <li>optionally the target's scale: {@code Mul} by a scalar, {@code Add} of a scalar, with Casts.
 * </ol>
 *
 * {@code Identity} and {@code Constant} nodes may appear anywhere. Weights are float32.
 *
 * <p>A file without Kickback-J metadata becomes a network with every unit sign +1 and FREE
 * coherence. With the metadata {@link OnnxExport} writes, the signs folded into the weights are
 * unfolded, so an export comes back bit for bit. Since {@code nu^2 = 1}, any sign vector gives the
 * network the graph computes.
 *
 * <p>The file is untrusted: its size is checked before it is read, protobuf nesting is limited,
 * every tensor's claimed size is checked against the bytes it holds before allocation, and data
 * in external files is refused. Every problem is one {@link OnnxFormatException} naming the first
 * node, attribute, tensor or shape that does not fit.
 */
public final class OnnxImport {
  /** Larger files are refused before reading: protobuf's limit of 2 GiB. */
  public static final long MAX_FILE = Integer.MAX_VALUE - 8;
  /** Deeper nesting of messages is refused (a model needs 7; subgraphs are not supported). */
  static final int RECURSION_LIMIT = 32;
  /** More nodes are refused: 64 hidden layers need under 400. */
  static final int MAX_NODES = 10_000;

  private OnnxImport() {}

  /**
   * Loads an ONNX file; refused at once if it is not a regular file or larger than
   * {@link #MAX_FILE}.
   *
   * @throws OnnxFormatException naming what does not fit, prefixed by the path
   * @throws IOException if the file cannot be read
   */
  public static ModelFile.Model load(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such ONNX file");
    }
    if (!Files.isRegularFile(path)) {
      throw new OnnxFormatException(path + ": not a regular file");
    }
    long size = Files.size(path);
    if (size > MAX_FILE) {
      throw new OnnxFormatException(path + ": " + size + " bytes is larger than an ONNX file"
          + " with its data inside can be (2 GiB)");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes((int) size);
    }
    try {
      return decode(bytes);
    } catch (OnnxFormatException e) {
      throw new OnnxFormatException(path + ": " + e.getMessage());
    }
  }

  /**
   * Decodes an ONNX model's bytes; see the class comment for what is accepted.
   *
   * @throws OnnxFormatException naming the first thing that does not fit
   */
  public static ModelFile.Model decode(byte[] bytes) throws OnnxFormatException {
    Objects.requireNonNull(bytes, "bytes");
    ModelProto model;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setRecursionLimit(RECURSION_LIMIT);
      model = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxFormatException("not a readable ONNX model: " + e.getMessage());
    } catch (IOException e) {
      throw new OnnxFormatException("not a readable ONNX model: " + e);
    }
    checkModel(model);
    return new GraphChain(model.getGraph()).read(metadata(model));
  }

  private static void checkModel(ModelProto m) throws OnnxFormatException {
    if (!m.hasIrVersion() || m.getIrVersion() < 3) {
      throw new OnnxFormatException("not an ONNX model: " + (m.hasIrVersion()
          ? "IR version " + m.getIrVersion() + " (3 or later is read)" : "no IR version"));
    }
    if (!m.hasGraph()) {
      throw new OnnxFormatException("the ONNX model has no graph");
    }
    long opset = -1;
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = o.getVersion();
      }
    }
    if (opset < 9) {
      throw new OnnxFormatException(opset < 0 ? "the model imports no default-domain opset"
          : "opset " + opset + " is older than the oldest read, 9");
    }
    if (m.getGraph().getNodeCount() > MAX_NODES) {
      throw new OnnxFormatException("the graph has " + m.getGraph().getNodeCount()
          + " nodes; at most " + MAX_NODES + " are read");
    }
  }

  private static GraphChain.Metadata metadata(ModelProto m) throws OnnxFormatException {
    String signs = null;
    Coherence coherence = Coherence.FREE;
    for (StringStringEntryProto e : m.getMetadataPropsList()) {
      if (e.getKey().equals(OnnxExport.SIGNS_KEY)) {
        signs = e.getValue();
      } else if (e.getKey().equals(OnnxExport.COHERENCE_KEY)) {
        try {
          coherence = Coherence.valueOf(e.getValue());
        } catch (IllegalArgumentException ex) {
          throw new OnnxFormatException("metadata " + OnnxExport.COHERENCE_KEY + " = '"
              + GraphChain.shorten(e.getValue()) + "': expected FREE or COHERENT");
        }
      }
    }
    return new GraphChain.Metadata(signs, coherence);
  }
}
