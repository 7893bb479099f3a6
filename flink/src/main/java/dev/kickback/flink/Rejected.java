package dev.kickback.flink;

/**
 * A record the learner or the server did not use, and why. Its key's model is unchanged.
 *
 * @param key the record's key
 * @param seq the record's number
 * @param reason what was wrong, e.g. {@code "x has 5 values, expected 21"}
 */
public record Rejected(String key, long seq, String reason) {}
