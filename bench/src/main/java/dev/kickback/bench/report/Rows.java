package dev.kickback.bench.report;

import dev.kickback.bench.jmh.Modeled;
import dev.kickback.bench.jmh.Workload;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The report's model step: each JMH result joined with its benchmark's own cost model
 * ({@link Modeled}), then the ratios that need other rows (the OpenBLAS peer, the measured
 * peak). A benchmark without a model still gets a row, with only what JMH measured.
 */
public final class Rows {
  /** A row whose 99.9% interval is wider than this fraction of its score is flagged. */
  public static final double MAX_RELATIVE_ERROR = 0.10;

  private Rows() {}

  public static List<Row> of(List<JmhResult> results) {
    List<Row> raw = new ArrayList<>();
    for (JmhResult r : results) {
      raw.add(row(r));
    }
    Roofs roofs = Roofs.of(raw);
    List<Row> rows = new ArrayList<>();
    for (Row r : raw) {
      Double vsPeak = r.gflops() == null || Double.isNaN(roofs.peakGflops())
          || r.benchmark().equals("peak") ? null
          : r.gflops() / (roofs.peakGflops() * r.threads());
      rows.add(r.withRatios(peer(raw, r).map(o -> r.score() / o.score()).orElse(null),
          ortPeer(raw, r).map(o -> r.score() / o.score()).orElse(null), vsPeak));
    }
    return rows;
  }

  static Row row(JmhResult r) {
    Optional<Workload> model = model(r);
    String flag = flag(r);
    if (model.isEmpty()) {
      String method = r.benchmark().substring(r.benchmark().lastIndexOf('.') + 1);
      String shape = String.join(",", r.params().values());
      return new Row(r.key(), r.simpleClassName() + "." + method, null, null, shape, 1,
          r.threads(), r.score(), r.error(), r.unit(), null, null, null, null, null,
          r.allocBytesPerOp(), r.threadBytesPerOp(), null, flag, r.forkSpread());
    }
    Workload w = model.get();
    boolean throughput = r.unit().equals("ops/s");
    int threads = w.threads() * r.threads();
    Double gflops = throughput && w.flops() > 0 ? r.score() * w.flops() / 1e9 : null;
    Double samples = throughput && w.samples() > 0 ? r.score() * w.samples() : null;
    return new Row(r.key(), w.benchmark(), w.rule(), w.path(), w.shape(), w.batch(), threads,
        r.score(), r.error(), r.unit(), gflops, samples, null, null, null, r.allocBytesPerOp(),
        r.threadBytesPerOp(), w.bytes() > 0 ? w.bytes() : null, flag, r.forkSpread());
  }

  /**
   * Whether forks whose means lie {@code spread} apart (largest over smallest,
   * {@link JmhResult#spread}) disagree: by more than the {@link #MAX_RELATIVE_ERROR} a row's
   * interval may have, which JMH's pooled interval can hide.
   */
  public static boolean forksDisagree(Double spread) {
    return spread != null && spread > 1 + MAX_RELATIVE_ERROR;
  }

  /** Why a row is not a result yet, or null when its interval is within bounds. */
  static String flag(JmhResult r) {
    if (r.singleShot()) {
      return null; // a curve of single calls (the cold start): its spread is the result
    }
    if (Double.isNaN(r.error())) {
      return "no interval (one iteration)";
    }
    if (r.relativeError() > MAX_RELATIVE_ERROR) {
      return String.format(Locale.ROOT, "interval ±%.1f%% is wider than ±%.0f%%",
          100 * r.relativeError(), 100 * MAX_RELATIVE_ERROR);
    }
    return null;
  }

  /**
   * The benchmark's model: an instance with the result's {@code @Param} values set, as JMH
   * would set them; no setup runs. Empty when the class is not on this classpath (a DJL result
   * read by a default build) or states no model.
   */
  static Optional<Workload> model(JmhResult r) {
    try {
      Class<?> c = Class.forName(r.className(), false, Rows.class.getClassLoader());
      if (!Modeled.class.isAssignableFrom(c)) {
        return Optional.empty();
      }
      Object bench = c.getDeclaredConstructor().newInstance();
      for (Map.Entry<String, String> p : r.params().entrySet()) {
        Field f = c.getField(p.getKey());
        f.set(bench, value(f.getType(), p.getValue()));
      }
      return Optional.of(((Modeled) bench).model());
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object value(Class<?> type, String v) {
    if (type == int.class) {
      return Integer.parseInt(v);
    }
    if (type == long.class) {
      return Long.parseLong(v);
    }
    if (type == double.class) {
      return Double.parseDouble(v);
    }
    if (type == boolean.class) {
      return Boolean.parseBoolean(v);
    }
    if (type.isEnum()) {
      return Enum.valueOf((Class<? extends Enum>) type, v);
    }
    return v;
  }

  /** The OpenBLAS row with the same thread count and workload, for ratios. */
  static Optional<Row> peer(List<Row> rows, Row r) {
    if (r.path() == null || r.path().startsWith("djl") || r.path().equals("ort")) {
      return Optional.empty();
    }
    String peer = peerOf(r.path());
    return rows.stream()
        .filter(o -> peer.equals(o.path()) && o.benchmark().equals(r.benchmark())
            && Objects.equals(o.rule(), r.rule()) && o.shape().equals(r.shape())
            && o.batch() == r.batch() && o.threads() == r.threads())
        .findFirst();
  }

  /**
   * ONNX Runtime's row for one of our single-thread forward passes (same network and batch),
   * for the {@code vs ORT} ratio.
   */
  static Optional<Row> ortPeer(List<Row> rows, Row r) {
    if (!"forward".equals(r.benchmark()) || r.path() == null || r.path().equals("ort")
        || r.threads() != 1 || r.path().startsWith("djl")) {
      return Optional.empty();
    }
    return rows.stream()
        .filter(o -> "ort".equals(o.path()) && o.benchmark().equals("forward")
            && o.shape().equals(r.shape()) && o.batch() == r.batch())
        .findFirst();
  }

  /** The OpenBLAS path with the same thread count: openblas2t for vector2t. */
  static String peerOf(String path) {
    return path.endsWith("2t") ? "openblas2t" : "openblas";
  }
}
