package dev.kickback.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Warmup}: runs, reports what it did, and leaves the caller's network as it was. */
class WarmupTest {
  private static final NetworkSpec SPEC = NetworkSpec.builder(5).hidden(7, 3).head(Head.PAIR)
      .coherence(Coherence.COHERENT).build();

  @Test
  void warmsUpOnACopyAndLeavesTheNetworkBitwiseUnchanged() {
    Network net = Network.initialize(SPEC, 9);
    Network before = net.copy();
    Warmup.Report r = Warmup.run(net, Rule.KICKBACK, 3, Duration.ofMillis(300));
    assertTrue(r.calls() > 0 && r.calls() % 256 == 0, "whole windows of calls: " + r.calls());
    assertTrue(r.time().toNanos() > 0);
    assertTrue(r.steadyNanosPerCall() > 0);
    for (int l = 0; l < SPEC.layers(); l++) {
      assertArrayEquals(before.weights(l), net.weights(l), "weights of layer " + l);
      assertArrayEquals(before.biases(l), net.biases(l), "biases of layer " + l);
    }
  }

  @Test
  void rejectsABatchBelowOneAndABudgetThatIsNotPositive() {
    Network net = Network.initialize(SPEC, 9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Warmup.run(net, Rule.BACKPROP, 0, Duration.ofSeconds(1)));
    assertEquals("batch = 0: must be >= 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Warmup.run(net, Rule.BACKPROP, 1, Duration.ZERO));
    assertEquals("budget = PT0S: expected a positive duration", e.getMessage());
  }
}
