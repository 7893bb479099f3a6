package dev.kickback.flink;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.LearningRates;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What every key's model is and how it learns: the network (input width, hidden widths, head,
 * coherence), the rule, the learning rate and how it is spread over the layers, the micro-batch
 * size, the seed, and how often the learner reports NMSE and publishes snapshots. Immutable;
 * travels with the job graph.
 *
 * <p>Key {@code k}'s network starts as {@code Network.initialize(spec, seed(k))}, with
 * {@link #seed(String)} a fixed function of the configured seed and the key's
 * {@link String#hashCode()}, so that two runs of a job, or a run and its restart, start every key
 * from the same parameters.
 */
public final class LearnerConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How the learning rate is spread over the weight layers (see {@link LearningRates}). */
  public enum Rates {
    /** The same rate on every layer. */
    PLAIN,
    /** {@link LearningRates#byDepth}: Kickback's default, as in the CLI. */
    DEPTH
  }

  private final int inputWidth;
  private final int[] hidden;
  private final Head head;
  private final Coherence coherence;
  private final Rule rule;
  private final float lr;
  private final Rates rates;
  private final int batch;
  private final long seed;
  private final int nmseEvery;
  private final int snapshotEvery;
  private final float backoff;
  private final int window;
  private final int patience;
  private final float minRateScale;
  private final java.time.Duration idleKeyTtl;
  private final java.time.Duration flushAfter;
  private transient NetworkSpec spec;

  private LearnerConfig(int inputWidth, int[] hidden, Head head, Coherence coherence, Rule rule,
      float lr, Rates rates, int batch, long seed, int nmseEvery, int snapshotEvery,
      float backoff, int window, int patience, float minRateScale,
      java.time.Duration idleKeyTtl, java.time.Duration flushAfter) {
    this.inputWidth = inputWidth;
    this.hidden = hidden.clone();
    this.head = Objects.requireNonNull(head, "head");
    this.coherence = Objects.requireNonNull(coherence, "coherence");
    this.rule = Objects.requireNonNull(rule, "rule");
    if (!(lr > 0) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException("lr " + lr + ": must be finite and > 0");
    }
    if (batch < 1 || batch > 4096) {
      throw new IllegalArgumentException("batch " + batch + ": must be in [1, 4096]");
    }
    if (nmseEvery < 1) {
      throw new IllegalArgumentException("nmseEvery " + nmseEvery + ": must be >= 1");
    }
    if (snapshotEvery < 0) {
      throw new IllegalArgumentException("snapshotEvery " + snapshotEvery
          + ": must be >= 0 (0: only at the end of the input)");
    }
    if (!(backoff > 0 && backoff <= 1)) {
      throw new IllegalArgumentException("backoff " + backoff + ": must be in (0, 1] (1: off)");
    }
    if (window < 1) {
      throw new IllegalArgumentException("window " + window + ": must be >= 1 sample");
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience " + patience + ": must be >= 0 windows"
          + " (0: off)");
    }
    if (!(minRateScale > 0 && minRateScale <= 1)) {
      throw new IllegalArgumentException("minRateScale " + minRateScale
          + ": must be in (0, 1]");
    }
    if (idleKeyTtl != null && (idleKeyTtl.isNegative() || idleKeyTtl.isZero())) {
      throw new IllegalArgumentException("idleKeyTtl " + idleKeyTtl + ": must be positive (null:"
          + " keys never expire)");
    }
    this.idleKeyTtl = idleKeyTtl;
    if (flushAfter != null && (flushAfter.isNegative() || flushAfter.isZero())) {
      throw new IllegalArgumentException("flushAfter " + flushAfter + ": must be positive (null:"
          + " a partial micro-batch waits for its key's next samples)");
    }
    this.flushAfter = flushAfter;
    this.backoff = backoff;
    this.window = window;
    this.patience = patience;
    this.minRateScale = minRateScale;
    this.lr = lr;
    this.rates = Objects.requireNonNull(rates, "rates");
    this.batch = batch;
    this.seed = seed;
    this.nmseEvery = nmseEvery;
    this.snapshotEvery = snapshotEvery;
    spec(); // fails here, in the client, on a bad network shape
  }

  /**
   * The paper's network for {@code inputWidth} inputs (hidden 200, 100, 10; PAIR head; COHERENT)
   * learning with Kickback at rate 0.01 spread by depth, batch 1, seed 1, NMSE every 1,000
   * samples, snapshots only at the end of the input, and the stability policy
   * {@code stability(0.5f, 5000, 0, 1f / 64)}: back off and go back to the best window's model on
   * divergence or blow-up, not for lack of progress (on SARCOS 24 times over, that lowered some
   * joints' error and raised others').
   */
  public static LearnerConfig paper(int inputWidth) {
    return new LearnerConfig(inputWidth, new int[] {200, 100, 10}, Head.PAIR,
        Coherence.COHERENT, Rule.KICKBACK, 0.01f, Rates.DEPTH, 1, 1, 1000, 0, 0.5f, 5000,
        0, 1f / 64, null, null);
  }

  /** This configuration with other hidden widths, input side first. */
  public LearnerConfig hidden(int... widths) {
    return new LearnerConfig(inputWidth, widths, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /** This configuration with another head and coherence mode. */
  public LearnerConfig network(Head head, Coherence coherence) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /** This configuration with another rule, rate and spread of the rate. */
  public LearnerConfig rule(Rule rule, float lr, Rates rates) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /** This configuration training on micro-batches of {@code batch} samples (1: every sample). */
  public LearnerConfig batch(int batch) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /** This configuration with another seed for the keys' initial networks. */
  public LearnerConfig seed(long seed) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /**
   * This configuration reporting each key's prequential NMSE every {@code nmseEvery} trained
   * samples, and publishing its model every {@code snapshotEvery} steps (0: only at the end).
   */
  public LearnerConfig every(int nmseEvery, int snapshotEvery) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /**
   * This configuration with another stability policy for long streams. A
   * key's learning rate is the configured one times a scale that starts at 1 and is multiplied
   * by {@code backoff}, down to {@code minRateScale}: after a step that diverges, when the model
   * also goes back to the one of the key's best window; after a window of {@code window}
   * trained samples whose prequential NMSE is more than 4 times the
   * best window's, likewise; and after {@code patience} windows in a row without a new best (the
   * rate the key learned with stops helping; a lower one lowers the noise of its steps). Without
   * it (backoff 1) a learner that diverged once often diverges on every following step:
   * rejecting the step leaves the rate, and the weights, that caused it.
   *
   * @param backoff in (0, 1]; 1 turns the policy off
   * @param window trained samples per window, >= 1
   * @param patience windows without a new best before the rate backs off, >= 1; 0 turns this
   *     part off
   * @param minRateScale the lowest scale, in (0, 1]: learning never stops
   */
  public LearnerConfig stability(float backoff, int window, int patience, float minRateScale) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, flushAfter);
  }

  /**
   * This configuration forgetting a key's model, and the rest of its state, when the key has had
   * no record for {@code ttl} of processing time (Flink's state time to live, reset by every
   * record that changes the state); its next record starts a new model. For streams whose keys
   * come and go (devices, sessions), so that the state does not grow with every key ever seen.
   * A checkpoint taken without a time to live cannot be restored with one, nor the other way
   * round (Flink stores the two differently).
   *
   * @param ttl positive, or null: keys never expire (the default)
   */
  public LearnerConfig idleKeyTtl(java.time.Duration ttl) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, ttl, flushAfter);
  }

  /**
   * This configuration training a key's partial micro-batch (batch > 1) once its first sample
   * has waited {@code wait} of processing time, instead of waiting for the key's next samples:
   * for keys whose samples come slowly, whose model would otherwise lag behind them.
   *
   * @param wait positive, or null: a partial micro-batch waits for its key's next samples or the
   *     end of the input (the default)
   */
  public LearnerConfig flushAfter(java.time.Duration wait) {
    return new LearnerConfig(inputWidth, hidden, head, coherence, rule, lr, rates, batch, seed,
        nmseEvery, snapshotEvery, backoff, window, patience, minRateScale, idleKeyTtl, wait);
  }

  /** How long a partial micro-batch waits before it is trained, or null: until it fills. */
  public java.time.Duration flushAfter() {
    return flushAfter;
  }

  /** How long a key may go without records before its state expires, or null: never. */
  public java.time.Duration idleKeyTtl() {
    return idleKeyTtl;
  }

  /** The factor on a key's rate scale when it backs off (1: the policy is off). */
  public float backoff() {
    return backoff;
  }

  /** Trained samples per window of the stability policy. */
  public int window() {
    return window;
  }

  /** Windows without a new best NMSE before a key's rate backs off. */
  public int patience() {
    return patience;
  }

  /** The lowest rate scale. */
  public float minRateScale() {
    return minRateScale;
  }

  /** The network every key learns with. */
  public NetworkSpec spec() {
    if (spec == null) {
      spec = NetworkSpec.builder(inputWidth).hidden(hidden).head(head).coherence(coherence)
          .build();
    }
    return spec;
  }

  public int inputWidth() {
    return inputWidth;
  }

  public Rule rule() {
    return rule;
  }

  public int batch() {
    return batch;
  }

  public int nmseEvery() {
    return nmseEvery;
  }

  public int snapshotEvery() {
    return snapshotEvery;
  }

  /** The learning rate per weight layer, input side first. */
  public float[] learningRates() {
    return rates == Rates.DEPTH ? LearningRates.byDepth(spec(), lr)
        : LearningRates.uniform(spec(), lr);
  }

  /** The seed of key {@code key}'s initial network. */
  public long seed(String key) {
    return seed * 0x9E3779B97F4A7C15L + key.hashCode();
  }

  /** Key {@code key}'s network before its first sample. */
  public Network initialNetwork(String key) {
    return Network.initialize(spec(), seed(key));
  }

  @Override
  public String toString() {
    return rule + " on " + spec() + ", lr " + lr + " (" + rates.name().toLowerCase(
        java.util.Locale.ROOT) + ": " + Arrays.toString(learningRates()) + "), batch " + batch
        + (backoff < 1 ? ", rate x" + backoff + " on divergence or blow-up"
            + (patience > 0 ? " or " + patience + " windows without progress" : "")
            + " (windows of " + window + " samples), down to x" + minRateScale : "");
  }
}
