package dev.kickback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.cli.KickbackCli;
import dev.kickback.testkit.SyntheticRegression;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, and every bad input giving one line and a non-zero exit. */
class CliTest {
  @TempDir
  Path dir;
  Path data;
  Path inputs;

  private record Run(int status, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = KickbackCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  /** 600 rows: 4 inputs, the target in column 3 (1-based), in raw units (scaled, shifted). */
  @BeforeEach
  void files() throws Exception {
    SyntheticRegression s = SyntheticRegression.generate(600, 4, 3);
    StringBuilder all = new StringBuilder();
    StringBuilder in = new StringBuilder();
    for (int r = 0; r < s.rows(); r++) {
      float[] x = java.util.Arrays.copyOfRange(s.x(), r * 4, r * 4 + 4);
      all.append(String.format(Locale.ROOT, "%f,%f,%f,%f,%f%n", x[0], x[1],
          100 + 10 * s.y()[r], x[2], x[3]));
      in.append(String.format(Locale.ROOT, "%f\t%f\t%f\t%f%n", x[0], x[1], x[2], x[3]));
    }
    data = dir.resolve("data.csv");
    inputs = dir.resolve("inputs.txt");
    Files.writeString(data, all);
    Files.writeString(inputs, in);
  }

  @Test
  void unixHabits() throws Exception {
    Run help = cli("train", "--help");
    assertEquals(0, help.status(), help.err());
    assertTrue(help.out().contains("--target"), help.out());
    Path named = dir.resolve("named.csv");
    Files.writeString(named, "a,b,c,y,d\n" + Files.readString(data));
    Run byName = cli("train", "--data", named.toString(), "--target", "y", "--epochs", "1");
    assertEquals(0, byName.status(), byName.err());
    fails(2, "--target z: no such column in " + named + "'s header [a, b, c, y, d]", "train",
        "--data", named.toString(), "--target", "z");
    fails(2, "--target y: " + data + " has no header row to name columns; give a 1-based"
        + " column number", "train", "--data", data.toString(), "--target", "y");
    fails(2, "--test-fraction 0.9999: the 600 rows of " + data + " cannot be split into a"
        + " training and a test part (0 and 600 rows)", "train", "--data", data.toString(),
        "--target", "3", "--test-fraction", "0.9999");
    Path model = dir.resolve("m.kbk");
    assertEquals(0, cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--save", model.toString()).status());
    Path constant = dir.resolve("constant.csv");
    Files.writeString(constant, "1,2,5,3,4\n2,3,5,4,5\n");
    fails(1, constant + ": the NMSE is undefined: the target is constant over its 2 rows",
        "eval", "--model", model.toString(), "--data", constant.toString(), "--target", "3");
  }

  @Test
  void aDeadNetworkIsNamedInTheLastLineAndStrictExitsThree() {
    String[] args = {"train", "--data", data.toString(), "--target", "3", "--epochs", "5",
        "--hidden", "32,16", "--lr", "10"};
    Run dead = cli(args);
    assertEquals(0, dead.status(), dead.err());
    String last = dead.out().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("WARNING: the network died in training: "), dead.out());
    assertTrue(last.endsWith("Try a lower --lr, --coherence coherent, or --rule backprop."),
        last);
    String[] strict = java.util.Arrays.copyOf(args, args.length + 1);
    strict[args.length] = "--strict";
    assertEquals(3, cli(strict).status());
  }

  /**
   * --lr-rule: Kickback's default spreads the rate by depth (and says so: (1/sqrt 3)^2 at four
   * hidden layers), Backprop's is plain (nothing said), a name that is none of the three is an
   * option error.
   */
  @Test
  void theRateRuleDefaultsToDepthForKickbackAndPlainForBackprop() {
    Run kickback = cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--hidden", "8,8,8,8", "--lr", "0.03");
    assertEquals(0, kickback.status(), kickback.err());
    assertTrue(kickback.out().contains("--lr 0.03 spread by --lr-rule depth: [0.01, 0.01, 0.01,"
        + " 0.01, 0.01] per weight layer"), kickback.out());
    Run backprop = cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--hidden", "8,8,8,8", "--rule", "backprop");
    assertEquals(0, backprop.status(), backprop.err());
    assertFalse(backprop.out().contains("--lr-rule"), backprop.out());
    fails(2, "--lr-rule steep: expected plain, depth or matched", "train", "--data",
        data.toString(), "--target", "3", "--lr-rule", "steep");
  }

  @Test
  void sizesStandardInputAndWideFiles() throws Exception {
    fails(2, "a network of 4 inputs and hidden widths [50000, 50000] has 2500400002"
        + " parameters: at most 268435456 (1 GiB of floats) are allowed", "train", "--data",
        data.toString(), "--target", "3", "--hidden", "50000,50000");
    Path model = dir.resolve("m.kbk");
    assertEquals(0, cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--save", model.toString()).status());
    Run fromFile = cli("predict", "--model", model.toString(), "--data", inputs.toString());
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(Files.newInputStream(inputs));
      Run fromStdin = cli("predict", "--model", model.toString(), "--data", "-");
      assertEquals(0, fromStdin.status(), fromStdin.err());
      assertEquals(fromFile.out(), fromStdin.out(), "- reads standard input");
    } finally {
      System.setIn(stdin);
    }
    // 2001 inputs: trained and saved, the linear baseline skipped and said so
    StringBuilder wide = new StringBuilder();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
    for (int r = 0; r < 20; r++) {
      for (int c = 0; c < 2002; c++) {
        wide.append(c == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f",
            rnd.nextGaussian()));
      }
      wide.append('\n');
    }
    Path widePath = dir.resolve("wide.csv");
    Files.writeString(widePath, wide);
    Path wideModel = dir.resolve("wide.kbk");
    Run trained = cli("train", "--data", widePath.toString(), "--target", "1", "--epochs", "1",
        "--hidden", "2", "--save", wideModel.toString());
    assertEquals(0, trained.status(), trained.err());
    assertTrue(trained.out().contains("saved " + wideModel + "\ntest NMSE ")
        || trained.out().contains("saved " + wideModel + "\r\ntest NMSE "), trained.out());
    assertTrue(trained.out().contains("(linear baseline skipped: 2001 inputs, over 2000)"),
        trained.out());
  }

  @Test
  void aSaveTargetThatCannotBeWrittenFailsBeforeTraining() {
    Run root = cli("train", "--data", data.toString(), "--target", "3", "--save", "/");
    assertEquals(2, root.status());
    assertEquals("kickback: --save /: is a directory\n", root.err().replace("\r", ""));
    assertEquals("", root.out(), "nothing trained");
    Path missing = dir.resolve("no-such-folder").resolve("m.kbk");
    Run folder = cli("train", "--data", data.toString(), "--target", "3", "--save",
        missing.toString());
    assertEquals(2, folder.status());
    assertEquals("kickback: --save " + missing + ": folder " + missing.getParent()
        + " does not exist\n", folder.err().replace("\r", ""));
  }

  @Test
  void spaceSeparatedFilesReadLikeTabSeparatedOnes() throws Exception {
    Path spaced = dir.resolve("spaced.txt");
    Files.writeString(spaced, Files.readString(inputs).replace("\t", "   "));
    var a = dev.kickback.cli.data.NumericTable.read(inputs);
    var b = dev.kickback.cli.data.NumericTable.read(spaced);
    assertEquals(a.rows(), b.rows());
    assertEquals(a.cols(), b.cols());
    assertTrue(java.util.Arrays.equals(a.values(), b.values()));
  }

  @Test
  void trainSavePredictEval() throws Exception {
    Path model = dir.resolve("m.kbk");
    Run train = cli("train", "--data", data.toString(), "--target", "3", "--epochs", "40",
        "--lr", "0.03", "--hidden", "32,16", "--save", model.toString());
    assertEquals(0, train.status(), train.err());
    String line = train.out().lines().filter(l -> l.startsWith("test NMSE")).findFirst()
        .orElseThrow();
    assertTrue(line.matches("test NMSE \\d+\\.\\d+ \\(linear \\d+\\.\\d+\\)"), line);
    double nmse = Double.parseDouble(line.split(" ")[2]);
    double linear = Double.parseDouble(line.split("[ ()]+")[4]);
    assertTrue(nmse < 0.5 * linear, line);
    Run predict = cli("predict", "--model", model.toString(), "--data", inputs.toString());
    assertEquals(0, predict.status(), predict.err());
    String[] preds = predict.out().strip().split("\n");
    assertEquals(600, preds.length);
    // predictions are in the target's units: around 100 with spread about 10
    double mean = java.util.Arrays.stream(preds).mapToDouble(Double::parseDouble).average()
        .orElseThrow();
    assertTrue(Math.abs(mean - 100) < 3, "mean prediction " + mean);
    Run eval = cli("eval", "--model", model.toString(), "--data", data.toString(), "--target",
        "3");
    assertEquals(0, eval.status(), eval.err());
    assertTrue(eval.out().startsWith("NMSE "), eval.out());
  }

  private void fails(int status, String message, String... args) {
    Run r = cli(args);
    assertEquals(status, r.status(), r.err());
    assertEquals("kickback: " + message, r.err().strip());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void badInputs() throws Exception {
    Path model = dir.resolve("m.kbk");
    assertEquals(0, cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--save", model.toString()).status());
    fails(2, "Missing required option: '--target=<target>'", "train", "--data", data.toString());
    fails(1, "no such file: " + dir.resolve("nope.csv"), "train", "--data",
        dir.resolve("nope.csv").toString(), "--target", "1");
    fails(2, "--target 6: " + data + " has 5 columns (1-based)", "train", "--data",
        data.toString(), "--target", "6");
    fails(2, "--lr -1.0: must be finite and > 0", "train", "--data", data.toString(),
        "--target", "3", "--lr", "-1");
    fails(2, "--test-fraction 1.0: must be in (0, 1)", "train", "--data", data.toString(),
        "--target", "3", "--test-fraction", "1");
    fails(2, "Invalid value for option '--rule': expected one of [BACKPROP, KICKBACK]"
        + " (case-insensitive) but was 'sgd'", "train", "--data", data.toString(), "--target",
        "3", "--rule", "sgd");
    Path broken = dir.resolve("broken.csv");
    Files.writeString(broken, "1,2,3\n4,x,6\n");
    fails(1, broken + ":2: column 2: 'x' is not a plain decimal number", "train", "--data",
        broken.toString(), "--target", "1");
    fails(1, data + " has 5 input columns, the model takes 4", "predict", "--model",
        model.toString(), "--data", data.toString());
    Path garbage = dir.resolve("garbage.kbk");
    Files.write(garbage, new byte[40]);
    fails(1, garbage + ": not a Kickback-J model: the file does not start with \"KBKJMODL\"",
        "predict", "--model", garbage.toString(), "--data", inputs.toString());
    Run diverged = cli("train", "--data", data.toString(), "--target", "3", "--lr", "1e30");
    assertEquals(1, diverged.status());
    assertTrue(diverged.err().startsWith("kickback: epoch 1: training step diverged: "),
        diverged.err());
    assertTrue(diverged.err().contains("lower learning rate"), diverged.err());
  }

  @Test
  void anUndefinedOrUntrainedResultIsNamedAndStrictExitsThree() throws Exception {
    Path constant = dir.resolve("constant.csv");
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < 50; r++) {
      sb.append(r % 7).append(',').append(r % 5).append(",2.5\n");
    }
    Files.writeString(constant, sb);
    String[] args = {"train", "--data", constant.toString(), "--target", "3", "--epochs", "1"};
    Run undefined = cli(args);
    assertEquals(0, undefined.status(), undefined.err());
    assertFalse(undefined.out().contains("NaN"), undefined.out());
    assertTrue(undefined.out().contains("WARNING: test NMSE undefined: the target is constant"
        + " over the 10 test rows"), undefined.out());
    String[] strict = java.util.Arrays.copyOf(args, args.length + 1);
    strict[args.length] = "--strict";
    assertEquals(3, cli(strict).status());
    Run untrained = cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--lr", "1e-12", "--strict");
    assertEquals(3, untrained.status(), untrained.out());
    assertTrue(untrained.out().contains("WARNING: the model learned nothing: test NMSE"),
        untrained.out());
  }

  @Test
  void aBatchLargerThanTheTrainingPartIsRefused() {
    fails(2, "--batch 100000: larger than the 480 training rows of " + data, "train", "--data",
        data.toString(), "--target", "3", "--batch", "100000");
  }

  @Test
  void helpShowsDefaultsAndVersionPrintsOne() {
    Run help = cli("train", "--help");
    assertTrue(help.out().contains("Default: 0.01"), help.out());
    Run version = cli("train", "-V");
    assertEquals(0, version.status());
    assertTrue(version.out().startsWith("Kickback-J "), version.out());
  }

  @Test
  void outOfMemorySaysWhatNeededItAndHowToGiveMore() {
    KickbackCli.stage = "reading big.csv";
    String m = KickbackCli.outOfMemory();
    assertTrue(m.matches("out of memory while reading big\\.csv: the Java heap is limited to"
        + " \\d+ MB\\. Give it more with KICKBACK_JAVA_OPTS, e\\.g\\. KICKBACK_JAVA_OPTS=-Xmx\\d+g"
        + " \\./kickback \\.\\.\\."), m);
  }

  @Test
  void savedModelsGetThePermissionsOfAPlainFile() throws Exception {
    Path model = dir.resolve("perm.kbk");
    assertEquals(0, cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--save", model.toString()).status());
    Path plain = Files.createFile(dir.resolve("plain.txt"));
    if (Files.getFileStore(model).supportsFileAttributeView("posix")) {
      assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(model));
    }
    try (var files = Files.list(dir)) {
      assertEquals(0, files.filter(f -> f.toString().endsWith(".tmp")).count(), "temp left");
    }
  }

  @Test
  void aSaveFolderWhereNoFileCanBeCreatedFailsBeforeTraining() {
    Path proc = Path.of("/proc/m.kbk");
    if (!Files.isDirectory(proc.getParent())) {
      return; // not Linux
    }
    Run r = cli("train", "--data", data.toString(), "--target", "3", "--save", proc.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("kickback: --save /proc/m.kbk: "), r.err());
    assertEquals("", r.out(), "nothing trained");
  }

  @Test
  void exportThenImportGivesBackTheSameModelFile() throws Exception {
    Path model = dir.resolve("m.kbk");
    assertEquals(0, cli("train", "--data", data.toString(), "--target", "3", "--epochs", "1",
        "--hidden", "6,3", "--save", model.toString()).status());
    Path onnx = dir.resolve("m.onnx");
    Run export = cli("export", "--model", model.toString(), "--onnx", onnx.toString());
    assertEquals(0, export.status(), export.err());
    assertEquals("wrote " + onnx + ": 4 -> 6 -> 3 -> PAIR (COHERENT), with its"
        + " standardization\n", export.out().replace("\r", ""));
    Path back = dir.resolve("back.kbk");
    Run imported = cli("import", "--onnx", onnx.toString(), "--save", back.toString());
    assertEquals(0, imported.status(), imported.err());
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(model), Files.readAllBytes(back)));
  }

  @Test
  void aBadOnnxFileIsOneLineAndExitOne() throws Exception {
    Path bad = dir.resolve("bad.onnx");
    Files.write(bad, new byte[] {0x0a, 0x7f, 0x01}); // a field claiming 127 bytes, holding 1
    Path save = dir.resolve("never.kbk");
    Run r = cli("import", "--onnx", bad.toString(), "--save", save.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("kickback: " + bad + ": not a readable ONNX model: "),
        r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(Files.exists(save), "nothing saved");
  }
}
