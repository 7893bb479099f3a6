package dev.kickback.bench;

import dev.kickback.bench.report.Meta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * The native reference timed beside our paper-network batch-1 rows: once just before each fork
 * of those rows where their group takes turns, so that each fork's time has a reference measured
 * within seconds of it. The machine's speed moves by a third from one spell to the next (the
 * performance journal's "A step's speed changes within one JVM", in {@code docs/}), and
 * {@link NativeReference}'s runs at the end of the job can fall in another spell than our forks,
 * either way. The report keeps that note and adds these pairs.
 *
 * <p>gcc builds the reference once, before the suite's rows and its load monitor (whose windows
 * would count the compiler's short-lived processes as other work), into a directory that
 * {@link #close} deletes; each timing is one process on the reference script's CPU, of the one
 * kernel the fork's row needs (the forward pass or the Kickback step, {@link NativeReference}'s
 * seconds and repetitions). Without the script, gcc, or at 4 lanes, nothing is timed and the
 * end-of-job note says why.
 */
final class NativeBeside implements AutoCloseable {
  /** The rows paired, in the report's order. */
  static final List<String> ROWS = List.of("forward", "Kickback step", "Backprop step");

  private final Path source;
  private final boolean avx2;
  private Path dir;
  private String failure;
  /** Per row: each fork's {ours, the reference's} ns per call, in the order they ran. */
  private final Map<String, List<double[]>> pairs = new LinkedHashMap<>();

  private NativeBeside(Path source, boolean avx2) {
    this.source = source;
    this.avx2 = avx2;
    ROWS.forEach(r -> pairs.put(r, new ArrayList<>()));
  }

  /** Nothing timed: a smoke run, a suite without paired rows, or no reference to build. */
  static NativeBeside none() {
    return new NativeBeside(null, false);
  }

  /**
   * Beside the reference of the checkout at {@code root} ({@code ../shared/reference}), built
   * now for {@code lanes} as {@link NativeReference} builds it, where some of {@code groups}
   * takes turns over a row this pairs; none where there is no such row or no such build.
   */
  static NativeBeside of(String root, int lanes, List<Suites.Group> groups) {
    if (root == null || lanes == 4 || groups.stream().noneMatch(NativeBeside::pairs)) {
      return none();
    }
    Path script = Path.of(root).resolve("../shared/reference/run-b1ref").normalize();
    Path source = script.resolveSibling("b1ref.c");
    if (!Files.isExecutable(script) || !Files.isReadable(source)) {
      return none();
    }
    NativeBeside beside = new NativeBeside(source, lanes == 8);
    beside.build();
    return beside;
  }

  /** Whether a group times the reference beside some of its forks. */
  static boolean pairs(Suites.Group g) {
    return g.interleaved() && Suites.withDefaults(g).rows().stream()
        .anyMatch(row -> rowOf(g.benchmarks(), row) != null);
  }

  /**
   * Which paired row a row of a group is, from the parameters it runs with: our vector path on
   * the paper network at batch 1, of a group whose benchmarks are {@code benchmarks}; else null.
   * A step row without a rule names no single row.
   */
  static String rowOf(List<String> benchmarks, Map<String, String> row) {
    if (!"1".equals(row.get("batch")) || !"PAPER".equals(row.get("net"))
        || !"VECTOR".equals(row.get("path"))) {
      return null;
    }
    if (benchmarks.contains("StepBench")) {
      String rule = row.get("rule");
      return "KICKBACK".equals(rule) ? "Kickback step"
          : "BACKPROP".equals(rule) ? "Backprop step" : null;
    }
    return benchmarks.contains("ForwardBench") ? "forward" : null;
  }

  /** Whether a fork's result is ours of the paired row (a group may hold a peer beside it). */
  static boolean ours(RunResult r, String row) {
    BenchmarkParams p = r.getParams();
    String name = p.getBenchmark();
    return row.equals("forward") ? name.endsWith(".ForwardBench.forward")
        : name.endsWith(".StepBench.step");
  }

  /**
   * The reference's median for {@code row}'s kernel, in ns per call, timed now; NaN where there
   * is no reference or it failed (then never tried again: the first failure is reported).
   */
  double time(String row) {
    if (source == null || failure != null) {
      return Double.NaN;
    }
    String kernel = row.equals("forward") ? "kp" : "ks";
    try {
      Subprocess.Result run = Subprocess.run(new ProcessBuilder("bash", "-c",
          "taskset -c \"${CPU:-1}\" \"$1/b1ref\" bench \"$2\" \"$3\" \"$4\"", "b1ref",
          dir.toString(), NativeReference.SECONDS, NativeReference.REPS, kernel), 60);
      double ns = NativeReference.median(run.out(), row.equals("forward") ? "predict" : "step");
      if (run.exit() != 0 || Double.isNaN(ns)) {
        failure = "the reference " + (run.timedOut() ? "timed out" : "failed") + ": "
            + run.lastLine();
        return Double.NaN;
      }
      return ns;
    } catch (IOException e) {
      failure = e.getMessage();
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
      return Double.NaN;
    }
  }

  /** Compiles the reference into a new directory; a failure is kept for the report. */
  private void build() {
    try {
      dir = Files.createTempDirectory("kickback-b1ref");
      Subprocess.Result built = Subprocess.run(new ProcessBuilder("bash", "-c",
          "set -eu; " + NativeReference.isa(avx2) + "; gcc -O3 $isa -o \"$1/b1ref\" \"$2\" -lm",
          "gcc", dir.toString(), source.toString()), 120);
      if (built.exit() != 0) {
        failure = "gcc failed: " + built.lastLine();
      }
    } catch (IOException e) {
      failure = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    }
  }

  /** One fork of a paired row: our ns per call beside the reference's just before it. */
  void pair(String row, double oursNs, double referenceNs) {
    if (!Double.isNaN(referenceNs)) {
      pairs.get(row).add(new double[] {oursNs, referenceNs});
    }
  }

  /**
   * The report's sentence on the pairs: per row, each fork's ratio to the reference timed just
   * before it, and the mean of those ratios, then why timing stopped if it failed. Without pairs,
   * why the reference could not be built or timed, or null where none was tried.
   */
  String note() {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, List<double[]>> e : pairs.entrySet()) {
      List<double[]> p = e.getValue();
      if (p.isEmpty()) {
        continue;
      }
      StringBuilder ratios = new StringBuilder();
      StringBuilder ours = new StringBuilder();
      StringBuilder refs = new StringBuilder();
      double sum = 0;
      for (double[] pair : p) {
        String sep = ratios.isEmpty() ? "" : ", ";
        ratios.append(sep).append(String.format(Locale.ROOT, "%.2fx", pair[0] / pair[1]));
        ours.append(sep).append(String.format(Locale.ROOT, "%.0f", pair[0]));
        refs.append(sep).append(String.format(Locale.ROOT, "%.0f", pair[1]));
        sum += pair[0] / pair[1];
      }
      parts.add(String.format(Locale.ROOT, "%s %.2fx (forks %s: ours %s ns against %s)",
          e.getKey(), sum / p.size(), ratios, ours, refs));
    }
    if (parts.isEmpty()) {
      return failure == null ? null
          : Meta.NATIVE_NOTE + " beside our forks: not timed (" + failure + ").";
    }
    return Meta.NATIVE_NOTE + " beside our forks (timed once just before each fork of our"
        + " paper-network batch-1 rows, the kernel of the fork's row; each fork's mean against"
        + " that median), the mean of the forks' ratios: " + String.join("; ", parts)
        + (failure == null ? "." : "; then not timed (" + failure + ").");
  }

  @Override
  public void close() throws IOException {
    if (dir != null) {
      Files.deleteIfExists(dir.resolve("b1ref"));
      Files.deleteIfExists(dir);
    }
  }
}
