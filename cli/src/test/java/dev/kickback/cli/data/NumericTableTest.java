package dev.kickback.cli.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kickback.cli.data.NumericTable.DataFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader: separators, header, BOM, line ends, plain decimals, and what it refuses. */
class NumericTableTest {
  private static NumericTable parse(String text) throws IOException {
    return parse(text.getBytes(StandardCharsets.UTF_8), false);
  }

  private static NumericTable parse(byte[] bytes, boolean header) throws IOException {
    return NumericTable.parse(new ByteArrayInputStream(bytes), "in", header);
  }

  private static String fails(String text) {
    return assertThrows(DataFormatException.class, () -> parse(text)).getMessage();
  }

  @Test
  void everySeparatorAndLineEndGivesTheSameTable() throws IOException {
    double[] want = {1, -2.5, 3e2, 4, 0.5, -6};
    for (String text : new String[] {"1,-2.5,3e2\n4,.5,-6\n", "1\t-2.5\t3e2\n4\t.5\t-6\n",
        "1   -2.5 3e2\n  4 .5\t -6  \n", "1 , -2.5,3e2\r\n4,0.5,-6\r\n",
        "\n1 -2.5 3e2\n4 .5 -6\n\n", "1,-2.5,3e2\r4,.5,-6\r", "1,-2.5,3e2\r\n4,.5,-6"}) {
      NumericTable t = parse(text);
      assertEquals(2, t.rows(), text);
      assertEquals(3, t.cols(), text);
      assertArrayEquals(want, t.values(), 0, text);
      assertNull(t.names(), text);
    }
  }

  @Test
  void aHeaderIsDetectedOrForcedAndNamesColumns() throws IOException {
    NumericTable t = parse("\uFEFFtheta,omega,torque\r\n1,2,3\n");
    assertEquals(List.of("theta", "omega", "torque"), t.names(), "BOM stripped");
    assertEquals(2, t.column("torque"));
    assertEquals(1, t.rows());
    NumericTable forced = parse("10 20\n1 2\n".getBytes(StandardCharsets.UTF_8), true);
    assertEquals(List.of("10", "20"), forced.names());
    assertEquals(1, forced.rows());
  }

  @Test
  void distinctRowsKeepEachRowsFirstOccurrenceInOrder() throws IOException {
    NumericTable t = parse("a,b\n1,2\n3,4\n1,2\n0,5\n3,4\n-0,5\n1,2.0\n");
    NumericTable d = t.distinctRows();
    assertEquals(7, t.rows());
    assertEquals(4, d.rows());
    assertArrayEquals(new double[] {1, 2, 3, 4, 0, 5, -0.0, 5}, d.values(), 0);
    assertEquals(-0.0, d.get(3, 0), 0);
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(d.get(3, 0)),
        "-0 and 0 are different rows");
    assertEquals(List.of("a", "b"), d.names());
    assertEquals(t.source(), d.source());
    NumericTable once = parse("1,2\n2,1\n");
    assertSame(once, once.distinctRows());
  }

  @Test
  void distinctRowsOfALargeRepeatedTable() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int copy = 0; copy < 3; copy++) {
      for (int r = 0; r < 7000; r++) { // past one 16,384-value block: 14,000 values a copy
        sb.append(r).append(',').append(r % 13).append('\n');
      }
    }
    NumericTable d = parse(sb.toString()).distinctRows();
    assertEquals(7000, d.rows());
    assertEquals(6999, d.get(6999, 0));
    assertEquals(6999 % 13, d.get(6999, 1));
  }

  @Test
  void onlyPlainDecimalNumbersAreAccepted() {
    for (String bad : new String[] {"1.5d", "2f", "0x1p3", "NaN", "Infinity", "1e", "--1",
        "1.2.3", "1_000"}) {
      assertEquals("in:2: column 2: '" + bad + "' is not a plain decimal number",
          fails("1,2\n3," + bad + "\n"), bad);
    }
    assertEquals("in:2: column 1: '1e999' is too large for a double", fails("1\n1e999\n"));
  }

  @Test
  void messagesNameLineColumnsAndShortenLongCells() {
    assertEquals("in:3: 2 columns, expected 3 (as in the first row)",
        fails("1 2 3\n4 5 6\n7 8\n"));
    String cell = "x".repeat(1_000_000);
    assertEquals("in:2: column 1: '" + "x".repeat(40) + "...' (1000000 characters) is not a"
        + " plain decimal number", fails("1\n" + cell + "\n"));
    assertEquals("in: no data rows", fails("a,b\n\n"));
    assertEquals("in:2: a line longer than 4194304 characters: not a table of numbers",
        fails("1\n" + "\0".repeat((1 << 22) + 5)));
    byte[] binary = {'1', '\n', '2', (byte) 0xC3, (byte) 0x28, '\n'};
    assertEquals("in:2: not a text file: invalid UTF-8 at character 2",
        assertThrows(DataFormatException.class, () -> parse(binary, false)).getMessage());
  }

  @Test
  void trailingCommasAndEmptyLinesInsideTheDataAreNamed() {
    assertEquals("in:1: column 3 is empty (a trailing or doubled comma?)", fails("1,2,\n3,4,\n"));
    assertEquals("in:2: column 2 is empty (a trailing or doubled comma?)", fails("1,2\n3,\n"));
    assertEquals("in:2: an empty line inside the data (line 3 has more); remove it, or split"
        + " the file", fails("1 2\n\n3 4\n"));
  }

  @Test
  void aStreamWithoutLineEndsIsRefusedWithoutReadingItAll() {
    // an endless stream of NULs, as /dev/zero through standard input: refused at 4M characters
    java.io.InputStream zeros = new java.io.InputStream() {
      long served;

      @Override
      public int read() {
        served++;
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 0);
        served += len;
        return len;
      }
    };
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> NumericTable.parse(zeros, "-", false));
    assertEquals("-:1: a line longer than 4194304 characters: not a table of numbers",
        e.getMessage());
  }

  @Test
  void aDuplicateHeaderNameIsRefusedWhenUsed() throws IOException {
    NumericTable t = parse("a,y,b,y\n1,2,3,4\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> t.columnOf("y", "f.csv", "--target y: "));
    assertEquals("--target y: f.csv's header names columns 2 and 4 alike; give a 1-based column"
        + " number", e.getMessage());
    assertEquals(0, t.columnOf("a", "f.csv", ""));
  }

  @Test
  void directoriesAndDevicesAreRefusedAtOnce(@TempDir Path dir) {
    assertEquals(dir + ": is a directory",
        assertThrows(DataFormatException.class, () -> NumericTable.read(dir)).getMessage());
    Path zero = Path.of("/dev/zero");
    if (Files.exists(zero)) {
      assertEquals("/dev/zero: not a regular file (a device or a pipe?); use - to read standard"
          + " input", assertThrows(DataFormatException.class,
              () -> NumericTable.read(zero)).getMessage());
    }
  }
}
