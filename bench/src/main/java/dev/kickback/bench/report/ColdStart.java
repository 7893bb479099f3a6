package dev.kickback.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cold-start section: ColdStartBench's single-shot curves (each of the first 10,000 calls
 * from a fresh JVM, timed on its own) and WarmupBench's warm-up times.
 */
final class ColdStart {
  /** Calls whose median is the steady state: the last this many. */
  static final int STEADY_TAIL = 1000;
  /** Width of the running median that must come within 2x of the steady state. */
  static final int WINDOW = 100;

  private ColdStart() {}

  /**
   * One curve and what the report reads from it; times in microseconds.
   *
   * @param callsToWithin2x index of the first call from which the median of the next 100 is
   *     within 2x of the steady state (-1 if never)
   * @param msToWithin2x the summed time of the calls before it, milliseconds
   */
  record Curve(String call, boolean warmedUp, double[] micros, double first, double steady,
      int callsToWithin2x, double msToWithin2x) {}

  static List<Curve> curves(List<JmhResult> results) {
    List<Curve> out = new ArrayList<>();
    for (JmhResult r : results) {
      if (!r.simpleClassName().equals("ColdStartBench") || r.raw().length == 0) {
        continue;
      }
      double[] us = r.raw()[0];
      if (us.length < STEADY_TAIL + WINDOW) {
        continue;
      }
      double[] tail = Arrays.copyOfRange(us, us.length - STEADY_TAIL, us.length);
      Arrays.sort(tail);
      double steady = tail[tail.length / 2];
      int within = -1;
      double sum = 0;
      for (int i = 0; i + WINDOW <= us.length; i++) {
        double[] w = Arrays.copyOfRange(us, i, i + WINDOW);
        Arrays.sort(w);
        if (w[WINDOW / 2] <= 2 * steady) {
          within = i;
          break;
        }
        sum += us[i];
      }
      out.add(new Curve(r.params().get("call").toLowerCase(Locale.ROOT),
          Boolean.parseBoolean(r.params().get("warmup")), us, us[0], steady, within,
          sum / 1000));
    }
    return out;
  }

  /** The section for {@code curves} (from {@link #curves}) and the results' warm-up times. */
  static String section(List<Curve> curves, List<JmhResult> results) {
    if (curves.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\n## Cold start: the first 10,000 batch-1 calls\n\n"
        + "Paper network, Kickback, each call timed on its own from a fresh JVM (JMH"
        + " SingleShotTime, one fork each). Steady state: the median of the last 1,000 calls."
        + " \"Within 2x\": the first call from which the median of the next 100 is within 2x of"
        + " it. With warm-up, the setup ran `Warmup.run` on the network first.\n\n"
        + "| call | warm-up first | first call, µs | first / steady | calls 2-10, max µs"
        + " | steady, µs | calls to within 2x | time to within 2x, ms |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (Curve c : curves) {
      double early = Arrays.stream(c.micros(), 1, 10).max().orElse(Double.NaN);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.2f | %s | %s |%n",
          c.call(), c.warmedUp() ? "yes" : "no", c.first(), c.first() / c.steady(), early,
          c.steady(), c.callsToWithin2x() < 0 ? "never" : String.valueOf(c.callsToWithin2x()),
          c.callsToWithin2x() < 0 ? "" : String.format(Locale.ROOT, "%.1f", c.msToWithin2x())));
    }
    results.stream().filter(r -> r.simpleClassName().equals("WarmupBench")).findFirst()
        .ifPresent(w -> {
          double[] all = Arrays.stream(w.raw()).flatMapToDouble(Arrays::stream).sorted()
              .toArray();
          sb.append(String.format(Locale.ROOT, "%n`Warmup.run` itself (paper network, batch 1,"
              + " fresh JVM, %d forks): median %.0f ms, range %.0f - %.0f ms.%n", all.length,
              all[all.length / 2], all[0], all[all.length - 1]));
        });
    return sb.toString();
  }
}
