// The detail's "gc" section for a JVM collector, in the keys of Boehm's
// (docs/run-folder.md): the stop-the-world windows of the collector's own
// safepoint operations inside the measured span, from the JVM's safepoint log
// (pauses, events), beside the GarbageCollectorMXBean counts and times over
// the same span (the cross-check: tests/scripts/jvm_pause_crosscheck.py).
package mmbench.jvm;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

final class GcReport {
  // Test only: scales the parsed pause durations, so that the cross-check can
  // show it catches a parser that shortens them. Recorded in the detail.
  static final String TEST_SCALE_ENV = "MMBENCH_JVM_TEST_PAUSE_SCALE";

  private GcReport() {}

  // {bean: [count, time_ms]} now.
  static Map<String, long[]> beans() {
    Map<String, long[]> out = new TreeMap<>();
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      out.put(b.getName(), new long[] {b.getCollectionCount(), b.getCollectionTime()});
    }
    return out;
  }

  static double testScale() {
    String v = System.getenv(TEST_SCALE_ENV);
    return v == null || v.isEmpty() ? 1.0 : Double.parseDouble(v);
  }

  static Map<String, Object> report(Collectors.Collector c, Map<String, long[]> before,
      Map<String, long[]> after, Passes m, ForcedCollections forced, String logPath)
      throws Exception {
    long startNs = m.startNs;
    double scale = testScale();
    List<PauseLog.Safepoint> all = PauseLog.read(logPath, scale);
    Histogram pauses = new Histogram();
    List<Object> events = new ArrayList<>();
    Map<String, long[]> byOperation = new TreeMap<>();
    long otherCount = 0, otherNs = 0;
    long countedCount = 0, countedNs = 0, countedAtNs = 0;
    for (PauseLog.Safepoint s : all) {
      long begin = s.endNs - s.totalNs;
      if (!m.inAPass(begin, s.endNs)) continue; // before, between or after the passes
      long[] op = byOperation.computeIfAbsent(s.operation, k -> new long[2]);
      op[0] += 1;
      op[1] += s.totalNs;
      if (c.isPauseOperation(s.operation)) {
        pauses.record(s.totalNs);
        events.add(new long[] {begin - startNs, s.totalNs});
        if (c.isCountedPause(s.operation)) {
          ++countedCount;
          countedNs += s.totalNs;
          countedAtNs += s.atSafepointNs;
        }
      } else {
        ++otherCount;
        otherNs += s.totalNs;
      }
    }
    Map<String, Object> gc = Json.obj();
    gc.put("collections", collections(c, before, after) - forcedCollections(c, forced));
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    gc.put("heap_bytes", heap.getCommitted());
    gc.put("heap_used_bytes", heap.getUsed());
    gc.put("marker_threads", markerThreads(c));
    gc.put("incremental", false);
    gc.put("concurrent", c.name.equals("jvm-zgc") || c.name.equals("jvm-shenandoah")
        || c.name.equals("jvm-g1"));
    gc.put("total_allocated_bytes", m.allocatedBytes);
    gc.put("total_allocated_bytes_source", "main thread (ThreadMXBean.getThreadAllocatedBytes)");
    gc.put("pauses", Detail.histogram(pauses));
    gc.put("events", events);
    gc.put("pause_source", "safepoint log: Total of each safepoint that is a collector pause");
    Map<String, Object> counted = Json.obj();
    counted.put("count", countedCount);
    counted.put("total_ns", countedNs);
    counted.put("at_safepoint_ns", countedAtNs);
    gc.put("bean_counted_pauses", counted); // those the pause beans count too
    gc.put("other_safepoints", Map.of("count", otherCount, "total_ns", otherNs));
    Map<String, Object> ops = Json.obj();
    for (var e : byOperation.entrySet()) {
      ops.put(e.getKey(), Map.of("count", e.getValue()[0], "total_ns", e.getValue()[1]));
    }
    gc.put("safepoint_operations", ops);
    putPassesAndBeans(gc, before, after, m, forced);
    gc.put("log", logPath);
    if (scale != 1.0) gc.put("test_pause_scale", scale);
    return gc;
  }

  // The beans over the passes (the whole span's counts less those of the
  // collections between passes, reported apart) and the passes' windows.
  private static void putPassesAndBeans(Map<String, Object> gc, Map<String, long[]> before,
      Map<String, long[]> after, Passes m, ForcedCollections forced) {
    Map<String, long[]> inPasses = new TreeMap<>();
    for (var e : after.entrySet()) {
      long[] f = forced.beans.getOrDefault(e.getKey(), new long[2]);
      inPasses.put(e.getKey(), new long[] {e.getValue()[0] - f[0], e.getValue()[1] - f[1]});
    }
    gc.put("mxbeans", beanDelta(before, inPasses));
    Map<String, Object> between = Json.obj();
    between.put("collections", forced.count);
    between.put("call", "System.gc");
    between.put("threshold_bytes", ForcedCollections.THRESHOLD_BYTES);
    between.put("mxbeans", beanDelta(Map.of(), forced.beans));
    gc.put("forced_between_passes", between);
    List<Object> windows = new ArrayList<>();
    for (int i = 0; i < m.nIterations; ++i) {
      windows.add(new long[] {m.iterations[i].startNs - m.startNs, m.iterations[i].wallNs});
    }
    gc.put("pass_windows", windows);
  }

  // The threads that mark: ConcGCThreads for a concurrent marker, else the
  // parallel workers; Serial marks on one thread, Epsilon never.
  private static long markerThreads(Collectors.Collector c) {
    if (c.reclaim.equals("never")) return 0;
    if (c.name.equals("jvm-serial")) return 1;
    String conc = JvmInfo.vmOption("ConcGCThreads");
    String par = JvmInfo.vmOption("ParallelGCThreads");
    return Long.parseLong(conc != null && !conc.equals("0") ? conc : par);
  }

  // Collections over the passes: the collector's beans that do not count pauses
  // (ZGC's and Shenandoah's Cycles), else all of them.
  private static long collections(Collectors.Collector c, Map<String, long[]> before,
      Map<String, long[]> after) {
    long n = 0;
    boolean cycles = false;
    for (String b : c.beans) cycles |= !c.pauseBeans.contains(b);
    for (String b : c.beans) {
      if (cycles && c.pauseBeans.contains(b)) continue;
      n += after.getOrDefault(b, new long[2])[0] - before.getOrDefault(b, new long[2])[0];
    }
    return n;
  }

  private static long forcedCollections(Collectors.Collector c, ForcedCollections forced) {
    return collections(c, Map.of(), forced.beans);
  }

  private static Map<String, Object> beanDelta(Map<String, long[]> before, Map<String, long[]> after) {
    Map<String, Object> out = Json.obj();
    for (var e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      out.put(e.getKey(), Map.of("count", e.getValue()[0] - b[0], "time_ms", e.getValue()[1] - b[1]));
    }
    return out;
  }
}
