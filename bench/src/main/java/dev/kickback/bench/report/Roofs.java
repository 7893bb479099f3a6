package dev.kickback.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine's roofs as measured in the same run: the FP32 peak of one core (PeakBench, the
 * larger of its vector widths) and streaming bandwidth per array size and mode
 * (BandwidthBench). Absent when the run did not include the probes.
 *
 * @param peakGflops FP32 GFLOP/s of one core, NaN if not measured
 * @param peakByWidth GFLOP/s per probed width ({@code fma_preferred}, {@code fma_bits_256})
 * @param gbps GB/s per bandwidth shape ({@code 100KB_read}, ...)
 */
public record Roofs(double peakGflops, Map<String, Double> peakByWidth, Map<String, Double> gbps) {

  /** Reads the probes' rows, before ratios to the peak exist. */
  static Roofs of(Iterable<Row> rows) {
    Map<String, Double> peaks = new LinkedHashMap<>();
    Map<String, Double> bw = new LinkedHashMap<>();
    double peak = Double.NaN;
    for (Row r : rows) {
      if (r.benchmark().equals("peak") && r.gflops() != null) {
        peaks.put(r.shape(), r.gflops());
        peak = Double.isNaN(peak) ? r.gflops() : Math.max(peak, r.gflops());
      } else if (r.benchmark().equals("bandwidth") && r.trafficBytesPerOp() != null) {
        bw.put(r.shape(), r.score() * r.trafficBytesPerOp() / 1e9);
      }
    }
    return new Roofs(peak, peaks, bw);
  }

  /** GB/s streaming {@code kb} KB with {@code mode} (read or update), NaN if not measured. */
  public double gbps(int kb, String mode) {
    return gbps.getOrDefault(kb + "KB_" + mode, Double.NaN);
  }
}
