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
 * parameters, short iterations, one fork, JMH's GC profiler on; then the report. About 7 minutes
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
    all.addAll(run(b -> b.include("GemmBench").param("path", "vector", "openblas")));
    all.addAll(run(b -> b.include("GemmBench").param("path", "scalar").param("n", "256")));
    all.addAll(run(b -> b.include("GemvBench")));
    all.addAll(run(b -> b.include("KickbackReduceBench")));
    all.addAll(run(b -> b.include("ForwardBench")));
    all.addAll(run(b -> b.include("StepBench")));
    all.addAll(run(b -> b.include("ParallelBench")));
    all.addAll(run(b -> b.include("SplitStepBench")));
    if (djlBuilt()) {
      all.addAll(run(b -> b.include("DjlStepBench")));
    }
    Path json = Path.of(args[0]);
    Files.createDirectories(json.toAbsolutePath().getParent());
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
    System.out.println("JMH results: " + json);
    Report.main(new String[] {json.toString(), args[1]});
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
        .warmupIterations(2)
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
