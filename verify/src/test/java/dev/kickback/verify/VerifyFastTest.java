package dev.kickback.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kickback.api.Rule;
import dev.kickback.verify.checks.CheckResult;
import dev.kickback.verify.experiments.Datasets;
import dev.kickback.verify.experiments.DepthSweep;
import dev.kickback.verify.experiments.Experiment;
import dev.kickback.verify.experiments.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast subset of {@code ./kickback verify}, inside the test suite: every gradient check must
 * pass, and on SARCOS joint 1 (when ../shared/data is present) both rules must learn.
 */
class VerifyFastTest {

  /** ../shared/data seen from the project root (the parent of this module's directory). */
  static Path dataDir() {
    return Path.of("").toAbsolutePath().getParent().resolveSibling("shared").resolve("data");
  }

  @Test
  void gradientChecksPassAndTheFreeCounterexampleIsFound(@TempDir Path out) throws Exception {
    VerifyMain.Outcome o = VerifyMain.run(out.resolve("no-data"), Protocol.FAST, 60, 10_000,
        List.of(), null);
    for (CheckResult c : o.checks()) {
      assertTrue(c.passed(), c.name() + ": worst " + c.worstError() + "; " + c.detail());
    }
    assertEquals(8, o.checks().size());
    ReportWriter.write(o, out);
    assertTrue(Files.readString(out.resolve("report.md")).contains("experiments skipped"));
    assertTrue(Files.readString(out.resolve("results.json")).contains("\"worst_error\""));
  }

  @Test
  void fastExperimentsOnSarcosJoint1(@TempDir Path out) throws Exception {
    Path data = dataDir();
    assumeTrue(Files.isDirectory(data), "no data at " + data + ": experiment subset skipped");
    VerifyMain.Outcome o = VerifyMain.run(data, Protocol.FAST, 20, 1_000,
        List.of(Datasets.byName("sarcos-j1")), DepthSweep.FAST);
    assertEquals(4, o.experiments().size());
    // Each rule's best configuration beats the linear baseline even after 10 epochs. Not every
    // configuration must: FREE Kickback has no descent guarantee and can kill its network.
    for (Rule rule : Rule.values()) {
      Experiment.Result best = o.experiments().stream()
          .filter(r -> r.config().rule() == rule)
          .min(java.util.Comparator.comparingDouble(Experiment.Result::nmseMean)).orElseThrow();
      assertTrue(best.nmseMean() < best.linearNmse(), rule + " best " + best.config() + ": NMSE "
          + best.nmseMean() + ", linear " + best.linearNmse());
    }
    assertFalse(o.coherence().isEmpty());
    // the depth sweep's subset: depths 1 and 6, Backprop and Kickback with each rate rule
    assertEquals(8, o.sweep().size());
    ReportWriter.write(o, out);
    assertTrue(Files.exists(out.resolve("learning_curves.png")));
    assertTrue(Files.exists(out.resolve("coherence.png")));
    assertTrue(Files.exists(out.resolve("sweep_sarcos-j1.png")));
    assertTrue(Files.exists(out.resolve("sweep_lr_sarcos-j1.png")));
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("## Depth and width: where Kickback holds"), report);
    assertTrue(report.contains("| 6 x 100 |"), report);
    assertTrue(Files.readString(out.resolve("results.json")).contains("\"lr_rule\": \"matched\""));
  }
}
