package dev.kickback.flink;

import dev.kickback.api.DivergenceException;
import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.api.Workspace;
import dev.kickback.io.ModelFile;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the learner does with one key's record, without Flink: the {@link OnlineLearner} runs it
 * inside a Flink operator on keyed state, and a plain loop over a map of {@link KeyModel}s runs
 * the same per-record work (the throughput benchmark's baseline). Not thread-safe: one per
 * operator instance.
 *
 * <p>Per record: a record of the wrong width or with a non-finite value is rejected and changes
 * nothing. Otherwise the key's model predicts it (with the model's version); a labeled sample
 * then joins the key's micro-batch, and a full micro-batch is one training step. A step that
 * diverges is rolled back by the trainer and its samples rejected, and the key's rate backs off
 * ({@link LearnerConfig#stability}). Every {@code nmseEvery}
 * trained samples the key's prequential NMSE is reported; every {@code snapshotEvery} steps its
 * model is published. A query for a key that has never had a valid labeled sample is rejected:
 * it has no model yet.
 */
public final class KeyLearner {
  /** Where a key's results go. */
  public interface Outputs {
    void prediction(Prediction p);

    void nmse(NmseReport r);

    void rejected(Rejected r);

    void snapshot(ModelSnapshot s);

    /** Key {@code key}'s model took a training step; {@code version} is its new step count. */
    default void stepped(String key, long version) {}
  }

  private final LearnerConfig config;
  private final Workspace ws;
  private final float[] out = new float[1];
  private final float[] rates;
  /** The configured rates times a key's rate scale, when it is below 1. */
  private final float[] scaled;
  private final Rule rule;
  private final Stability stability;

  public KeyLearner(LearnerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    ws = config.initialNetwork("").newWorkspace(1);
    rates = config.learningRates();
    scaled = new float[rates.length];
    rule = config.rule();
    stability = new Stability(config);
  }

  public LearnerConfig config() {
    return config;
  }

  /**
   * Handles one record of key {@code key}, whose model is {@code m} (null if it has none yet).
   *
   * @return the key's model afterwards: {@code m}, a new one if {@code m} was null and the record
   *     was a valid sample, or null
   */
  public KeyModel onRecord(String key, KeyModel m, Sample s, Outputs to) {
    String why = Records.problem(s, config.inputWidth());
    if (why == null && m == null && !s.labeled()) {
      why = "no model yet: the key has had no valid labeled sample";
    }
    if (why != null) {
      to.rejected(new Rejected(key, s.seq(), why));
      if (m != null) {
        m.rejected++;
      }
      return m;
    }
    if (m == null) {
      m = new KeyModel(config.initialNetwork(key), config.batch());
      m.checked = true;
    } else if (!m.checked) {
      checkRestored(key, m);
      m.checked = true;
    }
    // At batch 1 a sample's step comes at once, and its forward pass is the prediction: one
    // pass per sample, not two. Queries and samples waiting for a micro-batch are predicted now.
    boolean predictedByStep = s.labeled() && m.batch() == 1;
    if (!predictedByStep) {
      m.net.predict(s.x(), 1, out, ws);
      to.prediction(new Prediction(key, s.seq(), out[0], s.labeled() ? s.y() : null,
          m.version));
    }
    if (s.labeled()) {
      int d = config.inputWidth();
      System.arraycopy(s.x(), 0, m.x, m.pending * d, d);
      m.y[m.pending] = s.y();
      m.predicted[m.pending] = out[0]; // replaced by the step's when predictedByStep
      m.seq[m.pending] = s.seq();
      if (++m.pending == m.batch()) {
        train(key, m, to, predictedByStep);
      }
    }
    return m;
  }

  /** The key's partial micro-batch waited long enough: trains it now, if there is one. */
  public void flush(String key, KeyModel m, Outputs to) {
    if (m.pending > 0) {
      train(key, m, to, false);
    }
  }

  /** The end of the input: trains the unfinished micro-batch, reports, publishes the model. */
  public void onEnd(String key, KeyModel m, Outputs to) {
    if (m.pending > 0) {
      train(key, m, to, false);
    }
    if (m.recentCount > 0) {
      to.nmse(m.report(key));
    }
    to.snapshot(snapshot(key, m));
  }

  /**
   * One step on the pending micro-batch: the rule of SPEC.md, as the kernel's trainer runs it.
   * With {@code announce} (batch 1) the step's forward pass is the sample's prediction, sent
   * here, diverged or not.
   */
  private void train(String key, KeyModel m, Outputs to, boolean announce) {
    int batch = m.pending;
    m.pending = 0;
    m.pendingSince = 0;
    boolean full = batch == m.batch();
    // a partial micro-batch: the end of the input or a timed flush
    float[] x = full ? m.x : Arrays.copyOf(m.x, batch * config.inputWidth());
    float[] y = full ? m.y : Arrays.copyOf(m.y, batch);
    Trainer t = m.trainer();
    DivergenceException diverged = null;
    try {
      t.step(rule, x, y, batch, ratesOf(m));
    } catch (DivergenceException e) {
      diverged = e;
    }
    if (announce) {
      m.predicted[0] = t.prediction(0);
      to.prediction(new Prediction(key, m.seq[0], m.predicted[0], m.y[0], m.version));
    }
    if (diverged != null) {
      for (int i = 0; i < batch; i++) {
        to.rejected(new Rejected(key, m.seq[i], "the training step diverged ("
            + diverged.getMessage() + "); the model was rolled back"));
      }
      m.rejected += batch;
      stability.diverged(m);
      return;
    }
    m.version++;
    to.stepped(key, m.version);
    for (int i = 0; i < batch; i++) {
      m.count(m.y[i], m.predicted[i]);
      if (m.trained % config.nmseEvery() == 0) {
        to.nmse(m.report(key));
      }
      stability.trained(m);
    }
    if (config.snapshotEvery() > 0 && m.version % config.snapshotEvery() == 0) {
      to.snapshot(snapshot(key, m));
    }
  }

  /** The rates of the key's next step: the configured ones times the key's rate scale. */
  private float[] ratesOf(KeyModel m) {
    if (m.rateScale == 1f) {
      return rates;
    }
    for (int i = 0; i < rates.length; i++) {
      scaled[i] = rates[i] * m.rateScale;
    }
    return scaled;
  }

  private static ModelSnapshot snapshot(String key, KeyModel m) {
    return new ModelSnapshot(key, m.version, m.trained, ModelFile.encode(m.net, null));
  }

  /**
   * A key's state restored from a checkpoint of a job with another network or micro-batch size
   * cannot go on as this configuration says: fail, naming the difference, rather than learn with
   * a network the configuration does not describe.
   */
  private void checkRestored(String key, KeyModel m) {
    Network net = m.net;
    if (!net.spec().equals(config.spec())) {
      throw new IllegalStateException("key " + key + ": the restored model's network differs"
          + " from the configured one: " + net.spec().differenceFrom(config.spec()));
    }
    if (m.batch() != config.batch()) {
      throw new IllegalStateException("key " + key + ": the restored state has micro-batches"
          + " of " + m.batch() + ", the configuration " + config.batch());
    }
  }
}
