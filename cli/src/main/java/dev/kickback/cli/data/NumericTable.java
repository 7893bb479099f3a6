package dev.kickback.cli.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A numeric table read in one streaming pass: comma-separated, or separated by runs of spaces
 * and tabs (mixed freely), with an optional header row of column names, a UTF-8 byte-order
 * mark, LF or CRLF line ends, and {@code -} for standard input. Cells are plain decimal numbers
 * ({@code -1.5}, {@code 2e-3}); Java literal forms such as {@code 1.5d} or {@code 0x1p3} are
 * refused. Time is linear in the input; memory is the values (in blocks of 16K doubles, never
 * copied) plus a 64 KB line buffer.
 *
 * <p>The separator is taken from the first non-blank line: commas if it has one, else
 * whitespace. That line is a header when any of its cells is not a number, or when the caller
 * forces one. Every row must have the first row's column count.
 */
public final class NumericTable {
  // 128 KB blocks: under half a G1 region, so none is a humongous object taking a whole one
  private static final int BLOCK_BITS = 14;
  private static final int BLOCK = 1 << BLOCK_BITS;

  private final String source;
  private final double[][] blocks; // row-major values, BLOCK per block
  private final int rows;
  private final int cols;
  private final List<String> names;

  private NumericTable(String source, double[][] blocks, int rows, int cols,
      List<String> names) {
    this.source = source;
    this.blocks = blocks;
    this.rows = rows;
    this.cols = cols;
    this.names = names;
  }

  /** Where the table came from, for messages. */
  public String source() {
    return source;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The header's column names, or null without a header. */
  public List<String> names() {
    return names;
  }

  /** A copy of every value, row-major {@code [rows][cols]}. */
  public double[] values() {
    double[] out = new double[rows * cols];
    for (int i = 0; i < out.length; i++) {
      out[i] = blocks[i >>> BLOCK_BITS][i & (BLOCK - 1)];
    }
    return out;
  }

  /** Cells longer than this are shortened in messages. */
  static final int SHOWN = 40;
  /** A longer line is refused: it bounds what one read holds (a file of NULs has no line end). */
  static final int MAX_LINE = 1 << 22;

  /** Reads {@code file} ({@code -}: standard input), detecting a header. */
  public static NumericTable read(Path file) throws IOException {
    return read(file, false);
  }

  /**
   * Reads {@code file}; with {@code header} the first non-blank line is always the header. A
   * bad row or number fails with the source, line and column; an unreadable source with its
   * reason.
   */
  public static NumericTable read(Path file, boolean header) throws IOException {
    if (file.toString().equals("-")) {
      return parse(System.in, "standard input", header);
    }
    if (Files.isDirectory(file)) {
      throw new DataFormatException(file + ": is a directory");
    }
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new DataFormatException(file + ": not a regular file (a device or a pipe?);"
          + " use - to read standard input");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString(), header);
    } catch (AccessDeniedException e) {
      throw new DataFormatException(file + ": permission denied");
    }
  }

  /** Parses a whole stream; {@code source} names it in messages. */
  public static NumericTable parse(InputStream in, String source, boolean header)
      throws IOException {
    Lines r = new Lines(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        // bytes that are not UTF-8 become U+FFFD, found below on their own line
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)));
    Values values = new Values();
    List<String> names = null;
    int cols = -1;
    int rows = 0;
    boolean comma = false;
    long lineNo = 0;
    long blank = 0; // the first empty line after the data began
    List<String> cells = new ArrayList<>();
    for (String line; (line = r.next()) != null; ) {
      lineNo++;
      if (line.length() > MAX_LINE) {
        throw new DataFormatException(source + ":" + lineNo + ": a line longer than "
            + MAX_LINE + " characters: not a table of numbers");
      }
      if (lineNo == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      int bad = line.indexOf('\uFFFD');
      if (bad >= 0) {
        throw new DataFormatException(source + ":" + lineNo + ": not a text file: invalid"
            + " UTF-8 at character " + (bad + 1));
      }
      if (line.isBlank()) {
        if (cols >= 0 && blank == 0) {
          blank = lineNo;
        }
        continue;
      }
      if (blank > 0) {
        throw new DataFormatException(source + ":" + blank + ": an empty line inside the"
            + " data (line " + lineNo + " has more); remove it, or split the file");
      }
      if (cols < 0) {
        comma = line.indexOf(',') >= 0;
      }
      split(line, comma, cells);
      if (cols < 0) {
        cols = cells.size();
        // an empty cell makes no header: the row is data, refused below for that cell
        if (header || !cells.stream().allMatch(c -> c.isEmpty() || isPlainDecimal(c))) {
          names = List.copyOf(cells);
          continue;
        }
      } else if (cells.size() != cols) {
        throw new DataFormatException(source + ":" + lineNo + ": " + cells.size()
            + " columns, expected " + cols + " (as in the first row)");
      }
      for (int c = 0; c < cols; c++) {
        values.add(number(cells.get(c), source, lineNo, c));
      }
      rows++;
    }
    if (rows == 0) {
      throw new DataFormatException(source + ": no data rows");
    }
    return new NumericTable(source, values.blocks(), rows, cols, names);
  }

  /** The 0-based index of the column named {@code name}, or -1. */
  public int column(String name) {
    return names == null ? -1 : names.indexOf(name);
  }

  /**
   * The 0-based index of the column {@code ref} names: a 1-based column number, or a name from
   * the header row.
   *
   * @param file how messages name the file
   * @param prefix what messages start with (the option and its value, say)
   * @throws IllegalArgumentException {@code prefix} and why {@code ref} is not a column
   */
  public int columnOf(String ref, String file, String prefix) {
    if (ref.matches("\\d{1,9}")) {
      int n = Integer.parseInt(ref);
      if (n < 1 || n > cols) {
        throw new IllegalArgumentException(prefix + file + " has " + cols
            + " columns (1-based)");
      }
      return n - 1;
    }
    int index = column(ref);
    if (index < 0) {
      throw new IllegalArgumentException(prefix + (names == null
          ? file + " has no header row to name columns; give a 1-based column number"
          : "no such column in " + file + "'s header " + names));
    }
    int again = names.lastIndexOf(ref);
    if (again != index) {
      throw new IllegalArgumentException(prefix + file + "'s header names columns "
          + (index + 1) + " and " + (again + 1) + " alike; give a 1-based column number");
    }
    return index;
  }

  public double get(int row, int col) {
    int i = row * cols + col;
    return blocks[i >>> BLOCK_BITS][i & (BLOCK - 1)];
  }

  /**
   * This table without its repeated rows: each row's first occurrence, in file order (rows
   * equal in every value, -0.0 and 0.0 apart); this table itself if no row repeats. A random
   * held-out split of a file that repeats rows has copies of its test rows in training.
   */
  public NumericTable distinctRows() {
    Set<Row> seen = new HashSet<>();
    Values kept = new Values();
    int distinct = 0;
    for (int r = 0; r < rows; r++) {
      double[] row = new double[cols];
      for (int c = 0; c < cols; c++) {
        row[c] = get(r, c);
      }
      if (seen.add(new Row(row))) {
        distinct++;
        for (double v : row) {
          kept.add(v);
        }
      }
    }
    return distinct == rows ? this : new NumericTable(source, kept.blocks(), distinct, cols,
        names);
  }

  /** A row as a set element: equal when {@link Arrays#equals(double[], double[])} says so. */
  private record Row(double[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Row r && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }
  }

  /** Comma-separated (cells trimmed, one trailing empty cell dropped) or whitespace runs. */
  static void split(String line, boolean comma, List<String> out) {
    out.clear();
    int n = line.length();
    if (comma) {
      int from = 0;
      for (int i = 0; i <= n; i++) {
        if (i == n || line.charAt(i) == ',') {
          out.add(line.substring(from, i).strip());
          from = i + 1;
        }
      }
      return;
    }
    int i = 0;
    while (i < n) {
      while (i < n && isBlank(line.charAt(i))) {
        i++;
      }
      int from = i;
      while (i < n && !isBlank(line.charAt(i))) {
        i++;
      }
      if (i > from) {
        out.add(line.substring(from, i));
      }
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f';
  }

  /** Optional sign, digits with at most one point (at least one digit), optional exponent. */
  static boolean isPlainDecimal(String s) {
    int i = 0;
    int n = s.length();
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    boolean point = false;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int expDigits = 0;
      for (; i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
        expDigits++;
      }
      if (expDigits == 0) {
        return false;
      }
    }
    return i == n;
  }

  private static double number(String cell, String source, long line, int c) {
    if (cell.isEmpty()) {
      throw new DataFormatException(source + ":" + line + ": column " + (c + 1)
          + " is empty (a trailing or doubled comma?)");
    }
    if (!isPlainDecimal(cell)) {
      throw new DataFormatException(source + ":" + line + ": column " + (c + 1) + ": "
          + shown(cell) + " is not a plain decimal number");
    }
    double v = Double.parseDouble(cell);
    if (!Double.isFinite(v)) {
      throw new DataFormatException(source + ":" + line + ": column " + (c + 1) + ": "
          + shown(cell) + " is too large for a double");
    }
    return v;
  }

  /** A cell for a message: quoted, and shortened when long. */
  static String shown(String cell) {
    return cell.length() <= SHOWN ? "'" + cell + "'"
        : "'" + cell.substring(0, SHOWN) + "...' (" + cell.length() + " characters)";
  }

  /**
   * Lines ending in LF, CRLF or a lone CR (old Mac files), read through a 64 KB buffer. A line
   * stops at {@link #MAX_LINE} + 1 characters and is returned at once, so the caller refuses it
   * without reading the rest: a stream without line ends (/dev/zero) is refused, not read.
   */
  private static final class Lines {
    private final java.io.Reader in;
    private final char[] buf = new char[1 << 16];
    private final StringBuilder line = new StringBuilder();
    private int pos;
    private int end;
    /** The last line ended in CR: an LF right after it belongs to that line end. */
    private boolean afterCr;

    Lines(java.io.Reader in) {
      this.in = in;
    }

    String next() throws IOException {
      line.setLength(0);
      while (true) {
        if (pos == end) {
          end = in.read(buf, 0, buf.length);
          pos = 0;
          if (end <= 0) {
            end = 0;
            return line.length() > 0 ? line.toString() : null;
          }
        }
        if (afterCr) {
          afterCr = false;
          if (buf[pos] == '\n') {
            pos++;
            continue;
          }
        }
        int start = pos;
        while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
          pos++;
        }
        line.append(buf, start, Math.min(pos - start, MAX_LINE + 1 - line.length()));
        if (line.length() > MAX_LINE) {
          return line.toString();
        }
        if (pos < end) {
          afterCr = buf[pos] == '\r';
          pos++;
          return line.toString();
        }
      }
    }
  }

  /** Values in blocks: the table keeps the blocks, so nothing is copied as it grows. */
  private static final class Values {
    private final List<double[]> full = new ArrayList<>();
    private double[] block = new double[BLOCK];
    private int used;

    void add(double v) {
      if (used == BLOCK) {
        full.add(block);
        block = new double[BLOCK];
        used = 0;
      }
      block[used++] = v;
    }

    double[][] blocks() {
      full.add(Arrays.copyOf(block, used)); // the last block trimmed to its values
      return full.toArray(new double[0][]);
    }
  }

  /** Thrown for a malformed data file; the message names the source, line and column. */
  public static final class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
      super(message);
    }
  }

}
