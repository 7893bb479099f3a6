package dev.kickback.cli.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kickback.cli.data.NumericTable.DataFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzzes the reader: whatever the bytes, {@link NumericTable#parse} returns a table whose shape
 * matches its values or throws {@link DataFormatException}; any other exception or error
 * fails. The same bytes also go through standard input ({@code --data -}), the path a pipe
 * takes. In the test suite this runs the seed corpus in {@code NumericTableFuzzTestInputs}
 * (regression mode); with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class NumericTableFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) throws IOException {
    for (boolean header : new boolean[] {false, true}) {
      check(() -> NumericTable.parse(new ByteArrayInputStream(data), "fuzz", header));
      java.io.InputStream stdin = System.in;
      System.setIn(new ByteArrayInputStream(data));
      try {
        check(() -> NumericTable.read(java.nio.file.Path.of("-"), header));
      } finally {
        System.setIn(stdin);
      }
    }
  }

  private interface Read {
    NumericTable table() throws IOException;
  }

  private static void check(Read read) throws IOException {
    try {
      NumericTable t = read.table();
      if (t.values().length != t.rows() * t.cols() || t.rows() < 1) {
        throw new AssertionError(t.rows() + " x " + t.cols() + " but "
            + t.values().length + " values");
      }
    } catch (DataFormatException expected) {
      // the one documented failure
    }
  }
}
