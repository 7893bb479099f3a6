package dev.kickback.cli.data;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A numeric table read from a comma-, tab- or space-separated file without header, parsed with
 * Commons CSV. The delimiter is taken from the first line: a comma if it has one, else a tab,
 * else runs of spaces. Every row must have the first row's column count.
 *
 * @param values row-major {@code [rows][cols]}
 */
public record NumericTable(String source, double[] values, int rows, int cols) {

  /** Reads {@code file}; a bad row or number fails with file, line and column. */
  public static NumericTable read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElseThrow(
        () -> new DataFormatException(file + ": no data rows"));
    char delimiter;
    if (first.indexOf(',') >= 0) {
      delimiter = ',';
    } else if (first.indexOf('\t') >= 0) {
      delimiter = '\t';
    } else {
      // Commons CSV splits on one character; runs of spaces become one tab first. Joined in one
      // pass: a pairwise concatenation made this quadratic (45 s and 1.9 GB for 100,000 rows).
      text = text.lines().map(l -> l.trim().replaceAll(" +", "\t"))
          .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
      delimiter = '\t';
    }
    CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter)
        .setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(true).setTrim(true).get();
    List<double[]> rows = new ArrayList<>();
    int cols = -1;
    try (Reader r = new StringReader(text); CSVParser parser = CSVParser.parse(r, format)) {
      for (CSVRecord rec : parser) {
        int n = rec.size();
        // a trailing delimiter leaves an empty last field: not a column
        if (n > 0 && rec.get(n - 1).isEmpty()) {
          n--;
        }
        long line = rec.getParser().getCurrentLineNumber();
        if (cols < 0) {
          cols = n;
        } else if (n != cols) {
          throw new DataFormatException(file + ":" + line + ": " + n + " columns, expected "
              + cols + " (as in the first row)");
        }
        double[] row = new double[n];
        for (int c = 0; c < n; c++) {
          String s = rec.get(c);
          try {
            row[c] = Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw new DataFormatException(file + ":" + line + ": column " + (c + 1) + ": '" + s
                + "' is not a number");
          }
          if (!Double.isFinite(row[c])) {
            throw new DataFormatException(file + ":" + line + ": column " + (c + 1) + ": " + s
                + " is not finite");
          }
        }
        rows.add(row);
      }
    }
    double[] values = new double[rows.size() * cols];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, values, i * cols, cols);
    }
    return new NumericTable(file.toString(), values, rows.size(), cols);
  }

  public double get(int row, int col) {
    return values[row * cols + col];
  }

  /** Thrown for a malformed data file; the message names file, line and column. */
  public static final class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
      super(message);
    }
  }
}
