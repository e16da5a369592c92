package io.dihya.vigie.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CPU time and memory of a process, from Linux' /proc, and a JVM's heap after a full GC. */
final class ProcStats {

  private static final long TICKS = ticks();

  private ProcStats() {}

  /** User plus system CPU seconds the process used so far. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) / (double) TICKS;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
    }
  }

  /** Resident set size in MiB. */
  static double rssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
    }
    return Double.NaN;
  }

  /** Heap in use right after a full GC (jcmd GC.run, then GC.heap_info), in MiB. */
  static double heapAfterGcMib(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("no heap figure in jcmd GC.heap_info: " + info);
    }
    return Long.parseLong(used.group(1)) / 1024.0;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + out);
    }
    return out;
  }

  private static long ticks() {
    try {
      Process process = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(process.getInputStream().readAllBytes()).trim();
      process.waitFor();
      return Long.parseLong(out);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100;
    }
  }
}
