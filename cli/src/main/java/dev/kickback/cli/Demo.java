package dev.kickback.cli;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.api.Workspace;
import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.testkit.SyntheticRegression;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The built-in demo: trains the paper-sized network (21 -> 200 -> 100 -> 10 -> head) with both
 * rules on generated data and prints the training loss, then times single Kickback and Backprop
 * steps on every available kernel path. A quick timed loop, not a JMH measurement.
 */
public final class Demo {
  private static final int WIDTH = 21;
  private static final int ROWS = 2048;
  private static final int EPOCHS = 30;
  private static final int BATCH = 16;
  private static final float LR = 0.03f;

  private Demo() {}

  public static void main(String[] args) {
    System.out.printf(Locale.ROOT, "JVM %s (%s), kernels: %s%n",
        Runtime.version(), System.getProperty("java.home"), Kernels.ops().name());
    SyntheticRegression data = SyntheticRegression.generate(ROWS, WIDTH, 42);
    System.out.printf(Locale.ROOT,
        "%nTraining %d generated samples, %d epochs, batch %d, lr %.3g (mean loss 0.5 (y - y_hat)^2"
            + " over all samples):%n", ROWS, EPOCHS, BATCH, LR);
    System.out.printf(Locale.ROOT, "%-34s %-9s %10s %10s %12s%n",
        "network", "rule", "loss@0", "loss@end", "samples/s");
    for (NetworkSpec spec : List.of(
        NetworkSpec.paper(WIDTH, Head.LINEAR, Coherence.FREE),
        NetworkSpec.paper(WIDTH, Head.PAIR, Coherence.COHERENT))) {
      for (Rule rule : Rule.values()) {
        train(spec, rule, data);
      }
    }
    System.out.printf(Locale.ROOT,
        "%nOne training step, %s (timed loop after warm-up):%n",
        NetworkSpec.paper(WIDTH, Head.PAIR, Coherence.COHERENT));
    System.out.printf(Locale.ROOT, "%-8s %-9s %6s %14s %10s%n",
        "kernels", "rule", "batch", "samples/s", "GFLOP/s");
    List<KernelOps> paths = new ArrayList<>();
    Kernels.vector().ifPresent(paths::add);
    paths.add(Kernels.scalar());
    for (KernelOps ops : paths) {
      for (int batch : new int[] {1, 64}) {
        for (Rule rule : Rule.values()) {
          timeSteps(ops, rule, batch, data);
        }
      }
    }
    if (Kernels.vector().isEmpty()) {
      System.out.println("(vector path not measured: "
          + Kernels.vectorUnavailableReason().orElse("?") + ")");
    }
  }

  private static void train(NetworkSpec spec, Rule rule, SyntheticRegression data) {
    Network net = Network.initialize(spec, 7);
    Trainer trainer = new Trainer(net, BATCH);
    float[] x = new float[BATCH * WIDTH];
    float[] y = new float[BATCH];
    double before = meanLoss(net, data);
    long t0 = System.nanoTime();
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      for (int from = 0; from + BATCH <= ROWS; from += BATCH) {
        data.batch(from, BATCH, x, y);
        trainer.step(rule, x, y, BATCH, LR);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%-34s %-9s %10.4f %10.4f %12.0f%n", spec, rule, before,
        meanLoss(net, data), (double) EPOCHS * (ROWS / BATCH) * BATCH / seconds);
  }

  static double meanLoss(Network net, SyntheticRegression data) {
    Workspace ws = net.newWorkspace(data.rows());
    float[] pred = new float[data.rows()];
    net.predict(data.x(), data.rows(), pred, ws);
    double sum = 0;
    for (int r = 0; r < data.rows(); r++) {
      double e = data.y()[r] - pred[r];
      sum += 0.5 * e * e;
    }
    return sum / data.rows();
  }

  private static void timeSteps(KernelOps ops, Rule rule, int batch, SyntheticRegression data) {
    NetworkSpec spec = NetworkSpec.paper(WIDTH, Head.PAIR, Coherence.COHERENT);
    Trainer trainer = new Trainer(Network.initialize(spec, 7), batch, ops);
    float[] x = new float[batch * WIDTH];
    float[] y = new float[batch];
    data.batch(0, batch, x, y);
    // Small rate: the timing loop revisits one batch and must not drive the network to zero.
    float lr = 1e-5f;
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      trainer.step(rule, x, y, batch, lr);
    }
    long steps = 0;
    long t0 = System.nanoTime();
    long end = t0 + 1_000_000_000L;
    long now;
    do {
      for (int i = 0; i < 64; i++) {
        trainer.step(rule, x, y, batch, lr);
      }
      steps += 64;
      now = System.nanoTime();
    } while (now < end);
    double samplesPerS = steps * batch / ((now - t0) / 1e9);
    double flopsPerSample = spec.stepFlopsPerSample();
    System.out.printf(Locale.ROOT, "%-8s %-9s %6d %14.0f %10.2f%n", ops.name(), rule, batch,
        samplesPerS, samplesPerS * flopsPerSample / 1e9);
  }
}
