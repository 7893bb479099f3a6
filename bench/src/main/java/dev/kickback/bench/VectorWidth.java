package dev.kickback.bench;

import dev.kickback.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The vector width the benchmark JVMs run at ({@code ./kickback bench --lanes N}): the HotSpot
 * flags that narrow the Vector API's preferred species on a wider CPU, and a check that they
 * gave the width asked for. 8 lanes is AVX2's width with its 16
 * registers ({@code -XX:UseAVX=2}); 4 is NEON's ({@code -XX:MaxVectorSize=16}, with as many
 * registers as the CPU has: 32 under AVX-512, as on AArch64).
 *
 * <p>{@code main} prints this JVM's {@code lanes registers}: the check's child, which tells the
 * CPU's own width.
 */
public final class VectorWidth {
  private VectorWidth() {}

  public static void main(String[] args) {
    System.out.println(Kernels.lanes() + " " + Kernels.vectorRegisters());
  }

  /**
   * The value of a {@code --lanes} option, {@code value} (null when the option was last).
   *
   * @throws IllegalArgumentException naming the widths, for anything but 4, 8 or 16
   */
  static int parseOption(String value) {
    if (value == null || !value.matches("4|8|16")) {
      throw new IllegalArgumentException("--lanes takes 4, 8 or 16");
    }
    return Integer.parseInt(value);
  }

  /**
   * The JVM flags for {@code lanes} float lanes.
   *
   * @throws IllegalArgumentException for a width other than 4, 8 or 16
   */
  static List<String> flags(int lanes) {
    return switch (lanes) {
      case 16 -> List.of();
      case 8 -> List.of("-XX:UseAVX=2");
      case 4 -> List.of("-XX:MaxVectorSize=16");
      default -> throw new IllegalArgumentException(
          "--lanes " + lanes + ": expected 4, 8 or 16");
    };
  }

  /**
   * Checks that this JVM, started with the flags for {@code lanes} (the launcher adds them, so
   * that the report's cost models and the benchmark forks, which inherit the flags, see the
   * same width), runs its vector kernels at that width, and asks a JVM started without them
   * for the CPU's own width. Returns the sentence the report shows.
   *
   * @throws IllegalStateException when this JVM has another width: started without the flags,
   *     or a CPU without AVX-512 asked for 16
   */
  static String check(int lanes) throws IOException, InterruptedException {
    if (Kernels.lanes() != lanes) {
      throw new IllegalStateException(String.format(Locale.ROOT, "--lanes %d: this JVM's vector"
          + " kernels have %d float lanes; %s", lanes, Kernels.lanes(), lanes == 16
          ? "this CPU has no AVX-512" : "start it with " + String.join(" ", flags(lanes))
          + " (./kickback bench --lanes does)"));
    }
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "--add-modules", "jdk.incubator.vector", "-cp",
        System.getProperty("java.class.path"), VectorWidth.class.getName());
    Subprocess.Result r = Subprocess.run(new ProcessBuilder(cmd), 60);
    String[] own = r.lastLine().split(" ");
    if (r.exit() != 0 || own.length != 2 || !own[0].matches("\\d+")) {
      throw new IllegalStateException("--lanes " + lanes + ": could not learn the CPU's own"
          + " vector width (exit " + r.exit() + "): " + r.lastLine());
    }
    return describe(lanes, Kernels.vectorRegisters(), Integer.parseInt(own[0]), flags(lanes));
  }

  /** The report's sentence for this JVM's own width, which forks have without width flags. */
  static String describeOwn() {
    return Kernels.lanes() == 0 ? "scalar kernels (no Vector API)"
        : describe(Kernels.lanes(), Kernels.vectorRegisters(), Kernels.lanes(), List.of());
  }

  /** The report's sentence for forks at {@code lanes} when this JVM runs {@code nativeLanes}. */
  static String describe(int lanes, int registers, int nativeLanes, List<String> flags) {
    String what = lanes + " float lanes, " + registers + " vector registers";
    return nativeLanes > lanes
        ? what + ", emulated with " + String.join(" ", flags) + " on a CPU whose vector kernels"
            + " run " + nativeLanes + " lanes natively"
        : what + ", native";
  }
}
