package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which rows get the reference beside their forks, the reference's one-kernel output read, the
 * report's sentence on the pairs, and a reference built and timed through the same commands as
 * the real one (a stand-in C file, where gcc is installed).
 */
class NativeBesideTest {
  @Test
  void pairsOurPaperNetworksBatchOneRowsOnly() {
    Map<String, String> b1 = Map.of("path", "VECTOR", "net", "PAPER", "batch", "1");
    assertEquals("forward", NativeBeside.rowOf(List.of("ForwardBench"), b1));
    assertEquals("forward", NativeBeside.rowOf(List.of("ForwardBench", "OrtForwardBench"), b1),
        "our forward pass beside ONNX Runtime's in the latency suite");
    assertEquals("Kickback step", NativeBeside.rowOf(List.of("StepBench"),
        Map.of("path", "VECTOR", "net", "PAPER", "batch", "1", "rule", "KICKBACK")));
    assertEquals("Backprop step", NativeBeside.rowOf(List.of("StepBench"),
        Map.of("path", "VECTOR", "net", "PAPER", "batch", "1", "rule", "BACKPROP")));
    assertNull(NativeBeside.rowOf(List.of("StepBench"), b1), "a step without its rule");
    assertNull(NativeBeside.rowOf(List.of("ForwardBench"),
        Map.of("path", "VECTOR", "net", "PAPER", "batch", "16")));
    assertNull(NativeBeside.rowOf(List.of("ForwardBench"),
        Map.of("path", "OPENBLAS", "net", "PAPER", "batch", "1")));
    assertNull(NativeBeside.rowOf(List.of("ForwardBench"),
        Map.of("path", "VECTOR", "net", "WIDE", "batch", "1")));
    assertNull(NativeBeside.rowOf(List.of("OrtForwardBench"), Map.of("net", "PAPER", "batch",
        "1")));
  }

  @Test
  void theHeadlinesBatchOneRowsTakeTurnsSoThatTheyArePaired() {
    int forward = 0;
    int steps = 0;
    for (Suites.Group g : Suites.named("headline")) {
      for (Map<String, String> row : Suites.withDefaults(g).rows()) {
        String paired = NativeBeside.rowOf(g.benchmarks(), row);
        if (paired != null) {
          assertTrue(g.interleaved(), "only a group taking turns times the reference: " + g);
          if (paired.equals("forward")) {
            forward++;
          } else {
            steps++;
          }
        }
      }
    }
    assertEquals(1, forward);
    assertEquals(2, steps);
  }

  @Test
  void aSuiteWithoutPairedRowsBuildsNothing(@TempDir Path root) throws Exception {
    Path reference = Files.createDirectories(root.resolve("shared/reference"));
    Files.writeString(reference.resolve("run-b1ref"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(reference.resolve("run-b1ref"),
        PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(reference.resolve("b1ref.c"), "not C: building it would fail");
    try (NativeBeside beside = NativeBeside.of(root.resolve("main").toString(), 16,
        Suites.named("gemm"))) {
      assertTrue(Double.isNaN(beside.time("forward")));
      assertNull(beside.note(), "no build was tried, so no failure to report");
    }
    try (NativeBeside beside = NativeBeside.of(root.resolve("main").toString(), 16,
        Suites.named("headline"))) {
      assertTrue(Double.isNaN(beside.time("forward")));
      assertTrue(beside.note().startsWith("Native batch-1 reference beside our forks: not timed"
          + " (gcc failed: "), beside.note());
    }
  }

  @Test
  void readsTheOneKernelsMedian() {
    String out = """
        kern-avx512 step             ns/call min  1381.6  median  1384.9  max  1392.9  (722059 calls/s at median)
        """;
    assertEquals(1384.9, NativeReference.median(out, "step"));
    assertTrue(Double.isNaN(NativeReference.median(out, "predict")));
    assertTrue(Double.isNaN(NativeReference.median("plain-avx512build step ns/call min 1 median 2"
        + " max 3", "step")), "the plain C build is not the reference");
  }

  @Test
  void saysEachForksRatioAndTheirMean() throws Exception {
    try (NativeBeside none = NativeBeside.none()) {
      assertTrue(Double.isNaN(none.time("forward")));
      none.pair("forward", 600, Double.NaN);
      assertNull(none.note(), "nothing timed, nothing said");
      none.pair("forward", 600, 500);
      none.pair("forward", 650, 500);
      none.pair("Backprop step", 2800, 1400);
      assertEquals("Native batch-1 reference beside our forks (timed once just before each fork"
          + " of our paper-network batch-1 rows, the kernel of the fork's row; each fork's mean"
          + " against that median), the mean of the forks' ratios: forward 1.25x (forks 1.20x,"
          + " 1.30x: ours 600, 650 ns against 500, 500); Backprop step 2.00x (forks 2.00x: ours"
          + " 2800 ns against 1400).", none.note());
    }
  }

  @Test
  void withoutTheScriptNothingIsTimed(@TempDir Path root) throws Exception {
    try (NativeBeside beside = NativeBeside.of(root.resolve("main").toString(), 16,
        Suites.named("headline"))) {
      assertTrue(Double.isNaN(beside.time("forward")));
      assertNull(beside.note());
    }
  }

  @Test
  void buildsOnceAndTimesTheKernelOfTheRow(@TempDir Path root) throws Exception {
    assumeTrue(onPath("gcc") && onPath("taskset"), "gcc and taskset");
    Path reference = Files.createDirectories(root.resolve("shared/reference"));
    Files.writeString(reference.resolve("run-b1ref"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(reference.resolve("run-b1ref"),
        PosixFilePermissions.fromString("rwxr-xr-x"));
    // prints what b1ref prints for the kernel it is asked for, and how often it was built
    Files.writeString(reference.resolve("b1ref.c"), """
        #include <stdio.h>
        #include <string.h>
        int main(int argc, char **argv) {
          if (argc != 5 || strcmp(argv[1], "bench") != 0) return 2;
          if (strcmp(argv[4], "kp") == 0)
            printf("kern-avx512 predict ns/call min 1.0 median 561.5 max 3.0\\n");
          if (strcmp(argv[4], "ks") == 0)
            printf("kern-avx512 step ns/call min 1.0 median 1390.0 max 3.0\\n");
          return 0;
        }
        """);
    try (NativeBeside beside = NativeBeside.of(root.resolve("main").toString(), 16,
        Suites.named("headline"))) {
      Files.delete(reference.resolve("b1ref.c")); // built before the rows: not needed again
      assertEquals(561.5, beside.time("forward"));
      assertEquals(1390.0, beside.time("Kickback step"));
      assertEquals(1390.0, beside.time("Backprop step"));
      beside.pair("Kickback step", 2780, 1390.0);
      assertTrue(beside.note().contains("Kickback step 2.00x"), beside.note());
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
