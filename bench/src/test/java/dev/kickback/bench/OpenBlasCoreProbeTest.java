package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.bench.OpenBlasCoreProbe.Candidate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenBlasCoreProbeTest {
  private static final Set<String> AVX512 = Set.of("avx2", "fma", "avx512f", "avx512bw",
      "avx512dq", "avx512vl", "avx512cd");

  @Test
  void candidatesAreTheCoreTypesTheCpuCanRun() {
    assertEquals(List.of(), OpenBlasCoreProbe.candidates(Set.of("sse4_2"), 0));
    assertEquals(List.of("Haswell"), OpenBlasCoreProbe.candidates(Set.of("avx2", "fma"), 0));
    assertEquals(List.of("Haswell", "SkylakeX"), OpenBlasCoreProbe.candidates(AVX512, 0));
    Set<String> bf16 = new java.util.HashSet<>(AVX512);
    bf16.add("avx512_bf16");
    assertEquals(List.of("Haswell", "SkylakeX", "Cooperlake"),
        OpenBlasCoreProbe.candidates(bf16, 0));
    bf16.addAll(Set.of("avx512_fp16", "amx_bf16", "amx_tile"));
    assertEquals(List.of("Haswell", "SkylakeX", "Cooperlake", "SapphireRapids"),
        OpenBlasCoreProbe.candidates(bf16, 0));
  }

  @Test
  void aNarrowerWidthGetsThePeerOfThatWidth() {
    assertEquals(List.of("Haswell"), OpenBlasCoreProbe.candidates(AVX512, 8));
    assertEquals(List.of("Nehalem"), OpenBlasCoreProbe.candidates(Set.of("sse4_2"), 4));
    assertEquals(List.of(), OpenBlasCoreProbe.candidates(Set.of("sse2"), 4));
    assertEquals(List.of("Haswell", "SkylakeX"), OpenBlasCoreProbe.candidates(AVX512, 16));
  }

  @Test
  void aCandidateThatAgreesIsUsable() {
    Candidate c = OpenBlasCoreProbe.parseMeasurement("SkylakeX",
        "WARNING: x\nCore: SkylakeX\ngflops=86.400 maxRelDiff=6.100e-07\n", 0);
    assertNull(c.problem());
    assertEquals(86.4, c.gflops(), 1e-9);
    assertEquals("SkylakeX 86.4", c.summary());
  }

  @Test
  void crashesWrongCoresAndWrongResultsAreSkippedWithTheReason() {
    Candidate crash = OpenBlasCoreProbe.parseMeasurement("SapphireRapids",
        "Core: SapphireRapids\n# SIGILL (0x4) at pc=0x1\n", 134);
    assertEquals("failed (exit 134): # SIGILL (0x4) at pc=0x1", crash.problem());
    Candidate other = OpenBlasCoreProbe.parseMeasurement("Zen",
        "Core not found: Zen\nCore: Haswell\ngflops=50.0 maxRelDiff=1e-7\n", 0);
    assertEquals("loaded core Haswell instead", other.problem());
    Candidate wrong = OpenBlasCoreProbe.parseMeasurement("SkylakeX",
        "Core: SkylakeX\ngflops=90.0 maxRelDiff=3.000e-02\n", 0);
    assertFalse(wrong.usable());
    assertTrue(wrong.problem().startsWith("disagrees with our GEMM"), wrong.problem());
  }

  @Test
  void theFastestUsableCandidateWins() {
    List<Candidate> all = List.of(
        new Candidate("Haswell", "Haswell", 59, 1e-7, null),
        new Candidate("SkylakeX", "SkylakeX", 95, 1e-2, "disagrees"),
        new Candidate("Cooperlake", "Cooperlake", 84, 1e-7, null));
    assertEquals("Cooperlake", OpenBlasCoreProbe.choose(all).orElseThrow().asked());
    assertTrue(OpenBlasCoreProbe.choose(List.of(all.get(1))).isEmpty());
    assertEquals("Haswell 59.0; SkylakeX skipped: disagrees; Cooperlake 84.0 GFLOP/s",
        OpenBlasCoreProbe.summary(all));
  }
}
