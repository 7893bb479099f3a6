package dev.kickback.flink;

/**
 * One record of the learner's input: a labeled sample {@code (key, x, y)}, which is predicted and
 * then trained on, or a query {@code (key, x)}, which is only predicted.
 *
 * @param key the model this record belongs to
 * @param seq the record's number in its source, carried to every output for tracing
 * @param x the inputs, {@code inputWidth} floats (a record of another width is rejected)
 * @param y the target; ignored for a query
 * @param labeled whether {@code y} is a target (a sample) or not (a query)
 */
public record Sample(String key, long seq, float[] x, float y, boolean labeled)
    implements java.io.Serializable {
  /** A labeled sample. */
  public static Sample labeled(String key, long seq, float[] x, float y) {
    return new Sample(key, seq, x, y, true);
  }

  /** A query. */
  public static Sample query(String key, long seq, float[] x) {
    return new Sample(key, seq, x, Float.NaN, false);
  }
}
