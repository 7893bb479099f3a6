package dev.kickback.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * The default suite behind {@code ./kickback bench}: every benchmark class on a trimmed set of
 * parameters, short iterations, one fork, JMH's GC profiler on; then the report. About 13 minutes
 * on 2 cores. For anything else run {@code java -jar bench/target/benchmarks.jar} with the usual
 * JMH options (the launcher's {@code jmh} command sets the OpenBLAS environment for it).
 *
 * <p>Usage: {@code BenchSuite <jmh-result.json> <report dir>}.
 */
public final class BenchSuite {
  private BenchSuite() {}

  public static void main(String[] args) throws RunnerException, IOException {
    if (args.length != 2) {
      System.err.println("usage: BenchSuite <jmh-result.json> <report dir>");
      System.exit(2);
    }
    checkOpenBlasEnvironment();
    List<RunResult> all = new ArrayList<>();
    // Scalar GEMMs at 512 and 1024 take seconds per call; the full jar runs them.
    all.addAll(run(b -> b.include(only("GemmBench")).param("path", "vector", "openblas")));
    all.addAll(run(b -> b.include(only("GemmBench")).param("path", "scalar").param("n", "256")));
    all.addAll(run(b -> b.include(only("GemvBench"))));
    all.addAll(run(b -> b.include(only("KickbackReduceBench"))));
    all.addAll(run(b -> b.include(only("ForwardBench"))));
    all.addAll(run(b -> b.include(only("StepBench"))));
    all.addAll(run(b -> b.include(only("ParallelBench"))));
    all.addAll(run(b -> b.include(only("SplitStepBench"))));
    all.addAll(run(b -> b.include(only("BandwidthBench"))));
    all.addAll(run(b -> b.include(only("FusedPullBench"))));
    if (djlBuilt()) {
      all.addAll(run(b -> b.include(only("DjlStepBench"))));
    }
    Path json = Path.of(args[0]);
    Files.createDirectories(json.toAbsolutePath().getParent());
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
    System.out.println("JMH results: " + json);
    Report.main(new String[] {json.toString(), args[1]});
  }

  /**
   * A pattern for exactly one benchmark class: JMH's include is a regular expression found
   * anywhere in the name, so a bare "StepBench" also ran SplitStepBench and DjlStepBench.
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

  private interface Selection {
    ChainedOptionsBuilder apply(ChainedOptionsBuilder b);
  }

  private static Collection<RunResult> run(Selection selection) throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .forks(1)
        // 4 x 1 s: with 2 x 1 s some forks were still finishing C2 compilations of the vector
        // kernels while measuring, and the interim code boxes vectors (measured: 10-100 KB/op
        // decaying to 1 B/op over the iterations of one fork)
        .warmupIterations(4)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(3)
        .measurementTime(TimeValue.milliseconds(500))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true);
    return new Runner(selection.apply(b).build()).run();
  }

  private static void checkOpenBlasEnvironment() {
    if (!"SkylakeX".equals(System.getenv("OPENBLAS_CORETYPE"))
        || !"1".equals(System.getenv("OPENBLAS_NUM_THREADS"))) {
      System.err.println("note: OPENBLAS_CORETYPE=SkylakeX and OPENBLAS_NUM_THREADS=1 are not both"
          + " set; OpenBLAS may run its Haswell kernels or spawn threads. ./kickback bench sets"
          + " them.");
    }
  }
}
