package dev.kickback.bench.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kickback.api.NetworkSpec;
import dev.kickback.onnx.Agreement;
import dev.kickback.onnx.OnnxExport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ONNX Runtime's forward pass of the same network ({@link NetworkState}'s weights and batch,
 * through {@link OnnxExport}), the inference peer a Java engineer would otherwise use. Its
 * fastest Java usage we found: one intra-op and one inter-op thread, sequential execution, every
 * graph optimization (Gemm and Relu fuse), the input tensor made once over a direct buffer and
 * the output pinned to a tensor made once, so a call copies nothing and allocates only the
 * small Result object. Setup refuses to run when ONNX Runtime's outputs do not agree with
 * {@code predict} ({@link Agreement}).
 */
public class OrtForwardBench extends BenchBase {
  @Param({"PAPER", "WIDE"})
  public Net net;

  @Param({"1", "2", "4", "8", "16", "256"})
  public int batch;

  private OrtSession.SessionOptions options;
  private OrtSession session;
  private OnnxTensor input;
  private OnnxTensor output;
  private FloatBuffer outBuffer;
  private Map<String, OnnxTensor> inputs;
  private Map<String, OnnxTensor> outputs;

  @Setup
  public void setup() throws OrtException {
    NetworkState s = new NetworkState(net, KernelPath.SCALAR, batch);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setInterOpNumThreads(1);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    session = env.createSession(OnnxExport.encode(s.net, null), options);
    int d = s.net.spec().inputWidth();
    FloatBuffer in = direct(batch * d).put(s.x).rewind();
    input = OnnxTensor.createTensor(env, in, new long[] {batch, d});
    outBuffer = direct(batch);
    output = OnnxTensor.createTensor(env, outBuffer, new long[] {batch, 1});
    inputs = Map.of(OnnxExport.INPUT, input);
    outputs = Map.of(OnnxExport.OUTPUT, output);
    forward();
    float[] theirs = new float[batch];
    outBuffer.get(0, theirs);
    String why = Agreement.firstDisagreement(s.net, null, s.x, batch, theirs);
    if (why != null) {
      throw new IllegalStateException("ONNX Runtime disagrees with predict on the " + net.label()
          + " network at batch " + batch + ": " + why);
    }
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(Float.BYTES * floats).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  @Benchmark
  public float forward() throws OrtException {
    try (OrtSession.Result r = session.run(inputs, outputs)) {
      return outBuffer.get(0);
    }
  }

  @TearDown
  public void tearDown() throws OrtException {
    output.close();
    input.close();
    session.close();
    options.close();
  }

  @Override
  public Workload model() {
    NetworkSpec spec = net.spec();
    return new Workload("forward", null, "ort", net.label(), batch, 1,
        (double) batch * spec.forwardFlopsPerSample(), Traffic.of(net, batch).forwardRead(),
        batch);
  }
}
