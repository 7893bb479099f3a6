package dev.kickback.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH's JSON results into a report folder: {@code summary.md}, {@code summary.json}
 * ({@code meta} and {@code rows}), {@code headline.md} (the README's table), a copy of the JMH
 * results, and charts. Parse
 * ({@link JmhResult}), model ({@link Rows}, each benchmark's own cost model, and
 * {@link Roofs}), render ({@link Markdown}, {@link SummaryJson}, {@link HeadlineTable},
 * {@link Charts}).
 *
 * <p>Usage: {@code Report <jmh-result.json> <output dir>}.
 */
public final class Report {
  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Report <jmh-result.json> <output dir>");
      System.exit(2);
    }
    write(Path.of(args[0]), Path.of(args[1]), List.of());
  }

  /** Writes the report for {@code json} into {@code out}, with the suite's notes. */
  public static void write(Path json, Path out, List<String> notes) throws IOException {
    List<JmhResult> results = JmhResult.read(json);
    Files.createDirectories(out);
    if (!json.toAbsolutePath().normalize().equals(
        out.resolve("jmh-result.json").toAbsolutePath().normalize())) {
      Files.copy(json, out.resolve("jmh-result.json"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    System.out.println("Measuring the core clock (dependent integer chain, 2 cycles/iteration)...");
    Map<String, String> meta = Meta.collect(results, ClockProbe.measureHz(5), notes);
    List<Row> rows = Rows.of(results);
    Files.writeString(out.resolve("summary.json"), SummaryJson.render(meta, rows),
        StandardCharsets.UTF_8);
    List<ColdStart.Curve> curves = ColdStart.curves(results);
    String cold = ColdStart.section(curves, results);
    String md = Markdown.render(meta, rows) + cold;
    Files.writeString(out.resolve("summary.md"), md, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("headline.md"), HeadlineTable.render(meta, rows) + cold,
        StandardCharsets.UTF_8);
    List<String> charts = Charts.write(rows, curves, out);
    System.out.println(md);
    System.out.println("Wrote " + out.resolve("summary.md") + ", headline.md, summary.json,"
        + " jmh-result.json, "
        + String.join(", ", charts) + " (and .svg)");
  }
}
