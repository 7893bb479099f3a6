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

  private int inputWidth;
  private int[] hidden;
  private Head head;
  private Coherence coherence;
  private Rule rule;
  private float lr;
  private Rates rates;
  private int batch;
  private long seed;
  private int nmseEvery;
  private int snapshotEvery;
  private float backoff;
  private int window;
  private int patience;
  private float minRateScale;
  private java.time.Duration idleKeyTtl;
  private java.time.Duration flushAfter;
  private long modelCacheBytes;
  private transient NetworkSpec spec;

  private LearnerConfig() {}

  /** A copy of {@code c} changed by {@code change}, checked as a whole. */
  private LearnerConfig with(java.util.function.Consumer<LearnerConfig> change) {
    LearnerConfig c = new LearnerConfig();
    c.inputWidth = inputWidth;
    c.hidden = hidden.clone();
    c.head = head;
    c.coherence = coherence;
    c.rule = rule;
    c.lr = lr;
    c.rates = rates;
    c.batch = batch;
    c.seed = seed;
    c.nmseEvery = nmseEvery;
    c.snapshotEvery = snapshotEvery;
    c.backoff = backoff;
    c.window = window;
    c.patience = patience;
    c.minRateScale = minRateScale;
    c.idleKeyTtl = idleKeyTtl;
    c.flushAfter = flushAfter;
    c.modelCacheBytes = modelCacheBytes;
    change.accept(c);
    c.check();
    return c;
  }

  /** Refuses a configuration that cannot run, naming the setting; in the client, not the job. */
  private void check() {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(coherence, "coherence");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(rates, "rates");
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
    if (flushAfter != null && (flushAfter.isNegative() || flushAfter.isZero())) {
      throw new IllegalArgumentException("flushAfter " + flushAfter + ": must be positive (null:"
          + " a partial micro-batch waits for its key's next samples)");
    }
    if (modelCacheBytes < 0) {
      throw new IllegalArgumentException("modelCache " + modelCacheBytes
          + " bytes: must be >= 0 (0: off)");
    }
    spec = null;
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
    LearnerConfig c = new LearnerConfig();
    c.inputWidth = inputWidth;
    c.hidden = new int[] {200, 100, 10};
    c.head = Head.PAIR;
    c.coherence = Coherence.COHERENT;
    c.rule = Rule.KICKBACK;
    c.lr = 0.01f;
    c.rates = Rates.DEPTH;
    c.batch = 1;
    c.seed = 1;
    c.nmseEvery = 1000;
    c.snapshotEvery = 0;
    c.backoff = 0.5f;
    c.window = 5000;
    c.patience = 0;
    c.minRateScale = 1f / 64;
    c.modelCacheBytes = 64L << 20;
    c.check();
    return c;
  }

  /** This configuration with other hidden widths, input side first. */
  public LearnerConfig hidden(int... widths) {
    int[] w = widths.clone();
    return with(c -> c.hidden = w);
  }

  /** This configuration with another head and coherence mode. */
  public LearnerConfig network(Head head, Coherence coherence) {
    return with(c -> {
      c.head = head;
      c.coherence = coherence;
    });
  }

  /** This configuration with another rule, rate and spread of the rate. */
  public LearnerConfig rule(Rule rule, float lr, Rates rates) {
    return with(c -> {
      c.rule = rule;
      c.lr = lr;
      c.rates = rates;
    });
  }

  /** This configuration training on micro-batches of {@code batch} samples (1: every sample). */
  public LearnerConfig batch(int batch) {
    return with(c -> c.batch = batch);
  }

  /** This configuration with another seed for the keys' initial networks. */
  public LearnerConfig seed(long seed) {
    return with(c -> c.seed = seed);
  }

  /**
   * This configuration reporting each key's prequential NMSE every {@code nmseEvery} trained
   * samples, and publishing its model every {@code snapshotEvery} steps (0: only at the end).
   */
  public LearnerConfig every(int nmseEvery, int snapshotEvery) {
    return with(c -> {
      c.nmseEvery = nmseEvery;
      c.snapshotEvery = snapshotEvery;
    });
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
    return with(c -> {
      c.backoff = backoff;
      c.window = window;
      c.patience = patience;
      c.minRateScale = minRateScale;
    });
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
    return with(c -> c.idleKeyTtl = ttl);
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
    return with(c -> c.flushAfter = wait);
  }

  /** How long a partial micro-batch waits before it is trained, or null: until it fills. */
  public java.time.Duration flushAfter() {
    return flushAfter;
  }

  /**
   * This configuration keeping keys' models decoded between records, in up to {@code bytes} of
   * heap per learner subtask, on a state backend that hands out copies (RocksDB: there every
   * read of a key's state decodes its model, about 200 KB for the paper network with the
   * stability policy's best model, and every write encodes it again). A model is written into
   * the state when its key leaves the cache (least recently used first) and before every
   * checkpoint barrier, so checkpoints and savepoints hold every key exactly as without the
   * cache. Ignored on the heap backend, whose state is the objects themselves.
   *
   * @param bytes >= 0; 0 turns the cache off (the default is 64 MiB: 215 keys of the paper
   *     network, 4,028 of a 21-32-16 one, each key's model, its trainer's backup of it and the
   *     stability policy's best model)
   */
  public LearnerConfig modelCache(long bytes) {
    return with(c -> c.modelCacheBytes = bytes);
  }

  /** The heap a learner subtask may use to keep models decoded on a serializing backend. */
  public long modelCacheBytes() {
    return modelCacheBytes;
  }

  /** How many keys fit {@link #modelCacheBytes()}: at least 1 unless the cache is off. */
  int cachedKeys() {
    return modelCacheBytes == 0 ? 0
        : (int) Math.max(1, Math.min(Integer.MAX_VALUE, modelCacheBytes / bytesPerCachedKey()));
  }

  /** The heap a cached key takes, about. */
  long bytesPerCachedKey() {
    long units = 0;
    for (int l = 0; l < spec().layers(); l++) {
      units += spec().width(l);
    }
    long model = 4 * spec().parameterCount() + 256; // the weights, and the objects' headers
    // the model, the trainer's backup of it (for a rollback), and with the policy the best
    // window's model
    return model * (backoff < 1 ? 3 : 2)
        + 4L * batch * (inputWidth + 4) // the pending micro-batch
        + 4L * batch * units * 3; // the trainer's activations
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
