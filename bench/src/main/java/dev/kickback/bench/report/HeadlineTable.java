package dev.kickback.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders headline.md: our rows beside their OpenBLAS peers with both intervals, and the
 * roofs, in the form the README quotes ({@code ./kickback bench readme} copies it there).
 */
final class HeadlineTable {
  private HeadlineTable() {}

  static String render(Map<String, String> meta, List<Row> rows) {
    Roofs roofs = Roofs.of(rows);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "`./kickback bench` of %s, commit %s%s: %s, %s,"
        + " %s cores, JDK %s. Measured roofs: FP32 peak %.1f GFLOP/s per core at %s GHz;"
        + " streaming reads %s GB/s (32 KB), %s (100 KB), %s (1 MB), %s (16 MB).%n%n",
        meta.getOrDefault("date", "?"), abbrev(meta.getOrDefault("git_commit", "?")),
        "true".equals(meta.get("git_dirty")) ? " (dirty)" : "",
        meta.getOrDefault("cpu_model", "?"), meta.getOrDefault("microarchitecture", "?"),
        meta.getOrDefault("cores", "?"), meta.getOrDefault("jdk", "?"), roofs.peakGflops(),
        meta.getOrDefault("clock_ghz_measured", "?"), gb(roofs.gbps(32, "read")),
        gb(roofs.gbps(100, "read")), gb(roofs.gbps(1024, "read")),
        gb(roofs.gbps(16384, "read"))));
    sb.append(OpenBlasPeer.sentence(meta, rows)).append("\n\n");
    sb.append("| workload | Kickback-J | OpenBLAS (same Trainer) | ratio | ours vs peak |\n"
        + "|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.path() == null || !r.path().startsWith("vector") || inLatencyTableOnly(r)) {
        continue;
      }
      Optional<Row> peer = Rows.peer(rows, r);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", workload(r),
          value(r), peer.map(HeadlineTable::value).orElse(""),
          r.vsOpenblas() == null ? "" : String.format(Locale.ROOT, "%.2f", r.vsOpenblas()),
          r.vsPeak() == null ? "" : String.format(Locale.ROOT, "%.2f", r.vsPeak())));
    }
    Markdown.appendLatency(sb, rows, roofs);
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

  private static String gb(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String abbrev(String commit) {
    return commit.length() > 10 ? commit.substring(0, 10) : commit;
  }
}
