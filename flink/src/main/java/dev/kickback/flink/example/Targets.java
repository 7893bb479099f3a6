package dev.kickback.flink.example;

import dev.kickback.cli.data.NumericTable;
import java.util.LinkedHashSet;
import java.util.Set;

/** {@code --targets}: 1-based columns, ranges and header names, into 0-based column indexes. */
final class Targets {
  private Targets() {}

  /**
   * Parses {@code spec} ("22-28", "22,24", "tau1,tau2") against {@code table}.
   *
   * @throws IllegalArgumentException naming the part that is not a column of the table
   */
  static int[] parse(String spec, NumericTable table) {
    Set<Integer> cols = new LinkedHashSet<>();
    for (String part : spec.split(",")) {
      String p = part.strip();
      if (p.matches("\\d{1,9}-\\d{1,9}")) {
        int from = Integer.parseInt(p.substring(0, p.indexOf('-')));
        int to = Integer.parseInt(p.substring(p.indexOf('-') + 1));
        if (from > to) {
          throw new IllegalArgumentException("--targets " + spec + ": range " + p
              + " runs backwards");
        }
        for (int c = from; c <= to; c++) {
          cols.add(column(spec, Integer.toString(c), table));
        }
      } else {
        cols.add(column(spec, p, table));
      }
    }
    if (cols.size() >= table.cols()) {
      throw new IllegalArgumentException("--targets " + spec + ": every column of "
          + table.source() + " is a target; at least one must be an input");
    }
    return cols.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int column(String spec, String p, NumericTable table) {
    return table.columnOf(p, table.source(), "--targets " + spec + ": ");
  }
}
