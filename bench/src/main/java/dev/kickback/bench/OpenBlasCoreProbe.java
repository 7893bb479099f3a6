package dev.kickback.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kickback.bench.report.Meta;
import dev.kickback.kernels.Kernels;
import dev.kickback.testkit.RandomNets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the OpenBLAS peer's core type by measurement, so that no ratio is taken against a
 * kernel slower than the library can run on this CPU. OpenBLAS reads {@code OPENBLAS_CORETYPE}
 * once, when it loads, so each candidate runs in a JVM of its own: one GEMM 1024 NN checked
 * against ours (the peer must compute the same product), then timed, best of
 * {@value #TIMED} calls. The fastest candidate that agrees wins; one that crashes (an
 * instruction the CPU lacks), disagrees or loads another core than asked is reported and
 * skipped.
 *
 * <p>Usage: {@code OpenBlasCoreProbe --choose FILE [--lanes N]} prints the winner's name on standard output
 * and writes every candidate's rate (or why it was skipped) to FILE in one line, which the
 * launcher hands to the report; {@code --measure} is one candidate's run (the environment names
 * it).
 */
public final class OpenBlasCoreProbe {
  static final int N = 1024;
  static final int TIMED = 5;
  /** Largest difference from our product, relative to its largest magnitude. */
  static final double AGREE = 1e-4;

  private OpenBlasCoreProbe() {}

  /** One candidate's outcome; {@code gflops} NaN and {@code problem} set when it failed. */
  record Candidate(String asked, String loaded, double gflops, double maxRelDiff,
      String problem) {
    boolean usable() {
      return problem == null;
    }

    /** How the report names it: {@code SkylakeX 61.2} or the reason it was skipped. */
    String summary() {
      return usable() ? String.format(Locale.ROOT, "%s %.1f", asked, gflops)
          : asked + " skipped: " + problem;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--measure")) {
      measure();
      return;
    }
    boolean lanesGiven = args.length == 4 && args[2].equals("--lanes")
        && args[3].matches("4|8|16");
    if (!(args.length == 2 || lanesGiven) || !args[0].equals("--choose")) {
      System.err.println("usage: OpenBlasCoreProbe --choose RESULT_FILE [--lanes 4|8|16]"
          + " | --measure");
      System.exit(2);
    }
    List<Candidate> all = new ArrayList<>();
    int lanes = lanesGiven ? Integer.parseInt(args[3]) : 0;
    for (String core : candidates(Meta.cpuFlags(), lanes)) {
      Candidate c = runCandidate(core);
      System.err.println("kickback: OpenBLAS core " + core + ": " + (c.usable()
          ? String.format(Locale.ROOT, "%.1f GFLOP/s on GEMM %d, agrees (%.1e)", c.gflops(), N,
              c.maxRelDiff())
          : c.problem()));
      all.add(c);
    }
    Optional<Candidate> best = choose(all);
    Files.writeString(Path.of(args[1]), summary(all), StandardCharsets.UTF_8);
    if (best.isEmpty()) {
      System.err.println("kickback: no OpenBLAS core type ran GEMM correctly; leaving OpenBLAS"
          + " to detect the CPU itself");
      System.out.println("");
    } else {
      System.out.println(best.get().asked());
    }
  }

  /**
   * OpenBLAS's core types whose instructions this CPU has ({@code flags} from /proc/cpuinfo), in
   * OpenBLAS's own order, for our kernels at {@code lanes} float lanes: at 16 (or 0, not given)
   * its AVX2 and AVX-512 types (SapphireRapids needs the AMX tiles its half-precision kernels
   * use, as OpenBLAS's own detection does); at 8 its AVX2 type, Haswell, so that the peer runs
   * at our width; at 4 Nehalem, whose single-precision GEMM is 128-bit SSE.
   */
  static List<String> candidates(Set<String> flags, int lanes) {
    List<String> out = new ArrayList<>();
    if (lanes == 4) {
      if (flags.contains("sse4_2")) {
        out.add("Nehalem");
      }
      return out;
    }
    if (flags.containsAll(Set.of("avx2", "fma"))) {
      out.add("Haswell");
    }
    if (lanes == 8) {
      return out;
    }
    if (flags.containsAll(Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"))) {
      out.add("SkylakeX");
      if (flags.contains("avx512_bf16")) {
        out.add("Cooperlake");
        if (flags.containsAll(Set.of("avx512_fp16", "amx_bf16", "amx_tile"))) {
          out.add("SapphireRapids");
        }
      }
    }
    return out;
  }

  /** The fastest usable candidate; the first listed of equals. */
  static Optional<Candidate> choose(List<Candidate> all) {
    Candidate best = null;
    for (Candidate c : all) {
      if (c.usable() && (best == null || c.gflops() > best.gflops())) {
        best = c;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Every candidate's GFLOP/s or why it was skipped, in one line for the report. */
  static String summary(List<Candidate> all) {
    return all.stream().map(Candidate::summary)
        .collect(java.util.stream.Collectors.joining("; ")) + " GFLOP/s";
  }

  private static Candidate runCandidate(String core) throws InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "--add-modules",
        "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), OpenBlasCoreProbe.class.getName(), "--measure");
    Map<String, String> env = pb.environment();
    env.put("OPENBLAS_CORETYPE", core);
    env.put("OPENBLAS_NUM_THREADS", "1");
    env.put("OPENBLAS_VERBOSE", "2"); // prints "Core: <name>" as the library loads
    try {
      Subprocess.Result r = Subprocess.run(pb, 120);
      if (r.timedOut()) {
        return failed(core, "?", "timed out");
      }
      return parseMeasurement(core, r.out(), r.exit());
    } catch (IOException e) {
      return failed(core, "?", "could not start a JVM: " + e.getMessage());
    }
  }

  private static final Pattern LOADED = Pattern.compile("(?m)^Core: (\\S+)");
  private static final Pattern RESULT =
      Pattern.compile("(?m)^gflops=(\\S+) maxRelDiff=(\\S+)$");

  /** A candidate from its JVM's output and exit code. */
  static Candidate parseMeasurement(String asked, String out, int exit) {
    Matcher core = LOADED.matcher(out);
    String loaded = core.find() ? core.group(1) : "?";
    Matcher m = RESULT.matcher(out);
    if (exit != 0 || !m.find()) {
      String last = out.strip().lines().reduce((a, b) -> b).orElse("no output");
      return failed(asked, loaded, "failed (exit " + exit + "): " + last);
    }
    double gflops = Double.parseDouble(m.group(1));
    double diff = Double.parseDouble(m.group(2));
    if (!loaded.equalsIgnoreCase(asked)) {
      return new Candidate(asked, loaded, gflops, diff, "loaded core " + loaded + " instead");
    }
    if (!(diff <= AGREE)) {
      return new Candidate(asked, loaded, gflops, diff, String.format(Locale.ROOT,
          "disagrees with our GEMM (max relative difference %.1e)", diff));
    }
    return new Candidate(asked, loaded, gflops, diff, null);
  }

  private static Candidate failed(String asked, String loaded, String why) {
    return new Candidate(asked, loaded, Double.NaN, Double.NaN, why);
  }

  /** One candidate, in the JVM whose environment names it. */
  private static void measure() {
    float[] a = RandomNets.gaussian(1, N * N);
    float[] b = RandomNets.gaussian(2, N * N);
    float[] ours = new float[N * N];
    Kernels.ops().gemmNN(N, N, N, 1f, a, b, ours);
    float[] c = new float[N * N];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1f, a, N, b, N, 0f, c, N);
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < c.length; i++) {
      scale = Math.max(scale, Math.abs(ours[i]));
      diff = Math.max(diff, Math.abs((double) ours[i] - c[i]));
    }
    long best = Long.MAX_VALUE;
    for (int i = 0; i < TIMED; i++) {
      long t0 = System.nanoTime();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1f, a, N, b, N, 0f, c, N);
      best = Math.min(best, System.nanoTime() - t0);
    }
    System.out.printf(Locale.ROOT, "gflops=%.3f maxRelDiff=%.3e%n", 2.0 * N * N * N / best,
        diff / scale);
  }
}
