package dev.kickback.bench.jmh;

import dev.kickback.cli.data.NumericTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CLI's data reader on a generated file of {@code rows} rows of 9 columns, one separator
 * per file: a whole {@link NumericTable#read} per operation. Every cell is written as
 * {@code %+.4e} (11 characters), so a row is exactly {@value #ROW_BYTES} bytes and the model
 * knows the file's size without the file: the report gives MB/s. 1,000,000 rows make 108 MB.
 */
public class ReaderBench extends BenchBase {
  /** The separator written between cells. */
  public enum Separator {
    SPACE(" "),
    TAB("\t"),
    COMMA(",");

    final String text;

    Separator(String text) {
      this.text = text;
    }
  }

  @Param({"SPACE", "TAB", "COMMA"})
  public Separator separator;

  @Param({"100000"})
  public int rows;

  static final int ROW_BYTES = 9 * 11 + 8 + 1;

  private Path file;

  @Setup
  public void setup() throws IOException {
    file = Files.createTempFile("kickback-reader", ".txt");
    SplittableRandom rnd = new SplittableRandom(1);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < 9; c++) {
          if (c > 0) {
            w.write(separator.text);
          }
          w.write(String.format(Locale.ROOT, "%+.4e", rnd.nextGaussian() * 100));
        }
        w.write('\n');
      }
    }
    if (Files.size(file) != (long) rows * ROW_BYTES) {
      throw new IllegalStateException("generated " + Files.size(file) + " bytes, the model says "
          + (long) rows * ROW_BYTES);
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    Files.deleteIfExists(file);
  }

  @Benchmark
  public NumericTable read() throws IOException {
    return NumericTable.read(file);
  }

  /** Bytes per operation: the file, read once. */
  @Override
  public Workload model() {
    return new Workload("read_table", null, null, rows + "x9_" + separator.name()
        .toLowerCase(Locale.ROOT), 1, 1, 0, (double) rows * ROW_BYTES, 0);
  }
}
