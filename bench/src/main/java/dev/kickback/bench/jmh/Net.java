package dev.kickback.bench.jmh;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.NetworkSpec;
import java.util.Locale;

/** The benchmarked network shapes, both COHERENT with the PAIR head (what Kickback is for). */
public enum Net {
  /** 21 -> 200 -> 100 -> 10 -> PAIR: the paper's network on SARCOS-width inputs. */
  PAPER,
  /** 1024 -> 1024 -> 1024 -> 1024 -> PAIR: 12 MB of weights, beyond L2. */
  WIDE;

  public NetworkSpec spec() {
    return switch (this) {
      case PAPER -> NetworkSpec.paper(21, Head.PAIR, Coherence.COHERENT);
      case WIDE -> NetworkSpec.builder(1024).hidden(1024, 1024, 1024).head(Head.PAIR)
          .coherence(Coherence.COHERENT).build();
    };
  }

  /**
   * The BandwidthBench array size, in KB, whose roof bounds a batch-1 pass over this network's
   * weights: the paper network's 101 KB stream from L2, the wide network's 12.6 MB from L3 and
   * memory.
   */
  public int roofKb() {
    return this == PAPER ? 100 : 16384;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
