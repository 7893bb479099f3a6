package dev.kickback.bench.report;

import static dev.kickback.bench.report.Jmh.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench compare} on hand-made JMH results: verdicts, threshold and exit codes. */
class CompareTest {
  private static final double T = Compare.DEFAULT_THRESHOLD;

  private static List<JmhResult> one(double score, double error, String unit) {
    return JmhResult.parse(Jmh.array(result("GemmBench", "gemm", score, error, unit,
        "path", "VECTOR", "op", "NN", "n", "1024")));
  }

  private static Compare.Verdict verdict(double oldScore, double oldErr, double newScore,
      double newErr, String unit) {
    List<Compare.Line> lines = Compare.compare(one(oldScore, oldErr, unit),
        one(newScore, newErr, unit), T);
    assertEquals(1, lines.size());
    return lines.get(0).verdict();
  }

  @Test
  void verdictsFollowBothIntervalsAndTheThreshold() {
    assertEquals(Compare.Verdict.SAME, verdict(100, 2, 100, 2, "ops/s"));
    assertEquals(Compare.Verdict.SAME, verdict(100, 15, 80, 15, "ops/s"),
        "20% slower, but the intervals overlap");
    assertEquals(Compare.Verdict.SMALL, verdict(100, 1, 97, 1, "ops/s"));
    assertEquals(Compare.Verdict.REGRESSION, verdict(100, 1, 90, 1, "ops/s"));
    assertEquals(Compare.Verdict.SMALL, verdict(100, 1, 92, 3, "ops/s"),
        "8% slower, but up to 96% / 99% = 4% is within the intervals: not beyond 5% for sure");
    assertEquals(Compare.Verdict.FASTER, verdict(100, 1, 110, 1, "ops/s"));
    assertEquals(Compare.Verdict.NO_INTERVAL, verdict(100, Double.NaN, 50, 1, "ops/s"));
  }

  @Test
  void timesPerOperationAreBetterWhenLower() {
    assertEquals(Compare.Verdict.REGRESSION, verdict(10, 0.1, 12, 0.1, "us/op"));
    assertEquals(Compare.Verdict.FASTER, verdict(10, 0.1, 8, 0.1, "us/op"));
    assertEquals(1.25, Compare.compare(one(10, 0.1, "us/op"), one(8, 0.1, "us/op"), T).get(0)
        .speed(), 1e-12);
  }

  @Test
  void rowsOnOneSideAreListed() {
    List<JmhResult> old = JmhResult.parse(Jmh.array(
        result("GemmBench", "gemm", 50, "path", "VECTOR", "op", "NN", "n", "1024"),
        result("GemmBench", "gemm", 50, "path", "VECTOR", "op", "NT", "n", "1024")));
    List<JmhResult> now = JmhResult.parse(Jmh.array(
        result("GemmBench", "gemm", 50, "path", "VECTOR", "op", "NN", "n", "1024"),
        result("GemmBench", "gemm", 50, "path", "VECTOR", "op", "TN", "n", "1024")));
    List<Compare.Line> lines = Compare.compare(old, now, T);
    assertEquals(List.of(Compare.Verdict.SAME, Compare.Verdict.ONLY_OLD,
        Compare.Verdict.ONLY_NEW), lines.stream().map(Compare.Line::verdict).toList());
    assertEquals("GemmBench.gemm n=1024 op=NT path=VECTOR", lines.get(1).key());
  }

  @Test
  void exitCodesGateOnRegressionsBeyondTheThreshold(@TempDir Path dir) throws IOException {
    Path old = write(dir, "old.json", Jmh.array(result("GemmBench", "gemm", 100, 1, "ops/s",
        "path", "VECTOR", "op", "NN", "n", "1024")));
    Path report = dir.resolve("report");
    Files.createDirectories(report);
    write(report, "jmh-result.json", Jmh.array(result("GemmBench", "gemm", 92, 1, "ops/s",
        "path", "VECTOR", "op", "NN", "n", "1024")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(1, Compare.run(new String[] {old.toString(), report.toString()}, o, e),
        "8% slower with disjoint intervals fails the default 5%");
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("| 0.920 | REGRESSION |"),
        out.toString(StandardCharsets.UTF_8));
    assertEquals(0, Compare.run(new String[] {old.toString(), report.toString(), "--threshold",
        "10"}, o, e), "within a 10% threshold");
    assertEquals(0, Compare.run(new String[] {old.toString(), old.toString()}, o, e),
        "a run against itself");
    assertEquals(2, Compare.run(new String[] {old.toString()}, o, e));
    assertEquals(2, Compare.run(new String[] {old.toString(), dir.resolve("nope").toString()},
        o, e));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("nope: no such file"),
        err.toString(StandardCharsets.UTF_8));
    assertEquals(2, Compare.run(new String[] {old.toString(), old.toString(), "--threshold",
        "abc"}, o, e));
  }

  private static Path write(Path dir, String name, JsonArray a) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, a.toString());
    return p;
  }
}
