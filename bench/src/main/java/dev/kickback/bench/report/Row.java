package dev.kickback.bench.report;

/**
 * One benchmark result with what the report derives from it: the fields of summary.json's
 * {@code rows}. Derived values are null where they do not apply.
 *
 * @param key the configuration's identity across runs ({@link JmhResult#key()})
 * @param benchmark the operation ({@code gemm}, {@code forward}, {@code step}, ...)
 * @param rule kickback or backprop, for steps
 * @param path the kernel path label
 * @param shape the shape label
 * @param batch the batch (n for GEMMs)
 * @param threads cores used by one measured operation stream, times JMH threads
 * @param score JMH's score
 * @param error JMH's 99.9% half-width, NaN without one
 * @param unit the score's unit
 * @param gflops GFLOP/s
 * @param samplesPerS samples per second
 * @param vsOpenblas score over the OpenBLAS peer's with the same thread count
 * @param vsOrt score over ONNX Runtime's on the same forward pass (one thread), or null
 * @param vsPeak GFLOP/s over the measured FP32 peak of the threads used
 * @param bytesPerOp bytes allocated per operation (JMH's GC profiler: the whole JVM, JMH's
 *     threads included)
 * @param threadBytesPerOp bytes the benchmark thread allocated per operation, or null
 * @param trafficBytesPerOp the benchmark's own model of bytes moved per operation
 * @param flag why the row is not a result yet, or null
 * @param forkSpread the largest fork's mean over the smallest's, or null with one fork
 */
public record Row(String key, String benchmark, String rule, String path, String shape,
    int batch, int threads, double score, double error, String unit, Double gflops,
    Double samplesPerS, Double vsOpenblas, Double vsOrt, Double vsPeak, Double bytesPerOp,
    Double threadBytesPerOp, Double trafficBytesPerOp, String flag, Double forkSpread) {

  /** Relative half-width of the interval. */
  public double relativeError() {
    return error / Math.abs(score);
  }

  /** GFLOP/s error bar: the score's interval scaled like the score. */
  public Double gflopsError() {
    return gflops == null || Double.isNaN(error) ? null : gflops * relativeError();
  }

  /** FLOPs per byte of the benchmark's traffic model, or null. */
  public Double intensity() {
    if (gflops == null || trafficBytesPerOp == null || trafficBytesPerOp <= 0 || gflops == 0) {
      return null;
    }
    return gflops * 1e9 / score / trafficBytesPerOp;
  }

  /** This row with the ratios that need other rows: to the peers and to the peak. */
  Row withRatios(Double vsOpenblas, Double vsOrt, Double vsPeak) {
    return new Row(key, benchmark, rule, path, shape, batch, threads, score, error, unit, gflops,
        samplesPerS, vsOpenblas, vsOrt, vsPeak, bytesPerOp, threadBytesPerOp, trafficBytesPerOp,
        flag, forkSpread);
  }
}
