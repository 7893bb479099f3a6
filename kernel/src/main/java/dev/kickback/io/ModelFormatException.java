package dev.kickback.io;

import java.io.IOException;

/** A model file is not a valid Kickback-J model: the message says what is wrong and where. */
public final class ModelFormatException extends IOException {
  public ModelFormatException(String message) {
    super(message);
  }
}
