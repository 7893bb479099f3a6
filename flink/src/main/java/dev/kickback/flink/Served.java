package dev.kickback.flink;

/**
 * The serving operator's answer to a query.
 *
 * @param key the query's key
 * @param seq the query's number
 * @param prediction the output of the snapshot the server held for the key
 * @param modelVersion that snapshot's version
 */
public record Served(String key, long seq, float prediction, long modelVersion) {}
