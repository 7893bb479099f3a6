package dev.kickback.cli.training;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A learning rule, a network configuration (without the input width) and how the learning rate
 * is spread over the layers.
 */
public record Config(Rule rule, Head head, Coherence coherence, int[] hidden, RateRule rates) {

  /** With the plain rate on every layer. */
  public Config(Rule rule, Head head, Coherence coherence, int[] hidden) {
    this(rule, head, coherence, hidden, RateRule.PLAIN);
  }

  public NetworkSpec spec(int inputWidth) {
    return NetworkSpec.builder(inputWidth).hidden(hidden).head(head).coherence(coherence).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Config c && rule == c.rule && head == c.head
        && coherence == c.coherence && Arrays.equals(hidden, c.hidden) && rates == c.rates;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hidden) * 31 + java.util.Objects.hash(rule, head, coherence, rates);
  }

  public String hiddenLabel() {
    return Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining("-"));
  }

  /** The configuration without the rule, to pair Kickback and Backprop runs. */
  public String network() {
    return head + " " + coherence + " " + hiddenLabel();
  }

  @Override
  public String toString() {
    return rule + " " + network() + (rates == RateRule.PLAIN ? "" : " lr-rule " + rates.label());
  }
}
