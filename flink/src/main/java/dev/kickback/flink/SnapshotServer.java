package dev.kickback.flink;

import dev.kickback.api.Network;
import dev.kickback.api.Workspace;
import dev.kickback.io.ModelFile;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Serving beside learning: answers queries with the newest snapshot of the query's key that has
 * reached this parallel instance, and says which version that was. The learner's
 * {@link OnlineLearner#SNAPSHOTS} arrive on a broadcast stream, so every instance holds every
 * key's latest model (in broadcast state, restored with the job) and queries need no keying.
 *
 * <p>A query whose key has no snapshot here yet, or of the wrong width, goes to
 * {@link OnlineLearner#REJECTED}. A snapshot older than the one held is ignored, so a replay
 * after a restart cannot move a key back.
 */
public final class SnapshotServer extends BroadcastProcessFunction<Sample, ModelSnapshot, Served> {
  private static final long serialVersionUID = 1L;

  /** The broadcast state: per key, the newest snapshot received. */
  public static final MapStateDescriptor<String, ModelSnapshot> MODELS = new MapStateDescriptor<>(
      "kickback-served-models", Types.STRING, TypeInformation.of(ModelSnapshot.class));

  /** A decoded snapshot with its own workspace: decoding happens once per version. */
  private record Loaded(long version, Network net, Workspace ws) {}

  private transient Map<String, Loaded> loaded;
  private transient float[] out;

  @Override
  public void open(OpenContext context) {
    loaded = new HashMap<>();
    out = new float[1];
  }

  @Override
  public void processElement(Sample q, ReadOnlyContext ctx, Collector<Served> served)
      throws Exception {
    ModelSnapshot snap = ctx.getBroadcastState(MODELS).get(q.key());
    if (snap == null) {
      ctx.output(OnlineLearner.REJECTED, new Rejected(q.key(), q.seq(),
          "no snapshot of this key has reached the server yet"));
      return;
    }
    Loaded l = loaded.get(q.key());
    if (l == null || l.version != snap.version()) {
      Network net = ModelFile.decode(snap.model()).network();
      l = new Loaded(snap.version(), net, net.newWorkspace(1));
      loaded.put(q.key(), l);
    }
    String why = Records.inputProblem(q.x(), l.net.spec().inputWidth());
    if (why != null) {
      ctx.output(OnlineLearner.REJECTED, new Rejected(q.key(), q.seq(), why));
      return;
    }
    l.net.predict(q.x(), 1, out, l.ws);
    served.collect(new Served(q.key(), q.seq(), out[0], l.version));
  }

  @Override
  public void processBroadcastElement(ModelSnapshot snap, Context ctx, Collector<Served> served)
      throws Exception {
    BroadcastState<String, ModelSnapshot> models = ctx.getBroadcastState(MODELS);
    ModelSnapshot held = models.get(snap.key());
    if (held == null || snap.version() >= held.version()) {
      models.put(snap.key(), snap);
    }
  }
}
