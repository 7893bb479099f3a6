package dev.kickback.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every invocation of the fixed-state steps starts from the network's initial parameters. */
class FixedStateStepBenchTest {
  @ParameterizedTest
  @EnumSource(Rule.class)
  void everyInvocationTimesTheSameStepsFromTheSameState(Rule rule) {
    FixedStateStepBench b = new FixedStateStepBench();
    b.path = KernelPath.VECTOR;
    b.net = Net.PAPER;
    b.batch = 4;
    b.rule = rule;
    b.setup();
    Network initial = b.s.snapshot();
    ThreadAlloc alloc = new ThreadAlloc();
    b.restore();
    float first = b.steps(alloc);
    float[] after = b.s.net.weights(1);
    assertFalse(Arrays.equals(initial.weights(1), after), "the steps moved layer 1's weights");
    b.restore();
    assertEquals(first, b.steps(alloc), "the same losses from the same state");
    assertArrayEquals(after, b.s.net.weights(1), "layer 1 after the same steps");
    b.s.restore(initial);
    for (int l = 0; l < initial.spec().layers(); l++) {
      assertArrayEquals(initial.weights(l), b.s.net.weights(l), "layer " + l + " restored");
      assertArrayEquals(initial.biases(l), b.s.net.biases(l), "biases " + l + " restored");
    }
  }
}
