package dev.kickback.serving;

import dev.kickback.api.Network;
import java.util.Objects;

/**
 * Learning while serving: readers predict on an immutable published snapshot while a trainer
 * updates a private network and publishes copies of it.
 *
 * <pre>{@code
 * OnlineModel model = new OnlineModel(net);          // publishes version 0
 * // reader threads, each with its own Workspace:
 * OnlineModel.Snapshot s = model.current();
 * s.network().predict(x, batch, out, ws);            // never blocks, never sees a half update
 * // the trainer thread, on its own network:
 * trainer.step(Rule.KICKBACK, x, y, batch, lr);
 * model.publish(trainer.network());                  // atomic swap
 * }</pre>
 *
 * <p>Publishing copies the parameters (one allocation of {@code 4 * parameterCount()} bytes,
 * about 100 KB for the paper network; one read of the trainer's network) and swaps a volatile
 * reference: readers are never blocked and never wait. A reader holding an old snapshot keeps
 * using it until it asks again; old snapshots are freed by the garbage collector. A published
 * snapshot's network must not be modified: only the trainer's private network is trained.
 *
 * <p>A published network must have the model's topology, compared by value (widths, unit
 * signs, head, coherence): a network loaded from a model file, or built from a separate but
 * equal spec, may be published, and readers keep their workspaces across every snapshot.
 * Publishing is meant for one writer; two threads publishing at once are serialized (each gets
 * its own version), not refused.
 */
public final class OnlineModel {
  /** A published version of the model. */
  public record Snapshot(long version, Network network) {}

  private volatile Snapshot current;

  /** Publishes a copy of {@code initial} as version 0. */
  public OnlineModel(Network initial) {
    current = new Snapshot(0, Objects.requireNonNull(initial, "initial").readOnlyCopy());
  }

  /** The latest published snapshot; a volatile read. */
  public Snapshot current() {
    return current;
  }

  /**
   * Publishes a copy of {@code trained} as the next version and returns it.
   *
   * @throws IllegalArgumentException if {@code trained}'s topology differs from the model's,
   *     naming the difference; nothing is published then
   */
  public synchronized Snapshot publish(Network trained) {
    Objects.requireNonNull(trained, "trained");
    Snapshot now = current;
    String difference = now.network().spec().differenceFrom(trained.spec());
    if (difference != null) {
      throw new IllegalArgumentException("cannot publish " + trained.spec()
          + " over a model of " + now.network().spec() + ": " + difference);
    }
    Snapshot next = new Snapshot(now.version() + 1, trained.readOnlyCopy());
    current = next;
    return next;
  }
}
