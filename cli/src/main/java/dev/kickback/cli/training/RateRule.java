package dev.kickback.cli.training;

import dev.kickback.api.LearningRates;
import dev.kickback.api.Network;
import dev.kickback.api.Rule;

/**
 * How one learning rate becomes a rate per weight layer (see {@link LearningRates}): the same
 * everywhere, shrunk with the network's depth, or matched to Backprop's update norms layer by
 * layer on the first training rows.
 */
public enum RateRule {
  PLAIN, DEPTH, MATCHED;

  /**
   * The CLI's default for Kickback: the measured depth rule (see
   * {@link LearningRates#byDepth}; the verify report's depth sweep compares it with the others).
   */
  public static final RateRule KICKBACK_DEFAULT = DEPTH;
  /** Its name, for option descriptions (a constant expression). */
  public static final String KICKBACK_DEFAULT_LABEL = "depth";

  /** Rows of the training data that {@link #MATCHED} measures the update norms on. */
  static final int PROBE_ROWS = 256;

  /** Per-layer rates for {@code net} from {@code lr}; MATCHED probes rows {@code [0, n)}. */
  public float[] rates(Network net, float lr, float[] x, float[] y, int n, int width) {
    return switch (this) {
      case PLAIN -> LearningRates.uniform(net.spec(), lr);
      case DEPTH -> LearningRates.byDepth(net.spec(), lr);
      case MATCHED -> {
        int rows = Math.min(n, PROBE_ROWS);
        yield LearningRates.matchedToBackprop(net, java.util.Arrays.copyOf(x, rows * width),
            java.util.Arrays.copyOf(y, rows), rows, lr);
      }
    };
  }

  /**
   * The {@code --lr-rule} option: {@code plain}, {@code depth} or {@code matched}; without one,
   * the default for {@code rule} (Kickback's measured one, plain for Backprop).
   *
   * @throws IllegalArgumentException naming the option and the values it takes
   */
  public static RateRule parse(String option, Rule rule) {
    if (option == null) {
      return rule == Rule.KICKBACK ? KICKBACK_DEFAULT : PLAIN;
    }
    try {
      return valueOf(option.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--lr-rule " + option
          + ": expected plain, depth or matched");
    }
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
