package dev.kickback.bench;

import dev.kickback.bench.report.Report;
import dev.kickback.bench.report.Rows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The suite behind {@code ./kickback bench}, then the report.
 *
 * <p>The default is the headline suite, sized for about 19 minutes with the build on 2 cores:
 * the peak and bandwidth probes, GEMM 1024 in the three variants, forward and both steps on the
 * paper network at batch 1, 2, 4, 8, 16 and 256 and on the wide network at batch 1 to 16 (the
 * report's latency section), and the wide network's Kickback step at batch 256 on one and two
 * threads, each beside OpenBLAS, and online learning on Flink beside the same work in a plain
 * loop ({@code FlinkLearnBench}). Every row is measured once ({@link #HEADLINE}, the wide
 * step at 256 {@link #SLOW}); then each row whose 99.9% interval is wider than ±10% is measured
 * again ({@link #RERUN}) while the time budget lasts, and the new measurement replaces the
 * first whatever it says ({@link #SLOW_RERUN} for the wide step). Rows still wide are flagged
 * in the report. Last, the cold start: {@code ColdStartBench} and {@code WarmupBench} as they
 * are annotated (single-shot curves from fresh JVMs). {@code --full} runs every
 * benchmark on its default parameters plus a batch sweep 1..512 (an hour or more).
 *
 * <p>Usage: {@code BenchSuite <jmh-result.json> <report dir> [--full] [--budget SECONDS]}.
 */
public final class BenchSuite {
  /** Seconds from this JVM's start to the last rerun: leaves room for the cold start. */
  static final int DEFAULT_BUDGET_S = 1020;

  private BenchSuite() {}

  /** One JMH run: which benchmarks, on which parameters, measured how. */
  private record Group(String include, UnaryOperator<ChainedOptionsBuilder> params,
      Timing timing) {
    Group(String include, UnaryOperator<ChainedOptionsBuilder> params) {
      this(include, params, HEADLINE);
    }
  }

  /** Warm-up and measurement iterations and their lengths. */
  record Timing(int warmups, int warmupMs, int iterations, int iterationMs) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d x %d ms warm-up, %d x %d ms", warmups, warmupMs,
          iterations, iterationMs);
    }
  }

  static final Timing HEADLINE = new Timing(2, 1000, 8, 250);
  /** Operations of 50 ms and more: fewer, longer iterations. */
  static final Timing SLOW = new Timing(2, 1000, 6, 1000);
  static final Timing RERUN = new Timing(2, 1000, 24, 250);
  static final Timing SLOW_RERUN = new Timing(2, 1000, 10, 1000);
  static final Timing FULL = new Timing(4, 1000, 10, 500);

  public static void main(String[] args) throws RunnerException, IOException {
    List<String> positional = new ArrayList<>();
    boolean full = false;
    int budget = DEFAULT_BUDGET_S;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--full" -> full = true;
        case "--budget" -> {
          if (i + 1 == args.length || !args[i + 1].matches("\\d+")) {
            usage("--budget takes whole seconds");
          }
          budget = Integer.parseInt(args[++i]);
        }
        default -> {
          if (args[i].startsWith("-")) {
            usage("unknown option " + args[i]);
          }
          positional.add(args[i]);
        }
      }
    }
    if (positional.size() != 2) {
      usage("expected <jmh-result.json> <report dir>");
    }
    long start = System.nanoTime();
    List<String> notes = new ArrayList<>();
    checkOpenBlasEnvironment(notes);
    List<RunResult> all = new ArrayList<>();
    try (LoadMonitor load = new LoadMonitor()) {
      if (full) {
        notes.add("Full suite: every benchmark on its default parameters, 1 fork, " + FULL
            + ".");
        for (Group g : fullSuite()) {
          all.addAll(run(g, FULL));
        }
      } else {
        notes.add("Headline suite: 1 fork per row, " + HEADLINE + " (the wide step: " + SLOW
            + "); rows wider than ±10% measured again, " + RERUN + " (the wide step: "
            + SLOW_RERUN + ").");
        for (Group g : headline()) {
          all.addAll(run(g, g.timing()));
        }
        rerunWide(all, start, budget, notes);
        notes.add("Cold start: ColdStartBench and WarmupBench as annotated (single-shot"
            + " calls from fresh JVMs; not rerun, not flagged).");
        for (String cold : List.of("ColdStartBench", "WarmupBench")) {
          all.addAll(new Runner(new OptionsBuilder().include(only(cold))
              .shouldFailOnError(true).build()).run());
        }
      }
      notes.add(load.summary());
      notes.addAll(load.warnings());
    }
    Path json = Path.of(positional.get(0));
    Files.createDirectories(json.toAbsolutePath().getParent());
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
    System.out.println("JMH results: " + json);
    Report.write(json, Path.of(positional.get(1)), notes);
  }

  private static void usage(String why) {
    System.err.println("bench: " + why + "\nusage: ./kickback bench [--full] [--budget SECONDS]"
        + "\n       ./kickback bench compare OLD NEW [--threshold PCT]");
    System.exit(2);
  }

  static List<Group> headline() {
    return List.of(
        new Group(only("PeakBench"), b -> b),
        new Group(only("BandwidthBench"), b -> b.param("mode", "READ")),
        // the update roofs that bound a batch-1 step (100 KB) and the wide step (16 MB)
        new Group(only("BandwidthBench"), b -> b.param("mode", "UPDATE")
            .param("kb", "100", "16384")),
        new Group(only("GemmBench"), b -> b.param("path", "VECTOR", "OPENBLAS")
            .param("n", "1024")),
        new Group(only("ForwardBench"), b -> b.param("path", "VECTOR", "OPENBLAS")
            .param("net", "PAPER").param("batch", "1", "2", "4", "8", "16", "256")),
        new Group(only("StepBench"), b -> b.param("path", "VECTOR", "OPENBLAS")
            .param("net", "PAPER").param("batch", "1", "2", "4", "8", "16", "256")),
        // the latency section's wide rows: 12.6 MB of weights streamed from L3 and memory
        new Group(only("ForwardBench"), b -> b.param("path", "VECTOR", "OPENBLAS")
            .param("net", "WIDE").param("batch", "1", "2", "4", "8", "16")),
        new Group(only("StepBench"), b -> b.param("path", "VECTOR", "OPENBLAS")
            .param("net", "WIDE").param("batch", "1", "2", "4", "8", "16")),
        new Group(only("StepBench"), b -> b.param("path", "VECTOR", "VECTOR2T", "OPENBLAS",
            "OPENBLAS2T").param("net", "WIDE").param("batch", "256").param("rule", "KICKBACK"),
            SLOW),
        // streaming on Flink: 8 keys learning online, against the same work in a plain loop
        new Group(only("FlinkLearnBench") + "learn$", b -> b.param("runner", "PLAIN"), SLOW),
        new Group(only("FlinkLearnBench") + "learn$", b -> b.param("runner", "FLINK")
            .param("parallelism", "1", "2"), SLOW),
        new Group(only("FlinkLearnBench") + "learnShort$", b -> b.param("runner", "FLINK")
            .param("backend", "rocksdb"), SLOW));
  }

  static List<Group> fullSuite() {
    List<Group> groups = new ArrayList<>();
    groups.add(new Group(only("PeakBench"), b -> b));
    groups.add(new Group(only("BandwidthBench"), b -> b));
    // scalar GEMMs at 512 and 1024 take seconds per call
    groups.add(new Group(only("GemmBench"), b -> b.param("path", "VECTOR", "OPENBLAS")));
    groups.add(new Group(only("GemmBench"), b -> b.param("path", "SCALAR").param("n", "256")));
    groups.add(new Group(only("GemvBench"), b -> b));
    groups.add(new Group(only("KickbackReduceBench"), b -> b));
    String[] sweep = {"1", "2", "4", "8", "16", "32", "64", "128", "256", "512"};
    for (String bench : List.of("ForwardBench", "StepBench")) {
      groups.add(new Group(only(bench), b -> b.param("path", "VECTOR", "OPENBLAS")
          .param("net", "PAPER").param("batch", sweep)));
      groups.add(new Group(only(bench), b -> b.param("path", "SCALAR").param("net", "PAPER")
          .param("batch", "1", "16", "256")));
      groups.add(new Group(only(bench), b -> b.param("path", "VECTOR", "VECTOR2T", "OPENBLAS",
          "OPENBLAS2T").param("net", "WIDE").param("batch", "1", "256")));
    }
    groups.add(new Group(only("ParallelBench"), b -> b.param("path", "VECTOR", "OPENBLAS")
        .param("batch", "256")));
    groups.add(new Group(only("ReaderBench"), b -> b.param("rows", "100000", "1000000")));
    if (djlBuilt()) {
      groups.add(new Group(only("DjlStepBench"), b -> b));
    }
    return groups;
  }

  /**
   * Measures each row wider than the bound again, longer, while the budget lasts. The rerun
   * replaces the first measurement whatever it says: no choosing the better of two.
   */
  private static void rerunWide(List<RunResult> all, long start, int budgetS,
      List<String> notes) throws RunnerException {
    // narrowest first: within the budget, the most rows become results
    List<Integer> wide = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (relativeError(all.get(i)) > Rows.MAX_RELATIVE_ERROR) {
        wide.add(i);
      }
    }
    wide.sort(java.util.Comparator.comparingDouble(i -> relativeError(all.get(i))));
    int reruns = 0;
    for (int i : wide) {
      BenchmarkParams p = all.get(i).getParams();
      Timing timing = p.getMeasurement().getTime().convertTo(
          java.util.concurrent.TimeUnit.MILLISECONDS) >= SLOW.iterationMs() ? SLOW_RERUN : RERUN;
      double seconds = (timing.warmups() * timing.warmupMs()
          + timing.iterations() * timing.iterationMs()) / 1e3 + 2; // 2 s to fork and set up
      if ((System.nanoTime() - start) / 1e9 + seconds > budgetS) {
        continue;
      }
      Collection<RunResult> again = run(new Group("^" + Pattern.quote(p.getBenchmark()) + "$",
          b -> {
            for (String k : p.getParamsKeys()) {
              b = b.param(k, p.getParam(k));
            }
            return b;
          }, timing), timing);
      all.set(i, again.iterator().next());
      reruns++;
    }
    notes.add(String.format(Locale.ROOT, "%d of %d rows wider than ±10%% measured again%s.",
        reruns, wide.size(), reruns < wide.size() ? "; the rest were not, for lack of time" : ""));
  }

  private static double relativeError(RunResult r) {
    double rel = r.getPrimaryResult().getScoreError() / r.getPrimaryResult().getScore();
    return Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel;
  }

  /**
   * A pattern for exactly one benchmark class: JMH's include is a regular expression found
   * anywhere in the name, so a bare "StepBench" would also run DjlStepBench.
   */
  private static String only(String simpleName) {
    return "\\." + simpleName + "\\.";
  }

  /** Whether this jar was built with the djl profile ({@code ./kickback bench-djl}). */
  private static boolean djlBuilt() {
    try {
      Class.forName("ai.djl.engine.Engine", false, BenchSuite.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static Collection<RunResult> run(Group g, Timing t) throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include(g.include())
        .forks(1)
        .warmupIterations(t.warmups())
        .warmupTime(TimeValue.milliseconds(t.warmupMs()))
        .measurementIterations(t.iterations())
        .measurementTime(TimeValue.milliseconds(t.iterationMs()))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true);
    return new Runner(g.params().apply(b).build()).run();
  }

  private static void checkOpenBlasEnvironment(List<String> notes) {
    if (!"SkylakeX".equals(System.getenv("OPENBLAS_CORETYPE"))
        || !"1".equals(System.getenv("OPENBLAS_NUM_THREADS"))) {
      String note = "OPENBLAS_CORETYPE=SkylakeX and OPENBLAS_NUM_THREADS=1 are not both set;"
          + " OpenBLAS may run other kernels or spawn threads (./kickback bench sets them).";
      System.err.println("note: " + note);
      notes.add(note);
    }
  }
}
