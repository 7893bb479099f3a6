package dev.kickback.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of JMH's {@code -rf json} output, the fields the report and the comparison read.
 *
 * @param benchmark fully qualified benchmark method, {@code package.Class.method}
 * @param params the {@code @Param} values as JMH wrote them
 * @param threads JMH worker threads
 * @param forks forks measured
 * @param warmup warm-up iterations x time, as JMH wrote it (e.g. "3 x 1 s")
 * @param measurement measurement iterations x time
 * @param jvmArgs the forked JVM's arguments
 * @param vmVersion the forked JVM's version
 * @param score mean score over every measured iteration of every fork
 * @param error half-width of JMH's 99.9% confidence interval, NaN when JMH gave none
 * @param unit the score's unit, e.g. {@code ops/s}
 * @param raw the iteration scores, one array per fork
 * @param allocBytesPerOp {@code gc.alloc.rate.norm} when the GC profiler ran, else null: the
 *     whole JVM's allocation, JMH's threads included, per operation
 * @param threadBytesPerOp the benchmark thread's own allocation per operation over every
 *     measured iteration ({@code threadBytes} over {@code threadOps}, the secondary metrics of
 *     {@code ThreadAlloc}), else null
 * @param mode JMH's mode ({@code thrpt}, {@code ss}, ...)
 */
public record JmhResult(String benchmark, Map<String, String> params, int threads, int forks,
    String warmup, String measurement, List<String> jvmArgs, String vmVersion, double score,
    double error, String unit, double[][] raw, Double allocBytesPerOp, Double threadBytesPerOp,
    String mode) {

  /** Whether each iteration is one timed call (a curve, not a rate). */
  public boolean singleShot() {
    return "ss".equals(mode);
  }

  /** The benchmark class's fully qualified name. */
  public String className() {
    return benchmark.substring(0, benchmark.lastIndexOf('.'));
  }

  /** The class's simple name. */
  public String simpleClassName() {
    String c = className();
    return c.substring(c.lastIndexOf('.') + 1);
  }

  /** Identifies the measured configuration across runs: benchmark and sorted parameters. */
  public String key() {
    StringBuilder sb = new StringBuilder(benchmark.substring(
        benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1));
    new TreeMap<>(params).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    if (threads != 1) {
      sb.append(" threads=").append(threads);
    }
    return sb.toString();
  }

  /** Relative half-width of the 99.9% interval; NaN without one. */
  public double relativeError() {
    return error / Math.abs(score);
  }

  /** Whether a larger score is better: throughput units are per second, time units per op. */
  public boolean higherIsBetter() {
    return !unit.endsWith("/op");
  }

  public static List<JmhResult> read(Path file) throws IOException {
    try {
      return parse(JsonParser.parseString(Files.readString(file)).getAsJsonArray());
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a JMH JSON result (" + e.getMessage() + ")", e);
    }
  }

  public static List<JmhResult> parse(JsonArray results) {
    List<JmhResult> out = new ArrayList<>();
    for (JsonElement e : results) {
      out.add(parse(e.getAsJsonObject()));
    }
    return out;
  }

  /**
   * The largest fork's mean score over the smallest's, among the forks with iterations; null
   * with fewer than two, and for single calls (a cold start's forks are its samples). JMH's
   * interval pools the iterations of all forks, so it narrows as forks are added whether or not
   * they agree; this says whether they did.
   */
  public Double forkSpread() {
    if (singleShot()) {
      return null;
    }
    return spread(java.util.Arrays.stream(raw).filter(fork -> fork.length > 0)
        .mapToDouble(fork -> java.util.Arrays.stream(fork).average().getAsDouble()).toArray());
  }

  /**
   * The largest of some forks' mean scores over the smallest; null with fewer than two forks or
   * a mean that is not positive. The one rule for the report's mark and the suite's reruns.
   */
  public static Double spread(double[] forkMeans) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (double mean : forkMeans) {
      lo = Math.min(lo, mean);
      hi = Math.max(hi, mean);
    }
    return forkMeans.length < 2 || !(lo > 0) ? null : hi / lo;
  }

  static JmhResult parse(JsonObject r) {
    Map<String, String> params = new LinkedHashMap<>();
    if (r.has("params")) {
      r.getAsJsonObject("params").entrySet()
          .forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
    }
    JsonObject pm = r.getAsJsonObject("primaryMetric");
    JsonElement err = pm.get("scoreError");
    double error = err != null && err.isJsonPrimitive() && err.getAsJsonPrimitive().isNumber()
        ? err.getAsDouble() : Double.NaN;
    double[][] raw = new double[0][];
    if (pm.has("rawData")) {
      JsonArray forks = pm.getAsJsonArray("rawData");
      raw = new double[forks.size()][];
      for (int f = 0; f < forks.size(); f++) {
        JsonArray it = forks.get(f).getAsJsonArray();
        raw[f] = new double[it.size()];
        for (int i = 0; i < it.size(); i++) {
          raw[f][i] = it.get(i).getAsDouble();
        }
      }
    }
    Double alloc = secondary(r, "gc.alloc.rate.norm");
    Double threadBytes = secondary(r, "threadBytes");
    Double threadOps = secondary(r, "threadOps");
    Double threadAlloc = threadBytes != null && threadOps != null && threadOps > 0
        ? threadBytes / threadOps : null;
    List<String> jvmArgs = new ArrayList<>();
    if (r.has("jvmArgs")) {
      r.getAsJsonArray("jvmArgs").forEach(a -> jvmArgs.add(a.getAsString()));
    }
    return new JmhResult(r.get("benchmark").getAsString(), params, intOr(r, "threads", 1),
        intOr(r, "forks", raw.length), iterations(r, "warmup"), iterations(r, "measurement"),
        jvmArgs, r.has("vmVersion") ? r.get("vmVersion").getAsString() : "?",
        pm.get("score").getAsDouble(), error, pm.get("scoreUnit").getAsString(), raw, alloc,
        threadAlloc, r.has("mode") ? r.get("mode").getAsString() : "thrpt");
  }

  /** A secondary metric's score, or null when JMH did not write it. */
  private static Double secondary(JsonObject r, String metric) {
    return r.has("secondaryMetrics") && r.getAsJsonObject("secondaryMetrics").has(metric)
        ? r.getAsJsonObject("secondaryMetrics").getAsJsonObject(metric).get("score").getAsDouble()
        : null;
  }

  private static int intOr(JsonObject r, String field, int fallback) {
    return r.has(field) ? r.get(field).getAsInt() : fallback;
  }

  private static String iterations(JsonObject r, String phase) {
    if (!r.has(phase + "Iterations")) {
      return "?";
    }
    String time = r.has(phase + "Time") ? r.get(phase + "Time").getAsString() : "?";
    return r.get(phase + "Iterations").getAsInt() + " x " + time;
  }
}
