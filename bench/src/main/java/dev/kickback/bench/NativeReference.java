package dev.kickback.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;

/**
 * The native batch-1 limit measured in the same run: {@code ../shared/reference/run-b1ref}
 * (hand-written C for the paper network, compiled with gcc on this machine) when it and gcc are
 * there, and our batch-1 rows of the paper network as multiples of its medians. The product
 * does not need it; without it the report says why the line is missing.
 */
final class NativeReference {
  /** Seconds per repetition and repetitions: about 10 s for its four measurements. */
  private static final String SECONDS = "0.5";
  private static final String REPS = "5";
  private static final Pattern MEDIAN =
      Pattern.compile("^kern-(\\S+) (predict|step)\\s+ns/call .*median\\s+([0-9.]+)");

  private NativeReference() {}

  /**
   * A note for the report, measured now, or null when the results have no batch-1 forward row
   * of the paper network to compare. {@code root} is the checkout.
   */
  static String note(Path root, List<RunResult> results) {
    Optional<Double> oursForward = ours(results, "ForwardBench", null);
    if (oursForward.isEmpty()) {
      return null;
    }
    Path script = root.resolve("../shared/reference/run-b1ref").normalize();
    if (!Files.isExecutable(script)) {
      return "Native batch-1 reference: not run (" + script + " is not here).";
    }
    String out;
    try {
      Process p = new ProcessBuilder(script.toString(), SECONDS, REPS)
          .redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "Native batch-1 reference: " + script + " failed (is gcc installed?): "
            + lastLine(out);
      }
    } catch (IOException e) {
      return "Native batch-1 reference: could not run " + script + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "Native batch-1 reference: interrupted";
    }
    double forward = Double.NaN;
    double step = Double.NaN;
    String isa = "?";
    for (String line : out.split("\n")) {
      Matcher m = MEDIAN.matcher(line.strip());
      if (m.find()) {
        isa = m.group(1);
        if (m.group(2).equals("predict")) {
          forward = Double.parseDouble(m.group(3));
        } else {
          step = Double.parseDouble(m.group(3));
        }
      }
    }
    if (Double.isNaN(forward) || Double.isNaN(step)) {
      return "Native batch-1 reference: no medians in its output: " + lastLine(out);
    }
    final double nativeForward = forward;
    final double nativeStep = step;
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Native batch-1 reference (%s, hand-written %s C built by gcc in this run, median of %s"
            + " x %s s): forward %.0f ns, Kickback step %.0f ns.", script, isa, REPS, SECONDS,
        forward, step));
    oursForward.ifPresent(ns -> sb.append(String.format(Locale.ROOT,
        " Ours, paper network, batch 1: forward %.0f ns (%.2fx)", ns, ns / nativeForward)));
    ours(results, "StepBench", "KICKBACK").ifPresent(ns -> sb.append(String.format(Locale.ROOT,
        ", Kickback step %.0f ns (%.2fx)", ns, ns / nativeStep)));
    ours(results, "StepBench", "BACKPROP").ifPresent(ns -> sb.append(String.format(Locale.ROOT,
        ", Backprop step %.0f ns (%.2fx the Kickback reference)", ns, ns / nativeStep)));
    return sb.append('.').toString();
  }

  /** Nanoseconds per call of our vector path's paper-network batch-1 row, from samples/s. */
  private static Optional<Double> ours(List<RunResult> results, String bench, String rule) {
    for (RunResult r : results) {
      var p = r.getParams();
      if (p.getBenchmark().endsWith("." + bench + (rule == null ? ".forward" : ".step"))
          && "1".equals(p.getParam("batch")) && "PAPER".equals(p.getParam("net"))
          && "VECTOR".equals(p.getParam("path"))
          && (rule == null || rule.equals(p.getParam("rule")))) {
        return Optional.of(1e9 / r.getPrimaryResult().getScore());
      }
    }
    return Optional.empty();
  }

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }
}
