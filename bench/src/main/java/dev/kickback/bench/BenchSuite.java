package dev.kickback.bench;

import dev.kickback.bench.jmh.FlinkStateBench;
import dev.kickback.bench.report.Compare;
import dev.kickback.bench.report.JmhResult;
import dev.kickback.bench.report.Meta;
import dev.kickback.bench.report.Report;
import dev.kickback.bench.report.Rows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The suites behind {@code ./kickback bench [SUITE]}, then the report.
 *
 * <p>Runs one of {@link Suites#NAMES} (default {@code headline}, sized for 6 minutes with the
 * build on 2 cores). Every throughput row comes from at least 2 forks and its interval is JMH's,
 * over all forks' iterations. Then each row whose 99.9% interval is wider than ±10% gets more
 * forks, one at a time ({@link Suites#oneMoreFork}), pooled with its first ones, while the time
 * budget lasts; then each row whose forks' means lie more than 10% apart (an interval pooled
 * over iterations can be narrow while its forks disagree) gets up to
 * {@link #DISAGREEING_FORKS}. The report flags rows still wide and marks those whose forks
 * still disagree.
 *
 * <p>{@code --smoke} runs every parameter set of every suite once (in this JVM, one 50 ms
 * iteration each), renders the report and compares the run with itself: CI's check that every benchmark, the
 * report and {@code bench compare} still work. None of its numbers is a result.
 *
 * <p>{@code --lanes N}: this JVM was started at N float lanes ({@link VectorWidth}'s flags: on a
 * wider CPU the JVM emulates the narrower width), which its forks inherit and the report's cost
 * models see; checked before the first row. The report says which width ran and whether it was
 * emulated, and the native reference is built for that width where it has one.
 *
 * <p>Usage: {@code BenchSuite <jmh-result.json> <report dir> [SUITE] [--smoke] [--budget S]
 * [--lanes N]}.
 * The OpenBLAS peer's core type is chosen before the JVM starts ({@link OpenBlasCoreProbe}, run
 * by the launcher); {@code kickback.openblas.*} system properties say how, for the report.
 */
public final class BenchSuite {
  /**
   * Seconds from the launcher's start within which the headline suite's further forks must
   * end: 6 minutes less the native reference and the report (12 to 19 s after the last fork:
   * the main job of a fresh clone of 27e41b6, with 340 here, ended at 359 s) and a few to
   * spare. The launcher passes the seconds its build took ({@code kickback.elapsed}).
   */
  static final int HEADLINE_S = 335;

  private BenchSuite() {}

  public static void main(String[] args) throws RunnerException, IOException {
    List<String> positional = new ArrayList<>();
    boolean smoke = false;
    Integer budget = null;
    int lanes = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--full" -> positional.add("full");
        case "--lanes" -> {
          try {
            lanes = VectorWidth.parseOption(++i < args.length ? args[i] : null);
          } catch (IllegalArgumentException e) {
            usage(e.getMessage());
          }
        }
        case "--smoke" -> smoke = true;
        case "--budget" -> {
          if (i + 1 == args.length || !args[i + 1].matches("-?\\d+")) {
            usage("--budget takes whole seconds");
          }
          budget = Math.max(0, Integer.parseInt(args[++i]));
        }
        default -> {
          if (args[i].startsWith("-")) {
            usage("unknown option " + args[i]);
          }
          positional.add(args[i]);
        }
      }
    }
    if (positional.size() < 2 || positional.size() > 3) {
      usage("expected <jmh-result.json> <report dir> [SUITE]");
    }
    String suite = positional.size() == 3 ? positional.get(2) : "headline";
    if (!Suites.NAMES.contains(suite) && !suite.equals("djl")) {
      usage("unknown suite '" + suite + "': one of " + String.join(", ", Suites.NAMES));
    }
    try {
      System.setProperty(Meta.VECTOR_WIDTH,
          lanes == 0 ? VectorWidth.describeOwn() : VectorWidth.check(lanes));
    } catch (IllegalStateException | InterruptedException e) {
      usage(e.getMessage());
    }
    long start = System.nanoTime();
    // FlinkStateBench's trials write their state sizes into a file named after this JVM: its
    // parent's process id in a fork, this property when the suite runs them in itself (smoke)
    System.setProperty(FlinkStateBench.SUITE_PID, Long.toString(ProcessHandle.current().pid()));
    List<String> notes = new ArrayList<>();
    checkOpenBlasEnvironment(notes);
    List<RunResult> all = new ArrayList<>();
    List<Suites.Group> groups = smoke ? Suites.smoke(Suites.SMOKE) : Suites.named(suite);
    String root = System.getProperty("kickback.root");
    String besideNote = null;
    try (NativeBeside beside = smoke ? NativeBeside.none() : NativeBeside.of(root, lanes, groups);
        LoadMonitor load = new LoadMonitor()) {
      notes.add(smoke ? "Smoke run: every parameter set of every suite, " + Suites.SMOKE
          + "; no number here is a result."
          : "Suite " + suite + ": " + describe(groups) + ".");
      for (Suites.Group g : groups) {
        all.addAll(g.interleaved() ? runInterleaved(g, beside) : run(g, g.timing()));
      }
      if (!smoke) {
        double firstPass = (System.nanoTime() - start) / 1e9;
        int limit = budget != null ? budget
            : suite.equals("headline") ? HEADLINE_S - Integer.getInteger("kickback.elapsed", 60)
            : (int) (1.5 * firstPass);
        rerun(all, start, limit, notes);
      }
      Integer launcher = Integer.getInteger("kickback.elapsed");
      notes.add(String.format(Locale.ROOT, "Measured for %.0f s%s.",
          (System.nanoTime() - start) / 1e9, launcher == null ? ""
              : ", after " + launcher + " s of build and OpenBLAS probe in the launcher"));
      notes.add(load.summary());
      notes.addAll(load.warnings());
      besideNote = beside.note();
    }
    String flinkState = flinkStateNote();
    if (flinkState != null) {
      notes.add(flinkState);
    }
    // after the rows, so that it does not heat the first of them, and after the load monitor,
    // whose windows would count its compiler and its process as other work on the machine
    if (!smoke && root != null) {
      String nativeNote = NativeReference.note(Path.of(root), all, lanes);
      if (nativeNote != null) {
        notes.add(nativeNote);
      }
    }
    if (besideNote != null) { // after the reference's own note: the headline repeats from it on
      notes.add(besideNote);
    }
    Path json = Path.of(positional.get(0));
    Files.createDirectories(json.toAbsolutePath().getParent());
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
    System.out.println("JMH results: " + json);
    Report.write(json, Path.of(positional.get(1)), notes);
    if (smoke) {
      // the comparison a user runs, on this run against itself: it must find nothing
      int code = Compare.run(new String[] {json.toString(), json.toString()}, System.out,
          System.err);
      if (code != 0) {
        System.err.println("bench --smoke: bench compare of the run with itself exited " + code);
        System.exit(1);
      }
    }
  }

  private static void usage(String why) {
    System.err.println("bench: " + why + "\nusage: ./kickback bench [SUITE] [--smoke]"
        + " [--budget SECONDS] [--lanes 4|8|16] [--respect-env]   (SUITE: " + String.join(", ", Suites.NAMES)
        + ")\n       ./kickback bench ab REF [SUITE] [--threshold PCT]"
        + "\n       ./kickback bench compare OLD NEW [--threshold PCT]");
    System.exit(2);
  }

  /** The timings a suite uses, for the report's notes. */
  private static String describe(List<Suites.Group> groups) {
    Set<String> timings = new LinkedHashSet<>();
    for (Suites.Group g : groups) {
      timings.add(g.timing().toString());
    }
    boolean turns = groups.stream().anyMatch(g -> g.interleaved()
        && g.benchmarks().equals(List.of("StepBench")));
    List<String> ort = groups.stream()
        .filter(g -> g.interleaved() && g.benchmarks().size() > 1)
        .map(g -> String.join(", ", g.params().getOrDefault("net", List.of()))
            .toLowerCase(Locale.ROOT) + " network, batch "
            + String.join(", ", g.params().getOrDefault("batch", List.of())))
        .toList();
    return String.join("; ", timings) + (turns ? "; our Kickback and Backprop steps of each"
        + " batch fork by fork in turn, so that a slow spell of the VM falls on both" : "")
        + (ort.isEmpty() ? "" : "; our forward passes and ONNX Runtime's fork by fork in turn,"
        + " at our timing (" + String.join("; ", ort) + ")")
        + "; a row wider than ±10% gets more forks of its timing,"
        + " one at a time while the time lasts (at most " + MAX_FORKS + "), pooled with its first,"
        + " then a row whose forks' means lie more than 10% apart (at most " + DISAGREEING_FORKS
        + ")";
  }

  /**
   * Most forks a row gets: past 6, a row still wider than ±10% is noisy beyond what more forks
   * fix within the suite's time.
   */
  static final int MAX_FORKS = 6;

  /**
   * Forks a row whose interval is within ±10% but whose forks' means lie more than 10% apart
   * ({@link Rows#forksDisagree}) gets: twice the first pass's usual 2, enough to see whether one
   * fork was the odd one, and a mean over more JVMs. Its mark stays (the spread cannot shrink).
   */
  static final int DISAGREEING_FORKS = 4;

  /**
   * Measures rows further while the budget lasts, one fork at a time at the row's own timing
   * ({@link #nextToMeasure}), pooled with the forks the row has (JMH's interval over all of
   * them, as if run with that many forks). Every fork counts: none is dropped or chosen.
   */
  private static void rerun(List<RunResult> all, long start, int budgetS, List<String> notes)
      throws RunnerException {
    Set<Integer> measuredAgain = new LinkedHashSet<>();
    int added = 0;
    int next;
    while ((next = nextToMeasure(all, r -> (System.nanoTime() - start) / 1e9
        + oneMoreFork(r).seconds() <= budgetS)) >= 0) {
      RunResult first = all.get(next);
      BenchmarkParams p = first.getParams();
      Map<String, String> row = new LinkedHashMap<>();
      for (String k : p.getParamsKeys()) {
        row.put(k, p.getParam(k));
      }
      RunResult more = oneFork("^" + Pattern.quote(p.getBenchmark()) + "$", row,
          oneMoreFork(first));
      all.set(next, pooled(first, more));
      measuredAgain.add(next);
      added++;
    }
    int wide = 0;
    int disagree = 0;
    for (RunResult r : all) {
      wide += !isSingleShot(r) && relativeError(r) > Rows.MAX_RELATIVE_ERROR ? 1 : 0;
      disagree += !isSingleShot(r) && Rows.forksDisagree(forkSpread(r)) ? 1 : 0;
    }
    notes.add(String.format(Locale.ROOT, "%d more fork(s) pooled into %d row(s) wider than ±10%%"
        + " or whose forks lay more than 10%% apart, after their first forks%s; %d row(s) still"
        + " wider, %d with forks more than 10%% apart.", added, measuredAgain.size(),
        measuredAgain.isEmpty() ? "" : " (" + String.join(", ", measuredAgain.stream()
            .map(i -> label(all.get(i)) + ": " + all.get(i).getBenchmarkResults().size()
                + " forks").toList()) + ")", wide, disagree));
  }

  /**
   * The row to give one more fork, or -1: among the rows whose next fork {@code fits} the
   * budget, the narrowest of those wider than ±10% with fewer than {@link #MAX_FORKS} forks
   * (they are not results yet); when there is none, of those whose forks disagree with fewer
   * than {@link #DISAGREEING_FORKS}, the one with the fewest forks, then the widest spread.
   * Single calls are their own spread and never get more.
   */
  static int nextToMeasure(List<RunResult> all, java.util.function.Predicate<RunResult> fits) {
    int wide = -1;
    double narrowest = Double.POSITIVE_INFINITY;
    int disagree = -1;
    int fewestForks = Integer.MAX_VALUE;
    double widestSpread = 0;
    for (int i = 0; i < all.size(); i++) {
      RunResult r = all.get(i);
      int forks = r.getBenchmarkResults().size();
      if (isSingleShot(r) || forks >= MAX_FORKS || !fits.test(r)) {
        continue;
      }
      double error = relativeError(r);
      Double spread = forkSpread(r);
      if (error > Rows.MAX_RELATIVE_ERROR) {
        if (wide < 0 || error < narrowest) {
          wide = i;
          narrowest = error;
        }
      } else if (forks < DISAGREEING_FORKS && Rows.forksDisagree(spread)
          && (forks < fewestForks || forks == fewestForks && spread > widestSpread)) {
        disagree = i;
        fewestForks = forks;
        widestSpread = spread;
      }
    }
    return wide >= 0 ? wide : disagree;
  }

  /** The largest fork's mean over the smallest's ({@link JmhResult#spread}), or null. */
  private static Double forkSpread(RunResult r) {
    return JmhResult.spread(r.getBenchmarkResults().stream()
        .mapToDouble(f -> f.getPrimaryResult().getScore()).toArray());
  }

  private static Suites.Timing oneMoreFork(RunResult r) {
    BenchmarkParams p = r.getParams();
    return Suites.oneMoreFork(new Suites.Timing(p.getForks(), p.getWarmup().getCount(),
        (int) ms(p.getWarmup().getTime()), p.getMeasurement().getCount(),
        (int) ms(p.getMeasurement().getTime())));
  }

  /** One row from the forks of two runs of it, its parameters saying how many forks it has. */
  static RunResult pooled(RunResult a, RunResult b) {
    List<BenchmarkResult> forks = new ArrayList<>(a.getBenchmarkResults());
    forks.addAll(b.getBenchmarkResults());
    BenchmarkParams p = a.getParams();
    WorkloadParams workload = new WorkloadParams();
    int order = 0;
    for (String k : p.getParamsKeys()) {
      workload.put(k, p.getParam(k), order++);
    }
    BenchmarkParams all = new BenchmarkParams(p.getBenchmark(), p.generatedBenchmark(),
        p.shouldSynchIterations(), p.getThreads(), p.getThreadGroups(),
        p.getThreadGroupLabels(), forks.size(), p.getWarmupForks(), p.getWarmup(),
        p.getMeasurement(), p.getMode(), workload, p.getTimeUnit(), p.getOpsPerInvocation(),
        p.getJvm(), p.getJvmArgs(), p.getJdkVersion(), p.getVmName(), p.getVmVersion(),
        p.getJmhVersion(), p.getTimeout());
    return new RunResult(all, forks);
  }

  /** A row's benchmark method and parameters, for the notes. */
  private static String label(RunResult r) {
    BenchmarkParams p = r.getParams();
    String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.',
        p.getBenchmark().lastIndexOf('.') - 1) + 1);
    List<String> kv = new ArrayList<>();
    for (String k : p.getParamsKeys()) {
      kv.add(k + "=" + p.getParam(k));
    }
    return name + " " + String.join(" ", kv);
  }

  private static long ms(TimeValue t) {
    return t.convertTo(java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private static boolean isSingleShot(RunResult r) {
    return r.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SingleShotTime;
  }

  /** A row's interval as a fraction of its score; infinite where JMH gave no interval. */
  static double relativeError(RunResult r) {
    double rel = r.getPrimaryResult().getScoreError() / r.getPrimaryResult().getScore();
    return Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel;
  }

  /**
   * The state sizes FlinkStateBench's trials measured at their checkpoints, over all forks of
   * each backend, network and key count; or null.
   */
  private static String flinkStateNote() throws IOException {
    return flinkStateNote(FlinkStateBench.takeStats(ProcessHandle.current().pid()));
  }

  /** The note from the trials' lines ({@link FlinkStateBench#takeStats}). */
  static String flinkStateNote(List<String> lines) {
    // per backend, network and keys: checkpoints, their state bytes and bytes written, summed
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.split("\t");
      double n = Double.parseDouble(f[3]);
      double[] sum = sums.computeIfAbsent(String.format(Locale.ROOT, "%s, %s keys of the %s"
          + " network", f[0], f[2], f[1]), k -> new double[3]);
      sum[0] += n;
      sum[1] += n * Double.parseDouble(f[4]);
      sum[2] += n * Double.parseDouble(f[5]);
    }
    if (sums.isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    sums.forEach((what, sum) -> parts.add(String.format(Locale.ROOT, "%s: %.1f MB of state,"
        + " %.1f MB written per checkpoint (mean of %.0f checkpoints)", what,
        sum[1] / sum[0] / 1e6, sum[2] / sum[0] / 1e6, sum[0])));
    return "Flink state at FlinkStateBench's checkpoints: " + String.join("; ", parts) + ".";
  }

  /**
   * An interleaved group's rows, fork by fork in turn, each row's forks pooled: the same forks
   * and timing as {@link #run}, in another order. Each fork of our paper-network batch-1 rows
   * gets the native reference timed just before it ({@link NativeBeside}).
   */
  static List<RunResult> runInterleaved(Suites.Group g, NativeBeside beside)
      throws RunnerException {
    Suites.Timing t = g.timing();
    if (t.forks() == null || t.forks() < 2) {
      return new ArrayList<>(run(g, t));
    }
    List<Map<String, String>> rows = Suites.withDefaults(g).rows();
    Suites.Timing one = Suites.oneMoreFork(t);
    Map<String, RunResult> out = new LinkedHashMap<>(); // by benchmark and row, in turn order
    for (int f = 0; f < t.forks(); f++) {
      for (Map<String, String> row : rows) {
        String paired = NativeBeside.rowOf(g.benchmarks(), row);
        double referenceNs = paired == null ? Double.NaN : beside.time(paired);
        for (RunResult r : forks(g.include(), row, one)) {
          if (paired != null && NativeBeside.ours(r, paired)) {
            beside.pair(paired, 1e9 / r.getPrimaryResult().getScore(), referenceNs);
          }
          out.merge(r.getParams().getBenchmark() + " " + row, r, BenchSuite::pooled);
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  /** One row (one value per parameter) of the benchmark {@code include} matches, one fork. */
  private static RunResult oneFork(String include, Map<String, String> row, Suites.Timing one)
      throws RunnerException {
    return forks(include, row, one).iterator().next();
  }

  /** One row of each benchmark {@code include} matches, one fork each, in JMH's order. */
  private static Collection<RunResult> forks(String include, Map<String, String> row,
      Suites.Timing one) throws RunnerException {
    Map<String, List<String>> params = new LinkedHashMap<>();
    row.forEach((k, v) -> params.put(k, List.of(v)));
    return run(new Suites.Group(include, params, one), one);
  }

  /** Runs a group; its forks inherit this JVM's flags, the vector width's among them. */
  private static Collection<RunResult> run(Suites.Group g, Suites.Timing t)
      throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include(g.include())
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true);
    if (t.forks() != null) {
      b = b.forks(t.forks())
          .warmupIterations(t.warmups())
          .warmupTime(TimeValue.milliseconds(t.warmupMs()))
          .measurementIterations(t.iterations())
          .measurementTime(TimeValue.milliseconds(t.iterationMs()));
    }
    for (Map.Entry<String, List<String>> p : g.params().entrySet()) {
      b = b.param(p.getKey(), p.getValue().toArray(String[]::new));
    }
    return new Runner(b.build()).run();
  }

  /** Notes whether the peer's environment is what the launcher sets, for the report. */
  private static void checkOpenBlasEnvironment(List<String> notes) {
    if (!"1".equals(System.getenv("OPENBLAS_NUM_THREADS"))) {
      String note = "OPENBLAS_NUM_THREADS is not 1: OpenBLAS may spawn threads"
          + " (./kickback bench sets it).";
      System.err.println("note: " + note);
      notes.add(note);
    }
    if (System.getenv("MALLOC_MMAP_THRESHOLD_") == null
        || System.getenv("MALLOC_TRIM_THRESHOLD_") == null) {
      String note = "MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ are not both set: the"
          + " OpenBLAS peer's large calls page-fault fresh copies of their arrays every call"
          + " (GEMM 1024 at about a quarter of its speed; ./kickback bench sets them).";
      System.err.println("note: " + note);
      notes.add(note);
    }
  }
}
