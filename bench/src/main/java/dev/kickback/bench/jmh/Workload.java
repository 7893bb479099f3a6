package dev.kickback.bench.jmh;

/**
 * What one benchmark operation is, for the report: its labels and its cost model. FLOPs and
 * bytes are per operation; {@code samples} is how many training or inference samples one
 * operation handles (0 where the notion does not apply).
 *
 * @param benchmark short name of the measured operation ({@code gemm}, {@code forward}, ...)
 * @param rule the learning rule, or null
 * @param path the kernel path label, or null
 * @param shape the shape label ({@code paper}, {@code gemm1024_NT}, ...)
 * @param batch the batch size (for GEMMs, n)
 * @param threads cores one operation uses
 * @param flops floating-point operations per operation (FMA = 2)
 * @param bytes bytes one operation must move at least (the roofline's denominator), 0 if none
 * @param samples samples per operation, 0 if not a per-sample workload
 */
public record Workload(String benchmark, String rule, String path, String shape, int batch,
    int threads, double flops, double bytes, int samples) {

  /** Arithmetic intensity in FLOPs per byte, or NaN without a byte model. */
  public double intensity() {
    return bytes > 0 ? flops / bytes : Double.NaN;
  }
}
