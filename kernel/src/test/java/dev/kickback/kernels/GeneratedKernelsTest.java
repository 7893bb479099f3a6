package dev.kickback.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checked-in kernels that exist in variants are what their generator writes. */
class GeneratedKernelsTest {
  @Test
  void theCheckedInVariantsAreTheGeneratorsOutput() throws IOException {
    Map<String, String> files = KernelGenerator.files();
    assertFalse(files.isEmpty());
    for (Map.Entry<String, String> f : files.entrySet()) {
      // surefire runs in the module's directory; the generator names files from the root
      Path file = Path.of("..").resolve(f.getKey());
      assertEquals(f.getValue(), Files.readString(file), file + " is not KernelGenerator's"
          + " output: edit the generator, not the file, and run"
          + " java kernel/src/test/java/dev/kickback/kernels/KernelGenerator.java");
    }
  }

  /** The streaming GEMM's passes take no more rows than the generator wrote its block for. */
  @Test
  void theStreamingPassFitsTheGeneratedBlock() {
    assumeTrue(Kernels.vector().isPresent(), "vector kernels unavailable");
    assertTrue(PanamaStreamingGemm.PASS_ROWS <= KernelGenerator.STREAMING_ROWS);
  }

  /** The chunks gemvTRowsPair's callers take are the ones the generator wrote. */
  @Test
  void theCallersChunksAreTheGeneratedOnes() {
    assertEquals(KernelGenerator.PAIR_VECTORS, PanamaSmallGemm.PAIR_VECTORS);
  }
}
