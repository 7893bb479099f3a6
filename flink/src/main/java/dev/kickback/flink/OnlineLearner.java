package dev.kickback.flink;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Online learning, one model per key, as a Flink operator: apply it to a stream keyed by
 * {@link Sample#key()} (or use {@link KickbackStreams#learn}). Each record is handled as
 * {@link KeyLearner} says; predictions are the main output, the rest go to side outputs.
 *
 * <p>Metrics: per subtask the operator reports records, predictions, rejected records, steps,
 * steps per second, the latest recent NMSE and the keys held decoded in its metric group
 * {@code kickback}. With {@link LearnerConfig#idleKeyTtl} a key's state expires after that long
 * without records; with {@link LearnerConfig#flushAfter} a partial micro-batch is trained once
 * its first sample has waited that long (a processing-time timer).
 * Run by {@link KickbackStreams#learn}, on a state backend that serializes (RocksDB), the keys'
 * models stay decoded between records ({@link LearnerConfig#modelCache}).
 *
 * <p>Everything a key has lives in its {@link KeyModel}, in Flink keyed state written by
 * {@link KeyModelSerializer}, so checkpoints, restarts and rescaling continue every key's
 * learning exactly. When a bounded input ends, each key trains its unfinished micro-batch,
 * reports its NMSE and publishes its final model: an event-time timer at the end of time, set
 * when the key's model is made, which Flink fires on the last watermark of a bounded input and
 * never on an unbounded one.
 */
public final class OnlineLearner extends KeyedProcessFunction<String, Sample, Prediction> {
  private static final long serialVersionUID = 1L;

  /** Per key, the prequential NMSE every {@code nmseEvery} trained samples and at the end. */
  public static final OutputTag<NmseReport> NMSE =
      new OutputTag<>("kickback-nmse", TypeInformation.of(NmseReport.class));
  /** Records not used, with the reason. */
  public static final OutputTag<Rejected> REJECTED =
      new OutputTag<>("kickback-rejected", TypeInformation.of(Rejected.class));
  /** Models published every {@code snapshotEvery} steps and at the end of the input. */
  public static final OutputTag<ModelSnapshot> SNAPSHOTS =
      new OutputTag<>("kickback-snapshots", TypeInformation.of(ModelSnapshot.class));

  private final LearnerConfig config;
  private transient ValueState<KeyModel> state;
  private transient KeyLearner learner;
  private transient ToFlink to;
  private transient LearnerMetrics metrics;
  /** {@link #to} through the metrics. */
  private transient KeyLearner.Outputs counted;
  /** Models kept between records, on a serializing backend under {@link LearnerOperator}. */
  private transient ModelCache cache;

  public OnlineLearner(LearnerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The state descriptor of the keys' models (name {@code "kickback-model"}). */
  public static ValueStateDescriptor<KeyModel> stateDescriptor() {
    return new ValueStateDescriptor<>("kickback-model", new KeyModelSerializer());
  }

  /**
   * The state descriptor for {@code config}: {@link #stateDescriptor()}, with a time to live
   * when the configuration sets {@link LearnerConfig#idleKeyTtl}.
   */
  static ValueStateDescriptor<KeyModel> stateDescriptor(LearnerConfig config) {
    ValueStateDescriptor<KeyModel> d = stateDescriptor();
    if (config.idleKeyTtl() != null) {
      d.enableTimeToLive(StateTtlConfig.newBuilder(config.idleKeyTtl())
          .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
          .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
          .build());
    }
    return d;
  }

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(stateDescriptor(config));
    learner = new KeyLearner(config);
    metrics = new LearnerMetrics(getRuntimeContext().getMetricGroup());
    to = new ToFlink();
    counted = metrics.counting(to);
  }

  @Override
  public void processElement(Sample s, Context ctx, Collector<Prediction> predictions)
      throws Exception {
    metrics.record();
    long now = cache == null ? 0 : ctx.timerService().currentProcessingTime();
    KeyModel before = model(ctx.getCurrentKey(), now);
    to.bind(ctx, predictions);
    KeyModel after = learner.onRecord(ctx.getCurrentKey(), before, s, counted);
    if (after == null) {
      return;
    }
    if (before == null) {
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }
    if (config.flushAfter() != null && after.pending() > 0 && after.pendingSince == 0) {
      long arrived = ctx.timerService().currentProcessingTime();
      after.pendingSince = arrived;
      ctx.timerService().registerProcessingTimeTimer(arrived + config.flushAfter().toMillis());
    }
    update(ctx.getCurrentKey(), after, now);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Prediction> predictions)
      throws Exception {
    long now = cache == null ? 0 : ctx.timerService().currentProcessingTime();
    KeyModel m = model(ctx.getCurrentKey(), now);
    if (m == null) {
      return;
    }
    to.bind(ctx, predictions);
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      // a flush timer; one set for a micro-batch that has since filled finds a younger one
      if (m.pendingSince > 0 && timestamp >= m.pendingSince + config.flushAfter().toMillis()) {
        learner.flush(ctx.getCurrentKey(), m, counted);
        update(ctx.getCurrentKey(), m, now);
      }
      return;
    }
    learner.onEnd(ctx.getCurrentKey(), m, counted);
    update(ctx.getCurrentKey(), m, now);
  }

  /**
   * Keeps the keys' models decoded between records, in {@code capacity} keys, writing them into
   * the state through {@code keys}: for {@link LearnerOperator}, on a backend that serializes.
   */
  void cacheModels(KeyContext keys, int capacity) {
    long ttl = config.idleKeyTtl() == null ? 0 : config.idleKeyTtl().toMillis();
    cache = new ModelCache(state, keys, capacity, ttl);
    metrics.cache(cache);
  }

  /** Writes the cached models that changed into the state; before a checkpoint barrier. */
  void writeBack() throws IOException {
    if (cache != null) {
      cache.writeBack();
    }
  }

  /** The current key's model, or null; {@code now}: processing time, with a cache. */
  private KeyModel model(String key, long now) throws IOException {
    return cache == null ? state.value() : cache.get(key, now);
  }

  private void update(String key, KeyModel m, long now) throws IOException {
    if (cache == null) {
      state.update(m);
    } else {
      cache.put(key, m, now);
    }
  }

  /** The learner's outputs onto the operator's main and side outputs. */
  private static final class ToFlink implements KeyLearner.Outputs {
    private Context ctx;
    private Collector<Prediction> main;

    void bind(Context ctx, Collector<Prediction> main) {
      this.ctx = ctx;
      this.main = main;
    }

    @Override
    public void prediction(Prediction p) {
      main.collect(p);
    }

    @Override
    public void nmse(NmseReport r) {
      ctx.output(NMSE, r);
    }

    @Override
    public void rejected(Rejected r) {
      ctx.output(REJECTED, r);
    }

    @Override
    public void snapshot(ModelSnapshot s) {
      ctx.output(SNAPSHOTS, s);
    }
  }
}
