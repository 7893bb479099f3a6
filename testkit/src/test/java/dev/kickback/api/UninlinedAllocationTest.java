package dev.kickback.api;

import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Predictions of one sample allocate nothing even where C2 inlines no call that the JDK does not
 * force: surefire runs this class in a JVM of its own with {@code -XX:FreqInlineSize=0
 * -XX:MaxInlineSize=0} (testkit's pom). A kernel that leans on C2 inlining such a call allocates
 * in the JVMs where C2 declines it; the aligned rows' window blocks needed
 * {@code MemorySegment.asSlice} inlined and allocated its slice in about one JVM in eight
 * (measured), which {@link AllocationCheck} caught only now and then. Here C2 declines every such
 * call, so the check cannot pass by luck. The steps are not checked so: their helpers take
 * vectors, which C2 inlines by size in practice (see AllocationCheck for the steps).
 */
class UninlinedAllocationTest {
  @Test
  void predictionsOfOneSampleDoNotAllocate() {
    KernelOps ops = Paths.get("vector");
    Network net = Network.initialize(NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT), 3);
    Workspace ws = net.newWorkspace(1, ops);
    float[] x = RandomNets.gaussian(new SplittableRandom(3), net.spec().inputWidth());
    float[] out = new float[1];
    Runnable single = AllocationCheck.predictions(net, x, 1, out, ws);
    for (int r = 0; r < 100; r++) { // past the 1,024th, so from the rows off the heap where made
      single.run();
    }
    AllocationCheck.assertNoneOnceWarm(single,
        "100 predictions of one sample, C2 inlining only what the JDK forces");
  }
}
