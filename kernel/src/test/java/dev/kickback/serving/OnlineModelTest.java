package dev.kickback.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Workspace;
import dev.kickback.io.ModelFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topology compared by value: what may be published, and which workspaces stay valid. */
class OnlineModelTest {
  private static NetworkSpec spec(int... signsOfLayer0) {
    NetworkSpec.Builder b = NetworkSpec.builder(4).hidden(6, 3).head(Head.PAIR)
        .coherence(Coherence.COHERENT);
    if (signsOfLayer0.length > 0) {
      b.signs(signsOfLayer0, new int[] {1, 1, -1});
    }
    return b.build();
  }

  @Test
  void specsAreEqualByValueAndNameTheirFirstDifference() {
    assertEquals(spec(), spec());
    assertEquals(spec().hashCode(), spec().hashCode());
    assertNull(spec().differenceFrom(spec()));
    NetworkSpec flipped = spec(-1, 1, 1, -1, -1, -1);
    assertNotEquals(spec(), flipped, "same widths, other signs");
    assertEquals("unit 0 of hidden layer 0 has sign +1 here, -1 there",
        spec().differenceFrom(flipped));
    NetworkSpec wider = NetworkSpec.builder(4).hidden(7, 3).head(Head.PAIR)
        .coherence(Coherence.COHERENT).build();
    assertEquals("hidden layer 0 has 6 units here, 7 there", spec().differenceFrom(wider));
    NetworkSpec free = NetworkSpec.builder(4).hidden(6, 3).head(Head.PAIR).build();
    assertEquals("COHERENT here, FREE there", spec().differenceFrom(free));
  }

  @Test
  void publishRefusesAnotherTopologyNamingTheDifference() {
    OnlineModel model = new OnlineModel(Network.initialize(spec(), 1));
    OnlineModel.Snapshot before = model.current();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.publish(Network.initialize(spec(-1, 1, 1, -1, -1, -1), 1)));
    assertEquals("cannot publish 4 -> 6 -> 3 -> PAIR (COHERENT) over a model of"
        + " 4 -> 6 -> 3 -> PAIR (COHERENT): unit 0 of hidden layer 0 has sign +1 here, -1 there",
        e.getMessage());
    assertSame(before, model.current(), "nothing published");
  }

  @Test
  void readersKeepTheirWorkspaceAcrossEqualSpecsAndLoadedModels(@TempDir Path dir)
      throws IOException {
    OnlineModel model = new OnlineModel(Network.initialize(spec(), 1));
    Workspace ws = model.current().network().newWorkspace(2);
    float[] x = {0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 0f};
    float[] out = new float[2];
    model.current().network().predict(x, 2, out, ws);

    Network separate = Network.initialize(spec(), 2); // an equal spec built on its own
    model.publish(separate);
    model.current().network().predict(x, 2, out, ws);
    float[] want = new float[2];
    separate.predict(x, 2, want, separate.newWorkspace(2));
    assertEquals(want[0], out[0], 0f);
    assertEquals(want[1], out[1], 0f);

    Path f = dir.resolve("m.kbk");
    ModelFile.save(f, Network.initialize(spec(), 3), null);
    Network loaded = ModelFile.load(f).network();
    model.publish(loaded);
    model.current().network().predict(x, 2, out, ws);
    loaded.predict(x, 2, want, loaded.newWorkspace(2));
    assertEquals(want[0], out[0], 0f);
    assertEquals(want[1], out[1], 0f);
  }

  @Test
  void twoPublishingThreadsGetDistinctConsecutiveVersions() throws InterruptedException {
    Network net = Network.initialize(spec(), 1);
    OnlineModel model = new OnlineModel(net);
    Set<Long> versions = ConcurrentHashMap.newKeySet();
    Runnable publisher = () -> {
      for (int i = 0; i < 200; i++) {
        versions.add(model.publish(net).version());
      }
    };
    Thread a = new Thread(publisher);
    Thread b = new Thread(publisher);
    a.start();
    b.start();
    a.join();
    b.join();
    assertEquals(400, versions.size(), "every publish its own version");
    assertEquals(400, model.current().version());
  }
}
