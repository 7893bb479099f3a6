package dev.kickback.bench;

import com.google.gson.GsonBuilder;
import dev.kickback.bench.report.JmhResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./kickback bench ab REF [SUITE]}: the same rows measured on two builds, A (the
 * commit REF, built by the launcher in a git worktree) and B (the checkout), interleaved fork by
 * fork (A, B, A, B, ...), {@value #FORKS} forks a side, so that drift of a shared machine falls
 * on both sides alike. Strict alternation, not ABBA: on the VMs measured here the noise comes in
 * slow spells of tens of seconds, and ABBA's two adjacent B forks fell into one (an A/A run
 * flagged a 20% "regression" that way); alternation puts one A and one B in any two adjacent
 * forks. Each fork is a plain JMH run of one row ({@code java -cp CP org.openjdk.jmh.Main -f 1
 * ...}, CP a build's class path: its classes and dependencies, or the uber-jar of commits from
 * before the benchmarks stopped being shaded), so REF needs no code of this class: only the
 * benchmark and its parameters.
 *
 * <p>Per row: the speed ratio B/A of the means over all iterations (above 1: B is faster), its
 * 95% interval from the fork means (Welch), and a Mann-Whitney U test over the iterations, as
 * Google Benchmark's compare.py does. A row is a regression when all three agree: U's two-sided
 * p below {@value #ALPHA}, the ratio slower than the threshold, and every B fork slower than
 * every A fork (one odd fork, which a U test over iterations takes for many samples, cannot make
 * a verdict). Exit 1 on any regression, 2 on usage.
 *
 * <p>Usage: {@code AbRun A_CLASSPATH B_CLASSPATH OUT_DIR [SUITE] [--threshold PCT] [--lanes N]
 * [--a-label L] [--b-label L]}; {@code --lanes} as in {@link BenchSuite}.
 */
public final class AbRun {
  static final double ALPHA = 0.05;
  /**
   * Forks a side: with 3, every B fork below every A fork happens by chance once in 20 rows
   * (with 2, once in 6), before the U test and the threshold.
   */
  static final int FORKS = 3;

  private AbRun() {}

  /** How one row changed from A to B. */
  enum Verdict {
    SAME("no significant difference"),
    SMALL("significant, within the threshold"),
    FASTER("faster"),
    REGRESSION("REGRESSION"),
    MISSING("not measured on both sides");

    final String text;

    Verdict(String text) {
      this.text = text;
    }
  }

  /**
   * One row's comparison: iteration scores per fork on each side.
   *
   * @param key benchmark and parameters
   * @param unit the score's unit
   * @param higherIsBetter throughput (true) or time per operation
   * @param a side A's iterations, one array per fork
   * @param b side B's iterations, one array per fork
   */
  record Line(String key, String unit, boolean higherIsBetter, List<double[]> a,
      List<double[]> b) {
    double meanA() {
      return mean(flat(a));
    }

    double meanB() {
      return mean(flat(b));
    }

    /** B's speed relative to A: above 1 is faster. */
    double speed() {
      return higherIsBetter ? meanB() / meanA() : meanA() / meanB();
    }

    /** 95% interval of the speed from the fork means (Welch's t, delta on the ratio). */
    double[] speedInterval() {
      double[] fa = forkMeans(a);
      double[] fb = forkMeans(b);
      if (fa.length < 2 || fb.length < 2) {
        return new double[] {Double.NaN, Double.NaN};
      }
      double ma = mean(fa);
      double mb = mean(fb);
      // relative variances of the two means; the ratio's relative variance is their sum
      double va = variance(fa) / fa.length / (ma * ma);
      double vb = variance(fb) / fb.length / (mb * mb);
      double df = (va + vb) * (va + vb) / (va * va / (fa.length - 1) + vb * vb / (fb.length - 1));
      double half = Stats.tQuantile975(Double.isNaN(df) ? 1 : df) * Math.sqrt(va + vb);
      double s = speed();
      return new double[] {s * Math.exp(-half), s * Math.exp(half)};
    }

    double pValue() {
      return Stats.mannWhitneyP(flat(a), flat(b));
    }

    /** Every B fork slower (or every B fork faster) than every A fork. */
    boolean forksAgree(boolean slower) {
      double[] fa = forkMeans(a);
      double[] fb = forkMeans(b);
      boolean bLower = slower == higherIsBetter; // a slower throughput or a faster time
      double aMin = Double.POSITIVE_INFINITY;
      double aMax = Double.NEGATIVE_INFINITY;
      for (double v : fa) {
        aMin = Math.min(aMin, v);
        aMax = Math.max(aMax, v);
      }
      for (double v : fb) {
        if (bLower ? v >= aMin : v <= aMax) {
          return false;
        }
      }
      return true;
    }

    Verdict verdict(double threshold) {
      if (a.isEmpty() || b.isEmpty()) {
        return Verdict.MISSING;
      }
      if (!(pValue() < ALPHA)) {
        return Verdict.SAME;
      }
      double s = speed();
      if (s < 1 - threshold && forksAgree(true)) {
        return Verdict.REGRESSION;
      }
      if (s > 1 + threshold && forksAgree(false)) {
        return Verdict.FASTER;
      }
      return forksAgree(s < 1) ? Verdict.SMALL : Verdict.SAME;
    }
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    List<String> positional = new ArrayList<>();
    double threshold = 0.05;
    String aLabel = "A";
    String bLabel = "B";
    int lanes = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--lanes" -> {
          try {
            lanes = VectorWidth.parseOption(++i < args.length ? args[i] : null);
          } catch (IllegalArgumentException e) {
            usage(e.getMessage());
          }
        }
        case "--threshold" -> threshold = i + 1 < args.length ? percent(args[++i]) : Double.NaN;
        case "--a-label" -> aLabel = args[++i];
        case "--b-label" -> bLabel = args[++i];
        default -> {
          if (args[i].startsWith("-")) {
            usage("unknown option " + args[i]);
          }
          positional.add(args[i]);
        }
      }
    }
    if (!(threshold > 0 && threshold < 1)) {
      usage("--threshold takes a percentage between 0 and 100");
    }
    if (positional.size() < 3 || positional.size() > 4) {
      usage("expected A_CLASSPATH B_CLASSPATH OUT_DIR [SUITE]");
    }
    String suite = positional.size() == 4 ? positional.get(3) : "headline";
    if (!Suites.NAMES.contains(suite)) {
      usage("unknown suite '" + suite + "': one of " + String.join(", ", Suites.NAMES));
    }
    List<String> widthFlags = lanes == 0 ? List.of() : VectorWidth.flags(lanes);
    String width = VectorWidth.describeOwn();
    if (lanes != 0) {
      try {
        width = VectorWidth.check(lanes);
      } catch (IllegalStateException e) {
        usage(e.getMessage());
      }
    }
    String aCp = positional.get(0);
    String bCp = positional.get(1);
    Path out = Path.of(positional.get(2));
    Files.createDirectories(out);
    long start = System.nanoTime();
    List<Line> lines = new ArrayList<>();
    List<Suites.Group> groups = new ArrayList<>();
    for (Suites.Group g : Suites.perClass(Suites.named(suite))) {
      if (g.timing().forks() == null) {
        System.err.println("bench ab: skipping " + g.include() + " (single-shot curves, no"
            + " throughput to compare)");
      } else {
        groups.add(Suites.withDefaults(g));
      }
    }
    int total = groups.stream().mapToInt(g -> g.rows().size()).sum();
    for (Suites.Group g : groups) {
      for (Map<String, String> row : g.rows()) {
        Line l = measure(g, row, aCp, bCp, out, widthFlags);
        lines.add(l);
        System.err.printf(Locale.ROOT, "bench ab: [%d/%d] %s: speed B/A %.3f, %s%n",
            lines.size(), total, l.key(), l.a().isEmpty() || l.b().isEmpty() ? Double.NaN
                : l.speed(), l.verdict(threshold).text);
      }
    }
    String md = render(lines, threshold, aLabel, bLabel, suite + ", vector kernels at " + width,
        (System.nanoTime() - start) / 1e9);
    Files.writeString(out.resolve("ab.md"), md, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("ab.json"), new GsonBuilder().setPrettyPrinting()
        .serializeSpecialFloatingPointValues().create().toJson(lines), StandardCharsets.UTF_8);
    System.out.print(md);
    System.out.println("Wrote " + out.resolve("ab.md") + " and ab.json");
    double t = threshold;
    System.exit(lines.stream().anyMatch(l -> l.verdict(t) == Verdict.REGRESSION) ? 1 : 0);
  }

  /** One row: forks alternately on A and B. */
  private static Line measure(Suites.Group g, Map<String, String> row, String aCp, String bCp,
      Path out, List<String> widthFlags) throws IOException, InterruptedException {
    List<double[]> a = new ArrayList<>();
    List<double[]> b = new ArrayList<>();
    String key = null;
    String unit = "ops/s";
    boolean higher = true;
    boolean aFailed = false;
    boolean bFailed = false;
    int forks = Math.max(FORKS, g.timing().forks());
    for (int i = 0; i < 2 * forks; i++) {
      boolean onA = i % 2 == 0;
      if (onA ? aFailed : bFailed) {
        continue;
      }
      JmhResult r = oneFork(onA ? aCp : bCp, g, row, out.resolve("fork.json"), widthFlags);
      if (r == null) {
        System.err.println("bench ab: " + g.include() + " " + row + " did not run on "
            + (onA ? "A" : "B") + "; the row is left out on that side");
        if (onA) {
          aFailed = true;
        } else {
          bFailed = true;
        }
        continue;
      }
      key = r.key();
      unit = r.unit();
      higher = r.higherIsBetter();
      (onA ? a : b).add(r.raw()[0]);
    }
    if (aFailed) {
      a.clear();
    }
    if (bFailed) {
      b.clear();
    }
    return new Line(key != null ? key : g.include() + " " + row, unit, higher, a, b);
  }

  /**
   * One fork of one row on class path {@code cp}, or null when it did not run;
   * {@code widthFlags} are prepended to the benchmark's JVM flags.
   */
  private static JmhResult oneFork(String cp, Suites.Group g, Map<String, String> row,
      Path json, List<String> widthFlags) throws IOException, InterruptedException {
    Suites.Timing t = g.timing();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", cp, "org.openjdk.jmh.Main", "-f", "1",
        "-wi", Integer.toString(t.warmups()), "-w", t.warmupMs() + "ms",
        "-i", Integer.toString(t.iterations()), "-r", t.iterationMs() + "ms",
        "-foe", "true", "-rf", "json", "-rff", json.toString()));
    row.forEach((k, v) -> cmd.addAll(List.of("-p", k + "=" + v)));
    if (!widthFlags.isEmpty()) {
      cmd.addAll(List.of("-jvmArgsPrepend", String.join(" ", widthFlags)));
    }
    cmd.add(g.include());
    Files.deleteIfExists(json);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(json.resolveSibling("fork.log").toFile()).start();
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return null;
    }
    if (p.exitValue() != 0 || !Files.isRegularFile(json)) {
      return null;
    }
    List<JmhResult> results = JmhResult.read(json);
    return results.size() == 1 && results.get(0).raw().length == 1 ? results.get(0) : null;
  }

  static String render(List<Line> lines, double threshold, String aLabel, String bLabel,
      String suite, double seconds) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "# bench ab: A = %s, B = %s, suite %s%n%nForks interleaved A B A B on one machine;"
        + " speed = B over A (above 1: B faster); 95%% interval from the fork means;"
        + " p: Mann-Whitney U over the iterations. A regression needs p < %.2f, a speed below"
        + " %.3f and every B fork slower than every A fork.%n%n"
        + "| row | A | B | speed B/A | 95%% interval | p | verdict |%n"
        + "|---|---|---|---|---|---|---|%n", aLabel, bLabel, suite, ALPHA, 1 - threshold));
    int regressions = 0;
    for (Line l : lines) {
      Verdict v = l.verdict(threshold);
      regressions += v == Verdict.REGRESSION ? 1 : 0;
      if (v == Verdict.MISSING) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | | | | %s |%n", l.key(),
            side(l.a(), l.unit()), side(l.b(), l.unit()), v.text));
        continue;
      }
      double[] ci = l.speedInterval();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %s | %.3g | %s |%n",
          l.key(), side(l.a(), l.unit()), side(l.b(), l.unit()), l.speed(),
          Double.isNaN(ci[0]) ? "" : String.format(Locale.ROOT, "%.3f - %.3f", ci[0], ci[1]),
          l.pValue(), v.text));
    }
    sb.append(String.format(Locale.ROOT, "%n%d rows, %d regressions beyond %.1f%%; %.0f s.%n",
        lines.size(), regressions, 100 * threshold, seconds));
    return sb.toString();
  }

  private static String side(List<double[]> forks, String unit) {
    if (forks.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.4g %s (forks",
        mean(flat(forks)), unit));
    for (double m : forkMeans(forks)) {
      sb.append(String.format(Locale.ROOT, " %.4g", m));
    }
    return sb.append(")").toString();
  }

  private static double percent(String s) {
    try {
      return Double.parseDouble(s) / 100;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static void usage(String why) {
    System.err.println("bench ab: " + why + "\nusage: ./kickback bench ab REF [SUITE]"
        + " [--threshold PCT]   (SUITE: " + String.join(", ", Suites.NAMES)
        + "; default headline, threshold 5%)");
    System.exit(2);
  }

  static double[] flat(List<double[]> forks) {
    return forks.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  static double[] forkMeans(List<double[]> forks) {
    return forks.stream().mapToDouble(AbRun::mean).toArray();
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double variance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return s / (v.length - 1);
  }
}
