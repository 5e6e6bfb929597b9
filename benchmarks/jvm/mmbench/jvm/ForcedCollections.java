// The collection between two passes (outside both): System.gc(), so that each
// pass starts from a collected heap as a fresh process's first pass does.
// Without it the young generation fills further with every pass (its pages
// touched for the first time), and a row's peak RSS would grow with the
// number of passes (--min-time) instead of measuring the workload. Its
// safepoints fall between the passes and are left out of the pauses; its
// GarbageCollectorMXBean counts and times are kept here, apart.
package mmbench.jvm;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

final class ForcedCollections implements Runnable {
  // Only after a pass that left this much more heap in use: a pass that
  // allocates next to nothing (baseline: thousands of passes) is not followed
  // by thousands of full collections.
  static final long THRESHOLD_BYTES = 1L << 20;
  final Map<String, long[]> beans = new TreeMap<>(); // {bean: [count, time_ms]}
  long count = 0;
  private long usedAfterLast = heapUsed();

  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  // Forget the collections so far (the warm-up's): only the measured span's count.
  void reset() {
    beans.clear();
    count = 0;
  }

  @Override
  public void run() {
    if (heapUsed() - usedAfterLast < THRESHOLD_BYTES) return;
    Map<String, long[]> before = GcReport.beans();
    System.gc();
    Map<String, long[]> after = GcReport.beans();
    for (var e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      long[] sum = beans.computeIfAbsent(e.getKey(), k -> new long[2]);
      sum[0] += e.getValue()[0] - b[0];
      sum[1] += e.getValue()[1] - b[1];
    }
    ++count;
    usedAfterLast = heapUsed();
  }
}
