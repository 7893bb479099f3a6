package dev.kickback.flink;

/**
 * The stability policy of {@link LearnerConfig#stability}: when a key's learning rate backs off,
 * and when its model goes back to the one of its best window. A per-key learner on an unbounded
 * stream meets stretches where its rate is too high: steps that overflow (the trainer rolls
 * them back) or an error that climbs far above what the model had reached. Rejecting such a step
 * is not enough: the next one, at the same rate and from the same weights, does the same.
 * Stateless; a key's part lives in its {@link KeyModel}.
 */
final class Stability {
  /** A window's NMSE more than this many times the key's best window's is a blow-up. */
  static final double BLOW_UP = 4;

  private final float backoff;
  private final int window;
  private final int patience;
  private final float minScale;

  Stability(LearnerConfig c) {
    backoff = c.backoff();
    window = c.window();
    patience = c.patience();
    minScale = c.minRateScale();
  }

  /** A step diverged and was rolled back: the best model back, if any, and the rate down. */
  void diverged(KeyModel m) {
    if (backoff == 1f) {
      return;
    }
    restoreBest(m);
    backOff(m);
  }

  /**
   * After each trained sample: at the end of a window, a new best keeps the model as the key's
   * best; a blow-up puts the best model back and backs off; {@code patience} windows without a
   * new best back off.
   */
  void trained(KeyModel m) {
    if (m.windowCount < window) {
      return;
    }
    double nmse = m.windowSse / m.windowCount / (m.targetM2 / m.trained);
    m.windowSse = 0;
    m.windowCount = 0;
    if (backoff == 1f) {
      return;
    }
    if (!Double.isFinite(nmse) && m.best == null) {
      return; // targets that have not varied yet: nothing to compare
    }
    if (nmse < m.bestNmse) {
      m.bestNmse = nmse;
      m.windowsSinceBest = 0;
      m.best = m.net.copy();
    } else if (!(nmse <= BLOW_UP * m.bestNmse)) { // NaN is a blow-up too
      restoreBest(m);
      backOff(m);
    } else if (patience > 0 && ++m.windowsSinceBest >= patience) {
      m.windowsSinceBest = 0;
      backOff(m);
    }
  }

  private static void restoreBest(KeyModel m) {
    if (m.best != null) {
      m.replaceNetwork(m.best.copy());
      m.windowsSinceBest = 0;
    }
  }

  private void backOff(KeyModel m) {
    m.rateScale = Math.max(minScale, m.rateScale * backoff);
  }
}
