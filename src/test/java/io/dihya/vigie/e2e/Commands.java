package io.dihya.vigie.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit, keeping its merged output. */
public final class Commands {

  private Commands() {}

  /** A finished command: exit code (-1 when it timed out) and merged stdout and stderr. */
  public record Result(List<String> command, int exitCode, String output) {

    public String lastLines(int n) {
      List<String> lines = output.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** Fails with the command and its output unless it exited 0. */
    public Result assertSuccess() {
      if (exitCode != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  public static Result run(Path dir, Duration limit, String... command) {
    try {
      Path log = Files.createTempFile("vigie-cmd", ".log");
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      process.getOutputStream().close();
      boolean done = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      return new Result(List.of(command), done ? process.exitValue() : -1, output);
    } catch (IOException e) {
      return new Result(List.of(command), 127, "cannot run " + command[0] + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command[0], e);
    }
  }
}
