package dev.kickback.bench.report;

import dev.kickback.bench.jmh.FixedStateStepBench;
import dev.kickback.bench.jmh.Net;
import dev.kickback.bench.jmh.PeakBench;
import dev.kickback.bench.jmh.Traffic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Renders summary.md: metadata, roofs, every row, and the tables derived from rows. */
final class Markdown {
  private Markdown() {}

  static String render(Map<String, String> meta, List<Row> rows) {
    Roofs roofs = Roofs.of(rows);
    StringBuilder sb = new StringBuilder("# Kickback-J benchmark summary\n\n");
    sb.append("| | |\n|---|---|\n");
    meta.forEach((k, v) -> {
      if (!k.equals("notes")) {
        sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
      }
    });
    String notes = meta.getOrDefault("notes", "");
    if (!notes.isBlank()) {
      sb.append("\n**Notes:** ").append(notes).append('\n');
    }
    sb.append("\nJMH throughput mode; error is JMH's 99.9% confidence half-width over the"
        + " measured iterations. Ratios are taken within this run only.\n");
    appendRoofs(sb, roofs, meta);
    appendRows(sb, rows);
    appendRuleRatio(sb, rows);
    appendScaling(sb, rows);
    appendDjl(sb, rows);
    appendLatency(sb, rows, roofs, "## Latency: batches 1 to 16, one core");
    appendOnnxRuntime(sb, rows);
    appendReader(sb, rows);
    appendFlink(sb, rows);
    appendFlinkState(sb, rows);
    return sb.toString();
  }

  static void appendRoofs(StringBuilder sb, Roofs roofs, Map<String, String> meta) {
    sb.append("\n## Roofs (measured in this run)\n\n");
    if (roofs.peakByWidth().isEmpty()) {
      sb.append("No PeakBench rows: vs_peak is left empty.\n");
    } else {
      double ghz = Double.parseDouble(meta.getOrDefault("clock_ghz_measured", "NaN"));
      sb.append("FP32 peak of one core: " + PeakBench.CHAINS
          + " independent chains of Vector API FMAs (PeakBench)."
          + " The peak is the larger width; the clock comes from a dependent integer chain"
          + " (2 cycles per iteration), not from /proc.\n\n"
          + "| width | GFLOP/s | FLOP/cycle at the measured clock |\n|---|---|---|\n");
      roofs.peakByWidth().forEach((w, g) -> sb.append(String.format(Locale.ROOT,
          "| %s | %.1f | %.1f |%n", w, g, g / ghz)));
      sb.append(String.format(Locale.ROOT, "%nPeak used for vs_peak: %.1f GFLOP/s per core.%n",
          roofs.peakGflops()));
    }
    if (!roofs.gbps().isEmpty()) {
      sb.append("\nStreaming one float array on one core (BandwidthBench), GB/s; update counts"
          + " the read and the write:\n\n| size | read | update |\n|---|---|---|\n");
      for (int kb : new int[] {32, 100, 1024, 16384}) {
        sb.append(String.format(Locale.ROOT, "| %d KB | %s | %s |%n", kb,
            gbps(roofs.gbps(kb, "read")), gbps(roofs.gbps(kb, "update"))));
      }
    }
  }

  static void appendRows(StringBuilder sb, List<Row> rows) {
    long flagged = rows.stream().filter(r -> r.flag() != null).count();
    sb.append(String.format(Locale.ROOT, "%n## Results%n%n%d rows, %d within ±%.0f%%."
        + " A 🔴 row is not a result yet; its reason is given. ⚠ marks a row whose forks' mean"
        + " scores lie more than %3$.0f%% apart (largest over smallest): its interval pools"
        + " their iterations, so it says how steady each JVM was, not how far apart they"
        + " ran.%n%n", rows.size(),
        rows.size() - flagged, 100 * Rows.MAX_RELATIVE_ERROR));
    sb.append("| benchmark | rule | path | shape | batch | threads | score ± error | ± | GFLOP/s"
        + " | samples/s | vs OpenBLAS | vs ORT | vs peak | B/op | thread B/op | |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %s | %d | %d | %s ± %s %s | %s | %s | %s | %s | %s | %s | %s | %s | %s"
              + " |%n",
          r.benchmark(), opt(r.rule()), opt(r.path()), r.shape(), r.batch(), r.threads(),
          num(r.score()), num(r.error()), r.unit(),
          percent(r),
          r.gflops() == null ? "" : String.format(Locale.ROOT, "%.2f", r.gflops()),
          r.samplesPerS() == null ? "" : num(r.samplesPerS()), fixed(r.vsOpenblas(), 2),
          fixed(r.vsOrt(), 2), fixed(r.vsPeak(), 3), fixed(r.bytesPerOp(), 0),
          fixed(r.threadBytesPerOp(), 0), marks(r)));
    }
  }

  /** The last column of the results: why a row is not a result, and forks that disagree. */
  static String marks(Row r) {
    List<String> marks = new java.util.ArrayList<>();
    if (r.flag() != null) {
      marks.add("🔴 " + r.flag());
    }
    if (Rows.forksDisagree(r.forkSpread())) {
      marks.add(String.format(Locale.ROOT, "⚠ forks %.2fx apart", r.forkSpread()));
    }
    return String.join("; ", marks);
  }

  /**
   * Kickback's step against Backprop's on the same path, network, batch and threads: the steps
   * of networks each rule trained on its batch (step), and the steps from one fixed state
   * (step_fixed, {@code FixedStateStepBench}).
   */
  static void appendRuleRatio(StringBuilder sb, List<Row> rows) {
    Map<String, Row[]> pairs = new LinkedHashMap<>();
    for (Row r : rows) {
      if ((r.benchmark().equals("step") || r.benchmark().equals("step_fixed"))
          && r.rule() != null) {
        String key = r.benchmark() + "|" + r.path() + "|" + r.shape() + "|" + r.batch() + "|"
            + r.threads();
        pairs.computeIfAbsent(key, k -> new Row[2])[r.rule().equals("kickback") ? 0 : 1] = r;
      }
    }
    if (pairs.isEmpty()) {
      return;
    }
    sb.append("\n## Kickback / Backprop step throughput\n\nState: each rule's network trained"
        + " on its batch through the run (trained), or every " + FixedStateStepBench.STEPS
        + " steps put back to the one both rules start from (fixed).\n\n");
    sb.append("| state | path | shape | batch | threads | Kickback samples/s | ± |"
        + " Backprop samples/s | ± | ratio |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row[] p : pairs.values()) {
      if (p[0] != null && p[1] != null) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %s | %s | %s | %s |"
            + " %.2f |%n", p[0].benchmark().equals("step") ? "trained" : "fixed", p[0].path(),
            p[0].shape(), p[0].batch(), p[0].threads(), num(p[0].samplesPerS()),
            percent(p[0]), num(p[1].samplesPerS()), percent(p[1]),
            p[0].score() / p[1].score()));
      }
    }
  }

  private static String percent(Row r) {
    return Double.isNaN(r.error()) ? "" : String.format(Locale.ROOT, "%.1f%%",
        100 * r.relativeError());
  }

  /** One step split over two cores (the *2t paths) against the same step on one. */
  static void appendScaling(StringBuilder sb, List<Row> rows) {
    Map<String, Map<String, Row>> split = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.benchmark().equals("step") && r.path() != null && !r.path().startsWith("djl")) {
        split.computeIfAbsent(r.rule() + "|" + r.shape() + "|" + r.batch(),
            k -> new LinkedHashMap<>()).put(r.path(), r);
      }
    }
    split.values().removeIf(g -> !g.containsKey("vector2t") && !g.containsKey("openblas2t"));
    if (split.isEmpty()) {
      return;
    }
    sb.append("\n## One step over two cores\n\nSame network, same batch, one stream; the"
        + " 2-thread step returns the same bits as the 1-thread one (tested).\n\n");
    sb.append("| rule | shape | batch | vector 1t samples/s | vector 2t samples/s | scaling"
        + " | OpenBLAS 1t | OpenBLAS 2t | scaling |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Row> g : split.values()) {
      Row any = g.values().iterator().next();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n",
          any.rule(), any.shape(), any.batch(), perSample(g.get("vector")),
          perSample(g.get("vector2t")), ratio(g.get("vector2t"), g.get("vector")),
          perSample(g.get("openblas")), perSample(g.get("openblas2t")),
          ratio(g.get("openblas2t"), g.get("openblas"))));
    }
  }

  /** Our step over PyTorch's (through DJL): vector against djl, vector2t against djl2t. */
  static void appendDjl(StringBuilder sb, List<Row> rows) {
    List<Row> djl = rows.stream().filter(r -> r.path() != null && r.path().startsWith("djl"))
        .toList();
    if (djl.isEmpty()) {
      return;
    }
    sb.append("\n## Versus PyTorch through DJL (same step, checked to agree)\n\n");
    sb.append("| rule | shape | batch | threads | Kickback-J samples/s | DJL samples/s | ours / DJL"
        + " |\n|---|---|---|---|---|---|---|\n");
    for (Row d : djl) {
      String ours = d.path().equals("djl2t") ? "vector2t" : "vector";
      rows.stream()
          .filter(o -> ours.equals(o.path()) && o.benchmark().equals("step")
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
   * Batches 1 to 16 on one core beside OpenBLAS, ONNX Runtime (forward), the peak and the memory
   * roof that bounds them:
   * bytes from {@link Traffic} (counted from the units active on the benchmark's sample at
   * batch 1), read at the read roof and updated at the update roof of the array size the
   * network's weights stream from ({@link Net#roofKb()}). {@code heading} is the section's
   * Markdown heading line, at the level of the document it goes into.
   */
  static void appendLatency(StringBuilder sb, List<Row> rows, Roofs roofs, String heading) {
    List<Row> ours = rows.stream().filter(r -> "vector".equals(r.path()) && r.batch() <= 16
        && (r.benchmark().equals("forward") || r.benchmark().equals("step"))).toList();
    if (ours.isEmpty()) {
      return;
    }
    sb.append("\n").append(heading).append("\n\nBytes per operation from the units"
        + " active on the benchmark's sample: at batch 1 the kernel reads and updates only the"
        + " weight rows of nonzero inputs, at larger batches every row. The bound reads those"
        + " bytes at the read roof and updates them at the update roof of the array size the"
        + " weights stream from (paper network 101 KB: the 100 KB roofs; wide 12.6 MB: the 16 MB"
        + " roofs), both measured in this run.\n\n");
    sb.append("| network | workload | batch | samples/s | ± | OpenBLAS samples/s | vs OpenBLAS"
        + " | ORT samples/s | ± | vs ORT | GFLOP/s | vs peak | KB per op | bound, samples/s"
        + " | of bound |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    List<Row> sorted = new java.util.ArrayList<>(ours);
    sorted.sort(java.util.Comparator.comparing(Row::shape).reversed()
        .thenComparing(r -> r.benchmark() + Objects.toString(r.rule(), ""))
        .thenComparingInt(Row::batch));
    for (Row r : sorted) {
      Net net = Net.valueOf(r.shape().toUpperCase(Locale.ROOT));
      Traffic t = Traffic.of(net, r.batch());
      double read = roofs.gbps(net.roofKb(), "read") * 1e9;
      double update = roofs.gbps(net.roofKb(), "update") * 1e9;
      double seconds = r.benchmark().equals("forward") ? t.forwardRead() / read
          : t.stepRead() / read + t.stepUpdate() / update;
      double bound = r.batch() / seconds;
      Row blas = Rows.peer(rows, r).orElse(null);
      Row ort = Rows.ortPeer(rows, r).orElse(null);
      String workload = r.benchmark().equals("forward") ? "forward" : r.rule() + " step";
      double kb = (r.benchmark().equals("forward") ? t.forwardRead() : t.step()) / 1000;
      sb.append(String.format(Locale.ROOT,
          "| %s | %s | %d | %s | %.1f%% | %s | %s | %s | %s | %s | %s | %s | %.0f | %s | %s |%n",
          r.shape(), workload, r.batch(), num(r.samplesPerS()), 100 * r.relativeError(),
          blas == null ? "" : num(blas.samplesPerS()), fixed(r.vsOpenblas(), 2),
          ort == null ? "" : num(ort.samplesPerS()),
          ort == null ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * ort.relativeError()),
          fixed(r.vsOrt(), 2),
          r.gflops() == null ? "" : String.format(Locale.ROOT, "%.1f", r.gflops()),
          fixed(r.vsPeak(), 2), kb, Double.isNaN(bound) ? "" : num(bound),
          Double.isNaN(bound) ? "" : String.format(Locale.ROOT, "%.2f",
              r.samplesPerS() / bound)));
    }
  }

  /**
   * Every forward pass beside ONNX Runtime's on the same network and batch (one thread each),
   * with both intervals and both allocation rates.
   */
  static void appendOnnxRuntime(StringBuilder sb, List<Row> rows) {
    List<Row> ours = rows.stream().filter(r -> r.vsOrt() != null && "vector".equals(r.path()))
        .sorted(java.util.Comparator.comparing(Row::shape).reversed()
            .thenComparingInt(Row::batch))
        .toList();
    if (ours.isEmpty()) {
      return;
    }
    sb.append("\n## Forward beside ONNX Runtime, one core\n\nONNX Runtime's Java API on the"
        + " same weights (exported), one intra-op thread, all graph optimizations, reused input"
        + " and pinned output tensors (`OrtForwardBench`). vs ORT: our samples/s over its.\n\n"
        + "| network | batch | Kickback-J samples/s | ± | ONNX Runtime samples/s | ± | vs ORT"
        + " | B/op ours | B/op ORT |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : ours) {
      Row ort = Rows.ortPeer(rows, r).orElseThrow();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f%%%s | %s | %.1f%%%s | %.2f |"
          + " %s | %s |%n", r.shape(), r.batch(), num(r.samplesPerS()),
          100 * r.relativeError(), r.flag() == null ? "" : " 🔴", num(ort.samplesPerS()),
          100 * ort.relativeError(), ort.flag() == null ? "" : " 🔴", r.vsOrt(),
          fixed(r.bytesPerOp(), 0), fixed(ort.bytesPerOp(), 0)));
    }
  }

  /** ReaderBench: the CLI's data reader in MB/s per separator. */
  static void appendReader(StringBuilder sb, List<Row> rows) {
    List<Row> reads = rows.stream().filter(r -> r.benchmark().equals("read_table")).toList();
    if (reads.isEmpty()) {
      return;
    }
    sb.append("\n## Data reader (cli NumericTable)\n\n| file | MB/s | ± |\n|---|---|---|\n");
    for (Row r : reads) {
      sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f%% |%n", r.shape(),
          r.score() * r.trafficBytesPerOp() / 1e6, 100 * r.relativeError()));
    }
  }

  /**
   * FlinkStreamBench (a running job) and FlinkLearnBench (whole bounded jobs): records per second
   * of online learning on Flink against the plain loop on the same keys and network, and what
   * Flink adds per record.
   */
  static void appendFlink(StringBuilder sb, List<Row> rows) {
    appendFlink(sb, rows, "flink_stream", "\n## Streaming on Flink: keys learning online, a"
        + " running job\n\nKickback, batch 1 (predict, then train, per record), 8 keys of the"
        + " paper network or 10,000 of a 21-32-16 one. Records/s of an unbounded job on a"
        + " MiniCluster that runs through the whole trial (every key has its model from the"
        + " warm-up), without periodic checkpoints (their cost: the checkpoint rows below), against"
        + " the same per-record work (`KeyLearner`) in a plain loop on one thread. The Flink source"
        + " runs in a task of its own. Overhead: microseconds per record over the plain loop's,"
        + " for one learner thread.\n\n");
    appendFlink(sb, rows, "flink_learn", "\n## Streaming on Flink: whole bounded jobs\n\n"
        + "Kickback, batch 1, as above, in a Flink job of 100,000 records (RocksDB without the"
        + " model cache: 10,000) on a MiniCluster with a checkpoint every second, job submission"
        + " and every key's first model included, against the plain loop on fresh models. The"
        + " forks' output gives each Flink row's checkpoints (count, state size, bytes written,"
        + " duration).\n\n");
  }

  private static void appendFlink(StringBuilder sb, List<Row> rows, String workload,
      String intro) {
    List<Row> flink = rows.stream().filter(r -> r.benchmark().equals(workload)).toList();
    Map<String, Row> plain = new LinkedHashMap<>();
    flink.stream().filter(r -> r.path().equals("PLAIN")).forEach(r -> plain.put(r.shape(), r));
    if (plain.isEmpty()) {
      return;
    }
    sb.append(intro);
    sb.append("| runner | network, keys | learner threads | records/s | ± | vs plain loop"
        + " | µs per record | overhead µs per record |\n|---|---|---|---|---|---|---|---|\n");
    for (Row r : flink) {
      Row base = plain.get(r.shape());
      double us = 1e6 / r.score();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %.1f%% | %s | %.2f | %s |%n",
          r.path(), r.shape().replace('_', ' '), r.threads(), num(r.score()),
          100 * r.relativeError(), base == null ? "" : String.format(Locale.ROOT, "%.2f",
              r.score() / base.score()), us, base == null || r == base || r.threads() != 1 ? ""
              : String.format(Locale.ROOT, "%+.2f", us - 1e6 / base.score())));
    }
    Row p0 = plain.get("paper_8keys");
    Row p1 = flinkRow(flink, "FLINK_P1", "paper_8keys");
    Row p2 = flinkRow(flink, "FLINK_P2", "paper_8keys");
    if (p0 != null && p1 != null && p2 != null) {
      sb.append(String.format(Locale.ROOT, "%nParallelism 1 / plain loop: %.2f (target >= 0.5)."
          + " Parallelism 2 / parallelism 1: %.2f (target >= 1.6).%n", p1.score() / p0.score(),
          p2.score() / p1.score()));
    }
    for (Row rocks : flink) {
      Row heap = flinkRow(flink, "FLINK_P1", rocks.shape());
      if (rocks.path().startsWith("FLINK_P1_ROCKSDB") && heap != null) {
        sb.append(String.format(Locale.ROOT, "%n%s / heap, %s: %.2f%s.%n", rocks.path(),
            rocks.shape().replace('_', ' '), rocks.score() / heap.score(),
            rocks.path().equals("FLINK_P1_ROCKSDB") && rocks.shape().equals("paper_8keys")
                ? " (target >= 0.3)" : ""));
      }
    }
  }

  /**
   * FlinkStateBench: a checkpoint of many keys' state, and a job's start from a savepoint of it
   * against its start from nothing. Its rows have no model: their shape is the parameters'
   * values, {@code backend,keys,net,start}.
   */
  static void appendFlinkState(StringBuilder sb, List<Row> rows) {
    List<Row> state = rows.stream()
        .filter(r -> r.benchmark().startsWith("FlinkStateBench.")).toList();
    if (state.isEmpty()) {
      return;
    }
    sb.append("\n## Flink state of many keys: checkpoint and restore\n\nA learner job holding"
        + " every key's model, learning from 5,000 records/s. Checkpoint: one triggered"
        + " checkpoint, end to end (RocksDB: incremental). Restore: a job of one record per key"
        + " from a savepoint of that job in the backend's native format, submitted, run and"
        + " finished, beside the same job starting from nothing; the difference is the"
        + " restore. State sizes: the notes above.\n\n| operation | backend | keys, network"
        + " | start | ms | ± |\n|---|---|---|---|---|---|\n");
    for (Row r : state) {
      String[] p = r.shape().split(",");
      boolean restore = r.benchmark().endsWith(".restore");
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s %s | %s | %s | %.1f%% |%n",
          restore ? "restore" : "checkpoint", p[0], p.length > 1 ? p[1] : "",
          p.length > 2 ? p[2] : "", restore && p.length > 3 ? p[3].toLowerCase(Locale.ROOT)
              : "", num(r.score()), 100 * r.relativeError()));
    }
    for (Row saved : state) {
      String[] p = saved.shape().split(",");
      if (!saved.benchmark().endsWith(".restore") || p.length < 4 || !p[3].equals("SAVEPOINT")) {
        continue;
      }
      String empty = String.join(",", p[0], p[1], p[2], "EMPTY");
      state.stream().filter(r -> r.benchmark().endsWith(".restore") && r.shape().equals(empty))
          .findFirst().ifPresent(e -> sb.append(String.format(Locale.ROOT,
              "%nRestoring %s keys on %s: %+.0f ms against a start from nothing.%n", p[1], p[0],
              saved.score() - e.score())));
    }
  }

  private static Row flinkRow(List<Row> rows, String path, String shape) {
    return rows.stream().filter(r -> r.path().equals(path) && r.shape().equals(shape))
        .findFirst().orElse(null);
  }

  private static String gbps(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String opt(String s) {
    return s == null ? "" : s;
  }

  private static String fixed(Double v, int digits) {
    return v == null ? "" : String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  private static String perSample(Row r) {
    return r == null ? "" : num(r.samplesPerS());
  }

  private static String ratio(Row a, Row b) {
    return a == null || b == null ? "" : String.format(Locale.ROOT, "%.2f", a.score() / b.score());
  }

  static String num(Double v) {
    if (v == null || Double.isNaN(v)) {
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
