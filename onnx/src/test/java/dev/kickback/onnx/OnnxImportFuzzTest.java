package dev.kickback.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the ONNX importer: whatever the bytes, {@link OnnxImport#decode} returns a model or
 * throws {@link OnnxFormatException}; any other exception or error fails. In the test suite this
 * runs the seed corpus in {@code OnnxImportFuzzTestInputs/decode} (small exports and the
 * PyTorch fixtures); with {@code JAZZER_FUZZ=1} it fuzzes (see the README).
 */
class OnnxImportFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void decode(byte[] data) {
    try {
      OnnxImport.decode(data);
    } catch (OnnxFormatException expected) {
      // the one documented failure
    }
  }
}
