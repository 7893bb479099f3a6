package dev.kickback.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kickback.api.NetworkSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns JMH's JSON results into {@code summary.md}, {@code summary.json} and charts: GFLOP/s,
 * samples/s, the ratio to OpenBLAS on the same shape and to this machine's FP32 peak, and the
 * Kickback/Backprop step ratio.
 *
 * <p>Usage: {@code Report <jmh-result.json> <output dir>}.
 */
public final class Report {
  /** FMA units per core (2 on Sapphire Rapids and Zen 5 alike). */
  static final int FMA_UNITS = 2;
  /** FP32 lanes of a 512-bit vector. */
  static final int LANES = 16;

  private Report() {}

  /** One benchmark result, the fields of summary.json. */
  record Row(String benchmark, String rule, String path, String shape, int batch, int threads,
      double score, double error, String unit, Double gflops, Double samplesPerS,
      Double vsOpenblas, Double vsPeak, Double bytesPerOp) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Report <jmh-result.json> <output dir>");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    JsonArray results = JsonParser.parseString(Files.readString(in)).getAsJsonArray();
    System.out.println("Measuring the core clock (dependent integer chain, 2 cycles/iteration)...");
    double hz = ClockProbe.measureHz(5);
    int cores = Runtime.getRuntime().availableProcessors();
    double peakPerCore = FMA_UNITS * LANES * 2.0 * hz / 1e9;
    List<Row> rows = rows(results, peakPerCore);
    Files.writeString(out.resolve("summary.json"), json(rows), StandardCharsets.UTF_8);
    String md = markdown(rows, hz, cores, peakPerCore, results);
    Files.writeString(out.resolve("summary.md"), md, StandardCharsets.UTF_8);
    Charts.write(rows, out);
    System.out.println(md);
    System.out.println("Wrote " + out.resolve("summary.md") + ", summary.json, gflops.png, steps.png");
  }

  static List<Row> rows(JsonArray results, double peakPerCore) {
    List<Row> raw = new ArrayList<>();
    for (JsonElement e : results) {
      JsonObject r = e.getAsJsonObject();
      String fqn = r.get("benchmark").getAsString();
      String method = fqn.substring(fqn.lastIndexOf('.') + 1);
      String cls = fqn.substring(0, fqn.lastIndexOf('.'));
      cls = cls.substring(cls.lastIndexOf('.') + 1);
      if (cls.equals("BandwidthBench") || cls.equals("FusedPullBench")) {
        continue; // not workloads of the main table: sections of their own read them directly
      }
      JsonObject p = r.has("params") ? r.getAsJsonObject("params") : new JsonObject();
      int threads = r.get("threads").getAsInt()
          * Workloads.threadsOf(p.has("path") ? p.get("path").getAsString() : "");
      JsonObject pm = r.getAsJsonObject("primaryMetric");
      double score = pm.get("score").getAsDouble();
      double error = pm.get("scoreError").isJsonPrimitive()
          ? pm.get("scoreError").getAsDouble() : Double.NaN;
      String unit = pm.get("scoreUnit").getAsString();
      Double bytes = null;
      if (r.has("secondaryMetrics")
          && r.getAsJsonObject("secondaryMetrics").has("gc.alloc.rate.norm")) {
        bytes = r.getAsJsonObject("secondaryMetrics").getAsJsonObject("gc.alloc.rate.norm")
            .get("score").getAsDouble();
      }
      String path = p.get("path").getAsString();
      String benchmark;
      String rule = null;
      String shape;
      int batch;
      double flopsPerOp;
      switch (cls) {
        case "GemmBench" -> {
          int n = p.get("n").getAsInt();
          benchmark = "gemm";
          shape = "gemm" + n + "_" + p.get("op").getAsString();
          batch = n;
          flopsPerOp = 2.0 * n * n * n;
        }
        case "GemvBench" -> {
          String s = p.get("shape").getAsString();
          String[] rc = s.split("x");
          benchmark = "gemv";
          shape = "gemv" + s;
          batch = 1;
          flopsPerOp = 2.0 * Integer.parseInt(rc[0]) * Integer.parseInt(rc[1]);
        }
        case "KickbackReduceBench" -> {
          benchmark = "kickback_reduce";
          shape = "wide_layer";
          batch = p.get("batch").getAsInt();
          flopsPerOp = 2.0 * batch * 1024 * 1024;
        }
        default -> {
          String[] cfg = p.get("config").getAsString().split("/");
          shape = cfg[0];
          batch = Integer.parseInt(cfg[1]);
          NetworkSpec spec = Workloads.network(shape);
          benchmark = method.equals("splitStep") ? "split_step" : method; // forward or step
          if (!method.equals("forward")) {
            rule = p.get("rule").getAsString();
            flopsPerOp = batch * Workloads.stepFlops(spec);
          } else {
            flopsPerOp = batch * Workloads.forwardFlops(spec);
          }
        }
      }
      boolean perSample = !benchmark.startsWith("gem") && !benchmark.startsWith("kick");
      double gflops = score * flopsPerOp / 1e9;
      raw.add(new Row(benchmark, rule, path, shape, batch, threads, score, error, unit, gflops,
          perSample ? score * batch : null, null, gflops / (peakPerCore * threads), bytes));
    }
    List<Row> rows = new ArrayList<>();
    for (Row r : raw) {
      Double vs = raw.stream()
          .filter(o -> o.path().equals(peerOf(r.path())) && o.benchmark().equals(r.benchmark())
              && Objects.equals(o.rule(), r.rule()) && o.shape().equals(r.shape())
              && o.batch() == r.batch() && o.threads() == r.threads())
          .findFirst().map(o -> r.gflops() / o.gflops()).orElse(null);
      rows.add(new Row(r.benchmark(), r.rule(), r.path(), r.shape(), r.batch(), r.threads(),
          r.score(), r.error(), r.unit(), r.gflops(), r.samplesPerS(), vs, r.vsPeak(),
          r.bytesPerOp()));
    }
    return rows;
  }

  static String json(List<Row> rows) {
    JsonArray arr = new JsonArray();
    for (Row r : rows) {
      JsonObject o = new JsonObject();
      o.addProperty("benchmark", r.benchmark());
      o.addProperty("rule", r.rule());
      o.addProperty("path", r.path());
      o.addProperty("shape", r.shape());
      o.addProperty("batch", r.batch());
      o.addProperty("threads", r.threads());
      o.addProperty("score", r.score());
      o.addProperty("error", Double.isNaN(r.error()) ? null : r.error());
      o.addProperty("unit", r.unit());
      o.addProperty("gflops", r.gflops());
      o.addProperty("samples_per_s", r.samplesPerS());
      o.addProperty("vs_openblas", r.vsOpenblas());
      o.addProperty("vs_peak", r.vsPeak());
      o.addProperty("alloc_bytes_per_op", r.bytesPerOp());
      arr.add(o);
    }
    Gson gson = new GsonBuilder().serializeNulls().setPrettyPrinting().create();
    return gson.toJson(arr) + "\n";
  }

  static String markdown(List<Row> rows, double hz, int cores, double peakPerCore,
      JsonArray results) {
    StringBuilder sb = new StringBuilder();
    String jdk = results.isEmpty() ? "?" : results.get(0).getAsJsonObject().get("vmVersion")
        .getAsString();
    sb.append("# Kickback-J benchmark summary\n\n");
    sb.append(String.format(Locale.ROOT, "Date %s, JDK %s, CPU %s (%d cores), JMH throughput"
        + " mode; error is JMH's 99.9%% confidence half-width.%n%n",
        LocalDate.now(), jdk, CpuInfo.model(), cores));
    sb.append(String.format(Locale.ROOT,
        "FP32 peak per core = %d FMA units x %d lanes x 2 FLOPs x %.2f GHz (clock measured by a"
            + " dependent integer chain, not read from /proc) = %.1f GFLOP/s; %d cores:"
            + " %.1f GFLOP/s. vs_peak divides by the peak of the threads used.%n%n",
        FMA_UNITS, LANES, hz / 1e9, peakPerCore, cores, peakPerCore * cores));
    sb.append("| benchmark | rule | path | shape | batch | threads | score ± error | GFLOP/s"
        + " | samples/s | vs OpenBLAS | vs peak | B/op |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %s | %d | %d | %s ± %s %s | %.2f | %s | %s | %.3f | %s |%n",
          r.benchmark(), r.rule() == null ? "" : r.rule(), r.path(), r.shape(), r.batch(),
          r.threads(), num(r.score()), num(r.error()), r.unit(), r.gflops(),
          r.samplesPerS() == null ? "" : num(r.samplesPerS()),
          r.vsOpenblas() == null ? "" : String.format(Locale.ROOT, "%.2f", r.vsOpenblas()),
          r.vsPeak(), r.bytesPerOp() == null ? "" : String.format(Locale.ROOT, "%.0f",
              r.bytesPerOp())));
    }
    sb.append("\n## Kickback / Backprop step throughput\n\n");
    sb.append("| path | shape | batch | threads | Kickback samples/s | Backprop samples/s"
        + " | ratio |\n|---|---|---|---|---|---|---|\n");
    Map<String, Row[]> pairs = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.benchmark().equals("step")) {
        String key = r.path() + "|" + r.shape() + "|" + r.batch() + "|" + r.threads();
        Row[] pair = pairs.computeIfAbsent(key, k -> new Row[2]);
        pair[r.rule().equals("kickback") ? 0 : 1] = r;
      }
    }
    for (Row[] p : pairs.values()) {
      if (p[0] != null && p[1] != null) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %.2f |%n",
            p[0].path(), p[0].shape(), p[0].batch(), p[0].threads(), num(p[0].samplesPerS()),
            num(p[1].samplesPerS()), p[0].score() / p[1].score()));
      }
    }
    sb.append("\n## One step over two cores (split_step)\n\n");
    sb.append("Same network, same batch, one stream; the 2-thread step returns the same bits as"
        + " the 1-thread one (tested).\n\n");
    sb.append("| rule | shape | batch | vector 1t samples/s | vector 2t samples/s | scaling"
        + " | OpenBLAS 1t | OpenBLAS 2t | scaling |\n|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Map<String, Row>> split = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.benchmark().equals("split_step")) {
        split.computeIfAbsent(r.rule() + "|" + r.shape() + "|" + r.batch(),
            k -> new LinkedHashMap<>()).put(r.path(), r);
      }
    }
    for (Map<String, Row> g : split.values()) {
      Row any = g.values().iterator().next();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n",
          any.rule(), any.shape(), any.batch(), perSample(g.get("vector")),
          perSample(g.get("vector2t")), ratio(g.get("vector2t"), g.get("vector")),
          perSample(g.get("openblas")), perSample(g.get("openblas2t")),
          ratio(g.get("openblas2t"), g.get("openblas"))));
    }
    appendDjl(sb, rows);
    appendRooflines(sb, rows, results);
    appendFusedPull(sb, results);
    return sb.toString();
  }

  /**
   * Our step over PyTorch's (through DJL) on the same rule, shape and batch: vector (StepBench)
   * against djl, vector2t (SplitStepBench) against djl2t. Only in a bench-djl run.
   */
  private static void appendDjl(StringBuilder sb, List<Row> rows) {
    List<Row> djl = rows.stream().filter(r -> r.path().startsWith("djl")).toList();
    if (djl.isEmpty()) {
      return;
    }
    sb.append("\n## Versus PyTorch 2.7.1 through DJL (same step, checked to agree)\n\n");
    sb.append("| rule | shape | batch | threads | Kickback-J samples/s | DJL samples/s | ours / DJL"
        + " |\n|---|---|---|---|---|---|---|\n");
    for (Row d : djl) {
      String ours = d.path().equals("djl2t") ? "vector2t" : "vector";
      String bench = d.path().equals("djl2t") ? "split_step" : "step";
      rows.stream()
          .filter(o -> o.path().equals(ours) && o.benchmark().equals(bench)
              && Objects.equals(o.rule(), d.rule()) && o.shape().equals(d.shape())
              && o.batch() == d.batch())
          .findFirst()
          .ifPresent(o -> sb.append(String.format(Locale.ROOT,
              "| %s | %s | %d | %d | %s | %s | %.1f |%n", d.rule(), d.shape(), d.batch(),
              d.threads(), num(o.samplesPerS()), num(d.samplesPerS()),
              o.score() / d.score())));
    }
  }

  /**
   * Measured streaming bandwidth (BandwidthBench) and, for the batch-1 paper workloads, the
   * bound it sets: bytes moved per sample over bytes per second. The compute-bound workloads
   * (GEMMs, the wide step) are compared with the FP32 peak in the main table's vs_peak.
   */
  static void appendRooflines(StringBuilder sb, List<Row> rows, JsonArray results) {
    Map<String, Double> gbps = new LinkedHashMap<>();
    for (JsonElement e : results) {
      JsonObject r = e.getAsJsonObject();
      if (!r.get("benchmark").getAsString().contains("BandwidthBench")) {
        continue;
      }
      JsonObject p = r.getAsJsonObject("params");
      int kb = p.get("kb").getAsInt();
      String mode = p.get("mode").getAsString();
      double bytes = kb * 1024.0 * (mode.equals("read") ? 1 : 2);
      double score = r.getAsJsonObject("primaryMetric").get("score").getAsDouble();
      gbps.put(kb + "/" + mode, score * bytes / 1e9);
    }
    if (gbps.isEmpty()) {
      return;
    }
    sb.append("\n## Rooflines\n\nStreaming one float array on one core, GB/s (update counts"
        + " the read and the write):\n\n| size | read | update |\n|---|---|---|\n");
    for (String kb : new String[] {"32", "100", "1024"}) {
      sb.append(String.format(Locale.ROOT, "| %s KB | %.1f | %.1f |%n", kb,
          gbps.getOrDefault(kb + "/read", Double.NaN),
          gbps.getOrDefault(kb + "/update", Double.NaN)));
    }
    double read = gbps.getOrDefault("100/read", Double.NaN) * 1e9;
    double update = gbps.getOrDefault("100/update", Double.NaN) * 1e9;
    NetworkSpec paper = Workloads.network("paper");
    final double all = 4.0 * (paper.parameterCount() - biasCount(paper));
    final double upper = all - 4.0 * paper.weightCount(0);
    // seconds per sample: bytes read at the read rate, bytes updated at the update rate
    double fwd = all / read;
    double stepAll = (all + upper) / read + 2 * all / update;
    double stepHalf = (all + upper / 2) / read + all / update;
    sb.append(String.format(Locale.ROOT, "%nThe paper network's weights are %.1f KB: more than"
        + " L1, so batch-1 passes stream them from L2 (the 100 KB row).%n%n", all / 1000));
    sb.append("| workload, batch 1, vector | bytes per sample (model) | bound, samples/s |"
        + " measured | of bound |\n|---|---|---|---|---|\n");
    rows.stream().filter(r -> r.benchmark().equals("forward") && r.path().equals("vector")
        && r.shape().equals("paper") && r.batch() == 1).findFirst().ifPresent(r ->
        sb.append(String.format(Locale.ROOT, "| forward | read all weights: %.0f KB | %s | %s |"
            + " %.2f |%n", all / 1000, num(1 / fwd), num(r.samplesPerS()),
            r.samplesPerS() * fwd)));
    rows.stream().filter(r -> r.benchmark().equals("step") && r.path().equals("vector")
        && r.shape().equals("paper") && r.batch() == 1).forEach(r ->
        sb.append(String.format(Locale.ROOT, "| %s step | forward read, tau read of the upper"
            + " layers, update read+write: %.0f KB (all units active), %.0f KB (half) | %s -"
            + " %s | %s | %.2f - %.2f |%n", r.rule(), (all + upper + 2 * all) / 1000,
            (all + upper / 2 + all) / 1000, num(1 / stepAll), num(1 / stepHalf),
            num(r.samplesPerS()), r.samplesPerS() * stepAll, r.samplesPerS() * stepHalf)));
  }

  /** FusedPullBench: Kickback's forward pass with tau fused in one read, against unfused. */
  static void appendFusedPull(StringBuilder sb, JsonArray results) {
    Map<String, double[]> byMode = new LinkedHashMap<>();
    for (JsonElement e : results) {
      JsonObject r = e.getAsJsonObject();
      if (r.get("benchmark").getAsString().contains("FusedPullBench")) {
        JsonObject pm = r.getAsJsonObject("primaryMetric");
        byMode.put(r.getAsJsonObject("params").get("mode").getAsString(), new double[] {
            pm.get("score").getAsDouble(), pm.get("scoreError").getAsDouble()});
      }
    }
    if (byMode.containsKey("fused") && byMode.containsKey("unfused")) {
      double[] f = byMode.get("fused");
      double[] u = byMode.get("unfused");
      sb.append(String.format(Locale.ROOT, "%n## Kickback's fused forward + tau (paper, batch 1)"
          + "%n%nForward pass with every tau, per second: fused (one read of each weight"
          + " matrix) %s ± %s, unfused (gemv, rectify, gemmNN) %s ± %s: fused / unfused %.2f.%n",
          num(f[0]), num(f[1]), num(u[0]), num(u[1]), f[0] / u[0]));
    }
  }

  private static long biasCount(NetworkSpec spec) {
    long n = 0;
    for (int l = 0; l < spec.layers(); l++) {
      n += spec.width(l);
    }
    return n;
  }

  private static String perSample(Row r) {
    return r == null ? "" : num(r.samplesPerS());
  }

  private static String ratio(Row a, Row b) {
    return a == null || b == null ? "" : String.format(Locale.ROOT, "%.2f", a.score() / b.score());
  }

  /** The OpenBLAS path with the same thread count: openblas2t for vector2t. */
  static String peerOf(String path) {
    return Workloads.threadsOf(path) == 2 ? "openblas2t" : "openblas";
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
