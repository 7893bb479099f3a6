package dev.kickback.flink;

import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The operator {@link KickbackStreams#learn} runs {@link OnlineLearner} in: Flink's own keyed
 * process operator, plus a {@link ModelCache} on a state backend whose values are copies
 * (RocksDB, ForSt), written into the state before every checkpoint barrier. On the heap backend
 * the state holds the models themselves and nothing changes.
 */
final class LearnerOperator extends KeyedProcessOperator<String, Sample, Prediction> {
  private static final long serialVersionUID = 1L;

  private final OnlineLearner learner;
  private final int cachedKeys;

  LearnerOperator(OnlineLearner learner, LearnerConfig config) {
    super(learner);
    this.learner = learner;
    this.cachedKeys = config.cachedKeys();
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (cachedKeys > 0 && serializes(getKeyedStateBackend().getClass())) {
      learner.cacheModels(this, cachedKeys);
    }
  }

  /**
   * Whether a keyed state backend hands out copies: RocksDB's and ForSt's, which store bytes.
   * Named, not inferred: the heap backend, a changelog wrapping it and the batch runtime's
   * backend hold objects (a cache in front of them would change models that a running
   * asynchronous snapshot is writing), and Flink's {@code isSafeToReuseKVState} also depends on
   * where timers live.
   */
  static boolean serializes(Class<?> backend) {
    String name = backend.getSimpleName();
    return name.startsWith("RocksDB") || name.startsWith("ForSt");
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    learner.writeBack();
    super.prepareSnapshotPreBarrier(checkpointId);
  }
}
