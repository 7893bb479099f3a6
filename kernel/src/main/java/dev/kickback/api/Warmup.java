package dev.kickback.api;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Brings the kernels of one network shape to compiled speed before a service's first real
 * request. A fresh JVM runs the Vector API kernels in the interpreter first, where they are
 * thousands of times slower than once C2 has compiled them; a service that starts taking
 * requests at once pays that on its first ones. {@link #run} predicts with the caller's network
 * (read only) and trains a copy of it, with the same kernels ({@code Kernels.ops()}), until the
 * time per call has stopped falling; the caller's weights are then in cache too.
 *
 * <pre>{@code
 * Warmup.Report r = Warmup.run(model, Rule.KICKBACK, 1, Duration.ofSeconds(10));
 * log.info("kernels warm after {} calls in {}", r.calls(), r.time());
 * }</pre>
 *
 * <p>Call it once per shape (and batch) a process will serve, before the first request, while
 * nothing writes the network. It warms the kernel path this JVM chose: a process that also runs
 * the scalar path should know that mixing them can leave vector kernels without their
 * intrinsics (see the README).
 */
public final class Warmup {
  /** Calls per timed window. */
  private static final int WINDOW = 256;
  /** Windows before the timing may end the warm-up: C2 needs thousands of invocations. */
  private static final int MIN_WINDOWS = 40;
  /** Consecutive windows within {@link #STEADY} of the fastest that make the time steady. */
  private static final int STEADY_WINDOWS = 8;
  private static final double STEADY = 1.10;

  private Warmup() {}

  /**
   * What a warm-up did.
   *
   * @param calls predict-and-step pairs run
   * @param time wall time taken
   * @param steadyNanosPerCall the fastest window's time per pair, nanoseconds
   * @param steady whether the time per call was steady before the budget ran out
   */
  public record Report(long calls, Duration time, double steadyNanosPerCall, boolean steady) {}

  /**
   * Predicts with {@code net} and trains a copy of it ({@code rule}, batches of {@code batch},
   * random standardized data, a learning rate small enough to leave the copy as it was) in
   * windows of 256 calls, until 8 windows in a row are within 10% of the fastest, after at least
   * 40 windows (about 10,000 calls), or until {@code budget} is spent. Every other step follows a
   * parameter write, so the path a trainer takes on its first step, or after {@code set...},
   * is compiled too.
   *
   * @throws IllegalArgumentException if batch is below 1 or budget is not positive
   */
  public static Report run(Network net, Rule rule, int batch, Duration budget) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(budget, "budget");
    if (batch < 1) {
      throw new IllegalArgumentException("batch = " + batch + ": must be >= 1");
    }
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget = " + budget + ": expected a positive duration");
    }
    NetworkSpec spec = net.spec();
    Network copy = net.copy();
    Trainer trainer = new Trainer(copy, batch);
    Workspace ws = net.newWorkspace(batch);
    SplittableRandom rnd = new SplittableRandom(42);
    float[] x = new float[batch * spec.inputWidth()];
    float[] y = new float[batch];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) rnd.nextGaussian();
    }
    int head = spec.layers() - 1;
    float[] headBiases = copy.biases(head);
    float[] out = new float[batch];
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    double best = Double.POSITIVE_INFINITY;
    int windows = 0;
    int steadyRun = 0;
    long calls = 0;
    while (System.nanoTime() < deadline && (windows < MIN_WINDOWS || steadyRun < STEADY_WINDOWS)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < WINDOW; i++) {
        net.predict(x, batch, out, ws);
        if (i % 2 == 0) {
          copy.setBiases(head, headBiases); // the same values: only marks the copy written
        }
        trainer.step(rule, x, y, batch, 1e-6f);
      }
      double perCall = (double) (System.nanoTime() - t0) / WINDOW;
      calls += WINDOW;
      windows++;
      best = Math.min(best, perCall);
      steadyRun = perCall <= STEADY * best ? steadyRun + 1 : 0;
    }
    return new Report(calls, Duration.ofNanos(System.nanoTime() - start), best,
        windows >= MIN_WINDOWS && steadyRun >= STEADY_WINDOWS);
  }
}
