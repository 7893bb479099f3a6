package dev.kickback.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checked-in register blocks are what their generator writes. */
class GemvTRowsBlocksTest {
  @Test
  void theCheckedInBlocksAreTheGeneratorsOutput() throws IOException {
    // surefire runs in the module's directory; the generator names the file from the root
    Path file = Path.of("..").resolve(GemvTRowsGenerator.TARGET);
    assertEquals(GemvTRowsGenerator.generate(), Files.readString(file),
        file + " is not GemvTRowsGenerator's output: edit the generator, not the file, and run"
            + " java kernel/src/test/java/dev/kickback/kernels/GemvTRowsGenerator.java");
  }
}
