// What a pass gets (RunContext of workloads/workload.hpp). Units are timed
// with System.nanoTime (CLOCK_MONOTONIC through the vDSO on Linux); the
// worker turns timing off for the steady-state passes.
package mmbench.workloads;

import mmbench.jvm.Histogram;

public final class RunContext {
  public final Size size;
  public final int threads;
  public final long seed;
  public final Histogram latency; // one sample per unit of work, in ns
  public final Histogram corrected; // open-loop workloads: from the intended start
  public final Counters counters;
  public boolean timeUnits = true;

  public RunContext(Size size, int threads, long seed, Histogram latency, Histogram corrected,
      Counters counters) {
    this.size = size;
    this.threads = threads;
    this.seed = seed;
    this.latency = latency;
    this.corrected = corrected;
    this.counters = counters;
  }

  // Time one unit: long t0 = ctx.unitStart(); ...work...; ctx.unitEnd(t0).
  public long unitStart() {
    return timeUnits ? System.nanoTime() : 0;
  }

  public void unitEnd(long start) {
    if (timeUnits) latency.record(System.nanoTime() - start);
  }

  // A unit timed by the workload itself (e.g. a phase it also reports).
  public void recordUnitNs(long ns) {
    if (timeUnits) latency.record(ns);
  }

  public static long nowNs() {
    return System.nanoTime();
  }

  // This process's resident set in KiB (/proc/self/statm), 0 if unreadable.
  // Read outside timed units only: it allocates a little.
  public static double selfRssKib() {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/statm"))
          .trim().split(" ");
      return Double.parseDouble(f[1]) * 4096 / 1024.0;
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }
}
