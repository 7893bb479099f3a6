package dev.kickback.onnx;

import java.io.IOException;

/**
 * An ONNX file that cannot become a Kickback-J network: not ONNX at all, damaged, or a graph
 * outside what the importer supports. The message names the first problem: the node, attribute,
 * initializer or shape, and what was expected instead.
 */
public final class OnnxFormatException extends IOException {
  public OnnxFormatException(String message) {
    super(message);
  }
}
