package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
  void theOptionTakesTheThreeWidthsOnly() {
    assertEquals(8, VectorWidth.parseOption("8"));
    for (String bad : new String[] {null, "2", "08", "eight"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> VectorWidth.parseOption(bad));
      assertEquals("--lanes takes 4, 8 or 16", e.getMessage());
    }
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
  void theCheckNeedsThisJvmAtTheWidthAskedFor() throws Exception {
    int own = dev.kickback.kernels.Kernels.lanes();
    assumeTrue(own >= 8, "no vector kernels of 8 lanes or more here");
    // the child without width flags sees the CPU's own width, which is at least this JVM's
    assertTrue(VectorWidth.check(own).startsWith(own + " float lanes, "));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> VectorWidth.check(4));
    assertEquals("--lanes 4: this JVM's vector kernels have " + own + " float lanes; start it"
        + " with -XX:MaxVectorSize=16 (./kickback bench --lanes does)", e.getMessage());
  }
}
