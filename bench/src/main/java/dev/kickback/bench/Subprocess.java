package dev.kickback.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child process run to its end with a time limit, its output (stderr merged) kept in a
 * temporary file until it ends. Read from a pipe instead, a child that hangs would hang the
 * reader before the time limit is ever checked.
 */
final class Subprocess {
  /** How the child ended: its exit code (-1 if it was killed at the limit) and its output. */
  record Result(int exit, String out, boolean timedOut) {
    /** The output's last line, stripped: what a child that failed usually says last. */
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1].strip();
    }
  }

  private Subprocess() {}

  static Result run(ProcessBuilder pb, long timeoutS) throws IOException, InterruptedException {
    Path log = Files.createTempFile("kickback-child", ".log");
    try {
      Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean ended = p.waitFor(timeoutS, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly().waitFor();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      return new Result(ended ? p.exitValue() : -1, out, !ended);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
