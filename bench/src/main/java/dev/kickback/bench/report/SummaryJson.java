package dev.kickback.bench.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;

/** Renders summary.json: {@code {"meta": {...}, "rows": [...]}}. */
final class SummaryJson {
  private SummaryJson() {}

  static String render(Map<String, String> meta, List<Row> rows) {
    JsonObject m = new JsonObject();
    meta.forEach(m::addProperty);
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
      o.addProperty("vs_ort", r.vsOrt());
      o.addProperty("vs_peak", r.vsPeak());
      o.addProperty("alloc_bytes_per_op", r.bytesPerOp());
      o.addProperty("thread_alloc_bytes_per_op", r.threadBytesPerOp());
      o.addProperty("key", r.key());
      o.addProperty("rel_error", Double.isNaN(r.error()) ? null : r.relativeError());
      o.addProperty("traffic_bytes_per_op", r.trafficBytesPerOp());
      o.addProperty("intensity", r.intensity());
      o.addProperty("flag", r.flag());
      o.addProperty("fork_spread", r.forkSpread());
      arr.add(o);
    }
    JsonObject root = new JsonObject();
    root.add("meta", m);
    root.add("rows", arr);
    return new GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(root) + "\n";
  }
}
