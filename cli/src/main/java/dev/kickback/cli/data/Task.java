package dev.kickback.cli.data;

/**
 * One regression target: a data file under the data directory, the 0-based target column and
 * the input columns.
 */
public record Task(String name, String file, int target, int[] inputs) {}
