package dev.kickback.flink;

/**
 * The learner's main output: one per record, made before the record (if labeled) is trained on.
 *
 * @param key the record's key
 * @param seq the record's number
 * @param prediction the model's output for the record's inputs
 * @param target the record's target, or null for a query
 * @param modelVersion how many training steps the predicting model had taken
 */
public record Prediction(String key, long seq, float prediction, Float target,
    long modelVersion) {}
