package dev.kickback.flink;

/**
 * A key's prequential error: every sample is predicted before it is trained on, and the report
 * divides the squared errors by the variance of the targets seen so far.
 *
 * @param key the key
 * @param samples samples trained so far
 * @param nmse mean squared error over all of them, over the variance of their targets
 * @param recentNmse the same over the {@code recentSamples} since the previous report, over
 *     the variance of all targets seen so far
 * @param recentSamples samples since the previous report: {@code nmseEvery}, or fewer in the
 *     report at the end of the input
 * @param modelVersion training steps taken
 */
public record NmseReport(String key, long samples, double nmse, double recentNmse,
    long recentSamples, long modelVersion) {}
