package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * The hot path allocates nothing once warm: steps of both rules at every batch size up to the
 * maximum, and predictions (between steps, and on their own once the weights are packed, of
 * the whole batch and of one sample),
 * measured per thread (the caller's and any GEMM helper's), exactly 0 bytes.
 *
 * <p>Each kernel path is checked in a JVM of its own ({@code *AllocationTest}, a surefire
 * execution without fork reuse), as a service runs one path. In a JVM that had run the scalar
 * path first, C2 sometimes compiled a vector kernel without its Vector API intrinsics and the
 * steps then boxed vectors for good (measured: 9.8 MB per 100 paper steps after 60 s, in about
 * one JVM of five): the JDK's vector classes keep one type profile for every caller, and a
 * profile taken while other code ran can leave the vector calls unresolved.
 */
final class AllocationCheck {
  private AllocationCheck() {}

  /** "paper" is the paper network; "packed" is large enough for the packed, split GEMMs. */
  static void assertNoneOnceWarm(KernelOps ops, String shape, int maxBatch) {
    // "packed": at batch 64, 64 x 1024 x 256 = 2^24 multiply-adds, Kernels.vector(2)'s split
    NetworkSpec spec = shape.equals("paper") ? NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT)
        : NetworkSpec.builder(256).hidden(1024, 256).head(Head.PAIR)
            .coherence(Coherence.COHERENT).build();
    int in = spec.inputWidth();
    Network net = Network.initialize(spec, 3);
    Trainer t = new Trainer(net, maxBatch, ops);
    Workspace ws = net.newWorkspace(maxBatch, ops);
    SplittableRandom rnd = new SplittableRandom(3);
    float[][] xs = new float[9][];
    float[][] ys = new float[9][];
    int[] sizes = new int[9];
    for (int b = 1; b <= 8; b++) {
      sizes[b] = maxBatch * b / 8;
      xs[b] = RandomNets.gaussian(rnd, sizes[b] * in);
      ys[b] = RandomNets.gaussian(rnd, sizes[b]);
    }
    float[] x = xs[8];
    float[] y = ys[8];
    float[] out = new float[maxBatch];
    Runnable round = () -> {
      for (int i = 0; i < 100; i++) {
        t.step(Rule.KICKBACK, x, y, maxBatch, 1e-6f);
        t.step(Rule.BACKPROP, xs[1 + i % 8], ys[1 + i % 8], sizes[1 + i % 8], 1e-6f);
        net.predict(x, maxBatch, out, ws);
      }
    };
    int warmRounds = shape.equals("paper") ? 50 : 3;
    for (int r = 0; r < warmRounds; r++) {
      round.run();
    }
    assertNoneOnceWarm(round, "100 steps and predictions");
    // Predictions alone: from the second the weights are packed where the path packs them (the
    // "packed" shape's 256 -> 1024 layer on the vector path), once; after that, nothing.
    Runnable predictions = predictions(net, x, maxBatch, out, ws);
    predictions.run();
    assertNoneOnceWarm(predictions, "100 predictions");
    // Predictions of one sample alone: from rows packed off the heap once where the path has
    // them (vector, Java 22 and later); after that, nothing.
    float[] x1 = java.util.Arrays.copyOf(x, in);
    Runnable single = predictions(net, x1, 1, out, ws);
    single.run();
    assertNoneOnceWarm(single, "100 predictions of one sample");
  }

  /**
   * Runs {@code round} until three rounds in a row allocate nothing: on 2 cores how long C2 takes
   * to compile every vector kernel varies from run to run, and the interim code boxes vectors. A
   * kernel that allocates once compiled never gets there and fails here, with the last round's
   * bytes; so does one that allocates every other round. Three, not one round and then the
   * next: at 4 lanes a warm JVM's series of 30 rounds were all 0 bytes but one round of 96 or 296
   * bytes in 4 of 12 series (measured), a late compilation running one call in the interpreter,
   * which the next round does not repeat.
   */
  static void assertNoneOnceWarm(Runnable round, String what) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] threads = gemmHelpersAnd(Thread.currentThread().threadId());
    long deadline = System.nanoTime() + 60_000_000_000L;
    long bytes = -1;
    int zeroRounds = 0;
    while (zeroRounds < 3 && System.nanoTime() < deadline) {
      long before = allocated(mx, threads);
      round.run();
      long roundBytes = allocated(mx, threads) - before;
      zeroRounds = roundBytes == 0 ? zeroRounds + 1 : 0;
      bytes = roundBytes == 0 ? bytes : roundBytes;
    }
    assertEquals(3, zeroRounds, "bytes allocated by " + what + " (caller and GEMM helpers) in"
        + " the last round that allocated, after 60 s of warm-up: " + bytes);
  }

  /** A round of 100 predictions of {@code batch} samples of {@code x}. */
  static Runnable predictions(Network net, float[] x, int batch, float[] out, Workspace ws) {
    return () -> {
      for (int i = 0; i < 100; i++) {
        net.predict(x, batch, out, ws);
      }
    };
  }

  private static long[] gemmHelpersAnd(long caller) {
    return LongStream.concat(LongStream.of(caller),
        Thread.getAllStackTraces().keySet().stream()
            .filter(th -> th.getName().startsWith("kickback-gemm-"))
            .mapToLong(Thread::threadId)).toArray();
  }

  private static long allocated(com.sun.management.ThreadMXBean mx, long[] threads) {
    long sum = 0;
    for (long id : threads) {
      sum += mx.getThreadAllocatedBytes(id);
    }
    return sum;
  }
}
