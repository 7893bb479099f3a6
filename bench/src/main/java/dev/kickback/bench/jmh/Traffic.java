package dev.kickback.bench.jmh;

import dev.kickback.api.NetworkSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes one forward pass or one training step of a benchmarked network moves, counted from the
 * units actually active on the benchmark's own samples. The kernel keeps each layer input-major
 * ({@code W_l^T[fanIn][width]}); at batch 1 it reads and writes only the rows of inputs that are
 * nonzero (the sample's features, then the active units below), at larger batches every row.
 * Per layer l with {@code r_l} such rows:
 * <ul>
 *   <li>forward: reads {@code r_l * width(l)} weights;
 *   <li>feedback (above layer 0): reads the same rows again, pulling through layer l to the
 *       active units of layer l - 1;
 *   <li>update: reads and writes the same rows (the coherence clip is in the same pass).
 * </ul>
 * The same for both rules. Biases and per-unit vectors are under 1% and not counted; the
 * inputs of the batch are.
 *
 * @param forwardRead bytes a forward pass reads
 * @param stepRead bytes a step reads only (forward and feedback)
 * @param stepUpdate bytes a step reads and writes back (the update), read and write counted
 * @param activeRows per layer, the rows counted ({@code r_l})
 */
public record Traffic(double forwardRead, double stepRead, double stepUpdate, int[] activeRows) {
  private static final Map<String, Traffic> CACHE = new ConcurrentHashMap<>();

  /** Total bytes of a step. */
  public double step() {
    return stepRead + stepUpdate;
  }

  /** The model for {@code net} at {@code batch}, on the benchmarks' seeded network and data. */
  public static Traffic of(Net net, int batch) {
    return CACHE.computeIfAbsent(net + "/" + batch, k -> compute(net, batch));
  }

  private static Traffic compute(Net net, int batch) {
    NetworkSpec spec = net.spec();
    int[] rows = new int[spec.layers()];
    if (batch == 1) {
      rows = new NetworkState(net, KernelPath.SCALAR, 1).nonzeroInputs();
    } else {
      for (int l = 0; l < rows.length; l++) {
        rows[l] = spec.fanIn(l);
      }
    }
    double all = 0;
    double upper = 0;
    for (int l = 0; l < rows.length; l++) {
      double bytes = (double) BenchBase.F * rows[l] * spec.width(l);
      all += bytes;
      upper += l > 0 ? bytes : 0;
    }
    double inputs = (double) BenchBase.F * batch * spec.inputWidth();
    return new Traffic(all + inputs, all + upper + inputs, 2 * all, rows);
  }
}
