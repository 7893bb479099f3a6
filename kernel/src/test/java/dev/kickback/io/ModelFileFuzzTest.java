package dev.kickback.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the model loader: whatever the bytes, {@link ModelFile#decode} returns a model or
 * throws {@link ModelFormatException}; any other exception or error fails. In the test suite
 * this runs the seed corpus in {@code ModelFileFuzzTestInputs/decode} (regression mode); with
 * {@code JAZZER_FUZZ=1} it fuzzes (see the README).
 */
class ModelFileFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void decode(byte[] data) {
    try {
      ModelFile.decode(data);
    } catch (ModelFormatException expected) {
      // the one documented failure
    }
  }

  /**
   * The same with a correct checksum appended, so that mutations get past the CRC and reach
   * the structural checks (sizes, codes, values) behind it.
   */
  @FuzzTest(maxDuration = "30s")
  void decodeWithValidChecksum(byte[] body) {
    byte[] data = java.util.Arrays.copyOf(body, body.length + 4);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(body.length, (int) crc.getValue());
    decode(data);
  }
}
