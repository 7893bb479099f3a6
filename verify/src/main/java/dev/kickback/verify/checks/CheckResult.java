package dev.kickback.verify.checks;

/**
 * One verification check: whether it passed, its worst error and what was run. A skipped check
 * (nothing could run) is neither passed nor failed and says why.
 */
public record CheckResult(String name, boolean passed, boolean skipped, double worstError,
    String detail) {

  public static CheckResult of(String name, boolean passed, double worstError, String detail) {
    return new CheckResult(name, passed, false, worstError, detail);
  }

  public static CheckResult skipped(String name, String why) {
    return new CheckResult(name, false, true, Double.NaN, "skipped: " + why);
  }

  /** "ok", "FAIL" or "skipped". */
  public String status() {
    return skipped ? "skipped" : passed ? "ok" : "FAIL";
  }
}
