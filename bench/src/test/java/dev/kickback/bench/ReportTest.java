package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's derived numbers from a hand-made JMH result: threads, ratios, FLOPs, tables. */
class ReportTest {

  private static JsonObject result(String cls, String method, double score, String... params) {
    JsonObject r = new JsonObject();
    r.addProperty("benchmark", "dev.kickback.bench." + cls + "." + method);
    r.addProperty("threads", 1);
    r.addProperty("vmVersion", "25-test");
    JsonObject p = new JsonObject();
    for (int i = 0; i < params.length; i += 2) {
      p.addProperty(params[i], params[i + 1]);
    }
    r.add("params", p);
    JsonObject pm = new JsonObject();
    pm.addProperty("score", score);
    pm.addProperty("scoreError", 1.0);
    pm.addProperty("scoreUnit", "ops/s");
    r.add("primaryMetric", pm);
    return r;
  }

  private static JsonArray results() {
    JsonArray a = new JsonArray();
    a.add(result("jmh.GemmBench", "gemm", 100, "path", "vector", "op", "NN", "n", "512"));
    a.add(result("jmh.GemmBench", "gemm", 80, "path", "openblas", "op", "NN", "n", "512"));
    for (String[] p : new String[][] {{"vector", "10"}, {"vector2t", "14"}, {"openblas", "11"},
        {"openblas2t", "16"}}) {
      a.add(result("jmh.SplitStepBench", "splitStep", Double.parseDouble(p[1]), "path", p[0],
          "rule", "kickback", "config", "wide/256"));
    }
    a.add(result("jmh.StepBench", "step", 1000, "path", "vector", "rule", "kickback", "config",
        "paper/1"));
    a.add(result("djl.DjlStepBench", "step", 50, "path", "djl", "rule", "kickback", "config",
        "paper/1"));
    // 100 KB read 500,000 times a second = 51.2 GB/s; read+write 250,000 times = 51.2 GB/s
    a.add(result("jmh.BandwidthBench", "stream", 500_000, "kb", "100", "mode", "read"));
    a.add(result("jmh.BandwidthBench", "stream", 250_000, "kb", "100", "mode", "update"));
    a.add(result("jmh.ForwardBench", "forward", 100_000, "path", "vector", "config", "paper/1"));
    a.add(result("jmh.FusedPullBench", "forwardAndTau", 90_000, "mode", "fused"));
    a.add(result("jmh.FusedPullBench", "forwardAndTau", 100_000, "mode", "unfused"));
    return a;
  }

  @Test
  void rowsCarryThreadsFlopsAndTheSameThreadCountPeer() {
    List<Report.Row> rows = Report.rows(results(), 100.0);
    Report.Row gemm = rows.get(0);
    assertEquals(2.0 * 512 * 512 * 512 * 100 / 1e9, gemm.gflops(), 1e-9);
    assertEquals(1.25, gemm.vsOpenblas(), 1e-12);
    Report.Row two = rows.stream().filter(r -> r.path().equals("vector2t")).findFirst().get();
    assertEquals("split_step", two.benchmark());
    assertEquals(2, two.threads());
    assertEquals(14.0 / 16.0, two.vsOpenblas(), 1e-12, "vector2t is compared with openblas2t");
    assertEquals(14 * 256, two.samplesPerS(), 1e-9);
    assertEquals(two.gflops() / 200.0, two.vsPeak(), 1e-12, "peak of two cores");
  }

  @Test
  void markdownStatesScalingAndTheDjlRatio() {
    JsonArray results = results();
    String md = Report.markdown(Report.rows(results, 100.0), 2.5e9, 2, 100.0, results);
    assertTrue(md.contains(
        "| kickback | wide | 256 | 2560.0 | 3584.0 | 1.40 | 2816.0 | 4096.0 | 1.45 |"), md);
    assertTrue(md.contains("| kickback | paper | 1 | 1 | 1000.0 | 50.0 | 20.0 |"), md);
    assertTrue(md.contains("| 100 KB | 51.2 | 51.2 |"), md);
    assertTrue(md.contains("fused / unfused 0.90."), md);
    // 25,220 weights = 100,880 bytes; 51.2e9 / 100,880 = 507,534 samples/s
    assertTrue(md.contains("| forward | read all weights: 101 KB | 507534 | 100000 | 0.20 |"),
        md);
  }
}
