package dev.kickback.bench.report;

import static dev.kickback.bench.report.Jmh.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kickback.api.NetworkSpec;
import dev.kickback.bench.jmh.Net;
import dev.kickback.bench.jmh.PeakBench;
import dev.kickback.bench.jmh.Traffic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report from a hand-made JMH result: each benchmark's own model read through its typed
 * parameters, the measured peak and roofs, peers, flags, and the rendered tables.
 */
class ReportTest {
  /**
   * 24 chains (12 with 16 vector registers) x 1024 steps x 8 lanes x 2 FLOPs at 500,000 ops/s:
   * 196.608 GFLOP/s (98.304).
   */
  private static final double PEAK = 2.0 * PeakBench.CHAINS * 1024 * 8 * 500_000 / 1e9;

  private static List<Row> rows() {
    return Rows.of(JmhResult.parse(Jmh.array(
        result("PeakBench", "fma", 500_000, "width", "BITS_256"),
        result("BandwidthBench", "stream", 500_000, "kb", "100", "mode", "READ"),
        result("BandwidthBench", "stream", 250_000, "kb", "100", "mode", "UPDATE"),
        result("GemmBench", "gemm", 50, "path", "VECTOR", "op", "NN", "n", "1024"),
        result("GemmBench", "gemm", 40, "path", "OPENBLAS", "op", "NN", "n", "1024"),
        result("StepBench", "step", 10, "path", "VECTOR", "rule", "KICKBACK", "net", "WIDE",
            "batch", "256"),
        result("StepBench", "step", 14, "path", "VECTOR2T", "rule", "KICKBACK", "net", "WIDE",
            "batch", "256"),
        result("StepBench", "step", 11, "path", "OPENBLAS", "rule", "KICKBACK", "net", "WIDE",
            "batch", "256"),
        result("StepBench", "step", 16, "path", "OPENBLAS2T", "rule", "KICKBACK", "net", "WIDE",
            "batch", "256"),
        result("StepBench", "step", 80_000, "path", "VECTOR", "rule", "BACKPROP", "net", "PAPER",
            "batch", "1"),
        result("StepBench", "step", 100_000, 20_000, "ops/s", "path", "VECTOR", "rule",
            "KICKBACK", "net", "PAPER", "batch", "1"),
        result("ForwardBench", "forward", 100_000, "path", "VECTOR", "net", "PAPER", "batch",
            "1"),
        result("OrtForwardBench", "forward", 40_000, "net", "PAPER", "batch", "1"),
        result("com.example.OtherBench", "run", 7, Double.NaN, "ops/s"))));
  }

  private static Row find(List<Row> rows, String benchmark, String path) {
    return rows.stream().filter(r -> r.benchmark().equals(benchmark)
        && (path == null || path.equals(r.path()))).findFirst().orElseThrow();
  }

  @Test
  void peakIsMeasuredAndEveryRatioUsesIt() {
    List<Row> rows = rows();
    assertEquals(PEAK, find(rows, "peak", null).gflops(), 1e-9);
    Row gemm = find(rows, "gemm", "vector");
    double gflops = 2.0 * 1024 * 1024 * 1024 * 50 / 1e9;
    assertEquals(gflops, gemm.gflops(), 1e-9);
    assertEquals(gflops / PEAK, gemm.vsPeak(), 1e-12);
    assertEquals(1.25, gemm.vsOpenblas(), 1e-12);
    assertNull(find(rows, "peak", null).vsPeak(), "the peak is not a fraction of itself");
  }

  @Test
  void forwardRowsAreComparedWithOnnxRuntime() {
    Row ours = find(rows(), "forward", "vector");
    assertEquals(2.5, ours.vsOrt(), 1e-12);
    assertNull(ours.vsOpenblas(), "no OpenBLAS forward row here");
    Row ort = find(rows(), "forward", "ort");
    assertNull(ort.vsOrt(), "ONNX Runtime is not its own peer");
    assertNull(ort.vsOpenblas());
    assertEquals(40_000, ort.samplesPerS(), 1e-9);
    assertNull(find(rows(), "step", "vector2t").vsOrt(), "steps have no ONNX Runtime peer");
  }

  @Test
  void typedParametersGiveThreadsPeersAndSamples() {
    Row two = find(rows(), "step", "vector2t");
    assertEquals(2, two.threads());
    assertEquals("kickback", two.rule());
    assertEquals("wide", two.shape());
    assertEquals(14.0 / 16.0, two.vsOpenblas(), 1e-12, "vector2t is compared with openblas2t");
    assertEquals(14 * 256, two.samplesPerS(), 1e-9);
    assertEquals(two.gflops() / (2 * PEAK), two.vsPeak(), 1e-12, "peak of two cores");
  }

  /**
   * Kickback against Backprop: the steps of networks each rule trained (StepBench) and the steps
   * from one fixed state (FixedStateStepBench), each pair in its own line, never mixed.
   */
  @Test
  void theRuleRatiosPairStepsFromTheSameKindOfState() {
    List<Row> rows = Rows.of(JmhResult.parse(Jmh.array(
        result("StepBench", "step", 1000, "path", "VECTOR", "rule", "KICKBACK", "net", "WIDE",
            "batch", "4"),
        result("StepBench", "step", 1250, "path", "VECTOR", "rule", "BACKPROP", "net", "WIDE",
            "batch", "4"),
        result("FixedStateStepBench", "steps", 1200, 60, "ops/s", "path", "VECTOR", "rule",
            "KICKBACK", "net", "WIDE", "batch", "4"),
        result("FixedStateStepBench", "steps", 1000, "path", "VECTOR", "rule", "BACKPROP",
            "net", "WIDE", "batch", "4"))));
    Row fixed = find(rows, "step_fixed", "vector");
    assertEquals(4 * 1200, fixed.samplesPerS(), 1e-9);
    String md = Markdown.render(Map.of(), rows);
    assertTrue(md.contains(
        "| trained | vector | wide | 4 | 1 | 4000.0 | 1.0% | 5000.0 | 1.0% | 0.80 |"), md);
    assertTrue(md.contains(
        "| fixed | vector | wide | 4 | 1 | 4800.0 | 5.0% | 4000.0 | 1.0% | 1.20 |"), md);
  }

  @Test
  void aBenchmarkWithoutModelOrParametersStillGetsARow() {
    Row other = find(rows(), "OtherBench.run", null);
    assertEquals(7, other.score());
    assertNull(other.gflops());
    assertEquals("no interval (one iteration)", other.flag());
  }

  @Test
  void rowsWiderThanTenPercentAreFlaggedWithTheirWidth() {
    List<Row> rows = rows();
    Row wide = rows.stream().filter(r -> r.benchmark().equals("step") && r.batch() == 1
        && "kickback".equals(r.rule())).findFirst().orElseThrow();
    assertEquals("interval ±20.0% is wider than ±10%", wide.flag());
    assertNull(find(rows, "gemm", "vector").flag());
    String md = Markdown.render(Map.of(), rows);
    assertTrue(md.contains("14 rows, 12 within ±10%."), md);
    assertTrue(md.contains("🔴 interval ±20.0% is wider than ±10% |"), md);
  }

  @Test
  void theBenchmarkThreadsBytesAreShownBesideTheWholeJvms() {
    JsonObject step = result("StepBench", "step", 12, "path", "VECTOR", "rule", "KICKBACK",
        "net", "WIDE", "batch", "256");
    JsonObject secondary = new JsonObject();
    secondary.add("gc.alloc.rate.norm", score(2046.7));
    secondary.add("threadBytes", score(330));
    secondary.add("threadOps", score(22));
    step.add("secondaryMetrics", secondary);
    JsonObject fwd = result("ForwardBench", "forward", 100_000, "path", "VECTOR", "net",
        "PAPER", "batch", "1");
    JsonObject onlyGc = new JsonObject();
    onlyGc.add("gc.alloc.rate.norm", score(3));
    fwd.add("secondaryMetrics", onlyGc);
    List<Row> rows = Rows.of(JmhResult.parse(Jmh.array(step, fwd)));
    Row s = find(rows, "step", "vector");
    assertEquals(2046.7, s.bytesPerOp(), 1e-9);
    assertEquals(15.0, s.threadBytesPerOp(), 1e-12, "bytes over operations, summed alike");
    assertNull(find(rows, "forward", "vector").threadBytesPerOp(), "no ThreadAlloc counters");
    String md = Markdown.render(Map.of(), rows);
    assertTrue(md.contains("| B/op | thread B/op | |"), md);
    assertTrue(md.contains("| 2047 | 15 |"), md);
    assertTrue(SummaryJson.render(Map.of(), rows).contains("\"thread_alloc_bytes_per_op\": 15.0"));
  }

  private static JsonObject score(double value) {
    JsonObject m = new JsonObject();
    m.addProperty("score", value);
    return m;
  }

  @Test
  void markdownStatesRoofsScalingAndLatencyBounds() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("clock_ghz_measured", "2.00");
    String md = Markdown.render(meta, rows());
    assertTrue(md.contains(String.format(Locale.ROOT, "| fma_bits_256 | %.1f | %.1f |", PEAK,
        PEAK / 2)), md);
    assertTrue(md.contains("| 100 KB | 51.2 | 51.2 |"), md);
    assertTrue(md.contains(
        "| kickback | wide | 256 | 2560.0 | 3584.0 | 1.40 | 2816.0 | 4096.0 | 1.45 |"), md);
    assertTrue(md.contains(
        "| trained | vector | paper | 1 | 1 | 100000 | 20.0% | 80000 | 1.0% | 1.25 |"), md);
    // the latency row: bytes from the active units of the benchmark's sample, read at 51.2 GB/s
    Traffic t = Traffic.of(Net.PAPER, 1);
    double bound = 51.2e9 / t.forwardRead();
    assertTrue(md.contains(String.format(Locale.ROOT, "| %.0f | %s | %.2f |",
        t.forwardRead() / 1000, Markdown.num(bound), 100000 / bound)), md);
    // ... beside ONNX Runtime's forward pass: its samples/s, its interval and the ratio
    assertTrue(md.contains("| paper | forward | 1 | 100000 | 1.0% |  |  | 40000 | 1.0% | 2.50 |"),
        md);
    // ... and in the table of every forward pass beside ONNX Runtime
    assertTrue(md.contains("| paper | 1 | 100000 | 1.0% | 40000 | 1.0% | 2.50 |"), md);
  }

  /**
   * A row's forks: the largest fork mean over the smallest, marked in the results when beyond
   * 10% whether or not the pooled interval is tight; one fork has no spread.
   */
  @Test
  void forksThatDisagreeAreMarkedBesideTheirPooledInterval() {
    JsonObject apart = result("GemmBench", "gemm", 112.5, "path", "VECTOR", "op", "NN", "n",
        "1024");
    apart.getAsJsonObject("primaryMetric").add("rawData",
        JsonParser.parseString("[[100, 100, 100], [125, 125, 125]]"));
    JsonObject close = result("GemmBench", "gemm", 102.5, "path", "OPENBLAS", "op", "NN", "n",
        "1024");
    close.getAsJsonObject("primaryMetric").add("rawData",
        JsonParser.parseString("[[100, 101, 99], [105, 105, 105], []]"));
    JsonObject one = result("PeakBench", "fma", 500_000, "width", "BITS_256");
    JsonObject calls = result("WarmupBench", "run", 1.2, 0.5, "s/op");
    calls.addProperty("mode", "ss");
    calls.getAsJsonObject("primaryMetric").add("rawData",
        JsonParser.parseString("[[1.0], [1.5]]"));
    assertNull(JmhResult.parse(calls).forkSpread(), "single calls: the spread is the result");
    List<Row> rows = Rows.of(JmhResult.parse(Jmh.array(apart, close, one)));
    assertEquals(1.25, find(rows, "gemm", "vector").forkSpread(), 1e-12);
    assertEquals(1.05, find(rows, "gemm", "openblas").forkSpread(), 1e-12);
    assertNull(find(rows, "peak", null).forkSpread());
    assertNull(find(rows, "gemm", "vector").flag(), "the pooled interval is the 1% given");
    String md = Markdown.render(Map.of(), rows);
    assertTrue(md.contains("| 1.229 |  |  | ⚠ forks 1.25x apart |"), md);
    assertEquals(1, md.split("⚠ forks", -1).length - 1, md);
    assertTrue(md.contains("⚠ marks a row whose forks' mean scores lie more than 10% apart"), md);
    assertTrue(SummaryJson.render(Map.of(), rows).contains("\"fork_spread\": 1.25"));
  }

  /**
   * The summary's latency table is one of its second-level sections; the headline's, which the
   * README's third-level "Results on this machine" holds, is a fourth-level heading, and the
   * headline has no heading above that level.
   */
  @Test
  void theLatencyTableHeadsItsDocumentAtThatDocumentsLevel() {
    Map<String, String> meta = Map.of("clock_ghz_measured", "2.00");
    String summary = Markdown.render(meta, rows());
    assertTrue(summary.contains("\n## Latency: batches 1 to 16, one core\n"), summary);
    String headline = HeadlineTable.render(meta, rows());
    assertTrue(headline.contains("\n#### Batches 1 to 16, one core\n"), headline);
    assertTrue(headline.lines().filter(l -> l.startsWith("#")).allMatch(l -> l.startsWith("####")),
        headline);
  }

  /**
   * The traffic model: at batch 1 the rows of nonzero inputs (all 21 features, then some of the
   * units), at larger batches every row; the step reads the forward's bytes, the feedback's
   * (the forward's above layer 0) and updates the forward's rows, read and write.
   */
  @Test
  void flinkRowsStandBesideThePlainLoopWithTheirOverheadPerRecord() {
    List<Row> rows = Rows.of(JmhResult.parse(Jmh.array(
        result("FlinkStreamBench", "records", 100_000, "runner", "PLAIN", "parallelism", "1",
            "backend", "hashmap"),
        result("FlinkStreamBench", "records", 80_000, "runner", "FLINK", "parallelism", "1",
            "backend", "hashmap"),
        result("FlinkStreamBench", "records", 144_000, "runner", "FLINK", "parallelism", "2",
            "backend", "hashmap"),
        result("FlinkStreamBench", "records", 40_000, "runner", "FLINK", "parallelism", "1",
            "backend", "rocksdb"),
        result("FlinkStreamBench", "records", 5_000, "runner", "FLINK", "parallelism", "1",
            "backend", "rocksdb", "cache", "off"),
        result("FlinkStreamBench", "records", 50_000, "runner", "PLAIN", "parallelism", "1",
            "backend", "hashmap", "keys", "10000", "net", "small"),
        result("FlinkStreamBench", "records", 20_000, "runner", "FLINK", "parallelism", "1",
            "backend", "hashmap", "keys", "10000", "net", "small"),
        result("FlinkStreamBench", "records", 10_000, "runner", "FLINK", "parallelism", "1",
            "backend", "rocksdb", "keys", "10000", "net", "small"))));
    Row p2 = find(rows, "flink_stream", "FLINK_P2");
    assertEquals(2, p2.threads());
    assertEquals(144_000, p2.samplesPerS(), 1e-9);
    String md = Markdown.render(Map.of(), rows);
    // 1e6 / 80,000 = 12.5 us against 10 us: 2.5 us more per record
    assertTrue(md.contains("| FLINK_P1 | paper 8keys | 1 | 80000 | 1.0% | 0.80 | 12.50 | +2.50 |"),
        md);
    assertTrue(md.contains("| FLINK_P2 | paper 8keys | 2 | 144000 | 1.0% | 1.44 | 6.94 |  |"), md);
    assertTrue(md.contains("| FLINK_P1_ROCKSDB_NOCACHE | paper 8keys | 1 | 5000.0 | 1.0% | 0.05"
        + " | 200.00 | +190.00 |"), md);
    // the 10,000 keys' rows against the loop on the same keys: 1e6 / 20,000 - 1e6 / 50,000
    assertTrue(md.contains("| FLINK_P1 | small 10000keys | 1 | 20000 | 1.0% | 0.40 | 50.00"
        + " | +30.00 |"), md);
    assertTrue(md.contains("FLINK_P1_ROCKSDB / heap, paper 8keys: 0.50 (target >= 0.3)."), md);
    assertTrue(md.contains("FLINK_P1_ROCKSDB_NOCACHE / heap, paper 8keys: 0.06."), md);
    assertTrue(md.contains("FLINK_P1_ROCKSDB / heap, small 10000keys: 0.50."), md);
    assertTrue(md.contains("Parallelism 1 / plain loop: 0.80 (target >= 0.5). Parallelism 2 /"
        + " parallelism 1: 1.80 (target >= 1.6)."), md);
    assertTrue(md.contains("## Streaming on Flink: keys learning online, a running job"), md);
    assertFalse(md.contains("whole bounded jobs"), md);
  }

  /**
   * Whole bounded jobs (FlinkLearnBench) get their own table beside their own plain loop; a
   * running job with periodic checkpoints is labeled with their interval.
   */
  @Test
  void wholeJobsAndCheckpointedRowsAreLabeledAsSuch() {
    List<Row> rows = Rows.of(JmhResult.parse(Jmh.array(
        result("FlinkLearnBench", "learn", 100_000, "runner", "PLAIN", "parallelism", "1"),
        result("FlinkLearnBench", "learn", 50_000, "runner", "FLINK", "parallelism", "1"),
        result("FlinkStreamBench", "records", 200_000, "runner", "PLAIN", "parallelism", "1"),
        result("FlinkStreamBench", "records", 150_000, "runner", "FLINK", "parallelism", "1",
            "checkpointEvery", "5"))));
    String md = Markdown.render(Map.of(), rows);
    assertTrue(md.contains("## Streaming on Flink: whole bounded jobs"), md);
    assertTrue(md.contains("| FLINK_P1 | paper 8keys | 1 | 50000 | 1.0% | 0.50 | 20.00 | +10.00 |"),
        md);
    assertTrue(md.contains("| FLINK_P1_CHECKPOINT_5S | paper 8keys | 1 | 150000 | 1.0% | 0.75 |"),
        md);
  }

  /** The headline repeats the load warnings and the native reference, with or without each. */
  @Test
  void theHeadlineRepeatsWarningsAndTheNativeReference() {
    String nat = "Native batch-1 reference (run-b1ref): forward 795 ns.";
    assertEquals(" " + nat, HeadlineTable.noted(Map.of("notes", "Suite headline. Measured for"
        + " 297 s. " + nat)));
    assertEquals(" ⚠ the hypervisor stole 0.10 cores. " + nat, HeadlineTable.noted(Map.of(
        "notes", "Suite headline. WARNING: the hypervisor stole 0.10 cores. " + nat)));
    assertEquals(" ⚠ busy machine.", HeadlineTable.noted(Map.of("notes",
        "Suite flink. WARNING: busy machine.")));
    assertEquals("", HeadlineTable.noted(Map.of("notes", "Suite headline.")));
  }

  /** FlinkStateBench has no model: its rows are read by method and parameter values. */
  @Test
  void flinkStateRowsGiveCheckpointAndRestoreTimesAndWhatRestoringAdds() {
    List<Row> rows = Rows.of(JmhResult.parse(Jmh.array(
        result("FlinkStateBench", "checkpoint", 240, 12, "ms/op", "backend", "hashmap",
            "keys", "10000", "net", "small", "start", "SAVEPOINT"),
        result("FlinkStateBench", "restore", 2400, 120, "ms/op", "backend", "rocksdb",
            "keys", "10000", "net", "small", "start", "SAVEPOINT"),
        result("FlinkStateBench", "restore", 1900, 95, "ms/op", "backend", "rocksdb",
            "keys", "10000", "net", "small", "start", "EMPTY"))));
    String md = Markdown.render(Map.of(), rows);
    assertTrue(md.contains("| checkpoint | hashmap | 10000 small |  | 240.0 | 5.0% |"), md);
    assertTrue(md.contains("| restore | rocksdb | 10000 small | savepoint | 2400.0 | 5.0% |"), md);
    assertTrue(md.contains("| restore | rocksdb | 10000 small | empty | 1900.0 | 5.0% |"), md);
    assertTrue(md.contains("Restoring 10000 keys on rocksdb: +500 ms against a start from"
        + " nothing."), md);
  }

  @Test
  void trafficCountsTheRowsOfNonzeroInputs() {
    NetworkSpec spec = Net.PAPER.spec();
    Traffic one = Traffic.of(Net.PAPER, 1);
    Traffic four = Traffic.of(Net.PAPER, 4);
    assertEquals(21, one.activeRows()[0]);
    double all = 0;
    double active = 0;
    double upper = 0;
    for (int l = 0; l < spec.layers(); l++) {
      assertEquals(spec.fanIn(l), four.activeRows()[l]);
      assertTrue(one.activeRows()[l] > 0 && one.activeRows()[l] <= spec.fanIn(l));
      all += 4.0 * spec.weightCount(l);
      active += 4.0 * one.activeRows()[l] * spec.width(l);
      upper += l > 0 ? 4.0 * one.activeRows()[l] * spec.width(l) : 0;
    }
    assertTrue(active < all, "inactive units below layer 1 leave rows unread");
    assertEquals(active + 4 * 21, one.forwardRead(), 1e-9);
    assertEquals(active + upper + 4 * 21, one.stepRead(), 1e-9);
    assertEquals(2 * active, one.stepUpdate(), 1e-9);
    assertEquals(all + 4 * 4 * 21, four.forwardRead(), 1e-9);
  }

  @Test
  void summaryJsonHasMetaAndRowsWithTheirFields() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("git_commit", "abc");
    JsonObject root = JsonParser.parseString(SummaryJson.render(meta, rows())).getAsJsonObject();
    assertEquals("abc", root.getAsJsonObject("meta").get("git_commit").getAsString());
    JsonObject gemm = root.getAsJsonArray("rows").get(3).getAsJsonObject();
    assertEquals("gemm", gemm.get("benchmark").getAsString());
    assertEquals(1.25, gemm.get("vs_openblas").getAsDouble(), 1e-12);
    assertEquals(1024 / 8.0, gemm.get("intensity").getAsDouble(), 1e-9, "2 n^3 / 16 n^2");
    assertTrue(gemm.get("flag").isJsonNull());
  }
}
