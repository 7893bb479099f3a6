package dev.kickback.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the OpenBLAS peer ran and how strong it was, for the headline: the core type, whether it
 * was chosen by measurement or forced by the environment, and its GEMM 1024 NN rate as a
 * fraction of the measured peak. A peer below {@value #WEAK} of the peak is named weak, so that
 * nobody quotes a ratio against it without seeing that.
 */
final class OpenBlasPeer {
  /** Below this fraction of the measured peak on GEMM 1024 the peer is called weak. */
  static final double WEAK = 0.5;

  private OpenBlasPeer() {}

  /** Metadata entries from the launcher's choice (system properties) and the environment. */
  static void collect(Map<String, String> m) {
    m.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(unset)"));
    m.put("openblas_threads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "(unset)"));
    m.put("openblas_choice", System.getProperty("kickback.openblas.choice", "unknown"));
    String probe = System.getProperty("kickback.openblas.probe", "");
    if (!probe.isEmpty()) {
      m.put("openblas_probe", probe);
    }
  }

  /** One sentence for the headline. */
  static String sentence(Map<String, String> meta, List<Row> rows) {
    String core = meta.getOrDefault("openblas_coretype", "(unset)");
    String choice = meta.getOrDefault("openblas_choice", "unknown");
    StringBuilder sb = new StringBuilder("OpenBLAS peer: core type ").append(core);
    switch (choice) {
      case "measured" -> sb.append(", the fastest that agrees with our GEMM among those this"
          + " CPU runs (GEMM 1024, ").append(meta.getOrDefault("openblas_probe", "?"))
          .append(")");
      case "environment" -> sb.append(", a forced kernel: OPENBLAS_CORETYPE came from the"
          + " environment and --respect-env kept it");
      default -> sb.append(" (").append(choice).append(")");
    }
    Optional<Row> gemm = rows.stream().filter(r -> "openblas".equals(r.path())
        && r.benchmark().equals("gemm") && r.shape().equals("gemm1024_NN")
        && r.vsPeak() != null).findFirst();
    if (gemm.isPresent()) {
      double f = gemm.get().vsPeak();
      sb.append(String.format(Locale.ROOT, "; on GEMM 1024 NN it reaches %.2f of the measured"
          + " peak", f));
      if (f < WEAK) {
        sb.append(String.format(Locale.ROOT, ". ⚠ Weak peer: below %.1f of peak, so a ratio"
            + " against it flatters us", WEAK));
      }
    }
    return sb.append(".").toString();
  }
}
