// The per-pass counters (process minor faults, the main thread's involuntary
// switches) read between passes without allocating: files opened once,
// re-read from offset 0 into a preallocated buffer and parsed in place, so
// the harness adds no garbage (and no collections) to the workload's.
package mmbench.jvm;

import java.io.IOException;
import java.io.RandomAccessFile;

final class PassCounters {
  private static final byte[] SWITCHES_KEY = "nonvoluntary_ctxt_switches:".getBytes();
  private final byte[] buffer = new byte[8192];
  private final RandomAccessFile stat;
  private final RandomAccessFile threadStatus; // the opening (main) thread's

  PassCounters() throws IOException {
    stat = new RandomAccessFile("/proc/self/stat", "r");
    threadStatus = new RandomAccessFile("/proc/thread-self/status", "r");
  }

  private int fill(RandomAccessFile f) {
    try {
      f.seek(0);
      int n = 0;
      for (int r; n < buffer.length && (r = f.read(buffer, n, buffer.length - n)) > 0;) n += r;
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  private long number(int at, int n) {
    long v = 0;
    while (at < n && buffer[at] == ' ') ++at;
    for (; at < n && buffer[at] >= '0' && buffer[at] <= '9'; ++at) v = v * 10 + (buffer[at] - '0');
    return v;
  }

  // Process-wide minor faults: field 10 of /proc/self/stat, the 8th after ")".
  long minorFaults() {
    int n = fill(stat);
    int at = n - 1;
    while (at >= 0 && buffer[at] != ')') --at;
    if (at < 0) return -1;
    for (int field = 2; field < 10 && at < n; ++at) {
      if (buffer[at] == ' ') ++field;
    }
    return number(at, n);
  }

  // The main thread's involuntary context switches.
  long involuntarySwitches() {
    int n = fill(threadStatus);
    outer:
    for (int at = 0; at + SWITCHES_KEY.length <= n; ++at) {
      for (int k = 0; k < SWITCHES_KEY.length; ++k) {
        if (buffer[at + k] != SWITCHES_KEY[k]) continue outer;
      }
      if (at == 0 || buffer[at - 1] == '\n') return number(at + SWITCHES_KEY.length, n);
    }
    return -1;
  }
}
