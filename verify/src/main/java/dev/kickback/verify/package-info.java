/**
 * Gradient-agreement checks and the paper's experiments on real data. The kernel's own test
 * suite already checks Backprop against finite differences, vector against scalar kernels and
 * Kickback against Backprop on the top two layers; this module will turn those checks, at
 * scale, and the real-data experiments into a rerunnable report.
 */
package dev.kickback.verify;
