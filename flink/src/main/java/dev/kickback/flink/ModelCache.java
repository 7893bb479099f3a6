package dev.kickback.flink;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * Keys' models kept as objects between records, in front of keyed state on a backend that hands
 * out copies (RocksDB). Without it every record of the learner decodes its key's model from the
 * database and encodes it back, and makes a new trainer for it: 0.04 of the heap backend's
 * records/s for the paper network. A changed model is written into the state when its key
 * leaves the cache (the least recently used key, once the cache holds {@code capacity}) and by
 * {@link #writeBack()}, which the {@link LearnerOperator} calls before every checkpoint barrier:
 * a checkpoint holds each key as the records before its barrier left it, as without the cache.
 *
 * <p>With an idle-key time to live, a key whose model has not been used for that long is dropped
 * from the cache and read from the state again, which Flink has expired by then or soon after
 * (the state's clock starts at the last write, the checkpoint after the key's last record).
 */
final class ModelCache {
  private final ValueState<KeyModel> state;
  private final KeyContext keys;
  private final int capacity;
  /** The idle-key time to live in ms, 0: none. */
  private final long ttl;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  private static final class Entry {
    KeyModel model;
    /** Changed since it was last written into the state. */
    boolean dirty;
    /** Processing time (ms) of its last use, for the time to live. */
    long used;
  }

  /**
   * @param state the keys' models, of the current key of {@code keys}
   * @param keys the operator's key context, switched to write back a key other than the current
   * @param capacity keys held, >= 1
   * @param ttlMillis the idle-key time to live, 0: none
   */
  ModelCache(ValueState<KeyModel> state, KeyContext keys, int capacity, long ttlMillis) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity + ": must be >= 1");
    }
    this.state = state;
    this.keys = keys;
    this.capacity = capacity;
    this.ttl = ttlMillis;
  }

  /** The current key's model, or null if it has none; {@code now} in ms of processing time. */
  KeyModel get(String key, long now) throws IOException {
    Entry e = entries.get(key);
    if (e != null && (ttl == 0 || now - e.used < ttl)) {
      e.used = now;
      return e.model;
    }
    if (e != null) {
      entries.remove(key); // idle past its time to live: the state decides
    }
    KeyModel m = state.value();
    if (m != null) {
      hold(key, m, false, now);
    }
    return m;
  }

  /** The current key's model after a record or timer changed it. */
  void put(String key, KeyModel m, long now) throws IOException {
    hold(key, m, true, now);
  }

  /** Writes every changed model into the state; the cache keeps them. */
  void writeBack() throws IOException {
    Object current = keys.getCurrentKey();
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (e.getValue().dirty) {
        write(e.getKey(), e.getValue());
      }
    }
    if (current != null) {
      keys.setCurrentKey(current);
    }
  }

  /** Keys held now. */
  int size() {
    return entries.size();
  }

  private void hold(String key, KeyModel m, boolean dirty, long now) throws IOException {
    Entry e = entries.get(key);
    if (e == null) {
      e = new Entry();
      entries.put(key, e);
    }
    e.model = m;
    e.dirty |= dirty;
    e.used = now;
    if (entries.size() > capacity) {
      evictEldest(key);
    }
  }

  /** Writes back and drops the least recently used key; {@code current} is the key in use. */
  private void evictEldest(String current) throws IOException {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    Map.Entry<String, Entry> eldest = it.next();
    if (eldest.getValue().dirty) {
      write(eldest.getKey(), eldest.getValue());
      keys.setCurrentKey(current);
    }
    it.remove();
  }

  private void write(String key, Entry e) throws IOException {
    keys.setCurrentKey(key);
    state.update(e.model);
    e.dirty = false;
  }
}
