package dev.kickback.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders headline.md: our rows beside their OpenBLAS peers (and ONNX Runtime's forward
 * passes) with every interval, and the roofs, in the form the README quotes
 * ({@code ./kickback bench readme} copies it there, under the README's third-level "Results on
 * this machine": so the table's own headings are of the fourth level).
 */
final class HeadlineTable {
  private HeadlineTable() {}

  static String render(Map<String, String> meta, List<Row> rows) {
    Roofs roofs = Roofs.of(rows);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "`./kickback bench` of %s, commit %s%s: %s, %s,"
        + " %s cores, JDK %s, vector kernels at %s. Measured roofs: FP32 peak %.1f GFLOP/s per"
        + " core at %s GHz; streaming reads %s.%s%n%n",
        meta.getOrDefault("date", "?"), abbrev(meta.getOrDefault("git_commit", "?")),
        "true".equals(meta.get("git_dirty")) ? " (dirty)" : "",
        meta.getOrDefault("cpu_model", "?"), meta.getOrDefault("microarchitecture", "?"),
        meta.getOrDefault("cores", "?"), meta.getOrDefault("jdk", "?"),
        meta.getOrDefault("vector_width", "?"), roofs.peakGflops(),
        meta.getOrDefault("clock_ghz_measured", "?"), reads(roofs), noted(meta)));
    sb.append(OpenBlasPeer.sentence(meta, rows)).append("\n\n");
    sb.append("| workload | Kickback-J | OpenBLAS (same Trainer) | ratio | ONNX Runtime | vs ORT"
        + " | ours vs peak |\n|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.path() == null || !r.path().startsWith("vector") || inLatencyTableOnly(r)) {
        continue;
      }
      Optional<Row> peer = Rows.peer(rows, r);
      Optional<Row> ort = Rows.ortPeer(rows, r);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", workload(r),
          value(r), peer.map(HeadlineTable::value).orElse(""),
          r.vsOpenblas() == null ? "" : String.format(Locale.ROOT, "%.2f", r.vsOpenblas()),
          ort.map(HeadlineTable::value).orElse(""),
          r.vsOrt() == null ? "" : String.format(Locale.ROOT, "%.2f", r.vsOrt()),
          r.vsPeak() == null ? "" : String.format(Locale.ROOT, "%.2f", r.vsPeak())));
    }
    Markdown.appendLatency(sb, rows, roofs, "#### Batches 1 to 16, one core");
    return sb.toString();
  }

  /** Batches 2 to 8, and the wide network's small batches: the latency table has them. */
  private static boolean inLatencyTableOnly(Row r) {
    boolean small = r.batch() > 1 && r.batch() < 16;
    boolean wideSmall = r.shape().equals("wide") && r.batch() <= 16;
    return (r.benchmark().equals("forward") || r.benchmark().equals("step"))
        && (small || wideSmall);
  }

  private static String workload(Row r) {
    String what = switch (r.benchmark()) {
      case "gemm" -> "GEMM " + r.shape().substring(4).replace('_', ' ');
      case "step" -> (r.rule().equals("kickback") ? "Kickback" : "Backprop") + " step, "
          + r.shape() + ", batch " + r.batch();
      default -> r.benchmark() + ", " + r.shape() + ", batch " + r.batch();
    };
    return r.threads() > 1 ? what + ", " + r.threads() + " threads" : what;
  }

  /** GFLOP/s for GEMMs, samples/s otherwise, with the interval and a flag mark. */
  private static String value(Row r) {
    double rel = r.relativeError();
    String v = r.samplesPerS() != null
        ? Markdown.num(r.samplesPerS()) + " samples/s"
        : String.format(Locale.ROOT, "%.1f GFLOP/s", r.gflops());
    return v + String.format(Locale.ROOT, " ± %.1f%%", 100 * rel)
        + (r.flag() == null ? "" : " 🔴");
  }

  /** The read roofs this run measured: "73 GB/s (100 KB), 25 (16 MB)". */
  private static String reads(Roofs roofs) {
    List<String> parts = new java.util.ArrayList<>();
    for (int kb : new int[] {32, 100, 1024, 16384}) {
      double v = roofs.gbps(kb, "read");
      if (!Double.isNaN(v)) {
        parts.add(String.format(Locale.ROOT, "%.0f%s (%s)", v, parts.isEmpty() ? " GB/s" : "",
            kb >= 1024 ? kb / 1024 + " MB" : kb + " KB"));
      }
    }
    return parts.isEmpty() ? "not measured" : String.join(", ", parts);
  }

  /**
   * The notes repeated where the headline is read: the load monitor's warnings about a busy or
   * stolen machine, and the native batch-1 reference with our rows' multiples of it (the last
   * note, when the suite ran it).
   */
  static String noted(Map<String, String> meta) {
    String notes = meta.getOrDefault("notes", "");
    int w = notes.indexOf("WARNING: ");
    int n = notes.indexOf(Meta.NATIVE_NOTE);
    StringBuilder sb = new StringBuilder();
    if (w >= 0) {
      sb.append(' ').append(notes.substring(w, n > w ? n : notes.length()).trim()
          .replace("WARNING: ", "⚠ "));
    }
    if (n >= 0 && n > w) {
      sb.append(' ').append(notes.substring(n).trim());
    }
    return sb.toString();
  }

  private static String abbrev(String commit) {
    return commit.length() > 10 ? commit.substring(0, 10) : commit;
  }
}
