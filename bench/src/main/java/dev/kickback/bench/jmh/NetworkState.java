package dev.kickback.bench.jmh;

import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.api.Workspace;
import dev.kickback.kernels.KernelOps;
import dev.kickback.testkit.RandomNets;

/** A seeded network with a trainer, a workspace and one seeded batch. */
final class NetworkState {
  final Network net;
  final Trainer trainer;
  final Workspace ws;
  final int batch;
  final float[] x;
  final float[] y;
  final float[] out;

  NetworkState(Net shape, KernelPath path, int batch) {
    NetworkSpec spec = shape.spec();
    KernelOps ops = path.ops();
    this.batch = batch;
    net = Network.initialize(spec, 1);
    trainer = new Trainer(net, batch, ops);
    ws = net.newWorkspace(batch, ops);
    x = RandomNets.gaussian(2, batch * spec.inputWidth());
    y = RandomNets.gaussian(3, batch);
    out = new float[batch];
  }

  /**
   * One step at a small rate: benchmarks revisit one batch for seconds and must not drive the
   * network into a state (all units off) that would make the step cheaper.
   */
  float step(Rule rule) {
    return trainer.step(rule, x, y, batch, 1e-5f);
  }

  /**
   * Per weight layer, the nonzero inputs of this state's first sample: its nonzero features,
   * then the units active after a forward pass of the untrained network.
   */
  int[] nonzeroInputs() {
    NetworkSpec spec = net.spec();
    forward();
    int[] rows = new int[spec.layers()];
    for (int j = 0; j < spec.inputWidth(); j++) {
      rows[0] += x[j] != 0f ? 1 : 0;
    }
    for (int l = 1; l < rows.length; l++) {
      rows[l] = ws.activeUnits(l - 1, 0);
    }
    return rows;
  }

  /** A copy of the network now, for {@link #restore}. */
  Network snapshot() {
    return net.copy();
  }

  /** Puts the network back to a {@link #snapshot}, in place (the trainer stays valid). */
  void restore(Network snapshot) {
    net.copyFrom(snapshot);
  }

  float[] forward() {
    net.predict(x, batch, out, ws);
    return out;
  }
}
