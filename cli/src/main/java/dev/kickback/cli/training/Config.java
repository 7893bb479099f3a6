package dev.kickback.cli.training;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A learning rule and a network configuration (without the input width). */
public record Config(Rule rule, Head head, Coherence coherence, int[] hidden) {

  public NetworkSpec spec(int inputWidth) {
    return NetworkSpec.builder(inputWidth).hidden(hidden).head(head).coherence(coherence).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Config c && rule == c.rule && head == c.head
        && coherence == c.coherence && Arrays.equals(hidden, c.hidden);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hidden) * 31 + java.util.Objects.hash(rule, head, coherence);
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
    return rule + " " + network();
  }
}
