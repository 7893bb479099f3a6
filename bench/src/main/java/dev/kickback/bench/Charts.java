package dev.kickback.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The report's two charts, drawn with XChart. */
final class Charts {
  private Charts() {}

  static void write(List<Report.Row> rows, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    // 1. GFLOP/s per workload, one series per kernel path (single thread; Kickback steps).
    List<Report.Row> single = rows.stream().filter(r -> r.threads() == 1
        && (r.rule() == null || r.rule().equals("kickback"))).toList();
    Set<String> labels = new LinkedHashSet<>();
    for (Report.Row r : single) {
      labels.add(label(r));
    }
    CategoryChart g = new CategoryChartBuilder().width(1400).height(600)
        .title("GFLOP/s per workload, 1 thread (step = Kickback)")
        .xAxisTitle("workload").yAxisTitle("GFLOP/s").build();
    style(g);
    for (String path : List.of("vector", "scalar", "openblas")) {
      List<String> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (String label : labels) {
        single.stream().filter(r -> r.path().equals(path) && label(r).equals(label))
            .findFirst().ifPresent(r -> {
              xs.add(label);
              ys.add(r.gflops());
            });
      }
      if (!xs.isEmpty()) {
        g.addSeries(path, xs, ys);
      }
    }
    BitmapEncoder.saveBitmap(g, dir.resolve("gflops").toString(), BitmapEncoder.BitmapFormat.PNG);

    // 2. Step throughput, Kickback against Backprop, per path and shape. In GFLOP/s (the same
    // FLOP count for both rules) so that shapes whose samples/s differ 1000x share one axis.
    List<Report.Row> steps = rows.stream().filter(r -> r.benchmark().equals("step")).toList();
    Set<String> stepLabels = new LinkedHashSet<>();
    for (Report.Row r : steps) {
      stepLabels.add(r.path() + " " + r.shape() + "/" + r.batch() + " x" + r.threads());
    }
    CategoryChart s = new CategoryChartBuilder().width(1400).height(600)
        .title("Training step throughput: Kickback vs Backprop")
        .xAxisTitle("path shape/batch xthreads").yAxisTitle("GFLOP/s").build();
    style(s);
    for (String rule : List.of("kickback", "backprop")) {
      List<String> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (String label : stepLabels) {
        steps.stream().filter(r -> r.rule().equals(rule) && label.equals(
            r.path() + " " + r.shape() + "/" + r.batch() + " x" + r.threads()))
            .findFirst().ifPresent(r -> {
              xs.add(label);
              ys.add(r.gflops());
            });
      }
      if (!xs.isEmpty()) {
        s.addSeries(rule, xs, ys);
      }
    }
    BitmapEncoder.saveBitmap(s, dir.resolve("steps").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static String label(Report.Row r) {
    return r.benchmark().startsWith("gem") ? r.shape() : r.benchmark() + " " + r.shape()
        + "/" + r.batch();
  }

  private static void style(CategoryChart c) {
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setXAxisLabelRotation(60);
    c.getStyler().setOverlapped(false);
  }
}
