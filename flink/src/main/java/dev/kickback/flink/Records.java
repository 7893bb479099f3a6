package dev.kickback.flink;

/** The checks a record passes before any model sees it; one copy for learner and server. */
final class Records {
  private Records() {}

  /** What is wrong with {@code s} for a model of {@code width} inputs, or null. */
  static String problem(Sample s, int width) {
    String why = inputProblem(s.x(), width);
    if (why == null && s.labeled() && !Float.isFinite(s.y())) {
      return "y is " + s.y();
    }
    return why;
  }

  /** What is wrong with inputs {@code x} for a model of {@code width} inputs, or null. */
  static String inputProblem(float[] x, int width) {
    if (x == null) {
      return "x is missing";
    }
    if (x.length != width) {
      return "x has " + x.length + " values, expected " + width;
    }
    for (int j = 0; j < width; j++) {
      if (!Float.isFinite(x[j])) {
        return "x[" + j + "] is " + x[j];
      }
    }
    return null;
  }
}
