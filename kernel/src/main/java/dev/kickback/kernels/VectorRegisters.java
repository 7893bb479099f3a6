package dev.kickback.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How many vector registers the JIT compiler can use (16 or 32), which sets how many
 * accumulators a micro-kernel may keep: a kernel shaped for 32 registers spills on a machine
 * with 16 and runs at about half speed (measured: the packed GEMM's 8 x 2-vector block at 8
 * lanes with 16 registers, 0.47 of the 256-bit peak).
 *
 * <p>x86 has 32 with AVX-512 (HotSpot's {@code -XX:UseAVX=3}, also for 256- and 128-bit
 * vectors) and 16 below it (AVX2, AVX, SSE); AArch64 has 32. The x86 level is read from the
 * running JVM's {@code UseAVX} option, which the CPU sets and {@code -XX:UseAVX=2} lowers, only
 * when the preferred species is narrower than 512 bits (16 lanes are AVX-512's, so 32). Where
 * the option cannot be read (a runtime image without {@code jdk.management}) the count is 16:
 * a kernel shaped for 16 registers loses a little on 32, the other way round it spills. The
 * system property {@value #PROPERTY} sets the count (16 or 32), for tests and for CPUs this
 * guesses wrong.
 */
final class VectorRegisters {
  /** System property setting the register count: {@code 16} or {@code 32}. */
  static final String PROPERTY = "kickback.vector.registers";

  private VectorRegisters() {}

  /**
   * The count for this JVM's preferred species, for the vector kernels' block sizes. A class of
   * its own so that only code already using the Vector API loads it.
   */
  static final class Preferred {
    static final int COUNT = count(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());

    private Preferred() {}
  }

  /**
   * The register count for a JVM whose preferred float vector has {@code lanes} lanes.
   *
   * @throws IllegalArgumentException when {@value #PROPERTY} is set to anything but 16 or 32
   */
  static int count(int lanes) {
    String forced = System.getProperty(PROPERTY);
    if (forced != null && !forced.isBlank()) {
      return parse(forced.trim());
    }
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (arch.equals("aarch64") || arch.equals("arm64")) {
      return 32;
    }
    if (!arch.equals("amd64") && !arch.equals("x86_64")) {
      return 16;
    }
    if (lanes >= 16) {
      return 32;
    }
    int useAvx = useAvx();
    return useAvx >= 3 ? 32 : 16;
  }

  /**
   * Fails when {@value #PROPERTY} is set to anything but 16 or 32, before anything reads it
   * inside a class initializer, where the message would be wrapped in a linkage error.
   */
  static void checkProperty() {
    String forced = System.getProperty(PROPERTY);
    if (forced != null && !forced.isBlank()) {
      parse(forced.trim());
    }
  }

  private static int parse(String value) {
    return switch (value) {
      case "16" -> 16;
      case "32" -> 32;
      default -> throw new IllegalArgumentException(
          "-D" + PROPERTY + "=" + value + ": expected 16 or 32");
    };
  }

  /** HotSpot's {@code UseAVX} level, or -1 when it cannot be read. */
  private static int useAvx() {
    try {
      HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hotspot == null ? -1 : Integer.parseInt(hotspot.getVMOption("UseAVX").getValue());
    } catch (LinkageError | RuntimeException e) {
      return -1;
    }
  }
}
