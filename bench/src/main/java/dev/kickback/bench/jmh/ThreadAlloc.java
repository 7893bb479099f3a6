package dev.kickback.bench.jmh;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The bytes the benchmark's own thread allocates, beside JMH's {@code gc.alloc.rate.norm}: two
 * secondary metrics, {@code threadBytes} and {@code threadOps}, whose ratio the report shows as
 * bytes per operation. JMH's GC profiler divides the whole JVM's allocation in an iteration by
 * the iteration's operations, its own threads' included (it reads
 * {@code getTotalThreadAllocatedBytes}); a row of a few operations an iteration, such as the
 * wide network's step at batch 256 (about 3 in 200 ms), shows that bookkeeping as kilobytes
 * per operation. This state reads the benchmark thread's allocated bytes when an iteration
 * starts and ends, and counts its operations with one increment each, so it adds nothing
 * measurable to an operation. JMH sums each metric over the iterations, so the ratio is over
 * all of them.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadAlloc {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Bytes the benchmark thread allocated in the iteration. */
  public long threadBytes;

  /** Operations in the iteration, its warm-up and warm-down loops included, as in the bytes. */
  public long threadOps;

  private long ops;
  private long start;
  private long leftOut;

  /** Bytes this thread has allocated since it started. */
  static long allocatedNow() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** Starts the iteration's count (JMH zeroes the public counters after this). */
  @Setup(Level.Iteration)
  public void start() {
    ops = 0;
    leftOut = 0;
    start = allocatedNow();
  }

  /**
   * Leaves out of the iteration's bytes those an untimed per-invocation setup allocated on this
   * thread (JMH's {@code gc.alloc.rate.norm} counts them).
   */
  public void leaveOut(long bytes) {
    leftOut += bytes;
  }

  /** Counts one operation: call once per benchmark invocation. */
  public void op() {
    ops++;
  }

  /** Publishes the iteration's bytes and operations. */
  @TearDown(Level.Iteration)
  public void end() {
    threadBytes = allocatedNow() - start - leftOut;
    threadOps = ops;
  }
}
