package dev.kickback.bench.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts (PNG, and SVG beside each): GFLOP/s per workload and the step rules,
 * each bar with its 99.9% interval; samples/s against batch; and a roofline with the measured
 * peak and bandwidth roofs.
 */
final class Charts {
  private Charts() {}

  static List<String> write(List<Row> rows, List<ColdStart.Curve> curves, Path dir)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> written = new ArrayList<>();
    // a suite without kernel rows (flink, cold) has no bars to draw: xchart cannot draw none
    CategoryChart gflops = gflops(rows);
    if (!gflops.getSeriesMap().isEmpty()) {
      written.add(save(gflops, dir, "gflops"));
    }
    CategoryChart steps = steps(rows);
    if (!steps.getSeriesMap().isEmpty()) {
      written.add(save(steps, dir, "steps"));
    }
    XYChart sweep = batchSweep(rows);
    if (sweep != null) {
      written.add(save(sweep, dir, "batch_sweep"));
    }
    XYChart roof = roofline(rows);
    if (roof != null) {
      written.add(save(roof, dir, "roofline"));
    }
    if (!curves.isEmpty()) {
      written.add(save(coldStart(curves), dir, "cold_start"));
    }
    return written;
  }

  /** Each call's time against its index from a fresh JVM, log-log, one line per curve. */
  static XYChart coldStart(List<ColdStart.Curve> curves) {
    XYChart c = new XYChartBuilder().width(1000).height(650)
        .title("Cold start: the first 10,000 batch-1 calls, paper network, Kickback")
        .xAxisTitle("call").yAxisTitle("µs per call").build();
    c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
        .setLegendPosition(Styler.LegendPosition.InsideNE).setMarkerSize(0);
    for (ColdStart.Curve k : curves) {
      double[] x = new double[k.micros().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      line(c, k.call() + (k.warmedUp() ? ", after Warmup.run" : ", cold"), x, k.micros());
    }
    return c;
  }

  /** GFLOP/s per workload on one thread, one series per kernel path (steps: Kickback). */
  static CategoryChart gflops(List<Row> rows) {
    List<Row> single = rows.stream().filter(r -> r.threads() == 1 && r.gflops() != null
        && r.path() != null && (r.rule() == null || r.rule().equals("kickback"))).toList();
    CategoryChart c = bars("GFLOP/s per workload, 1 thread (step = Kickback), 99.9% intervals",
        "workload", "GFLOP/s");
    Set<String> labels = new LinkedHashSet<>();
    single.forEach(r -> labels.add(label(r)));
    for (String path : List.of("vector", "scalar", "openblas")) {
      addBars(c, path, single, labels, r -> r.path().equals(path));
    }
    return c;
  }

  /** Step GFLOP/s, Kickback against Backprop (the same FLOP count for both rules). */
  static CategoryChart steps(List<Row> rows) {
    List<Row> steps = rows.stream().filter(r -> r.benchmark().equals("step")
        && r.gflops() != null).toList();
    CategoryChart c = bars("Training step: Kickback vs Backprop, 99.9% intervals",
        "path shape/batch", "GFLOP/s");
    Set<String> labels = new LinkedHashSet<>();
    steps.forEach(r -> labels.add(stepLabel(r)));
    for (String rule : List.of("kickback", "backprop")) {
      List<String> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      List<Double> es = new ArrayList<>();
      for (String label : labels) {
        steps.stream().filter(r -> rule.equals(r.rule()) && stepLabel(r).equals(label))
            .findFirst().ifPresent(r -> {
              xs.add(label);
              ys.add(r.gflops());
              es.add(r.gflopsError() == null ? 0 : r.gflopsError());
            });
      }
      if (!xs.isEmpty()) {
        c.addSeries(rule, xs, ys, es);
      }
    }
    return c;
  }

  /** Samples/s against batch on the paper network: forward and Kickback step, ours and BLAS. */
  static XYChart batchSweep(List<Row> rows) {
    XYChart c = new XYChartBuilder().width(1000).height(650)
        .title("Paper network: samples/s against batch, 1 thread, 99.9% intervals")
        .xAxisTitle("batch").yAxisTitle("samples/s").build();
    c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
        .setLegendPosition(Styler.LegendPosition.InsideSE);
    boolean any = false;
    for (String bench : List.of("forward", "step")) {
      for (String path : List.of("vector", "openblas")) {
        List<Row> pts = rows.stream().filter(r -> r.benchmark().equals(bench)
            && path.equals(r.path()) && r.shape().equals("paper") && r.threads() == 1
            && r.samplesPerS() != null && (r.rule() == null || r.rule().equals("kickback")))
            .sorted((a, b) -> Integer.compare(a.batch(), b.batch())).toList();
        if (pts.size() < 2) {
          continue;
        }
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        double[] e = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
          Row r = pts.get(i);
          x[i] = r.batch();
          y[i] = r.samplesPerS();
          // a log axis cannot show a bar reaching zero: an interval wider than the score is cut
          // at 0.9 of it (the table gives its width)
          e[i] = Double.isNaN(r.error()) ? 0
              : Math.min(0.9, r.relativeError()) * r.samplesPerS();
        }
        c.addSeries((bench.equals("step") ? "Kickback step" : "forward") + ", " + path, x, y, e);
        any = true;
      }
    }
    return any ? c : null;
  }

  /**
   * Arithmetic intensity against GFLOP/s: the measured peak as a ceiling, each streaming roof
   * as a line bandwidth x intensity, and every one-thread row with a traffic model as a point.
   */
  static XYChart roofline(List<Row> rows) {
    Roofs roofs = Roofs.of(rows);
    List<Row> pts = rows.stream().filter(r -> r.threads() == 1 && r.intensity() != null
        && r.path() != null).toList();
    if (Double.isNaN(roofs.peakGflops()) || pts.isEmpty()) {
      return null;
    }
    XYChart c = new XYChartBuilder().width(1000).height(650)
        .title("Roofline, one core: measured peak and streaming roofs")
        .xAxisTitle("FLOP per byte (benchmark's traffic model)").yAxisTitle("GFLOP/s").build();
    c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
        .setLegendPosition(Styler.LegendPosition.OutsideE);
    double lo = 0.05;
    double hi = 1000;
    for (Row r : pts) {
      lo = Math.min(lo, r.intensity() / 2);
      hi = Math.max(hi, r.intensity() * 2);
    }
    line(c, String.format(java.util.Locale.ROOT, "peak %.0f GFLOP/s", roofs.peakGflops()),
        new double[] {lo, hi}, new double[] {roofs.peakGflops(), roofs.peakGflops()});
    String[][] roofSizes = {{"32", "L1 (32 KB)"}, {"1024", "L2 (1 MB)"},
        {"16384", "beyond L2 (16 MB)"}};
    for (String[] s : roofSizes) {
      double gbps = roofs.gbps(Integer.parseInt(s[0]), "read");
      if (!Double.isNaN(gbps)) {
        double knee = roofs.peakGflops() / gbps;
        line(c, String.format(java.util.Locale.ROOT, "%s read %.0f GB/s", s[1], gbps),
            new double[] {lo, Math.min(knee, hi)},
            new double[] {gbps * lo, gbps * Math.min(knee, hi)});
      }
    }
    for (String bench : List.of("gemm", "gemv", "forward", "step", "kickback_reduce")) {
      for (String path : List.of("vector", "openblas")) {
        List<Row> some = pts.stream().filter(r -> r.benchmark().equals(bench)
            && r.path().equals(path)).toList();
        if (some.isEmpty()) {
          continue;
        }
        XYSeries s = c.addSeries(bench + " " + path,
            some.stream().mapToDouble(Row::intensity).toArray(),
            some.stream().mapToDouble(Row::gflops).toArray());
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
    }
    return c;
  }

  private static void line(XYChart c, String name, double[] x, double[] y) {
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
  }

  private static CategoryChart bars(String title, String x, String y) {
    CategoryChart c = new CategoryChartBuilder().width(1400).height(650).title(title)
        .xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setXAxisLabelRotation(60);
    c.getStyler().setOverlapped(false);
    c.getStyler().setErrorBarsColor(Color.BLACK);
    return c;
  }

  private static void addBars(CategoryChart c, String name, List<Row> rows, Set<String> labels,
      Predicate<Row> which) {
    List<String> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> es = new ArrayList<>();
    for (String label : labels) {
      rows.stream().filter(r -> which.test(r) && label(r).equals(label)).findFirst()
          .ifPresent(r -> {
            xs.add(label);
            ys.add(r.gflops());
            es.add(r.gflopsError() == null ? 0 : r.gflopsError());
          });
    }
    if (!xs.isEmpty()) {
      c.addSeries(name, xs, ys, es);
    }
  }

  private static String save(Chart<?, ?> chart, Path dir, String name) throws IOException {
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(),
        BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(name).toString(),
        VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    return name + ".png";
  }

  private static String label(Row r) {
    return r.benchmark().startsWith("gem") ? r.shape() : r.benchmark() + " " + r.shape()
        + "/" + r.batch();
  }

  private static String stepLabel(Row r) {
    return r.path() + " " + r.shape() + "/" + r.batch() + " x" + r.threads();
  }
}
