package dev.kickback.verify;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kickback.api.Rule;
import dev.kickback.verify.checks.CheckResult;
import dev.kickback.verify.checks.CoherenceMonitor;
import dev.kickback.cli.training.Config;
import dev.kickback.verify.experiments.DepthSweep;
import dev.kickback.verify.experiments.Experiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Writes report.md, results.json, learning_curves.png, coherence.png and the sweep's charts
 * (sweep_TASK.png, sweep_lr_TASK.png).
 */
final class ReportWriter {
  private ReportWriter() {}

  static void write(VerifyMain.Outcome o, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("results.json"), json(o));
    boolean curves = !o.experiments().isEmpty();
    if (curves) {
      System.setProperty("java.awt.headless", "true");
      learningCurves(o, dir);
      coherencePlot(o, dir);
      if (!o.sweep().isEmpty()) {
        sweepCharts(o, dir);
      }
    }
    Files.writeString(dir.resolve("report.md"), markdown(o, curves));
  }

  static String json(VerifyMain.Outcome o) {
    JsonObject root = new JsonObject();
    root.addProperty("protocol", o.protocol().toString());
    JsonArray checks = new JsonArray();
    for (CheckResult c : o.checks()) {
      JsonObject j = new JsonObject();
      j.addProperty("name", c.name());
      j.addProperty("passed", c.passed());
      j.addProperty("skipped", c.skipped());
      j.addProperty("worst_error", c.worstError());
      j.addProperty("detail", c.detail());
      checks.add(j);
    }
    root.add("checks", checks);
    JsonArray exps = new JsonArray();
    for (Experiment.Result r : o.experiments()) {
      JsonObject j = new JsonObject();
      j.addProperty("dataset", r.dataset());
      j.addProperty("target", r.target());
      j.addProperty("rule", r.config().rule().name().toLowerCase(Locale.ROOT));
      j.addProperty("head", r.config().head().name().toLowerCase(Locale.ROOT));
      j.addProperty("coherence", r.config().coherence().name().toLowerCase(Locale.ROOT));
      j.addProperty("hidden", r.config().hiddenLabel());
      j.addProperty("lr", r.lr());
      j.addProperty("epochs", r.epochs());
      j.addProperty("nmse_mean", finite(r.nmseMean()));
      j.addProperty("nmse_std", finite(r.nmseStd()));
      j.addProperty("seeds", r.seeds());
      j.addProperty("diverged_seeds", r.diverged());
      j.addProperty("died_seeds", r.died());
      j.addProperty("linear_nmse", r.linearNmse());
      exps.add(j);
    }
    root.add("experiments", exps);
    JsonArray sweep = new JsonArray();
    for (Experiment.Result r : o.sweep()) {
      JsonObject j = new JsonObject();
      j.addProperty("target", r.target());
      j.addProperty("variant", DepthSweep.variant(r.config()));
      j.addProperty("rule", r.config().rule().name().toLowerCase(Locale.ROOT));
      j.addProperty("lr_rule", r.config().rates().label());
      j.addProperty("hidden", r.config().hiddenLabel());
      j.addProperty("depth", r.config().hidden().length);
      j.addProperty("width", r.config().hidden()[0]);
      j.addProperty("lr", r.lr());
      j.addProperty("nmse_mean", finite(r.nmseMean()));
      j.addProperty("nmse_std", finite(r.nmseStd()));
      j.addProperty("seeds", r.seeds());
      j.addProperty("diverged_seeds", r.diverged());
      j.addProperty("died_seeds", r.died());
      JsonArray cv = new JsonArray();
      for (double v : r.cvNmse()) {
        cv.add(finite(v));
      }
      j.add("cv_nmse", cv);
      sweep.add(j);
    }
    root.add("sweep", sweep);
    JsonArray mon = new JsonArray();
    for (CoherenceMonitor.Point p : o.coherence()) {
      JsonObject j = new JsonObject();
      j.addProperty("epoch", p.epoch() + 1);
      JsonArray cos = new JsonArray();
      for (double c : p.cosine()) {
        cos.add(finite(c));
      }
      j.add("cosine_per_layer", cos);
      j.addProperty("coherent_edges", p.edges());
      j.addProperty("coherent_nodes", p.nodes());
      mon.add(j);
    }
    root.add("coherence_monitor", mon);
    return new GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(root) + "\n";
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  static String markdown(VerifyMain.Outcome o, boolean plots) {
    StringBuilder sb = new StringBuilder("# Kickback-J verification report\n\n");
    sb.append(String.format(Locale.ROOT, "Date %s, JDK %s, %s; protocol %s; ran in %.0f s.%n%n",
        LocalDate.now(), Runtime.version(), o.dataNote(), o.protocol(), o.seconds()));
    sb.append("## Gradient agreement (SPEC checks 1-4)\n\n| check | passed | worst error"
        + " | what was run |\n|---|---|---|---|\n");
    for (CheckResult c : o.checks()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.3g | %s |%n", c.name(),
          c.skipped() ? "skipped" : c.passed() ? "yes" : "**NO**", c.worstError(), c.detail()));
    }
    if (o.experiments().isEmpty()) {
      return sb.append("\nNo experiments: ").append(o.dataNote()).append('\n').toString();
    }
    sb.append("\n## Test NMSE per dataset and configuration\n\nlr chosen by cross-validation"
        + " on the training part; mean ± standard deviation over seeds; linear = least squares"
        + " on the same split.\n\n| target | rule | head | coherence | hidden | lr | NMSE |"
        + " linear |\n|---|---|---|---|---|---|---|---|\n");
    for (Experiment.Result r : o.experiments()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.4f |%n",
          r.target(), r.config().rule(), r.config().head(), r.config().coherence(),
          r.config().hiddenLabel(), r.lr(), nmse(r), r.linearNmse()));
    }
    sb.append("\n## The paper's claim: best Kickback against best Backprop\n\nTargets (SARCOS):"
        + " Kickback's best <= 1.1 x Backprop's best, and both <= 0.7 x linear.\n\n"
        + "| target | best Kickback | best Backprop | KB / BP | linear | KB <= 1.1 BP |"
        + " both beat linear by 30% |\n|---|---|---|---|---|---|---|\n");
    Map<String, List<Experiment.Result>> byTarget = new LinkedHashMap<>();
    for (Experiment.Result r : o.experiments()) {
      byTarget.computeIfAbsent(r.target(), k -> new ArrayList<>()).add(r);
    }
    int dead = 0;
    int diverged = 0;
    for (Map.Entry<String, List<Experiment.Result>> e : byTarget.entrySet()) {
      Optional<Experiment.Result> kb = best(e.getValue(), Rule.KICKBACK);
      Optional<Experiment.Result> bp = best(e.getValue(), Rule.BACKPROP);
      if (kb.isEmpty() || bp.isEmpty()) {
        continue;
      }
      double ratio = kb.get().nmseMean() / bp.get().nmseMean();
      double lin = kb.get().linearNmse();
      boolean sarcos = e.getKey().startsWith("sarcos");
      sb.append(String.format(Locale.ROOT, "| %s | %s (%s) | %s (%s) | %.2f | %.4f | %s | %s |%n",
          e.getKey(), nmse(kb.get()), kb.get().config().network(), nmse(bp.get()),
          bp.get().config().network(), ratio, lin,
          verdict(ratio <= 1.1, sarcos),
          verdict(kb.get().nmseMean() <= 0.7 * lin && bp.get().nmseMean() <= 0.7 * lin, sarcos)));
      for (Experiment.Result r : e.getValue()) {
        if (r.died() > 0) {
          dead++;
        }
        if (r.diverged() > 0) {
          diverged++;
        }
      }
    }
    sb.append("\n(no fixed target outside SARCOS: the verdict columns there are for"
        + " information)\n");
    sb.append(String.format(Locale.ROOT, "%n## What we see%n%n- %d of %d configurations had"
        + " at least one seed die: training ended with a layer inactive on every training row"
        + " (for PAIR heads, both output units) or a constant test prediction; such seeds are"
        + " counted apart and left out of the mean."
        + "%n- %d configurations had at least one seed diverge (non-finite loss) at the rate"
        + " cross-validation chose with shorter training.%n", dead, o.experiments().size(),
        diverged));
    if (!o.coherence().isEmpty()) {
      CoherenceMonitor.Point first = o.coherence().get(0);
      CoherenceMonitor.Point last = o.coherence().get(o.coherence().size() - 1);
      sb.append(String.format(Locale.ROOT, "- Check 5 (FREE LINEAR 200-100-10 trained with"
          + " Kickback on sarcos-j1, at the rate CV chose): cosine(Kickback, Backprop) per layer"
          + " after epoch 1 %s,"
          + " after the last epoch %s; coherent edges %.3f -> %.3f, coherent nodes %.3f ->"
          + " %.3f. The top two layers have cosine 1 by construction (check 3).%n",
          cosines(first), cosines(last), first.edges(), last.edges(), first.nodes(),
          last.nodes()));
    }
    if (plots) {
      sb.append("\n![learning curves](learning_curves.png)\n\n![coherence](coherence.png)\n");
    }
    appendSweep(sb, o, plots);
    return sb.toString();
  }

  /** The depth and width sweep: one table and two charts per task. */
  static void appendSweep(StringBuilder sb, VerifyMain.Outcome o, boolean plots) {
    if (o.sweep().isEmpty()) {
      return;
    }
    sb.append("\n## Depth and width: where Kickback holds\n\nPAIR head, COHERENT; protocol ")
        .append(o.sweepPlan().protocol()).append(". Each cell: test NMSE mean ± sd over the"
        + " seeds that lived, the rate cross-validation chose, and the seeds lost. Kickback"
        + " plain: one rate for every layer; depth: the rate times (1/sqrt 3)^(hidden layers -"
        + " 2) beyond two hidden layers (the CLI's default for Kickback); matched: each layer's"
        + " rate scaled to Backprop's update size on the first 256 training rows. The last"
        + " column: the best Kickback variant that lost no seed over Backprop.\n");
    List<String> variants = DepthSweep.variants(1, 1).stream().map(DepthSweep::variant).toList();
    for (String task : o.sweepPlan().tasks()) {
      sb.append("\n### ").append(task).append("\n\n| hidden |");
      variants.forEach(v -> sb.append(' ').append(v).append(" |"));
      sb.append(" best KB / BP |\n|---|");
      variants.forEach(v -> sb.append("---|"));
      sb.append("---|\n");
      for (int[] n : o.sweepPlan().networks()) {
        String hidden = n[0] + " x " + n[1];
        sb.append("| ").append(hidden).append(" |");
        double bp = Double.NaN;
        double kb = Double.POSITIVE_INFINITY;
        for (Config c : DepthSweep.variants(n[0], n[1])) {
          Optional<Experiment.Result> r = o.sweep().stream().filter(x -> x.target().equals(task)
              && x.config().equals(c)).findFirst();
          sb.append(' ').append(r.map(x -> nmse(x) + ", lr " + x.lr()).orElse("")).append(" |");
          if (r.isPresent() && Double.isFinite(r.get().nmseMean()) && r.get().died() == 0
              && r.get().diverged() == 0) { // a variant that lost seeds is not a best
            if (c.rule() == Rule.BACKPROP) {
              bp = r.get().nmseMean();
            } else {
              kb = Math.min(kb, r.get().nmseMean());
            }
          }
        }
        sb.append(Double.isFinite(bp) && Double.isFinite(kb)
            ? String.format(Locale.ROOT, " %.2f |%n", kb / bp) : " |\n");
      }
      if (plots) {
        sb.append("\n![").append(task).append(": NMSE against depth](sweep_").append(task)
            .append(".png)\n\n![").append(task).append(": chosen rate against depth](sweep_lr_")
            .append(task).append(".png)\n");
      }
    }
  }

  /** Per task: test NMSE against depth and the chosen rate against depth, width 100. */
  private static void sweepCharts(VerifyMain.Outcome o, Path dir) throws IOException {
    for (String task : o.sweepPlan().tasks()) {
      XYChart nmse = new XYChartBuilder().width(1000).height(600)
          .title(task + ": test NMSE against depth (100 units per layer; mean over live seeds)")
          .xAxisTitle("hidden layers").yAxisTitle("test NMSE (log)").build();
      nmse.getStyler().setYAxisLogarithmic(true)
          .setLegendPosition(Styler.LegendPosition.InsideNW);
      XYChart rate = new XYChartBuilder().width(1000).height(600)
          .title(task + ": learning rate chosen by cross-validation against depth")
          .xAxisTitle("hidden layers").yAxisTitle("lr (log)").build();
      rate.getStyler().setYAxisLogarithmic(true)
          .setLegendPosition(Styler.LegendPosition.InsideNE);
      for (int v = 0; v < DepthSweep.variants(1, 1).size(); v++) {
        List<Double> depth = new ArrayList<>();
        List<Double> err = new ArrayList<>();
        List<Double> lrDepth = new ArrayList<>();
        List<Double> lr = new ArrayList<>();
        String name = null;
        for (int[] n : o.sweepPlan().networks()) {
          if (n[1] != 100) {
            continue;
          }
          Config c = DepthSweep.variants(n[0], n[1]).get(v);
          name = DepthSweep.variant(c);
          for (Experiment.Result r : o.sweep()) {
            if (r.target().equals(task) && r.config().equals(c)) {
              if (Double.isFinite(r.nmseMean()) && r.nmseMean() > 0) {
                depth.add((double) n[0]);
                err.add(r.nmseMean());
              }
              lrDepth.add((double) n[0]);
              lr.add((double) r.lr());
            }
          }
        }
        if (!depth.isEmpty()) {
          nmse.addSeries(name, depth, err);
        }
        if (!lr.isEmpty()) {
          rate.addSeries(name, lrDepth, lr);
        }
      }
      if (!nmse.getSeriesMap().isEmpty()) {
        BitmapEncoder.saveBitmap(nmse, dir.resolve("sweep_" + task).toString(),
            BitmapEncoder.BitmapFormat.PNG);
      }
      if (!rate.getSeriesMap().isEmpty()) {
        BitmapEncoder.saveBitmap(rate, dir.resolve("sweep_lr_" + task).toString(),
            BitmapEncoder.BitmapFormat.PNG);
      }
    }
  }

  private static String verdict(boolean ok, boolean target) {
    return ok ? "yes" : (target ? "**no**" : "no");
  }

  private static String cosines(CoherenceMonitor.Point p) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < p.cosine().length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", p.cosine()[i]));
    }
    return sb.append(']').toString();
  }

  private static String nmse(Experiment.Result r) {
    String lost = (r.diverged() == 0 ? "" : r.diverged() + "/" + r.seeds() + " diverged")
        + (r.diverged() > 0 && r.died() > 0 ? ", " : "")
        + (r.died() == 0 ? "" : r.died() + "/" + r.seeds() + " died");
    if (!Double.isFinite(r.nmseMean())) {
      return "no seed left (" + lost + ")";
    }
    String s = String.format(Locale.ROOT, "%.4f ± %.4f", r.nmseMean(), r.nmseStd());
    return lost.isEmpty() ? s : s + " (" + lost + ")";
  }

  /** Ranking score: a configuration with any lost seed ranks after every one without. */
  private static double rank(Experiment.Result r) {
    return Double.isFinite(r.nmseMean()) ? r.nmseMean() + (r.diverged() + r.died()) * 1e6
        : Double.POSITIVE_INFINITY;
  }

  private static Optional<Experiment.Result> best(List<Experiment.Result> rs, Rule rule) {
    return rs.stream().filter(r -> r.config().rule() == rule)
        .min(Comparator.comparingDouble(ReportWriter::rank));
  }

  private static void learningCurves(VerifyMain.Outcome o, Path dir) throws IOException {
    XYChart chart = new XYChartBuilder().width(1000).height(600)
        .title("sarcos-j1: test NMSE per epoch (seed 0)").xAxisTitle("epoch")
        .yAxisTitle("test NMSE (log)").build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    for (Experiment.Result r : o.experiments()) {
      if (!r.target().equals("sarcos-j1")) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int e = 0; e < r.testCurve().length; e++) {
        double v = r.testCurve()[e];
        if (Double.isFinite(v) && v > 0) {
          xs.add(e + 1.0);
          ys.add(v);
        }
      }
      if (!xs.isEmpty()) {
        chart.addSeries(r.config().toString(), xs, ys);
      }
    }
    BitmapEncoder.saveBitmap(chart, dir.resolve("learning_curves").toString(),
        BitmapEncoder.BitmapFormat.PNG);
  }

  private static void coherencePlot(VerifyMain.Outcome o, Path dir) throws IOException {
    if (o.coherence().isEmpty()) {
      return;
    }
    XYChart chart = new XYChartBuilder().width(1000).height(600)
        .title("FREE LINEAR 200-100-10, Kickback on sarcos-j1: agreement with Backprop")
        .xAxisTitle("epoch").yAxisTitle("cosine / fraction").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    int layers = o.coherence().get(0).cosine().length;
    for (int l = 0; l < layers; l++) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (CoherenceMonitor.Point p : o.coherence()) {
        if (Double.isFinite(p.cosine()[l])) {
          xs.add(p.epoch() + 1.0);
          ys.add(p.cosine()[l]);
        }
      }
      if (!xs.isEmpty()) {
        chart.addSeries("cosine layer " + l, xs, ys);
      }
    }
    List<Double> xs = new ArrayList<>();
    List<Double> edges = new ArrayList<>();
    List<Double> nodes = new ArrayList<>();
    for (CoherenceMonitor.Point p : o.coherence()) {
      xs.add(p.epoch() + 1.0);
      edges.add(p.edges());
      nodes.add(p.nodes());
    }
    chart.addSeries("coherent edges", xs, edges);
    chart.addSeries("coherent nodes", xs, nodes);
    BitmapEncoder.saveBitmap(chart, dir.resolve("coherence").toString(),
        BitmapEncoder.BitmapFormat.PNG);
  }
}
