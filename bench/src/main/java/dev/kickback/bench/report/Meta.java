package dev.kickback.bench.report;

import dev.kickback.kernels.Kernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a reader needs to trust or rerun a report: the machine as detected, the JVM and its
 * flags, the kernel path, OpenBLAS's configuration, the commit, the date, how JMH measured and
 * the suite's own notes (a busy machine, reruns). Labels only: no number in the report is
 * computed from them.
 */
public final class Meta {
  /**
   * System property through which the suite's runner tells the report the benchmark JVMs'
   * vector width (lanes, registers, native or emulated).
   */
  public static final String VECTOR_WIDTH = "kickback.vector.width";
  /**
   * How the native batch-1 reference's note begins: {@code NativeReference} writes it, and the
   * headline finds the note by it.
   */
  public static final String NATIVE_NOTE = "Native batch-1 reference";

  private Meta() {}

  /** The report's metadata, in the order summary.md shows it. */
  public static Map<String, String> collect(List<JmhResult> results, double clockHz,
      List<String> notes) {
    Map<String, String> m = new LinkedHashMap<>();
    Map<String, String> cpu = cpuInfo();
    m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    Path root = Path.of(System.getProperty("kickback.root", "."));
    m.put("git_commit", git(root, "rev-parse", "HEAD").orElse("unknown"));
    m.put("git_dirty", git(root, "status", "--porcelain", "--untracked-files=no")
        .map(s -> s.isEmpty() ? "false" : "true").orElse("unknown"));
    m.put("cpu_model", cpu.getOrDefault("model name", System.getProperty("os.arch")));
    m.put("microarchitecture", microarchitecture(cpu));
    m.put("isa", isa(cpu.getOrDefault("flags", "")));
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.putAll(caches());
    m.put("clock_ghz_measured", String.format(Locale.ROOT, "%.2f", clockHz / 1e9));
    m.put("jdk", results.isEmpty() ? Runtime.version().toString() : results.get(0).vmVersion());
    m.put("jvm_vendor", System.getProperty("java.vm.vendor", "?"));
    Set<String> flags = new LinkedHashSet<>();
    Set<String> settings = new LinkedHashSet<>();
    for (JmhResult r : results) {
      flags.add(String.join(" ", r.jvmArgs()));
      settings.add(r.forks() + " fork(s), warm-up " + r.warmup() + ", measurement "
          + r.measurement());
    }
    m.put("jvm_flags", String.join(" | ", flags));
    m.put("jmh_settings", String.join("; ", settings));
    m.put("kernel_path", Kernels.ops().name());
    m.put("vector_width", System.getProperty(VECTOR_WIDTH, Kernels.lanes() + " float lanes, "
        + Kernels.vectorRegisters() + " vector registers (this JVM's; forks not checked)"));
    OpenBlasPeer.collect(m);
    m.put("notes", String.join(" ", notes));
    return m;
  }

  /** Fields of the first processor in /proc/cpuinfo; empty off Linux. */
  static Map<String, String> cpuInfo() {
    Map<String, String> m = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.isBlank() && !m.isEmpty()) {
          break;
        }
        int c = line.indexOf(':');
        if (c > 0) {
          m.putIfAbsent(line.substring(0, c).trim(), line.substring(c + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the model name falls back to os.arch
    }
    return m;
  }

  /** The core's family name from vendor, family and model; the numbers where unknown. */
  static String microarchitecture(Map<String, String> cpu) {
    String vendor = cpu.getOrDefault("vendor_id", "");
    int family;
    int model;
    try {
      family = Integer.parseInt(cpu.getOrDefault("cpu family", "-1"));
      model = Integer.parseInt(cpu.getOrDefault("model", "-1"));
    } catch (NumberFormatException e) {
      return "unknown";
    }
    String name = null;
    if (vendor.equals("AuthenticAMD")) {
      if (family == 0x1a) {
        name = "Zen 5";
      } else if (family == 0x19) {
        name = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0xaf)
            ? "Zen 4" : "Zen 3";
      } else if (family == 0x17) {
        name = "Zen 2 or earlier";
      }
    } else if (vendor.equals("GenuineIntel") && family == 6) {
      name = switch (model) {
        case 0x8f -> "Sapphire Rapids";
        case 0xcf -> "Emerald Rapids";
        case 0xad, 0xae -> "Granite Rapids";
        case 0x6a, 0x6c -> "Ice Lake-SP";
        case 0x55 -> "Skylake-SP / Cascade Lake";
        default -> null;
      };
    }
    String ids = String.format(Locale.ROOT, "%s family %d model %d", vendor, family, model);
    return name == null ? "unknown (" + ids + ")" : name + " (" + ids + ")";
  }

  /** The CPU's feature flags from /proc/cpuinfo; empty off Linux. */
  public static Set<String> cpuFlags() {
    String flags = cpuInfo().getOrDefault("flags", "").trim();
    return flags.isEmpty() ? Set.of() : Set.of(flags.split("\\s+"));
  }

  static String isa(String flags) {
    List<String> have = new ArrayList<>();
    Set<String> set = Set.of(flags.split("\\s+"));
    for (String f : new String[] {"avx512f", "avx512vl", "avx2", "fma"}) {
      have.add(f + (set.contains(f) ? "" : " (absent)"));
    }
    return String.join(", ", have);
  }

  /** L1d, L2, L3 sizes of cpu0 from sysfs. */
  static Map<String, String> caches() {
    Map<String, String> m = new LinkedHashMap<>();
    Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
    for (int i = 0; i < 8; i++) {
      Path idx = dir.resolve("index" + i);
      try {
        String level = Files.readString(idx.resolve("level")).trim();
        String type = Files.readString(idx.resolve("type")).trim();
        String size = Files.readString(idx.resolve("size")).trim();
        if (!type.equals("Instruction")) {
          m.put("l" + level + (level.equals("1") ? "d" : ""), size);
        }
      } catch (IOException | RuntimeException e) {
        break;
      }
    }
    return m;
  }

  private static java.util.Optional<String> git(Path root, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(out);
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }
}
