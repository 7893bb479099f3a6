package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.kernels.KernelOps;
import dev.kickback.kernels.Kernels;
import dev.kickback.serving.OnlineModel;
import dev.kickback.testkit.RandomNets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Misuse caught where it happens: a trainer entered by a second thread while a step runs, two
 * trainers stepping one network at once, a trainer on a read-only snapshot. The overlap is made
 * certain, not left to chance: the first step is held inside a kernel call until the second
 * call has been refused.
 */
class MisuseTest {
  private static final NetworkSpec SPEC = NetworkSpec.builder(4).hidden(8, 6).build();

  /** The scalar kernels, except that the first axpy after {@link #arm} waits to be released. */
  private static final class HoldingOps extends KernelOps {
    private final KernelOps scalar = Kernels.scalar();
    private volatile boolean armed;
    final CountDownLatch inside = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    void arm() {
      armed = true;
    }

    @Override
    public String name() {
      return "holding";
    }

    @Override
    protected void gemmNTKernel(int m, int n, int k, float alpha, float[] a, float[] b,
        float[] c) {
      scalar.gemmNT(m, n, k, alpha, a, b, c);
    }

    @Override
    protected void gemmStridedA(int m, int n, int k, float alpha, float[] a, int rs, int cs,
        float[] b, float[] c) {
      if (cs == 1) {
        scalar.gemmNN(m, n, k, alpha, a, b, c);
      } else {
        scalar.gemmTN(m, n, k, alpha, a, b, c);
      }
    }

    @Override
    protected float dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
      float s = 0;
      for (int i = 0; i < n; i++) {
        s += x[xOff + i] * y[yOff + i];
      }
      return s;
    }

    @Override
    protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
      if (armed) {
        armed = false;
        inside.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      scalar.axpy(n, alpha, x, xOff, y, yOff);
    }
  }

  /** Starts a step on {@code t} in a thread named "first", held inside its update. */
  private static Thread heldStep(Trainer t, HoldingOps ops, float[] x, float[] y,
      AtomicReference<Throwable> failure) throws InterruptedException {
    ops.arm();
    Thread first = new Thread(() -> {
      try {
        t.step(Rule.KICKBACK, x, y, 2, 1e-3f);
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "first");
    first.start();
    assertTrue(ops.inside.await(30, TimeUnit.SECONDS), "the first step never started");
    return first;
  }

  @ParameterizedTest
  @EnumSource(Rule.class)
  void aTrainerEnteredWhileItsStepRunsThrowsNamingBothThreads(Rule rule) throws Exception {
    Network net = Network.initialize(SPEC, 1);
    HoldingOps ops = new HoldingOps();
    Trainer t = new Trainer(net, 2, ops);
    float[] x = RandomNets.gaussian(2, 8);
    float[] y = {0.5f, -0.5f};
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread first = heldStep(t, ops, x, y, failure);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> t.step(rule, x, y, 2, 1e-3f));
    assertEquals("Trainer used by thread '" + Thread.currentThread().getName() + "' while"
        + " thread 'first' runs a call on it: a Trainer is not thread-safe; give each thread its"
        + " own Trainer (and network copy)", e.getMessage());
    assertThrows(IllegalStateException.class, () -> t.direction(rule, x, y, 2,
        new float[SPEC.layers()][64], new float[SPEC.layers()][8]));
    ops.release.countDown();
    first.join();
    assertEquals(null, failure.get(), "the first step, which was first, completes");
    t.step(rule, x, y, 2, 1e-3f); // and the trainer works again
  }

  @Test
  void twoTrainersSteppingOneNetworkAtOnceThrow() throws Exception {
    Network net = Network.initialize(SPEC, 2);
    HoldingOps ops = new HoldingOps();
    Trainer t = new Trainer(net, 2, ops);
    Trainer other = new Trainer(net, 2);
    float[] x = RandomNets.gaussian(3, 8);
    float[] y = {0.5f, -0.5f};
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread first = heldStep(t, ops, x, y, failure);
    Network during = net.copy();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> other.step(Rule.BACKPROP, x, y, 2, 1e-3f));
    assertEquals("two Trainers write one Network at once: another Trainer is running a step on"
        + " it; one writer per Network (train a copy() per thread)", e.getMessage());
    for (int l = 0; l < SPEC.layers(); l++) {
      assertArrayEquals(during.weights(l), net.weights(l), 0f, "the refused step wrote");
    }
    // reading (direction) from a second trainer is no write: allowed
    other.direction(Rule.KICKBACK, x, y, 2, new float[SPEC.layers()][64],
        new float[SPEC.layers()][8]);
    ops.release.countDown();
    first.join();
    assertEquals(null, failure.get());
    other.step(Rule.BACKPROP, x, y, 2, 1e-3f); // one after the other is fine
  }

  @Test
  void snapshotsHandedToReadersAreReadOnly() {
    OnlineModel model = new OnlineModel(Network.initialize(SPEC, 3));
    Network snapshot = model.current().network();
    assertTrue(snapshot.isReadOnly());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Trainer(snapshot, 1));
    assertEquals("new Trainer: this Network is a read-only snapshot (from OnlineModel.current()"
        + " or readOnlyCopy()); train or change a copy() of it and publish that",
        e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> snapshot.setBiases(0, new float[SPEC.width(0)]));
    Network copy = snapshot.copy();
    assertFalse(copy.isReadOnly());
    new Trainer(copy, 1).step(Rule.KICKBACK, new float[4], new float[1], 1, 1e-3f);
    assertTrue(model.publish(copy).network().isReadOnly());
  }
}
