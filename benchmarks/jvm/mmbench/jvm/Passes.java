// The passes of one run, as the C++ worker's run_passes: the first timed unit
// by unit (the latency figures; on the JVM also the JIT's warm-up), then,
// where the workload repeats and --min-time asks, steady-state passes with the
// per-unit clock off until they add up to --min-time (the throughput figure is
// their median). Everything written during the passes is allocated before.
package mmbench.jvm;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import mmbench.workloads.Counters;
import mmbench.workloads.RunContext;
import mmbench.workloads.Size;
import mmbench.workloads.Workload;
import mmbench.workloads.WorkloadResult;

final class Passes {
  static final class Iteration {
    long wallNs;
    long cpuNs; // process CPU time, all threads (the collector's included)
    long minorFaults;
    long involuntarySwitches;
    boolean timed;
    long startNs; // monotonic
  }

  final Histogram latency = new Histogram();
  final Histogram corrected = new Histogram();
  final Counters counters = new Counters();
  final Counters scratchCounters = new Counters(); // the repeated passes' (discarded)
  final Iteration[] iterations;
  final Iteration[] warmups; // untimed passes before the timed one (--warmup-passes)
  int nIterations = 0;
  boolean checksumsAgree = true;
  WorkloadResult result;
  long startNs;
  long endNs;
  long compileMsBeforeFirst = -1;
  long compileMsAfterFirst = -1;
  long allocatedBytes; // by the main thread, over the timed and steady passes
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  // Run between two passes, outside both (the collection that makes each
  // pass start from a collected heap); null: nothing.
  Runnable betweenPasses;
  // Run once after the warm-up, just before the measured span starts (null:
  // nothing); the GarbageCollectorMXBean counts at that moment are kept.
  Runnable atStart;
  Map<String, long[]> beansAtStart;

  Passes(int maxPasses, int warmupPasses) {
    iterations = new Iteration[maxPasses];
    for (int i = 0; i < maxPasses; ++i) iterations[i] = new Iteration();
    warmups = new Iteration[warmupPasses];
    for (int i = 0; i < warmupPasses; ++i) warmups[i] = new Iteration();
  }

  // The JIT's warm-up kept out of every figure: untimed passes, reported apart.
  private void warmUp(Workload workload, RunContext repeatCtx) throws Exception {
    for (Iteration it : warmups) {
      long cpu0 = cpuNs();
      long t0 = System.nanoTime();
      WorkloadResult r = workload.run(repeatCtx);
      it.wallNs = System.nanoTime() - t0;
      it.cpuNs = cpuNs() - cpu0;
      if (result == null) result = r;
      checksumsAgree = checksumsAgree && r.checksum == result.checksum && r.units == result.units;
    }
  }

  static long cpuNs() {
    return OS.getProcessCpuTime();
  }

  void run(Options opt, Workload workload, Size size) throws Exception {
    RunContext ctx = new RunContext(size, opt.threads, opt.seed, latency, corrected, counters);
    RunContext repeatCtx =
        new RunContext(size, opt.threads, opt.seed, latency, corrected, scratchCounters);
    repeatCtx.timeUnits = false;
    boolean repeat = iterations.length > 1;
    if (!opt.fault.isEmpty()) Faults.inject(opt.fault);
    warmUp(workload, repeatCtx);
    if (warmups.length > 0 && betweenPasses != null) betweenPasses.run();
    WorkloadResult warm = result;
    compileMsBeforeFirst = JvmInfo.compileTimeMs();
    PassCounters passCounters = new PassCounters();
    long mainThread = Thread.currentThread().getId();
    long allocated0 = THREADS.getThreadAllocatedBytes(mainThread);
    if (atStart != null) atStart.run();
    beansAtStart = GcReport.beans(); // the warm-up's collections are not the span's
    startNs = System.nanoTime();
    double repeatedS = 0;
    for (int i = 0; i < iterations.length; ++i) {
      if (i > 0 && repeatedS >= opt.minTimeS && i - 1 >= opt.minIterations) break;
      if (i > 0 && betweenPasses != null) betweenPasses.run();
      long faults0 = passCounters.minorFaults();
      long switches0 = passCounters.involuntarySwitches();
      long cpu0 = cpuNs();
      long t0 = System.nanoTime();
      WorkloadResult r = workload.run(i == 0 ? ctx : repeatCtx);
      long t1 = System.nanoTime();
      long cpu1 = cpuNs();
      Iteration it = iterations[i];
      it.startNs = t0;
      it.wallNs = t1 - t0;
      it.cpuNs = cpu1 - cpu0;
      it.minorFaults = passCounters.minorFaults() - faults0;
      it.involuntarySwitches = passCounters.involuntarySwitches() - switches0;
      it.timed = i == 0;
      nIterations = i + 1;
      if (i == 0) {
        if (warm != null) {
          checksumsAgree = checksumsAgree && r.checksum == warm.checksum && r.units == warm.units;
        }
        result = r;
        compileMsAfterFirst = JvmInfo.compileTimeMs();
      } else {
        checksumsAgree = checksumsAgree && r.checksum == result.checksum && r.units == result.units;
        repeatedS += (t1 - t0) * 1e-9;
      }
      if (!repeat) break;
    }
    endNs = System.nanoTime();
    allocatedBytes = THREADS.getThreadAllocatedBytes(mainThread) - allocated0;
  }

  // Whether [begin, end] (monotonic) overlaps one of the passes.
  boolean inAPass(long begin, long end) {
    for (int i = 0; i < nIterations; ++i) {
      Iteration it = iterations[i];
      if (end >= it.startNs && begin <= it.startNs + it.wallNs) return true;
    }
    return false;
  }

  // Median over the repeated (untimed) passes, or the first when there are none.
  long median(boolean wall) {
    int m = nIterations - 1;
    if (m == 0) return wall ? iterations[0].wallNs : iterations[0].cpuNs;
    long[] v = new long[m];
    for (int i = 1; i < nIterations; ++i) v[i - 1] = wall ? iterations[i].wallNs : iterations[i].cpuNs;
    java.util.Arrays.sort(v);
    return m % 2 == 1 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
  }

  // What timing one unit costs: two clock reads and a histogram record.
  static double unitRecordCostNs(int n) {
    Histogram scratch = new Histogram();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; ++i) {
      long start = System.nanoTime();
      scratch.record(System.nanoTime() - start);
    }
    return (double) (System.nanoTime() - t0) / n;
  }

  // How fast the machine is right now: the C++ worker's fixed chain of mix64.
  static long speedProbeNs() {
    long x = 0x9e3779b97f4a7c15L;
    long t0 = System.nanoTime();
    for (int i = 0; i < 2_000_000; ++i) x = Workload.mix64(x);
    long t = System.nanoTime() - t0;
    if (x == 42) System.err.print("");
    return t;
  }
}
