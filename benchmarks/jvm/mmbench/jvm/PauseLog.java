// Stop-the-world windows from the JVM's own unified log (-Xlog:safepoint with
// the timenanos decoration): one line per safepoint, written when it ends,
//   [<timenanos>ns][<uptimenanos>ns][info][safepoint] Safepoint "OP", ...,
//   Reaching safepoint: N ns, Cleanup: N ns, At safepoint: N ns, Total: N ns
// timenanos is os::javaTimeNanos, i.e. System.nanoTime (CLOCK_MONOTONIC), the
// clock of the worker's pass times, so a window is [end - Total, end].
package mmbench.jvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class PauseLog {
  static final class Safepoint {
    String operation;
    long endNs; // monotonic
    long totalNs;
    long reachingNs;
    long atSafepointNs;
  }

  private static final Pattern LINE = Pattern.compile(
      "^\\[(\\d+)ns\\]\\[\\d+ns\\]\\[info\\s*\\]\\[safepoint\\s*\\] Safepoint \"([^\"]+)\".*"
      + "Reaching safepoint: (\\d+) ns.*At safepoint: (\\d+) ns, Total: (\\d+) ns");

  private PauseLog() {}

  // Every safepoint in the log, durations multiplied by scale (1 but in the
  // cross-check test's planted fault).
  static List<Safepoint> read(String path, double scale) throws IOException {
    List<Safepoint> out = new ArrayList<>();
    if (path == null || path.isEmpty() || !Files.exists(Path.of(path))) return out;
    for (String line : Files.readAllLines(Path.of(path))) {
      Matcher m = LINE.matcher(line);
      if (!m.find()) continue;
      Safepoint s = new Safepoint();
      s.endNs = Long.parseLong(m.group(1));
      s.operation = m.group(2);
      s.reachingNs = (long) (Long.parseLong(m.group(3)) * scale);
      s.atSafepointNs = (long) (Long.parseLong(m.group(4)) * scale);
      s.totalNs = (long) (Long.parseLong(m.group(5)) * scale);
      out.add(s);
    }
    return out;
  }
}
