package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.junit.jupiter.api.Test;

/** What the model cache reads from and writes into keyed state, and when. */
class ModelCacheTest {
  /** Keyed state of one value per key, as a backend that copies would hold it. */
  private static final class Keyed implements ValueState<KeyModel>, KeyContext {
    final Map<String, KeyModel> values = new HashMap<>();
    final List<String> reads = new ArrayList<>();
    final List<String> writes = new ArrayList<>();
    String key;

    @Override
    public void setCurrentKey(Object key) {
      this.key = (String) key;
    }

    @Override
    public Object getCurrentKey() {
      return key;
    }

    @Override
    public KeyModel value() {
      reads.add(key);
      return values.get(key);
    }

    @Override
    public void update(KeyModel m) {
      writes.add(key);
      values.put(key, m);
    }

    @Override
    public void clear() {
      values.remove(key);
    }
  }

  private static KeyModel model() {
    return new KeyModel(TestStreams.config().initialNetwork("k"), 1);
  }

  /** A record of key {@code key} at {@code now}: read, changed, put back. */
  private static KeyModel record(ModelCache cache, Keyed state, String key, long now)
      throws Exception {
    state.setCurrentKey(key);
    KeyModel m = cache.get(key, now);
    if (m == null) {
      m = model();
    }
    m.version++;
    cache.put(key, m, now);
    return m;
  }

  @Test
  void aHeldKeyIsReadOnceAndWrittenOnlyWhenItLeavesOrBeforeABarrier() throws Exception {
    Keyed state = new Keyed();
    ModelCache cache = new ModelCache(state, state, 2, 0);
    KeyModel a = record(cache, state, "a", 0);
    record(cache, state, "b", 0);
    assertSame(a, record(cache, state, "a", 0)); // held: the same object, no read
    assertEquals(List.of("a", "b"), state.reads);
    assertEquals(List.of(), state.writes);

    record(cache, state, "c", 0); // b is the least recently used: written back and dropped
    assertEquals(List.of("b"), state.writes);
    assertEquals("c", state.key, "the current key is restored after a write-back");
    assertEquals(2, cache.size());
    assertEquals(1, state.values.get("b").version);

    cache.writeBack(); // a barrier: the changed keys, a and c
    assertEquals(List.of("b", "a", "c"), state.writes);
    assertEquals("c", state.key);
    assertEquals(2, state.values.get("a").version);
    cache.writeBack(); // nothing changed since
    assertEquals(3, state.writes.size());

    state.setCurrentKey("a"); // read by a query that changes nothing: a stays clean
    cache.get("a", 0);
    state.setCurrentKey("b");
    KeyModel b = cache.get("b", 0); // read back; c leaves clean, without a write
    assertEquals(1, b.version);
    assertEquals(3, state.writes.size());
    assertEquals(List.of("a", "b", "c", "b"), state.reads);
  }

  @Test
  void aKeyIdlePastItsTimeToLiveIsReadFromTheStateAgain() throws Exception {
    Keyed state = new Keyed();
    ModelCache cache = new ModelCache(state, state, 4, 1000);
    KeyModel first = record(cache, state, "a", 0);
    assertSame(first, record(cache, state, "a", 999));
    assertEquals(List.of("a"), state.reads);
    // idle from 999 to 1999: the state decides; this one never expired the key, so it has
    // the model of the last write-back, none here
    state.setCurrentKey("a");
    assertNull(cache.get("a", 1999));
    assertEquals(List.of("a", "a"), state.reads);
    assertEquals(0, cache.size());
  }

  @Test
  void aCacheHoldsAtLeastOneKey() {
    Keyed state = new Keyed();
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ModelCache(state, state, 0, 0));
  }

  @Test
  void theConfiguredHeapSetsHowManyKeysAreHeld() {
    LearnerConfig paper = LearnerConfig.paper(21);
    LearnerConfig small = paper.hidden(32, 16);
    // the paper network's 101 KB model three times over (model, trainer's backup, best)
    assertEquals(64L << 20, paper.modelCacheBytes());
    assertEquals((64L << 20) / paper.bytesPerCachedKey(), paper.cachedKeys());
    org.junit.jupiter.api.Assertions.assertTrue(paper.bytesPerCachedKey() > 3 * 101_000
        && paper.bytesPerCachedKey() < 3 * 110_000, "" + paper.bytesPerCachedKey());
    assertEquals(215, paper.cachedKeys());
    assertEquals(4028, small.cachedKeys());
    assertEquals(0, paper.modelCache(0).cachedKeys());
    assertEquals(1, paper.modelCache(1).cachedKeys(), "at least one key unless off");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> paper.modelCache(-1));
    assertEquals("modelCache -1 bytes: must be >= 0 (0: off)", e.getMessage());
  }
}
