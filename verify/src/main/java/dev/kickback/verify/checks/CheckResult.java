package dev.kickback.verify.checks;

/** One verification check: whether it passed, its worst error and what was run. */
public record CheckResult(String name, boolean passed, double worstError, String detail) {}
