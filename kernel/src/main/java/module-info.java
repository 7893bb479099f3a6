/**
 * Kickback-J kernel: signed-rectifier fully-connected networks trained with exact Backprop or
 * the Kickback rule, on {@code float[]} kernels.
 *
 * <p>The Vector API is optional: it is used only when {@code jdk.incubator.vector} is in the
 * module graph (run with {@code --add-modules jdk.incubator.vector}); otherwise a scalar
 * implementation runs.
 */
module dev.kickback.kernel {
  requires static jdk.incubator.vector;
  requires static jdk.management;

  exports dev.kickback.api;
  exports dev.kickback.kernels;
  exports dev.kickback.io;
  exports dev.kickback.serving;
}
