package dev.kickback.bench;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Param;

/**
 * The named suites of {@code ./kickback bench [SUITE]}: which benchmarks run, on which
 * parameters, with how many forks and iterations. Data only; {@link BenchSuite} runs them and
 * {@link AbRun} runs them on two jars.
 *
 * <p>{@code headline} (the default) is sized for 6 minutes on 2 cores, build included: every
 * row from 2 forks, so its interval covers fork-to-fork variance. The others are what a user
 * asks for by name.
 */
public final class Suites {
  private Suites() {}

  /** Names a user can give, in the order {@code ./kickback help} lists them. */
  public static final List<String> NAMES =
      List.of("headline", "latency", "rules", "cold", "flink", "gemm", "all", "full");

  /**
   * Forks, warm-up and measurement of one JMH run; {@code null} fields leave the benchmark's
   * annotations in force (the cold-start curves are single-shot by design).
   *
   * @param forks JVMs per row
   * @param warmups warm-up iterations per fork
   * @param warmupMs length of one warm-up iteration, ms
   * @param iterations measured iterations per fork
   * @param iterationMs length of one measured iteration, ms
   */
  public record Timing(Integer forks, Integer warmups, Integer warmupMs, Integer iterations,
      Integer iterationMs) {
    /** Seconds one row takes, JVM start and setup included; 0 when annotated. */
    double seconds() {
      if (forks == null || warmups == null) {
        return 0;
      }
      return forks * ((warmups * warmupMs + iterations * iterationMs) / 1e3 + 0.8);
    }

    @Override
    public String toString() {
      if (forks == null) {
        return "as annotated";
      }
      if (forks == 0) {
        return String.format(Locale.ROOT, "no fork (the suite's own JVM), %d x %d ms warm-up,"
            + " %d x %d ms", warmups, warmupMs, iterations, iterationMs);
      }
      return String.format(Locale.ROOT, "%d forks x (%d x %d ms warm-up, %d x %d ms)", forks,
          warmups, warmupMs, iterations, iterationMs);
    }
  }

  /**
   * One JMH run: the benchmarks whose name matches {@code include} (JMH's regular expression),
   * on every combination of {@code params}, measured with {@code timing}. An {@code interleaved}
   * group runs its rows fork by fork in turn (each row's first fork, then each row's second ...)
   * and pools each row's forks, so that a slow spell of the machine falls on all of them rather
   * than on the rows that happened to run in it: for rows the report compares with each other.
   * Its include may name several classes ({@link #onlyEach}): each row is then a fork of each in
   * turn, a class ignoring the parameters it does not declare.
   */
  public record Group(String include, Map<String, List<String>> params, Timing timing,
      boolean interleaved) {
    public Group(String include, Map<String, List<String>> params, Timing timing) {
      this(include, params, timing, false);
    }

    /** Every parameter combination as its own row, in JMH's order. */
    public List<Map<String, String>> rows() {
      List<Map<String, String>> out = new ArrayList<>();
      out.add(new LinkedHashMap<>());
      for (Map.Entry<String, List<String>> p : params.entrySet()) {
        List<Map<String, String>> next = new ArrayList<>();
        for (Map<String, String> row : out) {
          for (String v : p.getValue()) {
            Map<String, String> r = new LinkedHashMap<>(row);
            r.put(p.getKey(), v);
            next.add(r);
          }
        }
        out = next;
      }
      return out;
    }

    Group with(Timing t) {
      return new Group(include, params, t, interleaved);
    }

    /** This group, its rows taking turns fork by fork. */
    Group takingTurns() {
      return new Group(include, params, timing, true);
    }

    /** The simple names of the benchmark classes the include names, in its order. */
    public List<String> benchmarks() {
      Matcher m = CLASSES.matcher(include);
      return m.find() ? List.of(m.group(1).split("\\|")) : List.of();
    }
  }

  /** {@link #only}'s or {@link #onlyEach}'s class names in an include. */
  private static final Pattern CLASSES =
      Pattern.compile("\\\\\\.\\(?(\\w+(?:\\|\\w+)*)\\)?\\\\\\.");

  /*
   * The headline's timings, from how this 2-vCPU VM behaved: C2 takes about 1.2 s to compile a
   * vector step (samples/s still rising tenfold in the second after a 1 s warm-up), OpenBLAS
   * and the roofs are steady after 0.5 s, and iterations vary about ±10% at any length from
   * 100 ms to 1 s. So the vector rows warm up 2 s (the steps longer), and every row measures
   * 10 short iterations per fork (the peers and roofs 8): 20 per row narrow JMH's interval more
   * than fewer, longer ones would.
   */
  /** Our kernels: two seconds of warm-up for C2, then 10 x 100 ms, in 2 forks. */
  public static final Timing HEADLINE = new Timing(2, 2, 1000, 10, 100);
  /**
   * Our steps at batch 1 and 16: four seconds of warm-up. At batch 1 each of their kernels runs
   * once or twice a step, so the JIT's invocation counts (about 100 before C1, thousands before
   * C2) are reached after hundreds of interpreted steps of up to 20 ms each (measured on Zen 5:
   * 19.6 ms a step in the first 250 ms, 2.8 us from the tenth 250 ms on). At batch 16 and 256 a
   * step before C2 takes up to a second: with 2 s of warm-up one fork of the Backprop step at
   * batch 256 measured 8, 12, 174, 359, 1,370, 2,007 ... 2,501 steps/s in its 100-ms iterations
   * (the other 2,356-2,603 from its first); with 3 s the first 4 to 6 measured iterations of
   * both batch-256 steps still allocated 17,700 to 216,000 bytes a step, C1's boxed vectors, and
   * 4 s was not always enough for them either (see {@link #HEADLINE_STEP_B256}).
   */
  public static final Timing HEADLINE_STEP = new Timing(2, 4, 1000, 10, 100);
  /**
   * The paper network's forward pass at batch 1: four seconds of warm-up, as the steps. Its
   * predictions switch to the aligned rows at the 1,024th call, whose kernels are compiled only
   * from then on; with {@link #HEADLINE}'s 2 s on Zen 3 (8 lanes) the main job of 67538ba
   * measured one fork's first five iterations at 4,390 to 226,960 calls/s (500,000 after) with
   * 6,700 to 58,000 bytes a call (C1's boxed vectors), the row ±53%.
   */
  public static final Timing HEADLINE_FORWARD_B1 = HEADLINE_STEP;
  /**
   * The paper network's forward pass at batch 16 and 256: three seconds of warm-up. From a cold
   * fork (Zen 5, 2 forks of 100-ms iterations, JMH's GC profiler) its first ten or so calls take up
   * to 330 ms each and allocate 74 MB each (interpreted vector code), and C2's code is steady
   * 2.5 to 3 s in; with {@link #HEADLINE}'s 2 s this row was ±24% with 13,755 bytes a call in
   * the main job of 33c2f85, some of its measured iterations still C1's. Batch 16 since its
   * kernels write the rectifier from their registers (gemmNNRectify: the 8-row kernels 2,284
   * and 2,538 bytecodes, in C2's code 2.5 to 3 s in): with 2 s, one fork of the main job of
   * 51af6a1 ran 193 calls/s in its second warm-up second and 11,076 in its first measured
   * iteration (165,000 after), the row ±25.9% with 1,279 bytes a call.
   */
  public static final Timing HEADLINE_B256 = new Timing(2, 3, 1000, 10, 100);
  /**
   * The paper network's steps at batch 256: seven seconds of warm-up. C2's code is steady 3.3 to
   * 4.5 s into a fork (the same measurement; in each of 4 forks C2's first code for the
   * rectifier and the strided GEMM met a failed loop predicate 3.4 to 3.7 s in and was compiled
   * again, the step allocating about 1 MB a call until then); with 4 s the Kickback row was
   * ±23.7% with 132,331 bytes a step in the main job of 33c2f85. With 5 s the main job of
   * ed2b670 on Zen 3, in a slow spell, read 4,303 and 3,388 bytes a step for Kickback and
   * Backprop (56-105 in the main jobs before it); a fresh JVM stepping the Kickback rule there
   * (0.5-s rounds, the thread's allocated bytes) still allocated 100 to 540 KB a step 4 to 5 s
   * in, boxed vectors of kernels C2 had not yet compiled (JFR's allocation samples:
   * clampRowsToSignsKernel, rectifyRange, rowsCols1), and 0 to 8 bytes after.
   */
  public static final Timing HEADLINE_STEP_B256 = new Timing(2, 7, 1000, 10, 100);
  /**
   * The wide network's step at batch 1: six seconds of warm-up. Its kernels are the largest
   * methods C2 compiles (the 12.6 MB of weights streamed through row kernels of 900 to 1,400
   * bytecodes), one after another on this VM's one spare core: from a cold fork at 8 lanes
   * (one fork of 500-ms iterations, GC profiler, {@code -XX:+PrintCompilation}) the last of them
   * was compiled 6.5 s in, the step allocating 900 bytes at 3.5 s (C1's boxed vectors), 51 at
   * 5 s and 5 from 5.5 s on; with {@link #HEADLINE_STEP}'s 4 s the main jobs of de8b52c measured
   * 218 to 1,314 bytes a step in the first iterations of its forks at 16 lanes, and 930 all
   * through one fork at 8.
   */
  public static final Timing WIDE_STEP_B1 = new Timing(2, 6, 1000, 10, 100);
  /**
   * Native peers and the memory roofs: nothing for C2 to compile in the hot loop, steady after
   * 0.5 s. 8 iterations, so that the steps' longer warm-up fits the six minutes (with 0.7 s of
   * warm-up the first pass alone took 334 s of them, measured on 86fe24c).
   */
  public static final Timing HEADLINE_PEER = new Timing(2, 1, 500, 8, 100);
  /**
   * OpenBLAS's steps: our Trainer around its calls, Java code C2 compiles. With
   * {@link #HEADLINE_PEER}'s 0.5 s the main job of fa3d4e3 still measured the warm-up in first
   * iterations, the Backprop and Kickback steps at batch 1 at 0.61-0.88 of their forks' later
   * rate (±8.0% and ±6.2%); with 0.8 s they were ±0.6-3.3% in the three main jobs of 3d048dc to
   * 8db93d3. 0.8 s for every peer and roof instead cost the reruns of wide rows their time (no
   * further fork fitted in those runs), and did not settle the others: ONNX Runtime at batch 1
   * flips between about 180 and 228 thousand calls/s all through a fork, with 1.2 s too.
   */
  public static final Timing HEADLINE_PEER_STEP = new Timing(2, 1, 800, 8, 100);
  /**
   * GEMM 1024 takes 10-60 ms a call: after a second (its micro-kernel runs thousands of
   * times a call; from a cold fork on Zen 5 the first 100 ms ran at 0.8 of the rest, the second
   * on at its full rate, 2 forks on 1aa4eb0; on Zen 3 the first call alone took 0.2-0.5 s, and
   * after half a second of warm-up the first measured iteration of each of 3 forks still ran
   * the first compiled code, 11-44 MB allocated per call), 10 iterations of 100 ms, as many
   * calls as 5 of 200 ms but twice the samples: JMH's interval is Student's t over the
   * iterations, and at 10 a fork (19 degrees of freedom, t = 3.88 over sqrt 20) it is half as
   * wide as at 5 (9, 4.78 over sqrt 10) for the same spread.
   */
  public static final Timing GEMM = new Timing(2, 1, 1000, 10, 100);
  /**
   * Operations of 20 ms and more (the wide step at batch 256): 10 iterations of 200 ms, for
   * GEMM's reason. With 4 of 500 ms (7 degrees of freedom, t = 5.41 over sqrt 8) all four of its
   * rows were ±10.0-15.6% in the main job of 2ad74b8, their iterations within 0.87-1.08 of the
   * mean.
   */
  public static final Timing SLOW = new Timing(2, 2, 1000, 10, 200);
  /**
   * The headline's wide steps at batch 256 (ours): {@link #SLOW} with six more seconds of
   * warm-up and one iteration fewer. From a cold fork (one fork of 500-ms iterations, GC
   * profiler) the one-thread step allocated 476 KB a step 1.5 to 2.5 s in (C1's boxed vectors)
   * and 400 B from 2.5 s on at 16 lanes, JMH's own bytes spread over 16 steps; at 8 lanes 328 KB
   * a step 1.5 to 2.5 s in, 120 KB to 3 s and 576 B from 3 s on (its rate full from 1 s: a
   * method off the hot path still C1's). With 2 s the main job of 1aa4eb0 measured 109,805 and
   * 55,215 bytes a step for its one- and two-thread rows; with 3 s the 8-lane main job of
   * 66c34de 87,290 for the one-thread row. Eight seconds, not four: at 20 to 25 steps a second
   * the methods a step calls once ({@code Trainer.updateBiases},
   * {@code OverflowGuard.mayUpdateInPlace}) reach C2 4 to 6 s into a JVM, and the VM allocates
   * a few objects on the benchmark thread as their code goes in (600 to 2,112 bytes in a
   * measured iteration; see "The wide step's bytes at batch 256" in
   * docs/performance-journal.md). With four seconds both forks of each row read 600 bytes in one
   * iteration (one thread: the sixth; two threads: the first; Zen 4, {@code ./kickback jmh}); with
   * eight, 0 in all 36.
   */
  public static final Timing WIDE_STEP = new Timing(2, 8, 1000, 9, 200);
  /**
   * A running Flink job (or the plain loop beside it): 4 seconds of warm-up for the JIT and every
   * key's first model, then iterations of a second, in 4 forks: on this 2-vCPU VM a fork's rate
   * sat at one of two levels up to 40% apart for seconds at a time (153-202 and 222-234 thousand
   * records/s in two forks of one row), so 2 forks could not tell the mean apart from the noise.
   */
  public static final Timing STREAM = new Timing(4, 4, 1000, 6, 1000);
  /**
   * The headline's running-job rows: 3 s of warm-up, then 6 iterations of half a second, so that
   * their 6 forks (each also starting a MiniCluster and a job) take under a minute of its six.
   * With 2 s, parallelism 2 still rose through the measurement (236 to 372 thousand records/s).
   */
  public static final Timing STREAM_HEADLINE = new Timing(2, 3, 1000, 6, 500);
  /**
   * The peak's timing: Vector API code, which C2 must compile first. After 0.5 s the first
   * iterations of both forks still ran before C2 (0 GFLOP/s, then 1.0 and 1.4 of the final rate,
   * main job of 2ad74b8, a busy 3 s window at its start: C2's code came 0.7 and 1.1 s into the
   * forks). (ONNX Runtime's rows with it were no narrower: its batch-1 row ±14.4% and ±10.9% in
   * the two main jobs of d3b3a9e, and the 6 s they cost are not there to spend.)
   */
  public static final Timing PEAK = new Timing(2, 1, 1500, 8, 100);
  /**
   * The OpenBLAS peer's wide step at batch 256: {@link #SLOW}'s iterations after the peers'
   * shorter warm-up (its time is in the native GEMMs).
   */
  public static final Timing SLOW_PEER = new Timing(2, 1, 1000, 10, 200);
  /**
   * 10,000 keys on a running job: their 40 to 70 MB of state outlive the caches, and iterations
   * on this VM stepped by up to 30% for seconds at a time: 4 forks of 8 iterations.
   */
  public static final Timing STREAM_KEYS = new Timing(4, 5, 1000, 8, 1000);
  /** Whole Flink jobs per invocation: 3 jobs of warm-up, then iterations of a second. */
  public static final Timing JOBS = new Timing(2, 3, 1000, 6, 1000);
  /**
   * Checkpoints of many keys (100 to 700 ms each): the first ones are slower (the serializers'
   * JIT; RocksDB's first incremental checkpoint writes every file), and one in a few waits for
   * a compaction or the VM's other threads: 6 warm-ups, then iterations of 2 s, each the mean
   * of 10 to 20 checkpoints (with 1 s and 4 warm-ups RocksDB's row was ±14%, one first
   * iteration twice the others).
   */
  public static final Timing CHECKPOINTS = new Timing(2, 6, 1000, 8, 2000);
  /**
   * Restores of many keys, a job of 0.5 to 3 s each, so one an iteration: 4 warm-ups, then 12
   * iterations (with 8 the rows were ±7 to 10%).
   */
  public static final Timing RESTORES = new Timing(2, 4, 1000, 12, 1000);

  /**
   * A row still wider than ±10% gets one more fork at its own timing, pooled with the forks it
   * has: the cheapest step that adds both iterations and a fresh JVM.
   */
  public static Timing oneMoreFork(Timing first) {
    return new Timing(1, first.warmups(), first.warmupMs(), first.iterations(),
        first.iterationMs());
  }
  /** The named suites beyond the headline: fewer rows each, so longer iterations. */
  public static final Timing NAMED = new Timing(2, 2, 1000, 8, 250);
  /**
   * Our forward passes in the named suites (our steps take {@link #NAMED_LATE_STEP}): as
   * {@link #HEADLINE_STEP}, four seconds of warm-up. With two (the latency suite of ca7db17) the
   * steps at batch 2 to 256 still ran C1's code in their first 2 to 6 measured iterations (the
   * Kickback step at batch 4: 922, 243, 545 ... 88,876 steps/s, 600 KB a step), so their rows
   * were ±30-117% and their bytes per step C1's.
   */
  public static final Timing NAMED_STEP = new Timing(2, 4, 1000, 8, 250);
  /**
   * Our paper network's steps at batch 256 in the named suites: {@link #HEADLINE_STEP_B256}'s
   * seven seconds of warm-up, for its reason. With {@link #NAMED_STEP}'s four, two latency
   * suites on Zen 5 read the benchmark thread's own bytes a step there: 9,520 (Kickback, the
   * suite of 7fd227b) and 4,008 and 21,804 (Kickback and Backprop, the suite of ed9db48), where
   * every other row of ours read 0 to 17.
   */
  public static final Timing NAMED_STEP_B256 =
      new Timing(2, HEADLINE_STEP_B256.warmups(), HEADLINE_STEP_B256.warmupMs(), 8, 250);
  /**
   * Our steps at batch 1 to 64 in the named suites, on both networks: ten seconds of warm-up. A
   * step calls each layer's row kernels once or twice at 1,000 to 3,000 steps a second on the
   * wide network, so C2 takes the last of them up late: measured in one JVM at batch 2 from a
   * cold start ({@code -XX:+PrintCompilation}, 2-s rounds), 168 KB a step 2 to 4 s in, 850 B to
   * 6 s, 21 B to 8 s (the head layer's {@code PanamaRankK.fusedNarrow} compiled at 6.5 s) and 0.2
   * B from 8 s on. With four seconds the latency suite of cc3d74a measured 865 bytes a step all
   * through both forks of batch 2 and up to 97 KB in the first iterations at batch 4. The paper
   * network's steps at batch 2 and 4, which go through more kernels than batch 1 (the split of
   * the rows, the rank-k and per-sample passes, the pair forward pass), likewise: with four
   * seconds the latency suite of 8153c04 read 13 bytes a step in two of the four forks of its
   * Kickback step at batch 2, each 25% slower than the others (266,370 and 271,313 samples/s
   * against 359,560 and 317,966), and 46 MB over the first fork of Backprop's; with two, JMH's GC
   * profiler read 0.3-2.3 MB a step through the first three measured iterations of 6 forks of 6;
   * with ten, 0.2 B in every iteration of 4 forks at batch 1 and 2.
   */
  public static final Timing NAMED_LATE_STEP = new Timing(2, 10, 1000, 8, 250);
  /**
   * {@link #SLOW} with {@link #WIDE_STEP}'s eight seconds of warm-up, for the same reason: with
   * four, the latency suite of 315c82d read 12 and 22 thread bytes per operation on the wide
   * Kickback and Backprop steps at batch 256, 0 on every other step row.
   */
  public static final Timing SLOW_STEP =
      new Timing(2, WIDE_STEP.warmups(), WIDE_STEP.warmupMs(), 10, 200);
  public static final Timing FULL = new Timing(1, 4, 1000, 10, 500);
  /**
   * CI: does every configuration still set up, run and report; no number from it is a result.
   * No forks: the rows run one after another in the suite's own JVM (230 forked JVMs would
   * take 3 minutes by themselves).
   */
  public static final Timing SMOKE = new Timing(0, 0, 50, 1, 50);
  public static final Timing ANNOTATED = new Timing(null, null, null, null, null);

  /** The suite called {@code name}; throws naming the known ones. */
  public static List<Group> named(String name) {
    return switch (name) {
      case "headline" -> headline();
      case "latency" -> latency();
      case "rules" -> rules();
      case "cold" -> cold();
      case "flink" -> flink();
      case "gemm" -> gemm();
      case "all" -> all();
      case "full" -> full();
      case "djl" -> djl();
      default -> throw new IllegalArgumentException("unknown suite '" + name + "': one of "
          + String.join(", ", NAMES));
    };
  }

  /**
   * The default: the roofs, GEMM 1024, the paper network's forward pass and both steps at
   * batch 1, 16 and 256, the wide Kickback step at batch 1 and 256 (one and two threads), and
   * Flink at parallelism 1 and 2 beside the plain loop, each beside OpenBLAS, and the forward
   * passes beside ONNX Runtime.
   */
  public static List<Group> headline() {
    return List.of(
        // the peak of the preferred width only: the 256-bit one (the "all" suite's) is the
        // preferred at 8 lanes, and its 6 s go to the batch-256 rows' warm-up here
        group("PeakBench", PEAK, "width", "PREFERRED"),
        // the read roofs, and the update roofs that bound a batch-1 step (100 KB of weights)
        // and the wide network's (12.6 MB)
        group("BandwidthBench", HEADLINE_PEER, "mode", "READ,UPDATE", "kb", "100,16384"),
        group("GemmBench", GEMM, "path", "VECTOR,OPENBLAS", "op", "NN", "n", "1024"),
        // batch 1 as the steps: 4 s (HEADLINE_FORWARD_B1); its forks one at a time, as the steps,
        // so that the native reference is timed just before each (NativeBeside)
        group("ForwardBench", HEADLINE_FORWARD_B1, "path", "VECTOR", "net", "PAPER", "batch", "1")
            .takingTurns(),
        group("ForwardBench", HEADLINE_B256, "path", "VECTOR", "net", "PAPER", "batch", "16"),
        // batch 256, where the two are close, beside ONNX Runtime, their forks in turn at our
        // timing: apart, the main job of 36ab1fb on Zen 5 read 0.88x in a slow spell of our two
        // forks (9,691 and 9,965 calls/s), where six forks in turn read 0.99-1.35x (ours
        // 11,014-12,401, ONNX Runtime 9,158-11,379). Batch 1 and 16 (6-11x and 1.7-2.1x) stay
        // apart at ONNX Runtime's own timing: in turns they would take 13 s more.
        forwardBesideOrt(HEADLINE_B256, "path", "VECTOR", "net", "PAPER", "batch", "256"),
        group("OrtForwardBench", HEADLINE_PEER, "net", "PAPER", "batch", "1,16"),
        group("ForwardBench", HEADLINE_PEER, "path", "OPENBLAS", "net", "PAPER",
            "batch", "1,16,256"),
        // Kickback beside Backprop: the same kernels on other data, so their forks take turns
        group("StepBench", HEADLINE_STEP, "path", "VECTOR", "net", "PAPER", "batch", "1,16")
            .takingTurns(),
        group("StepBench", HEADLINE_STEP_B256, "path", "VECTOR", "net", "PAPER", "batch", "256")
            .takingTurns(),
        group("StepBench", HEADLINE_PEER_STEP, "path", "OPENBLAS", "net", "PAPER",
            "batch", "1,16,256"),
        group("StepBench", WIDE_STEP_B1, "path", "VECTOR", "net", "WIDE", "batch", "1",
            "rule", "KICKBACK"),
        group("StepBench", HEADLINE_PEER_STEP, "path", "OPENBLAS", "net", "WIDE", "batch", "1",
            "rule", "KICKBACK"),
        group("StepBench", WIDE_STEP, "path", "VECTOR,VECTOR2T", "net", "WIDE", "batch", "256",
            "rule", "KICKBACK"),
        group("StepBench", SLOW_PEER, "path", "OPENBLAS,OPENBLAS2T", "net", "WIDE",
            "batch", "256", "rule", "KICKBACK"),
        streamGroup("PLAIN", "1", STREAM_HEADLINE),
        streamGroup("FLINK", "1,2", STREAM_HEADLINE));
  }

  /**
   * Batches 1 to 256 on both networks, forward and both steps, beside OpenBLAS, and the forward
   * passes beside ONNX Runtime.
   */
  public static List<Group> latency() {
    List<Group> groups = new ArrayList<>(List.of(group("PeakBench", NAMED),
        group("BandwidthBench", NAMED, "mode", "READ,UPDATE", "kb", "100,16384")));
    groups.addAll(latencyNetworks());
    return groups;
  }

  private static List<Group> latencyNetworks() {
    String batches = "1,2,4,8,16,32,64,256";
    return List.of(
        // ours warm up as our steps do: with two seconds (the latency suite of cc3d74a) one fork
        // of the paper network's batch 256 ran C1's code in its first iterations (±14.6%, 7 KB a
        // call)
        forwardBesideOrt(NAMED_STEP, "path", "VECTOR", "net", "PAPER", "batch", batches),
        group("ForwardBench", NAMED, "path", "OPENBLAS", "net", "PAPER", "batch", batches),
        // ours on the wide network warm up as our steps do: with two seconds (the latency suite
        // of 8756240) batch 8 and 16 ran C1's code in the first 1 to 3 measured iterations of 8
        // forks of 11 (batch 16: 387-1,537 calls/s against about 1,900 after, up to 394 KB a call)
        forwardBesideOrt(NAMED_STEP, "path", "VECTOR", "net", "WIDE", "batch", batches),
        group("ForwardBench", NAMED, "path", "OPENBLAS", "net", "WIDE", "batch", batches),
        // Kickback beside Backprop, their forks in turn as in the headline (item 3 of the
        // kernel-limit issue compares them at every batch)
        group("StepBench", NAMED_LATE_STEP, "path", "VECTOR", "net", "PAPER",
            "batch", "1,2,4,8,16,32,64").takingTurns(),
        group("StepBench", NAMED_STEP_B256, "path", "VECTOR", "net", "PAPER", "batch", "256")
            .takingTurns(),
        group("StepBench", NAMED, "path", "OPENBLAS", "net", "PAPER", "batch", batches),
        group("StepBench", NAMED_LATE_STEP, "path", "VECTOR", "net", "WIDE",
            "batch", "1,2,4,8,16,32,64").takingTurns(),
        group("StepBench", NAMED, "path", "OPENBLAS", "net", "WIDE", "batch", "1,2,4,8,16,32,64"),
        group("StepBench", SLOW_STEP, "path", "VECTOR", "net", "WIDE", "batch", "256")
            .takingTurns(),
        group("StepBench", SLOW, "path", "OPENBLAS", "net", "WIDE", "batch", "256"));
  }

  /**
   * Kickback's step beside Backprop's on the same network: both rules every
   * {@value dev.kickback.bench.jmh.FixedStateStepBench#STEPS} steps from the state the network
   * was initialized with ({@code FixedStateStepBench}), beside the steps of
   * networks each rule trains on its batch ({@code StepBench}), at the batches where a step
   * visits only the rows of active units (1 to 4) and the first above them.
   */
  public static List<Group> rules() {
    String batches = "1,2,4,8";
    return List.of(
        group("FixedStateStepBench", NAMED_LATE_STEP, "path", "VECTOR", "net", "PAPER",
            "batch", batches),
        group("FixedStateStepBench", NAMED_LATE_STEP, "path", "VECTOR", "net", "WIDE",
            "batch", batches),
        group("StepBench", NAMED_LATE_STEP, "path", "VECTOR", "net", "PAPER", "batch", batches),
        group("StepBench", NAMED_LATE_STEP, "path", "VECTOR", "net", "WIDE", "batch", batches));
  }

  /** Time per call in fresh JVMs, with and without {@code Warmup.run}. */
  public static List<Group> cold() {
    return List.of(group("ColdStartBench", ANNOTATED), group("WarmupBench", ANNOTATED));
  }

  /**
   * Online learning on a running Flink job: the plain loop, parallelism 1 and 2, RocksDB with
   * the learner's model cache; then 10,000 keys of a small network, in the loop, on the heap and
   * on RocksDB with the cache's default size and with one that holds every key. RocksDB without
   * the cache as whole jobs beside the plain loop's; the 10,000 keys' checkpoint and their
   * restore from a savepoint.
   */
  public static List<Group> flink() {
    String stream = "FlinkStreamBench";
    return List.of(streamGroup("PLAIN", "1", STREAM), streamGroup("FLINK", "1,2", STREAM),
        new Group(only(stream) + "records$", params("runner", "FLINK", "backend", "rocksdb"),
            STREAM),
        new Group(only(stream) + "records$", params("runner", "PLAIN", "keys", "10000",
            "net", "small"), STREAM_KEYS),
        new Group(only(stream) + "records$", params("runner", "FLINK", "keys", "10000",
            "net", "small", "backend", "hashmap,rocksdb"), STREAM_KEYS),
        // a cache that holds all 10,000 keys (the default holds 4,028)
        new Group(only(stream) + "records$", params("runner", "FLINK", "keys", "10000",
            "net", "small", "backend", "rocksdb", "cache", "192"), STREAM_KEYS),
        // RocksDB without the model cache, as whole jobs of 10,000 records: a running job's
        // rate halved after 8 s (RocksDB compacting the 200 KB a record writes)
        new Group(only("FlinkLearnBench") + "learn$", params("runner", "PLAIN"), JOBS),
        new Group(only("FlinkLearnBench") + "learnShort$",
            params("runner", "FLINK", "backend", "rocksdb", "cache", "off"), JOBS),
        new Group(only("FlinkStateBench") + "checkpoint$", params("backend", "hashmap,rocksdb"),
            CHECKPOINTS),
        new Group(only("FlinkStateBench") + "restore$", params("backend", "hashmap,rocksdb",
            "start", "SAVEPOINT,EMPTY"), RESTORES));
  }

  /**
   * The three GEMM variants at 256 to 1024, ours beside OpenBLAS, and the peak; and a narrow
   * GEMM and row pass on exactly sized arrays against arrays with room (RoomBench).
   */
  public static List<Group> gemm() {
    return List.of(group("PeakBench", NAMED),
        group("GemmBench", NAMED, "path", "VECTOR,OPENBLAS", "op", "NN,NT,TN",
            "n", "256,512,1024"),
        group("RoomBench", NAMED));
  }

  /** The suite the headline was before it became a 6-minute run: every section's rows. */
  public static List<Group> all() {
    List<Group> groups = new ArrayList<>();
    groups.add(group("PeakBench", NAMED));
    groups.add(group("BandwidthBench", NAMED, "mode", "READ"));
    groups.add(group("BandwidthBench", NAMED, "mode", "UPDATE", "kb", "100,16384"));
    groups.add(group("GemmBench", NAMED, "path", "VECTOR,OPENBLAS", "op", "NN,NT,TN",
        "n", "1024"));
    groups.addAll(latencyNetworks());
    groups.add(group("StepBench", SLOW, "path", "VECTOR2T,OPENBLAS2T", "net", "WIDE",
        "batch", "256", "rule", "KICKBACK"));
    groups.addAll(flink());
    groups.addAll(cold());
    return groups;
  }

  /** Every benchmark on its default parameters, plus the scalar path and a batch sweep. */
  public static List<Group> full() {
    String sweep = "1,2,4,8,16,32,64,128,256,512";
    List<Group> groups = new ArrayList<>();
    groups.add(group("PeakBench", FULL));
    groups.add(group("BandwidthBench", FULL));
    groups.add(group("GemmBench", FULL, "path", "VECTOR,OPENBLAS"));
    // scalar GEMMs at 512 and 1024 take seconds per call
    groups.add(group("GemmBench", FULL, "path", "SCALAR", "n", "256"));
    groups.add(group("GemvBench", FULL));
    groups.add(group("KickbackReduceBench", FULL));
    for (String bench : List.of("ForwardBench", "StepBench")) {
      groups.add(group(bench, FULL, "path", "VECTOR,OPENBLAS", "net", "PAPER", "batch", sweep));
      groups.add(group(bench, FULL, "path", "SCALAR", "net", "PAPER", "batch", "1,16,256"));
      groups.add(group(bench, FULL, "path", "VECTOR,VECTOR2T,OPENBLAS,OPENBLAS2T",
          "net", "WIDE", "batch", "1,256"));
    }
    groups.add(group("OrtForwardBench", FULL, "net", "PAPER", "batch", sweep));
    groups.add(group("OrtForwardBench", FULL, "net", "WIDE", "batch", "1,256"));
    groups.add(group("ParallelBench", FULL, "path", "VECTOR,OPENBLAS", "batch", "256"));
    groups.add(group("ReaderBench", FULL, "rows", "100000,1000000"));
    groups.addAll(flink().stream().map(g -> g.with(FULL)).toList());
    if (djlBuilt()) {
      groups.add(group("DjlStepBench", FULL));
    }
    return groups;
  }

  /**
   * Every parameter set of every suite once, each as its own row, timed {@code t}: what the CI
   * smoke run executes. The cold-start benchmarks keep their mode but take 2 calls.
   */
  public static List<Group> smoke(Timing t) {
    Set<String> seen = new LinkedHashSet<>();
    List<Group> out = new ArrayList<>();
    for (String name : NAMES) {
      for (Group g : perClass(named(name))) {
        Timing timing = g.timing().forks() == null ? new Timing(0, 0, 1, 2, 1) : t;
        for (Map<String, String> row : withDefaults(g).rows()) {
          if (seen.add(g.include() + new TreeMap<>(row))) {
            Map<String, List<String>> single = new LinkedHashMap<>();
            row.forEach((k, v) -> single.put(k, List.of(v)));
            out.add(new Group(g.include(), single, timing));
          }
        }
      }
    }
    return out;
  }

  /**
   * The group with every {@code @Param} it leaves open set to the benchmark's annotated values,
   * so that two groups naming the same rows differently expand to the same rows.
   */
  static Group withDefaults(Group g) {
    Map<String, List<String>> params = new LinkedHashMap<>(g.params());
    for (String name : g.benchmarks()) {
      declaredParams(name).forEach(params::putIfAbsent);
    }
    return new Group(g.include(), params, g.timing(), g.interleaved());
  }

  /**
   * The groups with each of several classes ({@link #onlyEach}) as one group per class, with the
   * parameters that class declares: the rows as the report lists them, for the smoke run, bench
   * ab and the suites' tests. A group of one class stays as it is.
   */
  static List<Group> perClass(List<Group> groups) {
    List<Group> out = new ArrayList<>();
    for (Group g : groups) {
      List<String> names = g.benchmarks();
      if (names.size() < 2) {
        out.add(g);
        continue;
      }
      for (String name : names) {
        Map<String, List<String>> params = new LinkedHashMap<>(g.params());
        params.keySet().retainAll(declaredParams(name).keySet());
        out.add(new Group(only(name), params, g.timing(), g.interleaved()));
      }
    }
    return out;
  }

  /**
   * Every {@code @Param} of a benchmark class (its superclasses' too) with its annotated values;
   * none when this jar has no such class.
   */
  private static Map<String, List<String>> declaredParams(String simpleName) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pkg : List.of("dev.kickback.bench.jmh.", "dev.kickback.bench.djl.")) {
      try {
        Class<?> bench = Class.forName(pkg + simpleName, false, Suites.class.getClassLoader());
        for (Class<?> c = bench; c != null; c = c.getSuperclass()) {
          for (Field f : c.getDeclaredFields()) {
            Param p = f.getAnnotation(Param.class);
            if (p != null) {
              params.putIfAbsent(f.getName(), List.of(p.value()));
            }
          }
        }
        return params;
      } catch (ClassNotFoundException e) {
        // the other package, or a class this jar was built without
      } catch (LinkageError e) {
        throw new IllegalStateException("cannot read the parameters of " + simpleName + " ("
            + e + "): run with --add-modules jdk.incubator.vector", e);
      }
    }
    return params;
  }

  /**
   * Forward and both steps on the paper network with DJL's PyTorch beside us: {@code
   * ./kickback bench-djl}, when the jar was built with the djl profile.
   */
  public static List<Group> djl() {
    List<Group> groups = new ArrayList<>();
    groups.add(group("PeakBench", NAMED));
    groups.add(group("StepBench", NAMED, "path", "VECTOR,VECTOR2T", "batch", "1,256"));
    groups.add(group("DjlStepBench", NAMED));
    return groups;
  }

  /** The paper network's 8 keys on a running job, or in the plain loop beside it. */
  private static Group streamGroup(String runner, String parallelism, Timing t) {
    return new Group(only("FlinkStreamBench") + "records$",
        params("runner", runner, "parallelism", parallelism), t);
  }

  private static Group group(String simpleName, Timing t, String... keyValues) {
    return new Group(only(simpleName), params(keyValues), t);
  }

  /**
   * Our forward pass and ONNX Runtime's on the same rows, fork by fork in turn at our timing: the
   * ratio the report quotes is then of forks that ran seconds apart, not of two groups a slow
   * spell of the VM may have split. (On Zen 5 the latency suite of ed9db48 read our wide network
   * at batch 16 at 22,169 samples/s, where one JVM going through the batches reads about 30,500;
   * in one JMH run ONNX Runtime's six forks of the wide network at batch 64 read 309 to 472
   * calls/s.)
   */
  private static Group forwardBesideOrt(Timing t, String... keyValues) {
    return new Group(onlyEach("ForwardBench", "OrtForwardBench"), params(keyValues), t)
        .takingTurns();
  }

  /** Parameters as name, comma-separated values, name, values ... */
  private static Map<String, List<String>> params(String... keyValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], List.of(keyValues[i + 1].split(",")));
    }
    return m;
  }

  /**
   * A pattern for exactly one benchmark class: JMH's include is a regular expression found
   * anywhere in the name, so a bare "StepBench" would also run DjlStepBench.
   */
  static String only(String simpleName) {
    return "\\." + simpleName + "\\.";
  }

  /** {@link #only} for several classes, whose rows take turns ({@link Group#takingTurns}). */
  static String onlyEach(String... simpleNames) {
    return "\\.(" + String.join("|", simpleNames) + ")\\.";
  }

  /** Whether this jar was built with the djl profile ({@code ./kickback bench-djl}). */
  static boolean djlBuilt() {
    try {
      Class.forName("ai.djl.engine.Engine", false, Suites.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
