package dev.kickback.bench;

import dev.kickback.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The vector width the benchmark JVMs run at ({@code ./kickback bench --lanes N}): the HotSpot
 * flags that narrow the Vector API's preferred species on a wider CPU, and a check, in a JVM
 * started with them, that they gave the width asked for. 8 lanes is AVX2's width with its 16
 * registers ({@code -XX:UseAVX=2}); 4 is NEON's ({@code -XX:MaxVectorSize=16}, with as many
 * registers as the CPU has: 32 under AVX-512, as on AArch64).
 *
 * <p>{@code main} prints this JVM's {@code lanes registers}: the check's child.
 */
public final class VectorWidth {
  private VectorWidth() {}

  public static void main(String[] args) {
    System.out.println(Kernels.lanes() + " " + Kernels.vectorRegisters());
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
   * Starts a JVM with the flags for {@code lanes} and checks its vector kernels have that many
   * lanes; returns the sentence the report shows.
   *
   * @throws IllegalStateException when the JVM gives another width (a CPU without AVX-512
   *     asked for 16) or no vector kernels
   */
  static String check(int lanes) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector"));
    cmd.addAll(flags(lanes));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        VectorWidth.class.getName()));
    Subprocess.Result r = Subprocess.run(new ProcessBuilder(cmd), 60);
    String[] last = lastLine(r.out()).split(" ");
    if (r.exit() != 0 || last.length != 2 || !last[0].equals(Integer.toString(lanes))) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "--lanes %d: a JVM started with %s has %s float lanes in its vector kernels, not %d"
              + " (exit %d)%s", lanes, flags(lanes).isEmpty() ? "no width flags"
              : String.join(" ", flags(lanes)), last[0].isEmpty() ? "no" : last[0], lanes,
          r.exit(), lanes == 16 ? ": this CPU has no AVX-512" : ""));
    }
    return describe(lanes, Integer.parseInt(last[1]), Kernels.lanes(), flags(lanes));
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

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }
}
