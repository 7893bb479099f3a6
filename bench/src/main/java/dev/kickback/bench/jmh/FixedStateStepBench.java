package dev.kickback.bench.jmh;

import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link StepBench}'s step, every {@value #STEPS} steps from the same network: before each
 * invocation (untimed) the parameters the network was initialized with are put back
 * ({@link Network#copyFrom}) and one step is taken, the one that measures the trainer's bounds
 * again after the write, so that the timed steps are steps as training takes them. StepBench
 * trains each row's network on its batch for seconds, and each rule drives it to a state of its
 * own: on the wide network at batch 4, Kickback's to 768 of layer 1's 1,024 units active per
 * sample and Backprop's to about 505 (516 at initialization), and steps at batches 1 to 4 visit
 * only the weight rows of active units. Here both rules step from one state, so their rows
 * compare the rules' work, not their trajectories.
 *
 * <p>FLOPs and bytes: as {@link StepBench}. The thread's bytes per step leave out the restore's
 * (its step runs code that runs once an invocation, which C2 takes up late on the wide
 * network); JMH's {@code gc.alloc.rate.norm} counts them.
 */
public class FixedStateStepBench extends NetworkBench {
  /** Steps timed per invocation: few enough that the network stays near its initial state. */
  public static final int STEPS = 8;

  @Param({"KICKBACK", "BACKPROP"})
  public Rule rule;

  private Network initial;
  /** Bytes the last restore allocated: its first step's code runs once an invocation. */
  private long restoreBytes;

  @Setup(Level.Invocation)
  public void restore() {
    long before = ThreadAlloc.allocatedNow();
    if (initial == null) {
      initial = s.snapshot();
    }
    s.restore(initial);
    s.step(rule);
    restoreBytes = ThreadAlloc.allocatedNow() - before;
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public float steps(ThreadAlloc alloc) {
    alloc.leaveOut(restoreBytes);
    restoreBytes = 0;
    float loss = 0;
    for (int i = 0; i < STEPS; i++) {
      alloc.op();
      loss += s.step(rule);
    }
    return loss;
  }

  @Override
  public Workload model() {
    return StepBench.stepModel("step_fixed", rule, path.label(), path.threads(), net, batch);
  }
}
