package dev.kickback.kernels;

import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the {@link KernelOps} implementation once, when this class is initialized, and logs
 * one line naming the choice.
 *
 * <p>The vector implementation is chosen when the module {@code jdk.incubator.vector} is
 * readable (start the JVM with {@code --add-modules jdk.incubator.vector}) and its preferred
 * float species has 4, 8 or 16 lanes; otherwise the scalar implementation is. The system
 * property {@value #PROPERTY} forces a choice: {@code scalar} always works, {@code vector}
 * fails class initialization with an explanation when the module is not readable.
 */
public final class Kernels {
  /** System property forcing the implementation: {@code scalar}, {@code vector} or {@code auto}. */
  public static final String PROPERTY = "kickback.kernels";

  private static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final System.Logger LOG = System.getLogger(Kernels.class.getName());

  private static final KernelOps OPS = select();

  private Kernels() {}

  /** The implementation chosen for this JVM. */
  public static KernelOps ops() {
    return OPS;
  }

  /** The scalar reference implementation, available on every JVM. */
  public static KernelOps scalar() {
    return ScalarKernelOps.INSTANCE;
  }

  /** The Vector API implementation, or empty when {@code jdk.incubator.vector} is not usable. */
  public static Optional<KernelOps> vector() {
    return Optional.ofNullable(VectorHolder.INSTANCE);
  }

  /**
   * A new Vector API implementation whose large GEMMs (from 2^24 multiply-adds) are split by
   * columns over {@code threads} threads: the caller and {@code threads - 1} daemon helpers that
   * this instance owns for the life of the JVM, so create one and share it. Results are bitwise
   * those of {@link #vector()}. Smaller GEMMs and the element-wise work run on the caller. If two
   * threads use the instance at once, the second runs its GEMM alone (same bits).
   *
   * @param threads 1 or more; 1 gives {@link #vector()} itself
   * @return empty when {@code jdk.incubator.vector} is not usable
   */
  public static Optional<KernelOps> vector(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads = " + threads + ": expected 1 or more");
    }
    if (VectorHolder.INSTANCE == null || threads == 1) {
      return vector();
    }
    return Optional.of(new PanamaKernelOps(threads, PanamaKernelOps.SPLIT_MIN_MACS));
  }

  /** Float lanes of the vector kernels (4, 8 or 16), or 0 when they are unavailable. */
  public static int lanes() {
    return VectorHolder.LANES;
  }

  /**
   * Vector registers the vector kernels' blocks are shaped for: 32 (AVX-512, AArch64) or 16
   * (AVX2 and below), or 0 when the vector kernels are unavailable. The system property
   * {@code kickback.vector.registers} (16 or 32) overrides the detection.
   */
  public static int vectorRegisters() {
    return VectorHolder.REGISTERS;
  }

  /** Why the vector implementation is unavailable, or empty when it is available. */
  public static Optional<String> vectorUnavailableReason() {
    return Optional.ofNullable(VectorHolder.REASON);
  }

  private static KernelOps select() {
    String forced = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    KernelOps chosen;
    String why;
    switch (forced) {
      case "scalar" -> {
        chosen = scalar();
        why = "forced by -D" + PROPERTY + "=scalar";
      }
      case "vector" -> {
        if (VectorHolder.INSTANCE == null) {
          throw new IllegalStateException(
              "-D" + PROPERTY + "=vector, but the vector kernels cannot be used: "
                  + VectorHolder.REASON);
        }
        chosen = VectorHolder.INSTANCE;
        why = "forced by -D" + PROPERTY + "=vector";
      }
      case "auto" -> {
        chosen = VectorHolder.INSTANCE != null ? VectorHolder.INSTANCE : scalar();
        why = VectorHolder.INSTANCE != null ? "jdk.incubator.vector is readable"
            : VectorHolder.REASON;
      }
      default -> throw new IllegalArgumentException(
          "-D" + PROPERTY + "=" + forced + ": expected scalar, vector or auto");
    }
    String detail = chosen == scalar() ? ""
        : " (" + VectorHolder.LANES + " float lanes, " + VectorHolder.REGISTERS + " registers, "
            + (OffHeapRows.available() ? "batch-1 predictions from aligned rows off the heap)"
            : "batch-1 predictions from the arrays: " + OffHeapRows.unavailableReason() + ")");
    LOG.log(System.Logger.Level.INFO,
        "Kickback-J kernels: " + chosen.name() + detail + "; " + why);
    return chosen;
  }

  /** Initialized on first use, so a JVM that never asks for vectors never probes for them. */
  private static final class VectorHolder {
    static final KernelOps INSTANCE;
    static final String REASON;
    static final int LANES;
    static final int REGISTERS;

    static {
      KernelOps ops = null;
      String reason = null;
      int lanes = 0;
      int registers = 0;
      VectorRegisters.checkProperty();
      Module self = Kernels.class.getModule();
      Optional<Module> vm = ModuleLayer.boot().findModule(VECTOR_MODULE);
      if (vm.isEmpty()) {
        reason = VECTOR_MODULE + " is not in the module graph; run java with --add-modules "
            + VECTOR_MODULE + " to use the Vector API kernels";
      } else if (!self.canRead(vm.get())) {
        reason = self + " cannot read " + VECTOR_MODULE;
      } else {
        try {
          lanes = PanamaKernelOps.lanes();
          if (lanes < 4 || lanes > 16) {
            reason = "the preferred float vector has " + lanes + " lanes; the vector kernels"
                + " support 4, 8 or 16";
          } else {
            registers = VectorRegisters.Preferred.COUNT;
            ops = new PanamaKernelOps();
          }
        } catch (LinkageError e) {
          reason = "the Vector API failed to load: " + e;
        }
      }
      INSTANCE = ops;
      REASON = reason;
      LANES = lanes;
      REGISTERS = registers;
    }
  }
}
