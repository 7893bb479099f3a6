package dev.kickback.flink.example;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.Rule;
import dev.kickback.cli.data.NumericTable;
import dev.kickback.cli.data.Split;
import dev.kickback.cli.data.Task;
import dev.kickback.cli.training.Config;
import dev.kickback.cli.training.RateRule;
import dev.kickback.cli.training.Training;
import dev.kickback.flink.KickbackStreams;
import dev.kickback.flink.LearnerConfig;
import dev.kickback.flink.NmseReport;
import dev.kickback.flink.Rejected;
import dev.kickback.flink.Sample;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./kickback stream}: replays a numeric file as a stream on a local Flink MiniCluster,
 * one online model per target column, printing each model's prequential NMSE as it goes and at
 * the end, beside the test NMSE of the same network batch-trained as {@code ./kickback train}
 * trains it. The same job runs on a cluster from the job jar ({@code flink run}).
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Learn one model per target column online on Flink, replaying a file as a"
        + " stream; print each model's prequential NMSE beside the batch-trained CLI's test"
        + " NMSE.")
public final class StreamMain implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "numeric file, as the CLI reads")
  Path data;
  @Option(names = "--targets", required = true, description = "target columns, 1-based: a"
      + " range 22-28, a list 22,24, or header names; every other column is an input")
  String targets;
  @Option(names = "--header", description = "the first line is a header (else detected)")
  boolean header;
  @Option(names = "--parallelism", defaultValue = "2", description = "learner parallelism")
  int parallelism;
  @Option(names = "--rule", defaultValue = "kickback", description = "kickback or backprop")
  Rule rule;
  @Option(names = "--hidden", defaultValue = "200,100,10", split = ",")
  int[] hidden;
  @Option(names = "--head", defaultValue = "pair")
  Head head;
  @Option(names = "--coherence", defaultValue = "coherent")
  Coherence coherence;
  @Option(names = "--lr", defaultValue = "0.01")
  float lr;
  @Option(names = "--lr-rule", description = "plain or depth; default depth for kickback, plain"
      + " for backprop, as the CLI")
  String lrRule;
  @Option(names = "--batch", defaultValue = "1", description = "the stream's micro-batch")
  int batch;
  @Option(names = "--report-every", defaultValue = "1000",
      description = "print each model's NMSE every N samples")
  int reportEvery;
  @Option(names = "--epochs", defaultValue = "30",
      description = "epochs of the batch-trained comparison (the CLI's default); 0 skips it")
  int epochs;
  @Option(names = "--seed", defaultValue = "1")
  long seed;
  @Option(names = "--backoff", defaultValue = "0.5", description = "stability policy: the"
      + " factor on a key's rate after a diverged step, a blow-up or --patience windows without"
      + " progress; 1: off")
  float backoff;
  @Option(names = "--window", defaultValue = "5000", description = "stability policy: trained"
      + " samples per window")
  int window;
  @Option(names = "--patience", defaultValue = "0", description = "stability policy: windows"
      + " without a new best before the rate backs off; 0: never for that reason")
  int patience;
  @Option(names = "--min-rate-scale", defaultValue = "0.015625", description = "stability"
      + " policy: the lowest fraction of --lr a key backs off to")
  float minRateScale;
  @Option(names = "--checkpoint-interval", defaultValue = "10", description = "seconds between"
      + " checkpoints, so that a failed task restarts from the last one; 0: none (a failure"
      + " then fails the job)")
  int checkpointSeconds;
  @Option(names = "--output", description = "write the NMSE reports and rejected records into"
      + " files in this directory (Flink's FileSink, exactly once) instead of collecting them to"
      + " this process: what a submission through the REST API or the web UI needs, where no"
      + " client reads the job. With a client (./kickback stream, flink run) the table is"
      + " printed from the files once the job ends; submitted without one, main returns at once")
  Path output;
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * Set by {@code ./kickback stream}: exit the JVM with the command's status. Without it,
   * {@code main} returns, or throws on a failure, as a job's main must when Flink runs it inside
   * the JobManager (a submission through the REST API or the web UI), where exiting would stop
   * the JobManager.
   */
  public static final String EXIT_PROPERTY = "kickback.stream.exit";

  public static void main(String[] args) {
    int status = commandLine(new PrintWriter(System.err, true)).execute(args);
    if (Boolean.getBoolean(EXIT_PROPERTY)) {
      System.exit(status);
    }
    if (status != 0) {
      throw new IllegalStateException("kickback stream failed with status " + status
          + " (the message above says why)");
    }
  }

  /**
   * The command, its errors one line on {@code err}: exit 2 for a bad option, 1 for bad data or
   * a failed job.
   */
  static CommandLine commandLine(PrintWriter err) {
    CommandLine cl = new CommandLine(new StreamMain());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("kickback stream: " + ex.getMessage());
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      err.println("kickback stream: " + (ex.getMessage() == null ? ex : ex.getMessage()));
      return ex instanceof IllegalArgumentException ? 2 : 1;
    });
    return cl;
  }

  @Override
  public Integer call() throws Exception {
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism " + parallelism + ": must be >= 1");
    }
    if (reportEvery < 1) {
      throw new IllegalArgumentException("--report-every " + reportEvery + ": must be >= 1");
    }
    if (epochs < 0) {
      throw new IllegalArgumentException("--epochs " + epochs + ": must be >= 0");
    }
    if (checkpointSeconds < 0) {
      throw new IllegalArgumentException("--checkpoint-interval " + checkpointSeconds
          + ": must be >= 0 seconds");
    }
    if (output != null && java.nio.file.Files.isDirectory(output)) {
      try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(output)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--output " + output + " is not empty: this run's"
              + " files would mix with what is there");
        }
      }
    }
    RateRule rates = rateRule();
    PrintWriter out = spec.commandLine().getOut();
    NumericTable table = NumericTable.read(data, header);
    int[] cols = Targets.parse(targets, table);
    Replay replay = Replay.of(table, cols);
    LearnerConfig config = LearnerConfig.paper(replay.width()).hidden(hidden)
        .network(head, coherence)
        .rule(rule, lr, rates == RateRule.DEPTH ? LearnerConfig.Rates.DEPTH
            : LearnerConfig.Rates.PLAIN)
        .batch(batch).seed(seed).every(reportEvery, 0)
        .stability(backoff, window, patience, minRateScale);
    out.printf(Locale.ROOT, "%s: %d rows; %d models (one per target), %d inputs each;"
        + " %d records, replayed in file order at parallelism %d%n", data, table.rows(),
        cols.length, replay.width(), replay.records(), parallelism);
    out.println("each model: " + config);
    out.println("inputs and targets standardized with the whole file's mean and sd");

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    if (checkpointSeconds > 0) {
      env.enableCheckpointing(checkpointSeconds * 1000L);
    }
    KickbackStreams.Learning l = KickbackStreams.learn(env.fromSource(
        new DataGeneratorSource<>(replay, replay.records(), TypeInformation.of(Sample.class)),
        WatermarkStrategy.noWatermarks(), "file").setParallelism(1), config);
    DataStream<Output> outputs = l.nmse().map(Output::of).returns(Output.class)
        .union(l.rejected().map(Output::of).returns(Output.class));
    Results results = new Results(replay.keys());
    long start = System.nanoTime();
    String name = "kickback stream " + data.getFileName();
    if (output != null) {
      outputs.map(Output::record).returns(String.class)
          .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(
              output.toAbsolutePath().toUri()), new SimpleStringEncoder<String>())
              .withBucketAssigner(new BasePathBucketAssigner<>()).build())
          .name("report files");
      JobExecutionResult r = env.execute(name);
      if (r instanceof DetachedJobExecutionResult) {
        out.println("submitted job " + r.getJobID() + " without a client; its reports go to "
            + output.toAbsolutePath());
        return 0;
      }
      for (String record : Output.readRecords(output)) {
        results.add(Output.parse(record));
      }
    } else {
      // One collected stream, drained as it arrives: with two, the one not being read fills its
      // sink's buffer and stalls the job (seen with many rejected records).
      CloseableIterator<Output> collected = outputs.collectAsync();
      env.executeAsync(name);
      while (collected.hasNext()) {
        Output o = collected.next();
        results.add(o);
        if (o.nmse != null) {
          out.println(o.line());
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "streamed %d records in %.1f s (%.0f records/s, job start"
        + " included); %d rejected%s%n", replay.records(), seconds, replay.records() / seconds,
        results.rejected, results.firstRejected == null ? "" : ", first: "
            + results.firstRejected);

    out.printf(Locale.ROOT, "%n%-8s %12s %12s %9s %14s%n", "target", "stream NMSE",
        "recent NMSE", "rejected", epochs > 0 ? "batch NMSE" : "");
    out.printf(Locale.ROOT, "%-8s %12s %12s %9s %14s%n", "", "(1 pass)", "(last report)", "",
        epochs > 0 ? "(" + epochs + " epochs)" : "");
    NumericTable distinct = epochs > 0 ? table.distinctRows() : null;
    for (int t = 0; t < cols.length; t++) {
      String key = replay.keys().get(t);
      NmseReport r = results.last.get(key);
      String batchNmse = epochs > 0 ? String.format(Locale.ROOT, "%.4f",
          batchTrained(distinct, cols, t, rates)) : "";
      out.printf(Locale.ROOT, "%-8s %12s %12s %9d %14s%n", key,
          r == null ? "none" : String.format(Locale.ROOT, "%.4f", r.nmse()),
          r == null ? "none" : String.format(Locale.ROOT, "%.4f", r.recentNmse()),
          results.rejectedPerKey.get(key), batchNmse);
    }
    if (epochs > 0) {
      out.println("batch NMSE: ./kickback train's protocol with the same network and inputs"
          + " (seeded 80/20 split, batch 8, the same --lr and --lr-rule); NMSE on the held-out"
          + " 20%");
      if (distinct.rows() < table.rows()) {
        out.printf(Locale.ROOT, "  split over the file's %d distinct rows: %d rows repeat"
            + " earlier ones, and their copies would put held-out rows in training%n",
            distinct.rows(), table.rows() - distinct.rows());
      }
    }
    return 0;
  }

  /**
   * The held-out NMSE of target {@code t} trained as {@code ./kickback train} does, on
   * {@code table}'s rows (the file's distinct rows: see {@link NumericTable#distinctRows}).
   */
  private double batchTrained(NumericTable table, int[] cols, int t, RateRule rates) {
    Task task = new Task(table.source(), table.source(), cols[t], Replay.inputs(table, cols));
    Split s = Split.of(table, task, 0.2, seed);
    Config c = new Config(rule, head, coherence, hidden, rates);
    Network net = Training.train(c, s.width, s.xTrain, s.yTrain, s.trainRows, lr, epochs,
        Math.min(8, s.trainRows), seed, null);
    return net == null ? Double.NaN : Training.nmse(net, s.xTest, s.yTest, s.testRows, s.width);
  }

  /** What the job reported, per key: the last NMSE report and the records rejected. */
  private static final class Results {
    final Map<String, NmseReport> last = new LinkedHashMap<>();
    final Map<String, Long> rejectedPerKey = new LinkedHashMap<>();
    long rejected;
    String firstRejected;

    Results(List<String> keys) {
      for (String k : keys) {
        last.put(k, null);
        rejectedPerKey.put(k, 0L);
      }
    }

    void add(Output o) {
      if (o.rejected != null) {
        Rejected r = o.rejected;
        rejected++;
        rejectedPerKey.merge(r.key(), 1L, Long::sum);
        if (firstRejected == null) {
          firstRejected = r.key() + " record " + r.seq() + ": " + r.reason();
        }
      } else {
        NmseReport r = o.nmse;
        NmseReport before = last.get(r.key());
        if (before == null || r.samples() >= before.samples()) {
          last.put(r.key(), r); // files are read in no particular order
        }
      }
    }
  }

  /**
   * One element of the job's output: an NMSE report or a rejected record (the other null). A
   * POJO for Flink's serializer. Printed as a line for people ({@link #line}), written into
   * {@code --output}'s files as a tab-separated record ({@link #record}): {@code nmse KEY
   * SAMPLES NMSE RECENT_NMSE RECENT_SAMPLES VERSION} (the NMSEs exact) or {@code rejected KEY
   * SEQ REASON}.
   */
  public static final class Output {
    public NmseReport nmse;
    public Rejected rejected;

    public Output() {}

    static Output of(NmseReport r) {
      Output o = new Output();
      o.nmse = r;
      return o;
    }

    static Output of(Rejected r) {
      Output o = new Output();
      o.rejected = r;
      return o;
    }

    /** An NMSE report as the command prints it. */
    String line() {
      return String.format(Locale.ROOT, "%-8s %6d samples  prequential NMSE %.4f  (last %d:"
          + " %.4f)", nmse.key(), nmse.samples(), nmse.nmse(), nmse.recentSamples(),
          nmse.recentNmse());
    }

    String record() {
      if (rejected != null) {
        return String.join("\t", "rejected", rejected.key(), Long.toString(rejected.seq()),
            rejected.reason().replace('\t', ' ').replace('\n', ' '));
      }
      return String.join("\t", "nmse", nmse.key(), Long.toString(nmse.samples()),
          Double.toString(nmse.nmse()), Double.toString(nmse.recentNmse()),
          Long.toString(nmse.recentSamples()), Long.toString(nmse.modelVersion()));
    }

    static Output parse(String record) {
      String[] f = record.split("\t");
      if (f[0].equals("rejected") && f.length == 4) {
        return of(new Rejected(f[1], Long.parseLong(f[2]), f[3]));
      }
      if (f[0].equals("nmse") && f.length == 7) {
        return of(new NmseReport(f[1], Long.parseLong(f[2]), Double.parseDouble(f[3]),
            Double.parseDouble(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6])));
      }
      throw new IllegalArgumentException("not a kickback stream output record: " + record);
    }

    /** Every record in the finished files FileSink wrote under {@code dir}. */
    static List<String> readRecords(Path dir) throws java.io.IOException {
      List<String> lines = new ArrayList<>();
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
        for (Path f : files.filter(java.nio.file.Files::isRegularFile)
            .filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
          lines.addAll(java.nio.file.Files.readAllLines(f));
        }
      }
      return lines;
    }
  }

  /** {@code --lr-rule} as the CLI reads it, less {@code matched}, which needs data up front. */
  private RateRule rateRule() {
    RateRule r = RateRule.parse(lrRule, rule);
    if (r == RateRule.MATCHED) {
      throw new IllegalArgumentException("--lr-rule matched: a stream has no training rows up"
          + " front to match the rates on; use plain or depth");
    }
    return r;
  }

  /**
   * The file as a stream: record {@code i} is row {@code i / T}'s sample for target
   * {@code i % T}, keyed by the target's name. Serialized into the job graph with the file's
   * standardized values.
   */
  static final class Replay implements GeneratorFunction<Long, Sample> {
    private static final long serialVersionUID = 1L;
    private final List<String> keys;
    private final int width;
    private final float[] x; // [rows][width]
    private final float[][] y; // [targets][rows]

    private Replay(List<String> keys, int width, float[] x, float[][] y) {
      this.keys = keys;
      this.width = width;
      this.x = x;
      this.y = y;
    }

    static Replay of(NumericTable table, int[] targets) {
      int[] inputs = inputs(table, targets);
      if (inputs.length == 0) {
        throw new NumericTable.DataFormatException(table.source()
            + " has no input columns besides the targets");
      }
      int rows = table.rows();
      int[] allRows = java.util.stream.IntStream.range(0, rows).toArray();
      float[] x = new float[rows * inputs.length];
      for (int c = 0; c < inputs.length; c++) {
        float[] col = standardized(table, inputs[c], allRows);
        for (int r = 0; r < rows; r++) {
          x[r * inputs.length + c] = col[r];
        }
      }
      float[][] y = new float[targets.length][];
      List<String> keys = new ArrayList<>();
      for (int t = 0; t < targets.length; t++) {
        y[t] = standardized(table, targets[t], allRows);
        keys.add(table.names() != null ? table.names().get(targets[t])
            : "col" + (targets[t] + 1));
      }
      return new Replay(List.copyOf(keys), inputs.length, x, y);
    }

    /** Every column that is not a target. */
    static int[] inputs(NumericTable table, int[] targets) {
      boolean[] target = new boolean[table.cols()];
      for (int t : targets) {
        target[t] = true;
      }
      int[] in = new int[table.cols() - targets.length];
      for (int c = 0, k = 0; c < table.cols(); c++) {
        if (!target[c]) {
          in[k++] = c;
        }
      }
      return in;
    }

    /** Column {@code col} standardized with its mean and sd over the whole file. */
    private static float[] standardized(NumericTable table, int col, int[] allRows) {
      double[] ms = Split.meanAndSd(table, col, allRows, allRows.length);
      float[] v = new float[allRows.length];
      for (int r = 0; r < v.length; r++) {
        v[r] = (float) ((table.get(r, col) - ms[0]) / ms[1]);
      }
      return v;
    }

    List<String> keys() {
      return keys;
    }

    int width() {
      return width;
    }

    long records() {
      return (long) y[0].length * y.length;
    }

    @Override
    public Sample map(Long i) {
      int t = (int) (i % y.length);
      int r = (int) (i / y.length);
      float[] row = new float[width];
      System.arraycopy(x, r * width, row, 0, width);
      return Sample.labeled(keys.get(t), i, row, y[t][r]);
    }
  }
}
