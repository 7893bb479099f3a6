package dev.kickback.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kickback bench compare OLD NEW [--threshold PCT]}: row by row, the speed ratio of two
 * runs and whether it is significant. OLD and NEW are JMH JSON results or report folders
 * (which hold {@code jmh-result.json}).
 *
 * <p>A difference is significant when the two 99.9% intervals do not overlap: each interval
 * covers the run's own iteration noise, so disjoint intervals are a difference that noise of
 * that size does not explain. It is a regression when even the most favourable ends of the two
 * intervals leave the new run slower by more than the threshold; then the command exits 1, so
 * a CI job can gate on it. A difference that could be within the threshold is reported as such.
 * Exit 2: unreadable input or usage.
 *
 * <p>The headline's intervals come from 2 forks per row, but two runs made minutes apart also
 * met different states of a shared machine, which no interval of either covers: to measure a
 * change, {@link dev.kickback.bench.AbRun} ({@code bench ab}) interleaves the two sides' forks.
 */
public final class Compare {
  /** Default regression threshold, as a fraction of the old score. */
  public static final double DEFAULT_THRESHOLD = 0.05;

  private Compare() {}

  /** How one configuration changed. */
  public enum Verdict {
    SAME("no significant difference"),
    SMALL("a difference, within the threshold"),
    FASTER("faster"),
    REGRESSION("REGRESSION"),
    NO_INTERVAL("no interval to judge by"),
    ONLY_OLD("only in OLD"),
    ONLY_NEW("only in NEW");

    final String text;

    Verdict(String text) {
      this.text = text;
    }
  }

  /**
   * One compared configuration; {@code speed} is new over old for throughput and old over new
   * for times, so above 1 is faster either way (NaN when one side is missing).
   */
  public record Line(String key, JmhResult old, JmhResult now, double speed, Verdict verdict) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The command: prints the table to {@code out}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    double threshold = DEFAULT_THRESHOLD;
    List<String> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--threshold")) {
        double t = i + 1 < args.length ? percent(args[++i]) : Double.NaN;
        if (!(t > 0 && t < 1)) {
          return usage(err, "--threshold takes a percentage between 0 and 100");
        }
        threshold = t;
      } else if (args[i].startsWith("-")) {
        return usage(err, "unknown option " + args[i]);
      } else {
        files.add(args[i]);
      }
    }
    if (files.size() != 2) {
      return usage(err, "expected OLD and NEW");
    }
    try {
      List<Line> lines = compare(JmhResult.read(resolve(files.get(0))),
          JmhResult.read(resolve(files.get(1))), threshold);
      out.print(render(lines, threshold));
      return lines.stream().anyMatch(l -> l.verdict() == Verdict.REGRESSION) ? 1 : 0;
    } catch (IOException e) {
      err.println("bench compare: " + e.getMessage());
      return 2;
    }
  }

  private static double percent(String s) {
    try {
      return Double.parseDouble(s) / 100;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static int usage(PrintStream err, String why) {
    err.println("bench compare: " + why + "\nusage: ./kickback bench compare OLD NEW"
        + " [--threshold PCT]   (OLD, NEW: jmh-result.json files or report folders;"
        + " default threshold 5%)");
    return 2;
  }

  /** A report folder's {@code jmh-result.json}, or the file itself. */
  static Path resolve(String arg) throws IOException {
    Path p = Path.of(arg);
    if (Files.isDirectory(p)) {
      p = p.resolve("jmh-result.json");
    }
    if (!Files.isRegularFile(p)) {
      throw new IOException(p + ": no such file (expected a jmh-result.json or a report folder)");
    }
    return p;
  }

  public static List<Line> compare(List<JmhResult> old, List<JmhResult> now, double threshold) {
    Map<String, JmhResult> before = new LinkedHashMap<>();
    old.forEach(r -> before.put(r.key(), r));
    Map<String, JmhResult> after = new LinkedHashMap<>();
    now.forEach(r -> after.put(r.key(), r));
    List<Line> lines = new ArrayList<>();
    for (JmhResult o : old) {
      JmhResult n = after.get(o.key());
      if (n == null) {
        lines.add(new Line(o.key(), o, null, Double.NaN, Verdict.ONLY_OLD));
      } else {
        double speed = o.higherIsBetter() ? n.score() / o.score() : o.score() / n.score();
        lines.add(new Line(o.key(), o, n, speed, verdict(o, n, speed, threshold)));
      }
    }
    for (JmhResult n : now) {
      if (!before.containsKey(n.key())) {
        lines.add(new Line(n.key(), null, n, Double.NaN, Verdict.ONLY_NEW));
      }
    }
    return lines;
  }

  /**
   * Disjoint intervals are a difference; it counts as a regression (or as faster) only when
   * even the most favourable ends of the two intervals put the speed ratio beyond the
   * threshold: slower by more than the threshold, with confidence.
   */
  static Verdict verdict(JmhResult o, JmhResult n, double speed, double threshold) {
    if (Double.isNaN(o.error()) || Double.isNaN(n.error())) {
      return Verdict.NO_INTERVAL;
    }
    boolean disjoint = o.score() + o.error() < n.score() - n.error()
        || n.score() + n.error() < o.score() - o.error();
    if (!disjoint) {
      return Verdict.SAME;
    }
    double oLow = o.score() - o.error();
    double oHigh = o.score() + o.error();
    double nLow = n.score() - n.error();
    double nHigh = n.score() + n.error();
    double slowest = o.higherIsBetter() ? nLow / oHigh : oLow / nHigh;
    double fastest = o.higherIsBetter() ? nHigh / oLow : oHigh / nLow;
    if (fastest < 1 - threshold) {
      return Verdict.REGRESSION;
    }
    if (slowest > 1 + threshold) {
      return Verdict.FASTER;
    }
    return Verdict.SMALL;
  }

  static String render(List<Line> lines, double threshold) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "| benchmark | old | new |"
        + " speed new/old | verdict (99.9%% intervals, threshold %.1f%%) |%n|---|---|---|---|---|%n",
        100 * threshold));
    int regressions = 0;
    for (Line l : lines) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", l.key(), cell(l.old()),
          cell(l.now()), Double.isNaN(l.speed()) ? "" : String.format(Locale.ROOT, "%.3f",
              l.speed()), l.verdict().text));
      if (l.verdict() == Verdict.REGRESSION) {
        regressions++;
      }
    }
    sb.append(String.format(Locale.ROOT, "%n%d rows compared, %d significant regressions beyond"
        + " %.1f%%.%n", lines.size(), regressions, 100 * threshold));
    return sb.toString();
  }

  private static String cell(JmhResult r) {
    if (r == null) {
      return "";
    }
    return Markdown.num(r.score()) + " ± " + Markdown.num(r.error()) + " " + r.unit();
  }
}
