package dev.kickback.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/** Hand-made JMH JSON results for the report's tests. */
final class Jmh {
  private Jmh() {}

  static final String PKG = "dev.kickback.bench.jmh.";

  /** A throughput result with a 1% interval and three iterations around the score. */
  static JsonObject result(String cls, String method, double score, String... params) {
    return result(cls, method, score, score * 0.01, "ops/s", params);
  }

  static JsonObject result(String cls, String method, double score, double error, String unit,
      String... params) {
    JsonObject r = new JsonObject();
    r.addProperty("benchmark", (cls.contains(".") ? cls : PKG + cls) + "." + method);
    r.addProperty("mode", "thrpt");
    r.addProperty("threads", 1);
    r.addProperty("forks", 1);
    r.addProperty("vmVersion", "25-test");
    r.addProperty("warmupIterations", 2);
    r.addProperty("warmupTime", "1 s");
    r.addProperty("measurementIterations", 3);
    r.addProperty("measurementTime", "250 ms");
    JsonArray args = new JsonArray();
    args.add("--add-modules");
    args.add("jdk.incubator.vector");
    r.add("jvmArgs", args);
    JsonObject p = new JsonObject();
    for (int i = 0; i < params.length; i += 2) {
      p.addProperty(params[i], params[i + 1]);
    }
    r.add("params", p);
    JsonObject pm = new JsonObject();
    pm.addProperty("score", score);
    if (Double.isNaN(error)) {
      pm.addProperty("scoreError", "NaN");
    } else {
      pm.addProperty("scoreError", error);
    }
    pm.addProperty("scoreUnit", unit);
    JsonArray raw = new JsonArray();
    JsonArray fork = new JsonArray();
    fork.add(score * 0.99);
    fork.add(score);
    fork.add(score * 1.01);
    raw.add(fork);
    pm.add("rawData", raw);
    r.add("primaryMetric", pm);
    return r;
  }

  static JsonArray array(JsonObject... results) {
    JsonArray a = new JsonArray();
    for (JsonObject r : results) {
      a.add(r);
    }
    return a;
  }
}
