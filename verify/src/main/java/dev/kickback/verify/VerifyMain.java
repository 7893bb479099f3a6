package dev.kickback.verify;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Rule;
import dev.kickback.cli.data.NumericTable;
import dev.kickback.cli.data.Split;
import dev.kickback.cli.data.Task;
import dev.kickback.cli.training.Config;
import dev.kickback.cli.training.LinearBaseline;
import dev.kickback.cli.training.Training;
import dev.kickback.kernels.Kernels;
import dev.kickback.verify.checks.CheckResult;
import dev.kickback.verify.checks.CoherenceMonitor;
import dev.kickback.verify.checks.GradientChecks;
import dev.kickback.verify.experiments.Datasets;
import dev.kickback.verify.experiments.DepthSweep;
import dev.kickback.verify.experiments.Experiment;
import dev.kickback.verify.experiments.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./kickback verify}: gradient checks and the paper's experiments, written to
 * {@code report.md}, {@code results.json} and PNG charts.
 *
 * <p>Usage: {@code VerifyMain [--data DIR] [--out DIR] [--mode full|fast]}. Exit status 1 if a
 * gradient check fails, 2 on bad arguments or data.
 */
public final class VerifyMain {
  private VerifyMain() {}

  /** Everything the report shows. */
  public record Outcome(Protocol protocol, List<CheckResult> checks,
      List<Experiment.Result> experiments, List<CoherenceMonitor.Point> coherence,
      DepthSweep sweepPlan, List<Experiment.Result> sweep, String dataNote, double seconds) {

    public boolean checksPassed() {
      return checks.stream().allMatch(CheckResult::passed);
    }
  }

  public static void main(String[] args) throws Exception {
    Path data = Path.of("../shared/data");
    Path out = Path.of("verify/target/verify-report");
    String mode = "full";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(value(args, ++i, "--data"));
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--mode" -> mode = value(args, ++i, "--mode");
        default -> fail("unknown argument '" + args[i] + "'; usage: [--data DIR] [--out DIR]"
            + " [--mode full|fast]");
      }
    }
    Protocol protocol = switch (mode) {
      case "full" -> Protocol.FULL;
      case "fast" -> Protocol.FAST;
      default -> throw fail("--mode " + mode + ": expected full or fast");
    };
    boolean full = mode.equals("full");
    Outcome o = run(data, protocol, full ? 300 : 60, 10_000,
        full ? Datasets.all() : List.of(Datasets.byName("sarcos-j1")),
        full ? DepthSweep.FULL : DepthSweep.FAST);
    ReportWriter.write(o, out);
    System.out.println("report: " + out.resolve("report.md"));
    if (!o.checksPassed()) {
      System.err.println("verify: a gradient check failed (see the report)");
      System.exit(1);
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw fail(flag + " needs a value");
    }
    return args[i];
  }

  private static IllegalArgumentException fail(String message) {
    System.err.println("verify: " + message);
    System.exit(2);
    return new IllegalArgumentException(message);
  }

  /** The configurations of the full protocol for a task; SARCOS joint 1 gets all eight. */
  static List<Config> configs(Task task, Protocol p) {
    List<Config> out = new ArrayList<>();
    boolean all = task.name().equals("sarcos-j1") && p == Protocol.FULL;
    for (int[] hidden : all ? List.of(new int[] {200, 100, 10}, new int[] {10, 100, 200})
        : List.of(new int[] {200, 100, 10})) {
      for (Head head : Head.values()) {
        for (Coherence c : Coherence.values()) {
          boolean main = (head == Head.LINEAR && c == Coherence.FREE)
              || (head == Head.PAIR && c == Coherence.COHERENT);
          if (all || main) {
            for (Rule rule : Rule.values()) {
              out.add(new Config(rule, head, c, hidden));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Runs the checks, the experiments and the depth sweep ({@code sweep}, or none if null); data
   * may be absent (experiments and sweep are skipped).
   */
  public static Outcome run(Path data, Protocol p, int networks, int coherenceNetworks,
      List<Task> tasks, DepthSweep sweep)
      throws IOException, InterruptedException, ExecutionException {
    long t0 = System.nanoTime();
    System.out.println("verify: kernels " + Kernels.ops().name() + "; protocol " + p);
    System.out.println("verify: gradient checks (" + networks + " networks, "
        + coherenceNetworks + " for the coherence theorem)...");
    List<CheckResult> checks = new GradientChecks(networks, coherenceNetworks).runAll();
    for (CheckResult c : checks) {
      System.out.printf(Locale.ROOT, "  %-4s %s (worst %.3g)%n", c.status(),
          c.name(), c.worstError());
    }
    if (!Files.isDirectory(data)) {
      String note = "data directory " + data.toAbsolutePath() + " not found: experiments skipped";
      System.out.println("verify: " + note);
      return new Outcome(p, checks, List.of(), List.of(), sweep, List.of(), note,
          (System.nanoTime() - t0) / 1e9);
    }
    Map<String, NumericTable> tables = new HashMap<>();
    List<Experiment.Result> results = new ArrayList<>();
    List<Experiment.Result> sweepResults = new ArrayList<>();
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Experiment.Result>> jobs = new ArrayList<>();
      int total = 0;
      for (Task task : tasks) {
        total += configs(task, p).size();
      }
      AtomicInteger done = new AtomicInteger();
      final int jobsTotal = total;
      for (Task task : tasks) {
        Split split = Split.of(table(tables, data, task), task, p.testFraction(),
            p.splitSeed());
        double linear = LinearBaseline.nmse(split);
        for (Config c : configs(task, p)) {
          jobs.add(pool.submit(() -> {
            Experiment.Result r = Experiment.run(task, split, c, p, linear);
            System.out.printf(Locale.ROOT,
                "  [%d/%d] %-12s %-40s lr %-6s NMSE %.4f ± %.4f, %d/%d diverged, %d died (linear %.4f)"
                    + " %.1fs%n", done.incrementAndGet(), jobsTotal, task.name(), c, r.lr(),
                r.nmseMean(), r.nmseStd(), r.diverged(), r.seeds(), r.died(), linear, r.seconds());
            return r;
          }));
        }
      }
      List<Future<Experiment.Result>> sweepJobs = sweep == null ? List.of()
          : submitSweep(sweep, pool, tables, data);
      for (Future<Experiment.Result> f : jobs) {
        results.add(f.get());
      }
      for (Future<Experiment.Result> f : sweepJobs) {
        sweepResults.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    // Check 5 trains at the rate cross-validation chose for this configuration on sarcos-j1.
    float lr = results.stream()
        .filter(r -> r.target().equals("sarcos-j1") && r.config().equals(MONITORED))
        .map(Experiment.Result::lr).findFirst().orElse(0.01f);
    List<CoherenceMonitor.Point> coherence = monitor(tables, data, p, lr);
    return new Outcome(p, checks, results, coherence, sweep, sweepResults,
        "data: " + data.toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
  }

  /** The sweep's experiments, largest networks first so the pool's last jobs are short. */
  private static List<Future<Experiment.Result>> submitSweep(DepthSweep sweep,
      ExecutorService pool, Map<String, NumericTable> tables, Path data) throws IOException {
    Protocol sp = sweep.protocol();
    List<Future<Experiment.Result>> jobs = new ArrayList<>();
    List<Config> configs = new ArrayList<>(sweep.configs());
    configs.sort(java.util.Comparator.comparingLong(VerifyMain::weights).reversed());
    AtomicInteger done = new AtomicInteger();
    int total = configs.size() * sweep.tasks().size();
    for (String name : sweep.tasks()) {
      Task task = Datasets.byName(name);
      Split split = Split.of(table(tables, data, task), task, sp.testFraction(),
          sp.splitSeed());
      double linear = LinearBaseline.nmse(split);
      for (Config c : configs) {
        jobs.add(pool.submit(() -> {
          Experiment.Result r = Experiment.run(task, split, c, sp, linear);
          System.out.printf(Locale.ROOT, "  sweep [%d/%d] %-10s %-16s %-8s lr %-7s NMSE %.4f ±"
              + " %.4f, %d diverged, %d died %.1fs%n", done.incrementAndGet(), total,
              task.name(), DepthSweep.variant(c), c.hiddenLabel(), r.lr(), r.nmseMean(),
              r.nmseStd(), r.diverged(), r.died(), r.seconds());
          return r;
        }));
      }
    }
    return jobs;
  }

  /** A task's data file, read once per run. */
  private static NumericTable table(Map<String, NumericTable> tables, Path data, Task task)
      throws IOException {
    NumericTable table = tables.get(task.file());
    if (table == null) {
      table = NumericTable.read(data.resolve(task.file()));
      tables.put(task.file(), table);
    }
    return table;
  }

  /** Hidden weights of a configuration: the sweep's cost order. */
  private static long weights(Config c) {
    long w = 0;
    for (int i = 1; i < c.hidden().length; i++) {
      w += (long) c.hidden()[i - 1] * c.hidden()[i];
    }
    return w + c.hidden()[0];
  }

  /** The network check 5 follows: Kickback on a FREE LINEAR 200-100-10 network. */
  static final Config MONITORED =
      new Config(Rule.KICKBACK, Head.LINEAR, Coherence.FREE, new int[] {200, 100, 10});

  /** Check 5 on SARCOS joint 1, at learning rate {@code lr}. */
  private static List<CoherenceMonitor.Point> monitor(Map<String, NumericTable> tables,
      Path data, Protocol p, float lr) throws IOException {
    Task task = Datasets.byName("sarcos-j1");
    Split s = Split.of(table(tables, data, task), task, p.testFraction(), p.splitSeed());
    Config c = MONITORED;
    CoherenceMonitor m = new CoherenceMonitor(s.xTrain, s.yTrain, s.width, 256);
    System.out.println("verify: check 5, cosine and coherence during " + c + " training, lr "
        + lr + "...");
    Training.train(c, s.width, s.xTrain, s.yTrain, s.trainRows, lr, p.epochs(), p.batch(), 0,
        (epoch, net, trainer) -> m.measure(epoch, net));
    return m.points();
  }
}
