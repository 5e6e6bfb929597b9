// Test-only faults (--fault): a crash (SIGABRT, a signal the JVM does not
// handle), a hang, a real OutOfMemoryError.
package mmbench.jvm;

import java.util.ArrayList;
import java.util.List;

final class Faults {
  private Faults() {}

  static void inject(String fault) throws Exception {
    switch (fault) {
      case "crash" -> {
        long pid = ProcessHandle.current().pid();
        new ProcessBuilder("kill", "-ABRT", Long.toString(pid)).start().waitFor();
        Thread.sleep(10_000);
      }
      case "hang" -> {
        for (;;) Thread.sleep(1_000_000);
      }
      case "oom" -> {
        List<long[]> hoard = new ArrayList<>();
        for (;;) hoard.add(new long[1 << 20]);
      }
      default -> { }
    }
  }
}
