package dev.kickback.cli;

import dev.kickback.api.Coherence;
import dev.kickback.api.DivergenceException;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import dev.kickback.api.Trainer;
import dev.kickback.cli.data.NumericTable;
import dev.kickback.cli.data.Split;
import dev.kickback.cli.data.Task;
import dev.kickback.cli.training.Config;
import dev.kickback.cli.training.LinearBaseline;
import dev.kickback.cli.training.Nmse;
import dev.kickback.cli.training.RateRule;
import dev.kickback.cli.training.Training;
import dev.kickback.io.ModelFile;
import dev.kickback.io.Standardization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code ./kickback train | predict | eval}: train a network on a numeric file and save it,
 * predict with a saved model, or evaluate one. Files are comma- or whitespace-separated numbers
 * without header. Bad input ends with one line on stderr and a non-zero exit status (2 for
 * usage, 1 for data, model or training errors).
 */
@Command(name = "kickback", mixinStandardHelpOptions = true,
    versionProvider = KickbackCli.Version.class,
    subcommands = {KickbackCli.Train.class, KickbackCli.Predict.class, KickbackCli.Eval.class,
        OnnxCommands.Export.class, OnnxCommands.Import.class},
    description = "Train, apply and evaluate Kickback-J models.")
public final class KickbackCli implements Runnable {

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    } catch (OutOfMemoryError e) {
      System.err.println("kickback: " + outOfMemory());
      status = 1;
    }
    System.exit(status);
  }

  /** What the command was doing, for an out-of-memory message. */
  static volatile String stage = "starting";

  /** One line: the heap there was, what needed more, and how to give more. */
  static String outOfMemory() {
    long max = Runtime.getRuntime().maxMemory();
    return String.format(Locale.ROOT, "out of memory while %s: the Java heap is limited to %d"
        + " MB. Give it more with KICKBACK_JAVA_OPTS, e.g. KICKBACK_JAVA_OPTS=-Xmx%dg"
        + " ./kickback ...", stage, max >> 20, Math.max(2, 2 * ((max >> 30) + 1)));
  }

  /** Runs a command line; returns the exit status. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new KickbackCli());
    cl.setOut(out).setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("kickback: " + ex.getMessage());
      return 2;
    });
    // a bad option value is usage (2), like a bad option; data, model and I/O problems are 1
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      err.println("kickback: " + message(ex));
      return ex instanceof IllegalArgumentException ? 2 : 1;
    });
    return cl.execute(args);
  }

  private static String message(Exception ex) {
    String m = ex.getMessage();
    if (ex instanceof java.nio.file.NoSuchFileException) {
      return "no such file: " + m;
    }
    if (ex instanceof java.nio.file.AccessDeniedException) {
      return m + ": permission denied";
    }
    return m == null ? ex.toString() : m;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this),
        "missing command: train, predict, eval, export or import");
  }

  /**
   * Inputs are every column but the target: a 1-based column number, or a column name from the
   * file's header row; null for a file of inputs only.
   */
  static Task task(Path file, NumericTable t, String target) {
    int cols = t.cols();
    int index = target == null ? -1
        : t.columnOf(target, file.toString(), "--target " + target + ": ");
    int[] inputs = new int[index < 0 ? cols : cols - 1];
    for (int c = 0, k = 0; c < cols; c++) {
      if (c != index) {
        inputs[k++] = c;
      }
    }
    return new Task(file.toString(), file.toString(), index, inputs);
  }

  /** {@code -V}: the version Maven wrote into the jar, or "development build" off a jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      java.util.Properties p = new java.util.Properties();
      try (java.io.InputStream in = KickbackCli.class.getResourceAsStream(
          "/META-INF/maven/dev.kickback/kickback-cli/pom.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"Kickback-J " + p.getProperty("version", "(development build)")
          + ", Java " + Runtime.version()};
    }
  }

  /**
   * A trained network whose test NMSE is above this fraction of the untrained network's
   * learned nothing worth the name.
   */
  static final double LEARNED_NOTHING = 0.99;

  @Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
      versionProvider = Version.class,
      description = "Train on a file and report the held-out NMSE.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "training data file; - for stdin")
    Path data;
    @Option(names = "--target", required = true,
        description = "target column: 1-based number, or a name from the header row")
    String target;
    @Option(names = "--header", description = "the first line is a header (else detected)")
    boolean header;
    @Option(names = "--rule", defaultValue = "kickback", description = "kickback or backprop")
    Rule rule;
    @Option(names = "--hidden", defaultValue = "200,100,10", split = ",",
        description = "hidden widths, input side first")
    int[] hidden;
    @Option(names = "--head", defaultValue = "pair", description = "pair or linear")
    Head head;
    @Option(names = "--coherence", defaultValue = "coherent", description = "free or coherent")
    Coherence coherence;
    @Option(names = "--epochs", defaultValue = "30")
    int epochs;
    @Option(names = "--lr", defaultValue = "0.01")
    float lr;
    @Option(names = "--lr-rule", description = "how --lr is spread over the layers: plain (the"
        + " same everywhere), depth (times (1/sqrt 3)^(hidden layers - 2) beyond two hidden"
        + " layers) or matched (each layer scaled to Backprop's update size on the first rows);"
        + " default: "
        + RateRule.KICKBACK_DEFAULT_LABEL + " for kickback, plain for backprop")
    String lrRule;
    @Option(names = "--batch", defaultValue = "8")
    int batch;
    @Option(names = "--test-fraction", defaultValue = "0.2")
    double testFraction;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Option(names = "--save", description = "write the model here")
    Path save;
    @Option(names = "--strict", description = "exit 3 when the trained network is dead, learned"
        + " nothing, or its test NMSE is undefined")
    boolean strict;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      if (epochs < 1) {
        throw new IllegalArgumentException("--epochs " + epochs + ": must be >= 1");
      }
      if (batch < 1) {
        throw new IllegalArgumentException("--batch " + batch + ": must be >= 1");
      }
      if (!(testFraction > 0 && testFraction < 1)) {
        throw new IllegalArgumentException("--test-fraction " + testFraction
            + ": must be in (0, 1)");
      }
      if (!(lr > 0) || !Float.isFinite(lr)) {
        throw new IllegalArgumentException("--lr " + lr + ": must be finite and > 0");
      }
      if (save != null) {
        checkSaveTarget();
      }
      stage = "reading " + data;
      NumericTable table = NumericTable.read(data, header);
      Task task = task(data, table, target);
      if (task.inputs().length == 0) {
        throw new NumericTable.DataFormatException(data + " has no input columns besides the"
            + " target");
      }
      long testRows = Math.round(table.rows() * testFraction);
      if (testRows < 1 || table.rows() - testRows < 1) {
        throw new IllegalArgumentException("--test-fraction " + testFraction + ": the "
            + table.rows() + " rows of " + data + " cannot be split into a training and a test"
            + " part (" + (table.rows() - testRows) + " and " + testRows + " rows)");
      }
      Split s = Split.of(table, task, testFraction, seed);
      if (batch > s.trainRows) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--batch")) {
          throw new IllegalArgumentException("--batch " + batch + ": larger than the "
              + s.trainRows + " training rows of " + data);
        }
        batch = s.trainRows; // the default is for files of more rows than a batch
      }
      Config c = new Config(rule, head, coherence, hidden, RateRule.parse(lrRule, rule));
      stage = "building a network of " + c.spec(s.width).parameterCount() + " parameters";
      Network net = Network.initialize(c.spec(s.width), seed);
      float[] rates = c.rates().rates(net, lr, s.xTrain, s.yTrain, s.trainRows, s.width);
      Trainer trainer = new Trainer(net, batch);
      PrintWriter out = spec.commandLine().getOut();
      if (c.rates() != RateRule.PLAIN) {
        out.printf(Locale.ROOT, "--lr %s spread by --lr-rule %s: %s per weight layer, input side"
            + " first%n", lr, c.rates().label(), java.util.Arrays.toString(rates));
      }
      stage = "training";
      double untrained = Training.nmse(Training.predict(net, s.xTest, s.testRows, s.width),
          s.yTest);
      int[] epochNow = {0};
      try (ProgressBar pb = new ProgressBarBuilder().setTaskName("train")
          .setInitialMax((long) epochs * s.trainRows).setUnit(" samples", 1)
          .showSpeed().setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(120)
          .continuousUpdate().build()) {
        double[] running = {Double.NaN};
        double[] lowest = {Double.POSITIVE_INFINITY};
        Training.run(trainer, rule, s.width, s.xTrain, s.yTrain, s.trainRows, rates, epochs,
            seed,
            (epoch, b, loss) -> {
              epochNow[0] = epoch;
              running[0] = Double.isNaN(running[0]) ? loss : 0.99 * running[0] + 0.01 * loss;
              lowest[0] = Math.min(lowest[0], running[0]);
              pb.stepBy(b);
              // a loss orders of magnitude above its low is a run going wrong: say so
              double jump = running[0] / lowest[0];
              pb.setExtraMessage(String.format(Locale.ROOT, "epoch %d loss %.4g%s", epoch + 1,
                  running[0], jump >= 100 ? String.format(Locale.ROOT,
                      " (%.0ex its low)", jump) : ""));
            }, null);
      } catch (DivergenceException e) {
        throw new IllegalStateException("epoch " + (epochNow[0] + 1) + ": " + e.getMessage());
      }
      float[] testPred = Training.predict(net, s.xTest, s.testRows, s.width);
      double nmse = Training.nmse(testPred, s.yTest);
      String dead = Training.collapse(net, s.xTrain, s.trainRows, s.width, testPred);
      if (save != null) { // before anything optional: the linear baseline can be slow
        ModelFile.save(save, net, s.standardization);
        out.println("saved " + save);
      }
      if (Double.isNaN(nmse)) {
        out.printf(Locale.ROOT, "WARNING: test NMSE undefined: the target is constant over the"
            + " %d test row%s, so no error can be normalized by its variance. Use more rows or a"
            + " larger --test-fraction; 'kickback eval' on other data measures the model.%n",
            s.testRows, s.testRows == 1 ? "" : "s");
        return strict ? 3 : 0;
      }
      out.printf(Locale.ROOT, "test NMSE %.6f (%s)%n", nmse, LinearBaseline.describe(s));
      if (dead != null) {
        out.printf(Locale.ROOT, "WARNING: the network died in training: %s, so it predicts one"
            + " value. Likely cause: --lr %s is too high for this network. Try a lower --lr,"
            + " --coherence coherent, or --rule %s.%n", dead, lr,
            rule == Rule.KICKBACK ? "backprop" : "kickback");
        return strict ? 3 : 0;
      }
      if (nmse > LEARNED_NOTHING * untrained) {
        out.printf(Locale.ROOT, "WARNING: the model learned nothing: test NMSE %.4f, and %.4f"
            + " before training. If --lr %s is small, try a larger one or more --epochs.%n",
            nmse, untrained, lr);
        return strict ? 3 : 0;
      }
      return 0;
    }

    /** Fails before any training when the model could not be written where --save says. */
    private void checkSaveTarget() {
      Path folder = save.toAbsolutePath().getParent();
      String why = null;
      if (Files.isDirectory(save)) {
        why = "is a directory";
      } else if (folder == null || !Files.isDirectory(folder)) {
        why = "folder " + folder + " does not exist";
      } else if (!Files.isWritable(folder)) {
        why = "folder " + folder + " is not writable (permission denied)";
      }
      if (why == null) {
        try {
          ModelFile.checkWritable(save); // what the save does first, tried before training
        } catch (IOException e) {
          why = e.getMessage();
        }
      }
      if (why != null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--save " + save + ": " + why);
      }
    }
  }

  /**
   * The predictions, in the target's units, of the model at {@code model} for every row of
   * {@code t} (its {@code task.inputs()} columns, raw), checked against the model's width.
   */
  static double[] predictRaw(Path model, Path data, NumericTable t, Task task)
      throws IOException {
    ModelFile.Model m = ModelFile.load(model);
    Standardization std = m.standardization();
    if (std == null) {
      throw new dev.kickback.io.ModelFormatException(model + " was saved without its"
          + " standardization; save it with 'kickback train --save'");
    }
    int d = task.inputs().length;
    if (d != m.network().spec().inputWidth()) {
      throw new NumericTable.DataFormatException(data + " has " + d + " input columns, the"
          + " model takes " + m.network().spec().inputWidth());
    }
    double[] raw = new double[t.rows() * d];
    for (int r = 0; r < t.rows(); r++) {
      for (int c = 0; c < d; c++) {
        raw[r * d + c] = t.get(r, task.inputs()[c]);
      }
    }
    float[] pred = Training.predict(m.network(), std.inputs(raw, t.rows()), t.rows(), d);
    double[] out = new double[pred.length];
    for (int r = 0; r < pred.length; r++) {
      out[r] = std.target(pred[r]);
    }
    return out;
  }

  @Command(name = "predict", mixinStandardHelpOptions = true, showDefaultValues = true,
      versionProvider = Version.class,
      description = "Print one prediction per input row, in target units.")
  static final class Predict implements Callable<Integer> {
    @Option(names = "--model", required = true)
    Path model;
    @Option(names = "--data", required = true, description = "input columns only; - for stdin")
    Path data;
    @Option(names = "--header", description = "the first line is a header (else detected)")
    boolean header;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      NumericTable t = NumericTable.read(data, header);
      PrintWriter out = spec.commandLine().getOut();
      for (double p : predictRaw(model, data, t, task(data, t, null))) {
        out.println(p);
      }
      return 0;
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true,
      versionProvider = Version.class,
      description = "Print the model's NMSE on a file with the target.")
  static final class Eval implements Callable<Integer> {
    @Option(names = "--model", required = true)
    Path model;
    @Option(names = "--data", required = true)
    Path data;
    @Option(names = "--target", required = true,
        description = "target column: 1-based number, or a name from the header row")
    String target;
    @Option(names = "--header", description = "the first line is a header (else detected)")
    boolean header;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      NumericTable t = NumericTable.read(data, header);
      Task task = task(data, t, target);
      double[] pred = predictRaw(model, data, t, task);
      double[] y = new double[t.rows()];
      double se = 0;
      for (int r = 0; r < t.rows(); r++) {
        y[r] = t.get(r, task.target());
        se += (y[r] - pred[r]) * (y[r] - pred[r]);
      }
      double nmse = Nmse.of(pred, y);
      if (Double.isNaN(nmse)) {
        throw new NumericTable.DataFormatException(data + ": the NMSE is undefined: the target"
            + " is constant over its " + t.rows() + " row" + (t.rows() == 1 ? "" : "s"));
      }
      spec.commandLine().getOut().printf(Locale.ROOT, "NMSE %.6f (MSE %.6g over %d rows)%n",
          nmse, se / t.rows(), t.rows());
      return 0;
    }
  }
}
