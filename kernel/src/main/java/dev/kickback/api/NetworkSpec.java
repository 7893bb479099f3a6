package dev.kickback.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * The topology of a signed-rectifier network: input width, hidden widths, the fixed sign of
 * every hidden unit, the output head and the coherence mode. Immutable.
 *
 * <p>Weight layers are numbered {@code 0 .. hiddenLayers()}: layer {@code l} maps the
 * {@code width(l - 1)} outputs of the layer below (the input for {@code l = 0}) to
 * {@code width(l)} units; the last weight layer is the head.
 */
public final class NetworkSpec {
  /** Widest layer (input or hidden): the model file format's limit, 2^20 units. */
  public static final int MAX_WIDTH = 1 << 20;
  /** Most hidden layers: the model file format's limit. */
  public static final int MAX_HIDDEN_LAYERS = 64;
  /**
   * Most weights and biases in one network, 2^28 (1 GiB of floats): a model file of it stays
   * within the 2 GiB a file may have, and every layer fits a Java array.
   */
  public static final long MAX_PARAMETERS = 1L << 28;

  private final int inputWidth;
  private final int[] widths; // per weight layer: hidden widths then the head width
  private final float[][] signs; // per weight layer, +1 or -1 per unit
  private final Head head;
  private final Coherence coherence;

  private NetworkSpec(Builder b) {
    this.inputWidth = b.inputWidth;
    this.head = b.head;
    this.coherence = b.coherence;
    int hidden = b.hidden.length;
    this.widths = Arrays.copyOf(b.hidden, hidden + 1);
    this.widths[hidden] = head.width();
    this.signs = new float[hidden + 1][];
    for (int l = 0; l < hidden; l++) {
      signs[l] = b.signs != null ? toSigns(l, b.signs[l], b.hidden[l]) : defaultSigns(b.hidden[l]);
    }
    signs[hidden] = head == Head.PAIR ? new float[] {1f, -1f} : new float[] {1f};
    for (int l = 0; l <= hidden; l++) {
      signs[l] = Arrays.copyOf(signs[l], widths[l] + PAD); // zeros past the layer
    }
  }

  /**
   * Floats past the end of a layer's buffers (weights, signs, workspace rows, feedback):
   * a whole 512-bit vector load at the start of a layer narrower than a vector stays inside
   * the array, so narrow layers take the vector kernels' fast path instead of a per-lane check.
   */
  static final int PAD = 16;

  /** Starts a specification for inputs of {@code inputWidth} features. */
  public static Builder builder(int inputWidth) {
    return new Builder(inputWidth);
  }

  /** The paper's network: {@code inputWidth -> 200 -> 100 -> 10 -> head}. */
  public static NetworkSpec paper(int inputWidth, Head head, Coherence coherence) {
    return builder(inputWidth).hidden(200, 100, 10).head(head).coherence(coherence).build();
  }

  /** Input features per sample. */
  public int inputWidth() {
    return inputWidth;
  }

  /** Number of hidden layers L; there are L + 1 weight layers. */
  public int hiddenLayers() {
    return widths.length - 1;
  }

  /** Number of weight layers, {@code hiddenLayers() + 1}. */
  public int layers() {
    return widths.length;
  }

  /** Units in weight layer {@code l}; {@code width(-1)} is the input width. */
  public int width(int l) {
    return l == -1 ? inputWidth : widths[checkLayer(l)];
  }

  /** Inputs to weight layer {@code l}. */
  public int fanIn(int l) {
    return width(checkLayer(l) - 1);
  }

  /** Sign nu (+1 or -1) of unit {@code j} in weight layer {@code l}. */
  public int sign(int l, int j) {
    return (int) signs[checkLayer(l)][Objects.checkIndex(j, widths[l])];
  }

  /** Weights in layer {@code l}: {@code width(l) * fanIn(l)}, stored row-major [out][in]. */
  public int weightCount(int l) {
    return width(l) * fanIn(l);
  }

  /** Total number of weights and biases. */
  public long parameterCount() {
    long n = 0;
    for (int l = 0; l < layers(); l++) {
      n += (long) weightCount(l) + width(l);
    }
    return n;
  }

  /** FLOPs of one forward pass for one sample: 2 per weight. */
  public long forwardFlopsPerSample() {
    long n = 0;
    for (int l = 0; l < layers(); l++) {
      n += 2L * weightCount(l);
    }
    return n;
  }

  /**
   * Useful FLOPs of one training step for one sample, the same for both rules: the forward pass
   * (2 per weight), pulling feedback through every layer above the first (2 per weight) and the
   * weight update (2 per weight). Element-wise work and biases are not counted.
   */
  public long stepFlopsPerSample() {
    return 3 * forwardFlopsPerSample() - 2L * weightCount(0);
  }

  public Head head() {
    return head;
  }

  public Coherence coherence() {
    return coherence;
  }

  float[] signsOf(int l) {
    return signs[l];
  }

  private int checkLayer(int l) {
    if (l < 0 || l >= widths.length) {
      throw new IndexOutOfBoundsException(
          "layer " + l + " out of range [0, " + widths.length + ")");
    }
    return l;
  }

  private static float[] defaultSigns(int n) {
    float[] s = new float[n];
    int positives = (n + 1) / 2; // first half positive; a single unit is positive
    for (int j = 0; j < n; j++) {
      s[j] = j < positives ? 1f : -1f;
    }
    return s;
  }

  private static float[] toSigns(int l, int[] given, int n) {
    if (given == null || given.length != n) {
      throw new IllegalArgumentException("signs[" + l + "].length="
          + (given == null ? "null" : given.length) + ", expected hidden width " + n);
    }
    float[] s = new float[n];
    for (int j = 0; j < n; j++) {
      if (given[j] != 1 && given[j] != -1) {
        throw new IllegalArgumentException(
            "signs[" + l + "][" + j + "] = " + given[j] + ": must be +1 or -1");
      }
      s[j] = given[j];
    }
    return s;
  }

  /**
   * Equal topologies: the same input width, hidden widths, unit signs, head and coherence.
   * Networks of equal specs share workspaces and can replace each other in an
   * {@link dev.kickback.serving.OnlineModel}.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSpec other && differenceFrom(other) == null;
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputWidth, Arrays.hashCode(widths), Arrays.deepHashCode(signs), head,
        coherence);
  }

  /**
   * The first way {@code other} differs from this spec, in words ("input width 4 here, 5
   * there", "unit 3 of hidden layer 1 has sign -1 here, +1 there"), or null if they are equal.
   */
  public String differenceFrom(NetworkSpec other) {
    Objects.requireNonNull(other, "other");
    if (inputWidth != other.inputWidth) {
      return "input width " + inputWidth + " here, " + other.inputWidth + " there";
    }
    if (widths.length != other.widths.length) {
      return hiddenLayers() + " hidden layers here, " + other.hiddenLayers() + " there";
    }
    for (int l = 0; l < hiddenLayers(); l++) {
      if (widths[l] != other.widths[l]) {
        return "hidden layer " + l + " has " + widths[l] + " units here, " + other.widths[l]
            + " there";
      }
    }
    if (head != other.head) {
      return "head " + head + " here, " + other.head + " there";
    }
    if (coherence != other.coherence) {
      return coherence + " here, " + other.coherence + " there";
    }
    for (int l = 0; l < hiddenLayers(); l++) {
      for (int j = 0; j < widths[l]; j++) {
        if (signs[l][j] != other.signs[l][j]) {
          return "unit " + j + " of hidden layer " + l + " has sign " + sign(signs[l][j])
              + " here, " + sign(other.signs[l][j]) + " there";
        }
      }
    }
    return null;
  }

  private static String sign(float s) {
    return s > 0 ? "+1" : "-1";
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(inputWidth);
    for (int l = 0; l < hiddenLayers(); l++) {
      sb.append(" -> ").append(widths[l]);
    }
    return sb.append(" -> ").append(head).append(" (").append(coherence).append(')').toString();
  }

  /** Builder; defaults: no hidden layer, PAIR head, FREE weights, first half of units positive. */
  public static final class Builder {
    private final int inputWidth;
    private int[] hidden = new int[0];
    private int[][] signs;
    private Head head = Head.PAIR;
    private Coherence coherence = Coherence.FREE;

    private Builder(int inputWidth) {
      if (inputWidth < 1 || inputWidth > MAX_WIDTH) {
        throw new IllegalArgumentException("inputWidth = " + inputWidth + ": must be in [1, "
            + MAX_WIDTH + "]");
      }
      this.inputWidth = inputWidth;
    }

    /** Hidden layer widths, input side first; each >= 1. */
    public Builder hidden(int... widths) {
      Objects.requireNonNull(widths, "widths");
      for (int l = 0; l < widths.length; l++) {
        if (widths[l] < 1) {
          throw new IllegalArgumentException(
              "hidden[" + l + "] = " + widths[l] + ": widths must be >= 1");
        }
      }
      this.hidden = widths.clone();
      return this;
    }

    /** Signs per hidden layer, each +1 or -1; {@code signs[l].length} must equal hidden[l]. */
    public Builder signs(int[]... signs) {
      Objects.requireNonNull(signs, "signs");
      int[][] copy = new int[signs.length][];
      for (int l = 0; l < signs.length; l++) {
        copy[l] = signs[l] == null ? null : signs[l].clone();
      }
      this.signs = copy;
      return this;
    }

    public Builder head(Head head) {
      this.head = Objects.requireNonNull(head, "head");
      return this;
    }

    public Builder coherence(Coherence coherence) {
      this.coherence = Objects.requireNonNull(coherence, "coherence");
      return this;
    }

    /**
     * The spec, once its sizes are known to fit: at most {@link #MAX_HIDDEN_LAYERS} hidden
     * layers of at most {@link #MAX_WIDTH} units and {@link #MAX_PARAMETERS} parameters in all,
     * checked before anything is allocated; a refusal names the width or the count.
     */
    public NetworkSpec build() {
      if (signs != null && signs.length != hidden.length) {
        throw new IllegalArgumentException("signs given for " + signs.length
            + " layers, but there are " + hidden.length + " hidden layers");
      }
      if (hidden.length > MAX_HIDDEN_LAYERS) {
        throw new IllegalArgumentException(hidden.length + " hidden layers: at most "
            + MAX_HIDDEN_LAYERS + " (the model file format's limit)");
      }
      long params = 0;
      int below = inputWidth;
      for (int l = 0; l <= hidden.length; l++) {
        int units = l < hidden.length ? hidden[l] : head.width();
        if (units > MAX_WIDTH) {
          throw new IllegalArgumentException("hidden[" + l + "] = " + units + ": widths must be"
              + " at most " + MAX_WIDTH + " (the model file format's limit)");
        }
        params += (long) units * below + units;
        below = units;
      }
      if (params > MAX_PARAMETERS) {
        throw new IllegalArgumentException("a network of " + inputWidth + " inputs and hidden"
            + " widths " + Arrays.toString(hidden) + " has " + params + " parameters: at most "
            + MAX_PARAMETERS + " (1 GiB of floats) are allowed");
      }
      return new NetworkSpec(this);
    }
  }
}
