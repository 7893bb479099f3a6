package dev.kickback.verify.experiments;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Rule;
import dev.kickback.cli.training.Config;
import dev.kickback.cli.training.RateRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where Kickback holds and where it breaks: hidden layers of 100 units at depths 1, 2, 3, 4, 6
 * and 8, and widths 25, 100 and 400 at depth 3 (PAIR head, COHERENT), on SARCOS joint 1 and
 * UR10 joint 1; Backprop with the plain rate against Kickback with the plain rate and with each
 * {@link RateRule}. Each (task, network, variant) is one {@link Experiment} of the plan's
 * protocol: the rate cross-validated from a grid reaching down to 1e-4, then several seeds.
 *
 * @param protocol how each experiment runs
 * @param networks the hidden layers, as {depth, width}
 * @param tasks the datasets, by name
 */
public record DepthSweep(Protocol protocol, List<int[]> networks, List<String> tasks) {

  /**
   * The report's sweep: 3-fold CV of 10 epochs over 7 rates, then 30 epochs at 3 seeds. With 2
   * folds (half the data validating each fold) CV chose rates at which every seed of a 6-layer
   * Kickback network then died in its 30 epochs; with 3 it chose lower, living ones.
   */
  public static final DepthSweep FULL = new DepthSweep(new Protocol("sweep", 30, 8, 10, 3,
      new float[] {1e-4f, 3e-4f, 1e-3f, 3e-3f, 0.01f, 0.03f, 0.1f}, 3, 0.2, 2015),
      List.of(new int[] {1, 100}, new int[] {2, 100}, new int[] {3, 100}, new int[] {4, 100},
          new int[] {6, 100}, new int[] {8, 100}, new int[] {3, 25}, new int[] {3, 400}),
      List.of("sarcos-j1", "ur10-j1"));

  /** The test suite's: depths 1 and 6, two rates, one seed, SARCOS joint 1. */
  public static final DepthSweep FAST = new DepthSweep(new Protocol("sweep-fast", 10, 8, 5, 2,
      new float[] {1e-3f, 0.01f}, 1, 0.2, 2015),
      List.of(new int[] {1, 100}, new int[] {6, 100}), List.of("sarcos-j1"));

  /** The variants compared on every network: Backprop plain, then Kickback with each rule. */
  public static List<Config> variants(int depth, int width) {
    int[] hidden = new int[depth];
    Arrays.fill(hidden, width);
    List<Config> out = new ArrayList<>();
    out.add(new Config(Rule.BACKPROP, Head.PAIR, Coherence.COHERENT, hidden, RateRule.PLAIN));
    for (RateRule r : RateRule.values()) {
      out.add(new Config(Rule.KICKBACK, Head.PAIR, Coherence.COHERENT, hidden, r));
    }
    return out;
  }

  /** Every configuration of the plan, network by network. */
  public List<Config> configs() {
    List<Config> out = new ArrayList<>();
    for (int[] n : networks) {
      out.addAll(variants(n[0], n[1]));
    }
    return out;
  }

  /** "Backprop", "Kickback plain", "Kickback depth", ...: a variant's name in the report. */
  public static String variant(Config c) {
    return c.rule() == Rule.BACKPROP ? "Backprop"
        : "Kickback " + c.rates().label();
  }
}
