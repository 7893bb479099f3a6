package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The suites as data: what the headline holds, and that the smoke run covers every suite. */
class SuitesTest {
  static List<String> names() {
    return Suites.NAMES;
  }

  /** Every row as "include {param=value, ...}", each parameter set (or defaulted), sorted. */
  private static Set<String> rowsOf(List<Suites.Group> groups) {
    Set<String> rows = new HashSet<>();
    for (Suites.Group g : Suites.perClass(groups)) {
      for (Map<String, String> r : Suites.withDefaults(g).rows()) {
        rows.add(g.include() + new TreeMap<>(r));
      }
    }
    return rows;
  }

  @Test
  void rowsAreEveryCombinationOfTheParameters() {
    Suites.Group g = new Suites.Group("x", Map.of("a", List.of("1", "2"), "b", List.of("3")),
        Suites.HEADLINE);
    assertEquals(2, g.rows().size());
    assertTrue(g.rows().contains(Map.of("a", "2", "b", "3")));
    assertEquals(List.of(Map.of()), new Suites.Group("x", Map.of(), Suites.HEADLINE).rows());
  }

  @Test
  void everyHeadlineRowComesFromAtLeastTwoForks() {
    for (Suites.Group g : Suites.headline()) {
      assertTrue(g.timing().forks() >= 2, g.include());
    }
  }

  @Test
  void headlineHoldsTheRowsTheReadmeQuotes() {
    Set<String> rows = rowsOf(Suites.headline());
    assertTrue(rows.contains("\\.GemmBench\\.{n=1024, op=NN, path=OPENBLAS}"), rows.toString());
    for (String batch : List.of("1", "16", "256")) {
      for (String rule : List.of("BACKPROP", "KICKBACK")) {
        assertTrue(rows.contains("\\.StepBench\\.{batch=" + batch
            + ", net=PAPER, path=VECTOR, rule=" + rule + "}"));
      }
      assertTrue(rows.contains("\\.ForwardBench\\.{batch=" + batch
          + ", net=PAPER, path=OPENBLAS}"));
      assertTrue(rows.contains("\\.OrtForwardBench\\.{batch=" + batch + ", net=PAPER}"));
    }
    assertTrue(rows.contains("\\.StepBench\\.{batch=256, net=WIDE, path=VECTOR2T,"
        + " rule=KICKBACK}"));
    assertTrue(rows.contains("\\.FlinkStreamBench\\.records${backend=hashmap, cache=on,"
        + " checkpointEvery=0, keys=8, net=paper, parallelism=2, runner=FLINK}"),
        rows.toString());
    assertEquals(37, rows.size());
  }

  /** The headline's ratio to ONNX Runtime at batch 256, where the two are close: forks in turn. */
  @Test
  void headlinesForwardPassAtBatch256TakesTurnsWithOnnxRuntimes() {
    List<Suites.Group> turns = Suites.headline().stream()
        .filter(g -> g.benchmarks().size() > 1).toList();
    assertEquals(1, turns.size());
    Suites.Group g = turns.get(0);
    assertTrue(g.interleaved(), g.toString());
    assertEquals(List.of("ForwardBench", "OrtForwardBench"), g.benchmarks());
    assertEquals(List.of("256"), g.params().get("batch"));
    assertEquals(List.of("PAPER"), g.params().get("net"));
  }

  @Test
  void kickbackAndBackpropStepsOfThePaperNetworkTakeTurns() {
    List<Suites.Group> steps = Suites.headline().stream()
        .filter(g -> g.include().contains("StepBench")
            && g.params().get("net").equals(List.of("PAPER"))
            && g.params().get("path").equals(List.of("VECTOR")))
        .toList();
    assertEquals(2, steps.size());
    assertKickbackAndBackpropTakeTurns(steps);
  }

  /** In the latency suite our steps of both networks at every batch take turns by rule. */
  @Test
  void kickbackAndBackpropStepsTakeTurnsInTheLatencySuite() {
    List<Suites.Group> steps = Suites.latency().stream()
        .filter(g -> g.include().contains("StepBench")
            && g.params().get("path").equals(List.of("VECTOR")))
        .toList();
    assertEquals(4, steps.size());
    assertKickbackAndBackpropTakeTurns(steps);
    assertEquals(32, rowsOf(steps).size());
  }

  private static void assertKickbackAndBackpropTakeTurns(List<Suites.Group> steps) {
    for (Suites.Group g : steps) {
      assertTrue(g.interleaved(), g.toString());
      List<Map<String, String>> rows = Suites.withDefaults(g).rows();
      // Kickback and Backprop of one batch next to each other, so their forks alternate
      for (int i = 0; i < rows.size(); i += 2) {
        assertEquals("KICKBACK", rows.get(i).get("rule"), rows.toString());
        assertEquals("BACKPROP", rows.get(i + 1).get("rule"), rows.toString());
        assertEquals(rows.get(i).get("batch"), rows.get(i + 1).get("batch"));
      }
    }
  }

  /**
   * Item 4 of the kernel-limit issue compares our forward pass with ONNX Runtime's at every batch
   * of both networks: in the latency suite their forks take turns, each class with its own
   * parameters.
   */
  @Test
  void ourForwardPassesAndOnnxRuntimesTakeTurnsInTheLatencySuite() {
    List<Suites.Group> turns = Suites.latency().stream()
        .filter(g -> g.benchmarks().size() > 1).toList();
    assertEquals(2, turns.size());
    Set<String> rows = rowsOf(turns);
    for (Suites.Group g : turns) {
      assertTrue(g.interleaved(), g.toString());
      assertEquals(List.of("ForwardBench", "OrtForwardBench"), g.benchmarks());
      String net = g.params().get("net").get(0);
      for (String batch : List.of("1", "2", "4", "8", "16", "32", "64", "256")) {
        assertTrue(rows.contains("\\.ForwardBench\\.{batch=" + batch + ", net=" + net
            + ", path=VECTOR}"), rows.toString());
        assertTrue(rows.contains("\\.OrtForwardBench\\.{batch=" + batch + ", net=" + net
            + "}"), rows.toString());
      }
    }
    assertEquals(32, rows.size());
    assertTrue(Suites.latency().stream().noneMatch(g -> g.benchmarks().equals(
        List.of("OrtForwardBench"))), "ONNX Runtime's rows also apart from ours");
    assertEquals(List.of("StepBench"), new Suites.Group(Suites.only("StepBench"), Map.of(),
        Suites.NAMED).benchmarks());
  }

  @Test
  void headlineFitsItsSixMinutes() {
    // the first pass; the build (about 40 s from a warm Maven cache) and the report take the rest
    double seconds = Suites.perClass(Suites.headline()).stream()
        .mapToDouble(g -> g.rows().size() * g.timing().seconds()).sum();
    assertTrue(seconds < 270, "headline first pass " + seconds + " s");
  }

  @ParameterizedTest
  @MethodSource("names")
  void smokeRunsEveryRowOfEverySuiteOnce(String name) {
    List<Suites.Group> smoke = Suites.smoke(Suites.SMOKE);
    Set<String> smokeRows = rowsOf(smoke);
    assertEquals(smoke.size(), smokeRows.size(), "a row twice");
    Set<String> suite = rowsOf(Suites.named(name));
    assertTrue(smokeRows.containsAll(suite), name);
    for (Suites.Group g : smoke) {
      assertEquals(1, g.rows().size());
      assertEquals(0, g.timing().forks()); // one JVM for all: see Suites.SMOKE
    }
  }

  @Test
  void anUnknownSuiteIsNamedWithTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Suites.named("fast"));
    assertEquals("unknown suite 'fast': one of headline, latency, rules, cold, flink, gemm, all, full",
        e.getMessage());
  }
}
