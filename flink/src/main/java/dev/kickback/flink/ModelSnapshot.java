package dev.kickback.flink;

/**
 * A key's model as published by the learner, for serving.
 *
 * @param key the key
 * @param version training steps the model had taken
 * @param samples samples it was trained on
 * @param model the network in the model file format ({@code dev.kickback.io.ModelFile})
 */
public record ModelSnapshot(String key, long version, long samples, byte[] model) {}
