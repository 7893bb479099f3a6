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

  float[] forward() {
    net.predict(x, batch, out, ws);
    return out;
  }
}
