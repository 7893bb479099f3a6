package dev.kickback.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.api.Workspace;
import dev.kickback.testkit.SyntheticRegression;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Readers predict continuously while a trainer runs Kickback and publishes snapshots: every
 * prediction equals, bitwise, the single-threaded prediction of the snapshot version it used.
 * Runs on the JVM's chosen kernels (vector where available) from a cold start, while the JIT
 * compiles and recompiles them: results must not depend on that either.
 */
class OnlineModelStressTest {
  private static final int READERS = 3;
  private static final int PUBLICATIONS = 60;
  private static final int MAX_RECORDS = 100_000;
  /**
   * Predictions each reader makes whatever the trainer does: with 2 cores and 4 threads a
   * reader may not be scheduled before the trainer's 60 publications are done (CI saw 93).
   */
  private static final int MIN_RECORDS = 200;

  private record Seen(long version, int row, int bits) {}

  @Test
  void everyPredictionMatchesItsSnapshot() throws Exception {
    SyntheticRegression data = SyntheticRegression.generate(512, 21, 5);
    NetworkSpec spec = NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
    Network training = Network.initialize(spec, 5);
    OnlineModel model = new OnlineModel(training);
    Map<Long, Network> published = new ConcurrentHashMap<>();
    published.put(0L, model.current().network());
    float[][] rows = new float[data.rows()][];
    for (int r = 0; r < data.rows(); r++) {
      rows[r] = java.util.Arrays.copyOfRange(data.x(), r * 21, (r + 1) * 21);
    }

    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(READERS);
    List<List<Seen>> seen = new ArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < READERS; t++) {
      List<Seen> mine = new ArrayList<>();
      seen.add(mine);
      int seed = t;
      Thread th = new Thread(() -> {
        Workspace ws = training.newWorkspace(1);
        float[] out = new float[1];
        started.countDown();
        // until the trainer is done, bounded in records and (through the trainer) in time
        for (int i = 0; (i < MIN_RECORDS || !stop.get()) && i < MAX_RECORDS; i++) {
          OnlineModel.Snapshot s = model.current();
          int row = (i * 31 + seed * 7) % rows.length;
          s.network().predict(rows[row], 1, out, ws);
          mine.add(new Seen(s.version(), row, Float.floatToRawIntBits(out[0])));
        }
      });
      readers.add(th);
      th.start();
    }
    started.await();
    Trainer trainer = new Trainer(training, 8);
    float[] x = new float[8 * 21];
    float[] y = new float[8];
    long deadline = System.nanoTime() + 20_000_000_000L;
    for (int step = 0; published.size() <= PUBLICATIONS && System.nanoTime() < deadline;) {
      data.batch((step * 8) % (data.rows() - 8), 8, x, y);
      trainer.step(Rule.KICKBACK, x, y, 8, 0.01f);
      if (++step % 5 == 0) {
        OnlineModel.Snapshot s = model.publish(training);
        published.put(s.version(), s.network());
        Thread.sleep(1); // let readers see each version
      }
    }
    stop.set(true);
    for (Thread th : readers) {
      th.join();
    }

    long versions = seen.stream().flatMap(List::stream).mapToLong(Seen::version).distinct()
        .count();
    assertTrue(versions > 3, "readers saw only " + versions + " versions: no concurrency");
    Workspace ws = training.newWorkspace(1);
    float[] out = new float[1];
    for (List<Seen> list : seen) {
      for (Seen s : list) {
        published.get(s.version()).predict(rows[s.row()], 1, out, ws);
        assertEquals(Float.floatToRawIntBits(out[0]), s.bits(),
            "version " + s.version() + ", row " + s.row());
      }
    }
  }
}
