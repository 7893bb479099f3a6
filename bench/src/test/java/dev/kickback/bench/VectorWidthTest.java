package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VectorWidthTest {
  @Test
  void eachWidthHasItsFlags() {
    assertEquals(List.of(), VectorWidth.flags(16));
    assertEquals(List.of("-XX:UseAVX=2"), VectorWidth.flags(8));
    assertEquals(List.of("-XX:MaxVectorSize=16"), VectorWidth.flags(4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VectorWidth.flags(2));
    assertEquals("--lanes 2: expected 4, 8 or 16", e.getMessage());
  }

  @Test
  void theReportSaysWhetherTheWidthWasEmulated() {
    assertEquals("8 float lanes, 16 vector registers, emulated with -XX:UseAVX=2 on a CPU whose"
        + " vector kernels run 16 lanes natively",
        VectorWidth.describe(8, 16, 16, List.of("-XX:UseAVX=2")));
    assertEquals("8 float lanes, 16 vector registers, native",
        VectorWidth.describe(8, 16, 8, List.of()));
  }

  @Test
  void aJvmStartedWithTheFlagsRunsAtThatWidth() throws Exception {
    // the test JVM's own width is the widest this CPU offers; each width up to it must work
    int own = dev.kickback.kernels.Kernels.lanes();
    for (int lanes : new int[] {4, 8, 16}) {
      if (own == 0 || lanes > own) {
        continue;
      }
      String sentence = VectorWidth.check(lanes);
      assertTrue(sentence.startsWith(lanes + " float lanes, "), sentence);
    }
  }
}
