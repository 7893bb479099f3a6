package dev.kickback.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Watches for other work on the machine while the suite runs: CPU time spent by processes that
 * are not this JVM or its JMH forks, from /proc, in windows of a few seconds, and time the
 * hypervisor stole. Two-core results assume both cores idle; a loaded machine gets a warning
 * line in the report. Linux only; elsewhere it reports nothing.
 */
final class LoadMonitor implements AutoCloseable {
  /** Other processes' CPU, in cores, above which a window counts as busy. */
  static final double BUSY_CORES = 0.25;
  private static final double TICKS_PER_S = 100; // USER_HZ on Linux
  private static final long WINDOW_MS = 3000;

  private final Thread sampler;
  private final List<double[]> windows = new ArrayList<>(); // {other cores, steal cores}
  private final double atStart;
  private volatile boolean stop;

  LoadMonitor() {
    atStart = sampleOther(1000)[0];
    sampler = new Thread(this::run, "kickback-load-monitor");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void run() {
    while (!stop) {
      double[] w = sampleOther(WINDOW_MS);
      if (!Double.isNaN(w[0])) {
        synchronized (windows) {
          windows.add(w);
        }
      }
    }
  }

  /** Other processes' CPU and stolen time over {@code ms}, in cores; NaN off Linux. */
  private static double[] sampleOther(long ms) {
    long[] t0 = totals();
    long own0 = ownTicks();
    long wall0 = System.nanoTime();
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long[] t1 = totals();
    long own1 = ownTicks();
    double seconds = (System.nanoTime() - wall0) / 1e9;
    if (t0 == null || t1 == null || own0 < 0 || own1 < 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double other = ((t1[0] - t0[0]) - (own1 - own0)) / TICKS_PER_S / seconds;
    double steal = (t1[1] - t0[1]) / TICKS_PER_S / seconds;
    return new double[] {Math.max(0, other), steal};
  }

  /** Busy ticks of all CPUs (user, nice, system, irq, softirq) and stolen ticks. */
  private static long[] totals() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
          + Long.parseLong(f[6]) + Long.parseLong(f[7]);
      return new long[] {busy, f.length > 8 ? Long.parseLong(f[8]) : 0};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** CPU ticks of this JVM, its reaped children, and its live descendants (the JMH forks). */
  private static long ownTicks() {
    long sum = ticks(ProcessHandle.current().pid(), true);
    if (sum < 0) {
      return -1;
    }
    for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
      long t = ticks(h.pid(), false);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }

  private static long ticks(long pid, boolean withChildren) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // after the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17
      long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return withChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The report's warning lines; empty when the machine stayed quiet. */
  List<String> warnings() {
    List<String> out = new ArrayList<>();
    if (atStart > BUSY_CORES) {
      out.add(String.format(Locale.ROOT, "WARNING: busy machine at the start: other processes"
          + " used %.2f cores.", atStart));
    }
    List<double[]> w;
    synchronized (windows) {
      w = new ArrayList<>(windows);
    }
    long busy = w.stream().filter(x -> x[0] > BUSY_CORES).count();
    double max = w.stream().mapToDouble(x -> x[0]).max().orElse(0);
    double mean = w.stream().mapToDouble(x -> x[0]).average().orElse(0);
    double steal = w.stream().mapToDouble(x -> x[1]).average().orElse(0);
    if (busy > 0) {
      out.add(String.format(Locale.ROOT, "WARNING: busy machine during the run: other processes"
          + " used more than %.2f cores in %d of %d %d-second windows (at most %.2f, mean %.2f"
          + " cores); results on two cores are suspect.", BUSY_CORES, busy, w.size(),
          WINDOW_MS / 1000, max, mean));
    }
    if (steal > 0.05) {
      out.add(String.format(Locale.ROOT, "WARNING: the hypervisor stole %.2f cores on average"
          + " during the run.", steal));
    }
    return out;
  }

  /** One line for the report whatever happened, so a quiet run says it was checked. */
  String summary() {
    List<double[]> w;
    synchronized (windows) {
      w = new ArrayList<>(windows);
    }
    return String.format(Locale.ROOT, "Other processes' CPU: %.2f cores at the start, mean %.2f"
        + " and at most %.2f over %d windows of %d s during the run; stolen %.2f cores.",
        atStart, w.stream().mapToDouble(x -> x[0]).average().orElse(0),
        w.stream().mapToDouble(x -> x[0]).max().orElse(0), w.size(), WINDOW_MS / 1000,
        w.stream().mapToDouble(x -> x[1]).average().orElse(0));
  }

  @Override
  public void close() {
    stop = true;
    sampler.interrupt();
  }
}
