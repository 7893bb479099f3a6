package dev.kickback.testkit;

import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.kernels.KernelOps;

/** A rule's update direction computed by the float kernels, as fresh arrays per layer. */
public final class Directions {
  private Directions() {}

  /** {@code [0] = dW per layer, [1] = dB per layer}, from {@link Trainer#direction}. */
  public static float[][][] of(KernelOps ops, Network net, Rule rule, float[] x, float[] y,
      int batch) {
    NetworkSpec spec = net.spec();
    float[][] dw = new float[spec.layers()][];
    float[][] db = new float[spec.layers()][];
    for (int l = 0; l < spec.layers(); l++) {
      dw[l] = new float[spec.weightCount(l)];
      db[l] = new float[spec.width(l)];
    }
    new Trainer(net, batch, ops).direction(rule, x, y, batch, dw, db);
    return new float[][][] {dw, db};
  }
}
