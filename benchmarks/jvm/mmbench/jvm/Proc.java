// What the worker reads about its own process from /proc (the JVM has no
// getrusage): page faults, context switches, peak and current RSS, the main
// thread's scheduler statistics. Read between passes and after the run, never
// inside a pass.
package mmbench.jvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

final class Proc {
  private Proc() {}

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException e) {
      return "";
    }
  }

  // Fields of /proc/self/stat after the command name (field 3 is index 0).
  private static String[] statFields() {
    String s = read("/proc/self/stat");
    int close = s.lastIndexOf(')');
    return close < 0 ? new String[0] : s.substring(close + 2).trim().split(" ");
  }

  // Process-wide minor and major faults (stat fields 10 and 12).
  static long minorFaults() {
    String[] f = statFields();
    return f.length > 9 ? Long.parseLong(f[7]) : -1;
  }

  static long majorFaults() {
    String[] f = statFields();
    return f.length > 9 ? Long.parseLong(f[9]) : -1;
  }

  // "key: value kB" of a /proc status file, -1 when absent.
  static long statusValue(String path, String key) {
    for (String line : read(path).split("\n")) {
      if (line.startsWith(key + ":")) {
        String v = line.substring(key.length() + 1).trim().split("\\s+")[0];
        return Long.parseLong(v);
      }
    }
    return -1;
  }

  static long vmHwmKib() {
    return statusValue("/proc/self/status", "VmHWM");
  }

  // Context switches of every thread alive now (the collector's included).
  static long[] switchesOfAllThreads() {
    long voluntary = 0, involuntary = 0;
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        String status = t.resolve("status").toString();
        voluntary += Math.max(0, statusValue(status, "voluntary_ctxt_switches"));
        involuntary += Math.max(0, statusValue(status, "nonvoluntary_ctxt_switches"));
      }
    } catch (IOException e) {
      return new long[] {-1, -1};
    }
    return new long[] {voluntary, involuntary};
  }

  static Map<String, Object> mainThreadSched() {
    Map<String, Object> out = Json.obj();
    List<String> keys =
        List.of("se.nr_migrations", "nr_switches", "nr_voluntary_switches", "nr_involuntary_switches");
    for (String line : read("/proc/thread-self/sched").split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String key = line.substring(0, colon).trim();
      if (keys.contains(key)) {
        out.put(key, (long) Double.parseDouble(line.substring(colon + 1).trim()));
      }
    }
    return out;
  }

  // Resident set now, KiB, from /proc/self/statm; -1 if unreadable.
  static long statmRssKib() {
    String[] f = read("/proc/self/statm").trim().split(" ");
    if (f.length < 2) return -1;
    return Long.parseLong(f[1]) * 4;
  }
}
