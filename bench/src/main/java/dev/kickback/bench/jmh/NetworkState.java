package dev.kickback.bench.jmh;

import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.api.Workspace;
import dev.kickback.bench.Workloads;
import dev.kickback.kernels.KernelOps;

/** A network of a named shape with a trainer, a workspace and one seeded batch. */
final class NetworkState {
  final NetworkSpec spec;
  final Network net;
  final Trainer trainer;
  final Workspace ws;
  final int batch;
  final float[] x;
  final float[] y;
  final float[] out;
  final Rule rule;

  NetworkState(String config, String path, String rule) {
    String[] parts = config.split("/");
    spec = Workloads.network(parts[0]);
    batch = Integer.parseInt(parts[1]);
    KernelOps ops = Workloads.path(path);
    net = Network.initialize(spec, 1);
    trainer = new Trainer(net, batch, ops);
    ws = net.newWorkspace(batch, ops);
    x = Workloads.gaussian(2, batch * spec.inputWidth());
    y = Workloads.gaussian(3, batch);
    out = new float[batch];
    this.rule = rule == null ? null : Rule.valueOf(rule.toUpperCase(java.util.Locale.ROOT));
  }

  /**
   * One step at a small rate: benchmarks revisit one batch for seconds and must not drive the
   * network into a state (all units off) that would make the step cheaper.
   */
  float step() {
    return trainer.step(rule, x, y, batch, 1e-5f);
  }
}
