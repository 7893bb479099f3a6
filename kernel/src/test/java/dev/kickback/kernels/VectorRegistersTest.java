package dev.kickback.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class VectorRegistersTest {
  @Test
  void thePropertySetsTheCount() {
    assertEquals(16, withProperty("16", () -> VectorRegisters.count(16)));
    assertEquals(32, withProperty(" 32 ", () -> VectorRegisters.count(4)));
  }

  @Test
  void aBadPropertyIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withProperty("24", () -> VectorRegisters.count(8)));
    assertEquals("-Dkickback.vector.registers=24: expected 16 or 32", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> withProperty("many", () -> {
          VectorRegisters.checkProperty();
          return 0;
        }));
  }

  @Test
  void sixteenLanesOnX86AreAvx512sThirtyTwo() {
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "not x86");
    assertEquals(32, withProperty(null, () -> VectorRegisters.count(16)));
  }

  /**
   * A run at an emulated width ({@code ./kickback test-lanes 8}) passes
   * {@code -Dkickback.expect.registers=16}: AVX2's register file must shape the kernels there.
   */
  @Test
  void theKernelsUseTheRegistersTheRunExpects() {
    String expected = System.getProperty("kickback.expect.registers");
    assumeTrue(expected != null && !expected.isEmpty(), "no register count expected");
    assertEquals(Integer.parseInt(expected), Kernels.vectorRegisters());
  }

  private static <T> T withProperty(String value, Supplier<T> body) {
    String old = System.getProperty(VectorRegisters.PROPERTY);
    try {
      if (value == null) {
        System.clearProperty(VectorRegisters.PROPERTY);
      } else {
        System.setProperty(VectorRegisters.PROPERTY, value);
      }
      return body.get();
    } finally {
      if (old == null) {
        System.clearProperty(VectorRegisters.PROPERTY);
      } else {
        System.setProperty(VectorRegisters.PROPERTY, old);
      }
    }
  }
}
