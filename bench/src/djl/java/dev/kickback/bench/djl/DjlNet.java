package dev.kickback.bench.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;

/**
 * The same signed-rectifier network in PyTorch through DJL, written as a Java user would:
 * Backprop with autograd and plain SGD, Kickback with tensor operations (SPEC.md's GEMM form).
 * Parameters start as copies of a {@link Network}, so both implementations take the same step
 * and {@link DjlStepBench} checks that they agree before timing anything.
 *
 * <p>Each step's temporaries live in an {@link NDScope} closed at the end of the step; the
 * parameters are updated in place outside autograd.
 */
final class DjlNet implements AutoCloseable {
  private final NetworkSpec spec;
  private final NDManager manager;
  private final NDArray[] w;
  private final NDArray[] b;
  private final NDArray[] nu; // [width], the signs
  private final NDArray[] nuCol; // [width, 1], for the coherence clip

  /** A copy of {@code net}; {@code autograd} marks the parameters for Backprop's gradients. */
  DjlNet(Network net, boolean autograd) {
    this.spec = net.spec();
    this.manager = NDManager.newBaseManager(Engine.getEngine("PyTorch").defaultDevice(),
        "PyTorch");
    int layers = spec.layers();
    w = new NDArray[layers];
    b = new NDArray[layers];
    nu = new NDArray[layers];
    nuCol = new NDArray[layers];
    for (int l = 0; l < layers; l++) {
      w[l] = manager.create(net.weights(l), new Shape(spec.width(l), spec.fanIn(l)));
      b[l] = manager.create(net.biases(l), new Shape(spec.width(l)));
      float[] signs = new float[spec.width(l)];
      for (int j = 0; j < signs.length; j++) {
        signs[j] = spec.sign(l, j);
      }
      nu[l] = manager.create(signs, new Shape(spec.width(l)));
      nuCol[l] = nu[l].reshape(spec.width(l), 1);
      w[l].setRequiresGradient(autograd);
      b[l].setRequiresGradient(autograd);
    }
  }

  /**
   * Backprop: autograd of the batch's mean loss {@code 0.5 (y - y_hat)^2}, then SGD, applied
   * after the collector closes (in-place updates of leaves are not allowed while recording).
   */
  float backpropStep(float[] x, float[] y, int batch, float lr) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      float value;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.zeroGradients();
        NDArray[] out = new NDArray[w.length];
        NDArray yHat = forward(manager.create(x, new Shape(batch, spec.inputWidth())), out, null);
        NDArray err = manager.create(y, new Shape(batch)).sub(yHat);
        NDArray loss = err.mul(err).mean().mul(0.5f);
        gc.backward(loss);
        value = loss.getFloat();
      }
      for (int l = 0; l < w.length; l++) {
        w[l].subi(w[l].getGradient().mul(lr));
        b[l].subi(b[l].getGradient().mul(lr));
        clip(l);
      }
      return value;
    }
  }

  /**
   * Kickback: {@code tau_l = (nu 1)_{l+1} W_{l+1}}, {@code G_l = beta tau_l (nu 1)_l},
   * {@code W_l += (eta / B) G_l^T X_{l-1}}, all from the weights before the step.
   */
  float kickbackStep(float[] x, float[] y, int batch, float lr) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      int layers = w.length;
      NDArray[] out = new NDArray[layers];
      NDArray[] mask = new NDArray[layers];
      NDArray in = manager.create(x, new Shape(batch, spec.inputWidth()));
      NDArray yHat = forward(in, out, mask);
      NDArray beta = manager.create(y, new Shape(batch)).sub(yHat).reshape(batch, 1);
      NDArray[] g = new NDArray[layers];
      g[layers - 1] = mask[layers - 1].mul(beta);
      for (int l = layers - 2; l >= 0; l--) {
        g[l] = mask[l + 1].matMul(w[l + 1]).mul(mask[l]).mul(beta);
      }
      float alpha = lr / batch;
      for (int l = 0; l < layers; l++) {
        NDArray prev = l == 0 ? in : out[l - 1];
        w[l].addi(g[l].transpose().matMul(prev).mul(alpha));
        b[l].addi(g[l].sum(new int[] {0}).mul(alpha));
        clip(l);
      }
      return beta.mul(beta).mean().getFloat() * 0.5f;
    }
  }

  /** Forward pass; fills {@code out[l]} and, when given, the signed masks {@code mask[l]}. */
  private NDArray forward(NDArray x, NDArray[] out, NDArray[] mask) {
    NDArray h = x;
    int last = w.length - 1;
    for (int l = 0; l <= last; l++) {
      NDArray s = h.matMul(w[l].transpose()).add(b[l]);
      if (l == last && spec.head() == Head.LINEAR) {
        h = s;
        if (mask != null) {
          mask[l] = s.onesLike();
        }
      } else {
        NDArray d = s.gt(0f).toType(DataType.FLOAT32, false).mul(nu[l]);
        h = s.mul(d);
        if (mask != null) {
          mask[l] = d;
        }
      }
      out[l] = h;
    }
    return h.sum(new int[] {1});
  }

  /** COHERENT: zero each weight into unit k whose sign disagrees with nu_k (l > 0). */
  private void clip(int l) {
    if (l > 0 && spec.coherence() == Coherence.COHERENT) {
      w[l].muli(w[l].mul(nuCol[l]).gte(0f).toType(DataType.FLOAT32, false));
    }
  }

  float[] weights(int l) {
    return w[l].toFloatArray();
  }

  float[] biases(int l) {
    return b[l].toFloatArray();
  }

  @Override
  public void close() {
    manager.close();
  }
}
