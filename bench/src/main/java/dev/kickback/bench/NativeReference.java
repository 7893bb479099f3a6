package dev.kickback.bench;

import dev.kickback.bench.report.Meta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
  /**
   * Seconds per repetition and repetitions (each measurement after 0.3 s of warm-up): with the
   * build about 4.7 s, so that the headline's steps can warm up as long as C2 needs and the job
   * still fit six minutes.
   */
  static final String SECONDS = "0.3";
  static final String REPS = "3";
  /** gcc's flags for the AVX2 build, as the script uses them on a CPU without AVX-512. */
  static final String AVX2_FLAGS = "-O3 -mavx2 -mfma -mbmi2 -DFORCE_AVX2";
  /**
   * Processes timed, the fastest one's medians quoted: one process's medians moved by a third
   * from one process to the next (measured on Zen 5 within a minute, each 3 x 0.3 s: Kickback
   * step 1,304, 1,486, 1,553, 1,616 ns; three in a row 1,798-1,838 while the script's own 5 x
   * 1 s read 1,306-1,323 around them), and a slow reference flatters our ratios.
   */
  private static final int RUNS = 3;
  private static final Pattern MEDIAN =
      Pattern.compile("^kern-(\\S+) (predict|step)\\s+ns/call .*median\\s+([0-9.]+)");

  private NativeReference() {}

  /**
   * A note for the report, measured now, or null when the results have no batch-1 forward row
   * of the paper network to compare. {@code root} is the checkout; {@code lanes} the width our
   * rows ran at ({@code --lanes}, 0 when not given): at 8 the reference is built for AVX2, as
   * its script builds it on a CPU without AVX-512, so that both sides run 256-bit vectors; at 4
   * there is no reference of that width.
   */
  static String note(Path root, List<RunResult> results, int lanes) {
    Optional<Double> oursForward = ours(results, "ForwardBench", null);
    if (oursForward.isEmpty()) {
      return null;
    }
    if (lanes == 4) {
      return Meta.NATIVE_NOTE + ": none at 4 lanes (b1ref.c has AVX-512 and AVX2 versions"
          + " only).";
    }
    Path script = root.resolve("../shared/reference/run-b1ref").normalize();
    if (!Files.isExecutable(script)) {
      return Meta.NATIVE_NOTE + ": not run (" + script + " is not here).";
    }
    ProcessBuilder pb = build(script, lanes == 8);
    Subprocess.Result run;
    try {
      run = Subprocess.run(pb, 120);
    } catch (IOException e) {
      return Meta.NATIVE_NOTE + ": could not run " + script + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Meta.NATIVE_NOTE + ": interrupted";
    }
    if (run.exit() != 0) {
      return Meta.NATIVE_NOTE + ": " + script + (run.timedOut() ? " timed out" : " failed"
          + " (is gcc installed?)") + ": " + run.lastLine();
    }
    Medians med = medians(run.out());
    if (med == null) {
      return Meta.NATIVE_NOTE + ": no medians in its output: " + run.lastLine();
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%s (%s, hand-written %s C built by gcc in this run, the fastest of %d runs' medians"
            + " of %s x %s s): forward %.0f ns, Kickback step %.0f ns.", Meta.NATIVE_NOTE,
        script, med.isa(), RUNS, REPS, SECONDS, med.forwardNs(), med.stepNs()));
    oursForward.ifPresent(ns -> sb.append(String.format(Locale.ROOT,
        " Ours, paper network, batch 1: forward %.0f ns (%.2fx)", ns, ns / med.forwardNs())));
    ours(results, "StepBench", "KICKBACK").ifPresent(ns -> sb.append(String.format(Locale.ROOT,
        ", Kickback step %.0f ns (%.2fx)", ns, ns / med.stepNs())));
    ours(results, "StepBench", "BACKPROP").ifPresent(ns -> sb.append(String.format(Locale.ROOT,
        ", Backprop step %.0f ns (%.2fx the Kickback reference)", ns, ns / med.stepNs())));
    return sb.append('.').toString();
  }

  /**
   * The script's three steps (build, check against scalar C, time on CPU 1) with its build
   * flags, or with those it uses on a CPU without AVX-512 for our rows at AVX2's width; timing
   * the intrinsics kernel's forward pass and step only (the binary's fourth argument), not the
   * plain C versions the report does not quote (4.7 s instead of 6.8 in all, measured), in
   * {@link #RUNS} processes one after another.
   */
  private static ProcessBuilder build(Path script, boolean avx2) {
    Path source = script.resolveSibling("b1ref.c");
    return new ProcessBuilder("bash", "-c", "set -eu; " + isa(avx2) + "; out=$(mktemp -d);"
        + " trap 'rm -rf \"$out\"' EXIT; gcc -O3 $isa -o \"$out/b1ref\" \"$1\" -lm;"
        + " \"$out/b1ref\" check | tail -1; for run in $(seq \"$4\"); do"
        + " taskset -c \"${CPU:-1}\" \"$out/b1ref\" bench \"$2\" \"$3\" kp,ks; done", "b1ref",
        source.toString(), SECONDS, REPS, Integer.toString(RUNS));
  }

  /**
   * Shell that sets {@code isa} to gcc's flags for the reference: the script's (AVX-512 where
   * the CPU has it, else AVX2), or AVX2's for our rows at 8 lanes.
   */
  static String isa(boolean avx2) {
    return avx2 ? "isa='" + AVX2_FLAGS + "'"
        : "if grep -q avx512f /proc/cpuinfo; then isa=-march=native; else isa='" + AVX2_FLAGS
            + "'; fi";
  }

  /** The reference's medians: its kernel's instruction set, forward and step in ns. */
  record Medians(String isa, double forwardNs, double stepNs) {}

  /**
   * The medians of the intrinsics kernel's lines in the reference's output, the smallest of each
   * where several runs printed them, or null.
   */
  static Medians medians(String out) {
    double forward = median(out, "predict");
    double step = median(out, "step");
    if (Double.isNaN(forward) || Double.isNaN(step)) {
      return null;
    }
    return out.lines().map(line -> MEDIAN.matcher(line.strip())).filter(Matcher::find)
        .findFirst().map(m -> new Medians(m.group(1), forward, step)).orElse(null);
  }

  /**
   * The smallest median of the intrinsics kernel's {@code predict} or {@code step} lines in the
   * reference's output (one per run), in ns per call; NaN where it printed none.
   */
  static double median(String out, String kind) {
    double smallest = Double.NaN;
    for (String line : out.split("\n")) {
      Matcher m = MEDIAN.matcher(line.strip());
      if (m.find() && m.group(2).equals(kind)) {
        double ns = Double.parseDouble(m.group(3));
        smallest = Double.isNaN(smallest) ? ns : Math.min(smallest, ns);
      }
    }
    return smallest;
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
}
