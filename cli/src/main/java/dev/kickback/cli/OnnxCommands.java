package dev.kickback.cli;

import dev.kickback.io.ModelFile;
import dev.kickback.onnx.OnnxExport;
import dev.kickback.onnx.OnnxImport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code export} and {@code import}: a model file to ONNX and back. */
final class OnnxCommands {
  private OnnxCommands() {}

  @Command(name = "export", mixinStandardHelpOptions = true, showDefaultValues = true,
      versionProvider = KickbackCli.Version.class,
      description = "Write a model file as ONNX (opset " + OnnxExport.OPSET + "): input x"
          + " [batch, d] float32 in raw units, output y [batch, 1] in target units.")
  static final class Export implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a model saved by train")
    Path model;
    @Option(names = "--onnx", required = true, description = "the ONNX file to write")
    Path onnx;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      ModelFile.Model m = ModelFile.load(model);
      OnnxExport.save(onnx, m.network(), m.standardization());
      spec.commandLine().getOut().println("wrote " + onnx + ": " + m.network().spec()
          + (m.standardization() == null ? "" : ", with its standardization"));
      return 0;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true, showDefaultValues = true,
      versionProvider = KickbackCli.Version.class,
      description = "Read an ONNX ReLU network (Gemm or MatMul+Add and Relu layers, one output,"
          + " as PyTorch exports them; or one written by export) and save it as a model file"
          + " that train's rules can fine-tune and predict can serve.")
  static final class Import implements Callable<Integer> {
    @Option(names = "--onnx", required = true, description = "the ONNX file to read")
    Path onnx;
    @Option(names = "--save", required = true, description = "the model file to write")
    Path save;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      ModelFile.Model m = OnnxImport.load(onnx);
      ModelFile.save(save, m.network(), m.standardization());
      spec.commandLine().getOut().println("saved " + save + ": " + m.network().spec()
          + (m.standardization() == null ? "" : ", with its standardization"));
      return 0;
    }
  }
}
