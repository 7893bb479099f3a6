package dev.kickback.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kickback.api.Rule;
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
    float[][][] initial = b.s.snapshot();
    ThreadAlloc alloc = new ThreadAlloc();
    b.restore();
    float first = b.steps(alloc);
    float[][][] after = b.s.snapshot();
    assertNotEquals(initial[0][1][0], 0f, "a weight of layer 1 to compare");
    b.restore();
    assertEquals(first, b.steps(alloc), "the same losses from the same state");
    for (int l = 0; l < initial[0].length; l++) {
      assertArrayEquals(after[0][l], b.s.snapshot()[0][l], "layer " + l + " after the steps");
    }
    b.restore();
    b.s.restore(initial);
    for (int l = 0; l < initial[0].length; l++) {
      assertArrayEquals(initial[0][l], b.s.snapshot()[0][l], "layer " + l + " restored");
      assertArrayEquals(initial[1][l], b.s.snapshot()[1][l], "biases " + l + " restored");
    }
  }
}
