// mmbench-worker-jvm: runs one (workload, strategy) in this fresh JVM, which
// the launcher (build/mmbench-worker-jvm) started with the collector's
// options, and writes the C++ worker's outputs: the detail JSON (--detail-out)
// and a Google-Benchmark-shaped JSON (--benchmark_out). Exit codes: ExitCodes.
// At start-up it refuses to run (exit 3) when the running collector is not
// the one the strategy names (GarbageCollectorMXBean names).
package mmbench.jvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mmbench.workloads.Size;
import mmbench.workloads.Workload;
import mmbench.workloads.Workloads;

public final class Worker {
  // Preallocated: an OutOfMemoryError leaves no room to build a message.
  private static final byte[] OOM_MESSAGE =
      "mmbench-worker-jvm: out of memory (java.lang.OutOfMemoryError)\n".getBytes();
  // Test only: the timed pass's latency samples, each as recorded, are also
  // written to this file (one per line), for the exact-percentile test.
  static final String RAW_LATENCY_ENV = "MMBENCH_JVM_TEST_RAW_LATENCY";
  static final int RAW_LATENCY_CAPACITY = 1 << 22;
  private static final Runtime RUNTIME = Runtime.getRuntime();
  // The gc log the launcher names when no --detail-out does: removed at every
  // exit, made here because the out-of-memory exit must not allocate.
  private static final java.io.File TEMPORARY_LOG = Boolean.getBoolean("mmbench.gclog.temporary")
      ? new java.io.File(System.getProperty("mmbench.gclog", "")) : null;

  private Worker() {}

  static void die(String message, int code) {
    System.err.println("mmbench-worker-jvm: " + message);
    System.exit(code);
  }

  static void outOfMemory() {
    System.err.write(OOM_MESSAGE, 0, OOM_MESSAGE.length);
    System.err.flush();
    removeTemporaryLog();
    RUNTIME.halt(ExitCodes.OUT_OF_MEMORY);
  }

  // halt() skips deleteOnExit; a failure to delete must not stop the exit.
  static void removeTemporaryLog() {
    try {
      if (TEMPORARY_LOG != null) TEMPORARY_LOG.delete();
    } catch (Throwable ignored) {
      // the exit goes on
    }
  }

  static boolean isOutOfMemory(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof OutOfMemoryError) return true;
    }
    return false;
  }

  // A workload's own thread running out of heap is out of memory all the same.
  // A class, not a lambda: linking a lambda allocates, and the heap may be full.
  static final class UncaughtHandler implements Thread.UncaughtExceptionHandler {
    @Override
    public void uncaughtException(Thread t, Throwable e) {
      if (isOutOfMemory(e)) outOfMemory();
      System.err.println("mmbench-worker-jvm: error in thread " + t.getName() + ": " + e);
      removeTemporaryLog();
      Runtime.getRuntime().halt(ExitCodes.ERROR);
    }
  }

  public static void main(String[] args) {
    Thread.setDefaultUncaughtExceptionHandler(new UncaughtHandler());
    if (TEMPORARY_LOG != null) TEMPORARY_LOG.deleteOnExit();
    try {
      // The out-of-memory path runs once now: linking it, or loading a class,
      // when the heap is full (Epsilon's, at the end) would fail.
      Class.forName("java.lang.Shutdown");
      if (!isOutOfMemory(new RuntimeException(new OutOfMemoryError()))) throw new AssertionError();
      System.err.write(OOM_MESSAGE, 0, 0);
      System.err.flush();
      System.exit(start(args));
    } catch (Throwable e) {
      if (isOutOfMemory(e)) outOfMemory();
      if (e instanceof Options.UsageError) die(e.getMessage(), ExitCodes.USAGE);
      die("error: " + e, ExitCodes.ERROR);
    }
  }

  static Workload findWorkload(String name) {
    for (Workload w : Workloads.ALL) {
      if (w.info().name.equals(name)) return w;
    }
    return null;
  }

  static int start(String[] args) throws Exception {
    Options opt = Options.parse(args);
    if (opt.help) {
      System.out.println("mmbench-worker-jvm --workload W --strategy S [--size quick|default|large]"
          + " [--threads N] [--seed N] [--detail-out F] [--benchmark_out=F] [--min-time S]"
          + " [--min-iterations N] [--max-iterations N] [--warmup-passes N] [--drain] [--gc-log F]"
          + " | --list | --describe");
      return ExitCodes.OK;
    }
    Map<String, Collectors.Collector> collectors = Collectors.load();
    if (!opt.expectMalloc.isEmpty() && !opt.expectMalloc.equals(JvmInfo.FAMILY)) {
      die("allocator check failed: the JVM's heap serves every object, not " + opt.expectMalloc
          + "; refusing to run", ExitCodes.ALLOCATOR);
    }
    if (opt.list || opt.describe) {
      String text = Listing.print(opt.list, collectors);
      String out = System.getProperty("mmbench.out", ""); // the build saves a listing
      if (out.isEmpty()) {
        System.out.println(text);
      } else {
        Files.writeString(Path.of(out), text + "\n");
      }
      return ExitCodes.OK;
    }
    Workload workload = findWorkload(opt.workload);
    if (workload == null) {
      StringBuilder names = new StringBuilder();
      for (Workload w : Workloads.ALL) names.append(names.length() == 0 ? "" : ", ").append(w.info().name);
      throw new Options.UsageError("unknown workload '" + opt.workload + "'; valid: " + names);
    }
    Collectors.Collector c = collectors.get(opt.strategy);
    if (c == null) {
      throw new Options.UsageError("unknown strategy '" + opt.strategy + "' in this worker; valid: "
          + String.join(", ", collectors.keySet()));
    }
    Size size = Size.parse(opt.size);
    if (size == null) throw new Options.UsageError("unknown size '" + opt.size + "'");
    if (c.unsupported != null) die(c.name + " unsupported: " + c.unsupported, ExitCodes.UNSUPPORTED);
    String why = Collectors.mismatch(c);
    if (!why.isEmpty()) {
      die("allocator check failed: " + why + "; refusing to run (the figures would be labelled "
          + "wrongly)", ExitCodes.ALLOCATOR);
    }
    return run(opt, workload, c, size);
  }

  static int run(Options opt, Workload workload, Collectors.Collector c, Size size) throws Exception {
    String label = opt.label.isEmpty() ? c.name : opt.label;
    boolean repeat = workload.info().repeatable && opt.minTimeS > 0;
    // Warm-up passes wherever a pass leaves nothing behind: real_time_loop too
    // (one timed pass, its frame times, but a JIT as warm as the others'); not a
    // deliberate leak, whose forgotten objects the warm-up would add to the peak.
    int warmups = workload.info().deliberateLeak ? 0 : opt.warmupPasses;
    Passes m = new Passes(repeat ? Math.max(opt.maxIterations, 2) : 1, warmups);
    String log = System.getProperty("mmbench.gclog", "");
    double recordCostNs = Passes.unitRecordCostNs(200_000);
    long probeBefore = Passes.speedProbeNs();
    String rawPath = System.getenv(RAW_LATENCY_ENV);
    if (rawPath != null) m.latency.tap(new long[RAW_LATENCY_CAPACITY]);
    ForcedCollections forced = new ForcedCollections();
    if (!c.reclaim.equals("never")) m.betweenPasses = forced; // Epsilon has nothing to collect
    m.atStart = forced::reset;
    m.run(opt, workload, size);
    Map<String, long[]> beansAfter = GcReport.beans();
    if (!m.checksumsAgree) {
      die("a repeated iteration of " + workload.info().name + " returned another checksum or unit "
          + "count than the first: not fixed work", ExitCodes.ERROR);
    }
    long[] switches = Proc.switchesOfAllThreads();
    long probeAfter = Passes.speedProbeNs();
    Map<String, Object> drain = opt.drain ? Drain.run(c) : null;
    Map<String, Object> d = Detail.head(opt, workload.info(), label, c, m);
    d.put("unit_clock", Detail.unitClock(m, recordCostNs));
    d.put("warmup", Detail.warmup(m));
    d.put("speed_probe_ns", new long[] {probeBefore, probeAfter});
    d.put("sched", Proc.mainThreadSched());
    Map<String, Object> process = Json.obj();
    process.put("minor_faults", Proc.minorFaults());
    process.put("major_faults", Proc.majorFaults());
    process.put("voluntary_switches", switches[0]);
    process.put("involuntary_switches", switches[1]);
    d.put("process", process);
    d.put("start_monotonic_ns", m.startNs);
    d.put("end_monotonic_ns", m.endNs);
    d.put("latency", Detail.histogram(m.latency));
    if (workload.info().openLoop) d.put("corrected_latency", Detail.histogram(m.corrected));
    Map<String, Object> counters = Json.obj();
    for (int i = 0; i < m.counters.size(); ++i) counters.put(m.counters.name(i), m.counters.value(i));
    d.put("counters", counters);
    if (opt.drain) d.put("drain", drain);
    d.put("gc", GcReport.report(c, m.beansAtStart, beansAfter, m, forced, log));
    // No getrusage here: VmHWM is the JVM's own peak (the launcher's shell is far smaller).
    d.put("self_maxrss_kib", Proc.vmHwmKib());
    d.put("self_maxrss_source", "VmHWM");
    report(opt, workload, label, m);
    if (!opt.benchmarkOut.isEmpty()) {
      Detail.writeAtomically(opt.benchmarkOut, Detail.gbench(opt, workload.info(), label, m, d));
    }
    if (rawPath != null) d.put("test_raw_latency", writeRawLatency(m.latency, rawPath));
    d.put("self_vmhwm_kib", Proc.vmHwmKib());
    if (!opt.detailOut.isEmpty()) Detail.writeAtomically(opt.detailOut, Json.write(d));
    removeTemporaryLog();
    return ExitCodes.OK;
  }

  static Map<String, Object> writeRawLatency(Histogram h, String path) throws java.io.IOException {
    StringBuilder out = new StringBuilder();
    long[] values = h.tapValues();
    for (int i = 0; i < h.tapped(); ++i) out.append(values[i]).append('\n');
    Files.writeString(Path.of(path), out);
    return Map.of("path", path, "count", (long) h.tapped(), "capacity", (long) values.length);
  }

  // One console line, as Google Benchmark's table would say it.
  static void report(Options opt, Workload workload, String label, Passes m) {
    double secs = m.median(true) * 1e-9;
    System.out.printf("%s/%s  wall %.3f ms  cpu %.3f ms  passes %d  units %d  units/s %.1f  "
        + "checksum %016x%n", workload.info().name, label, m.median(true) * 1e-6,
        m.median(false) * 1e-6, m.nIterations, m.result.units,
        secs > 0 ? m.result.units / secs : 0.0, m.result.checksum);
  }
}
