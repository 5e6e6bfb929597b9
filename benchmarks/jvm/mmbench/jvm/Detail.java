// The detail JSON (--detail-out) in the C++ worker's keys (docs/run-folder.md),
// and a Google-Benchmark-shaped JSON (--benchmark_out) with the same figures
// as counters and a "context"; both written atomically after the run.
package mmbench.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mmbench.workloads.WorkloadInfo;

final class Detail {
  static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
  static final String[] PERCENTILE_KEYS = {"50", "90", "99", "999", "9999"};

  private Detail() {}

  static Map<String, Object> histogram(Histogram h) {
    Map<String, Object> j = Json.obj();
    j.put("count", h.count());
    j.put("min", h.min());
    j.put("max", h.max());
    j.put("mean", h.mean());
    j.put("saturated", h.saturated());
    j.put("significant_digits", h.significantDigits());
    Map<String, Object> pct = Json.obj();
    for (int i = 0; i < PERCENTILES.length; ++i) {
      pct.put(PERCENTILE_KEYS[i], h.valueAtPercentile(PERCENTILES[i]));
    }
    j.put("percentiles", pct);
    List<Object> buckets = new ArrayList<>();
    for (int i = 0; i < h.countsLen(); ++i) {
      long c = h.countAtIndex(i);
      if (c == 0) continue;
      long v = h.valueAtIndex(i);
      buckets.add(new long[] {h.lowestEquivalent(v), h.highestEquivalent(v), c});
    }
    j.put("buckets", buckets);
    return j;
  }

  static void writeAtomically(String path, String text) throws IOException {
    Path tmp = Path.of(path + ".tmp");
    Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, Path.of(path), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  static List<Object> iterations(Passes m) {
    List<Object> its = new ArrayList<>();
    for (int i = 0; i < m.nIterations; ++i) {
      Passes.Iteration it = m.iterations[i];
      Map<String, Object> o = Json.obj();
      o.put("wall_ns", it.wallNs);
      o.put("cpu_ns", it.cpuNs);
      o.put("minor_faults", it.minorFaults);
      o.put("involuntary_switches", it.involuntarySwitches);
      o.put("timed", it.timed);
      its.add(o);
    }
    return its;
  }

  // The JIT's warm-up: the untimed passes before the timed one (--warmup-passes;
  // with none, or in leak_exit, the timed first pass is the warm-up, as in the
  // C++ worker), and the JIT's compile time before, during and after it.
  static Map<String, Object> warmup(Passes m) {
    Map<String, Object> w = Json.obj();
    List<Object> passes = new ArrayList<>();
    for (Passes.Iteration it : m.warmups) {
      passes.add(Map.of("wall_ns", it.wallNs, "cpu_ns", it.cpuNs));
    }
    w.put("untimed_passes", passes);
    w.put("timed_pass_is_warmup", m.warmups.length == 0);
    w.put("jit_compile_ms_before_timed_pass", m.compileMsBeforeFirst);
    w.put("jit_compile_ms_in_timed_pass", m.compileMsAfterFirst - m.compileMsBeforeFirst);
    w.put("jit_compile_ms_total", JvmInfo.compileTimeMs());
    return w;
  }

  // The per-unit clock and its calibrated cost.
  static Map<String, Object> unitClock(Passes m, double recordCostNs) {
    double records = m.latency.count() + m.corrected.count();
    long first = m.iterations[0].wallNs;
    double share = first > 0 ? records * recordCostNs / first : 0.0;
    Map<String, Object> u = Json.obj();
    u.put("source", "clock_gettime");
    u.put("reader", "System.nanoTime (CLOCK_MONOTONIC)");
    u.put("ns_per_tick", 1.0);
    u.put("record_cost_ns", recordCostNs);
    u.put("timed_iteration_share", share);
    u.put("figure_share", m.nIterations > 1 ? 0.0 : share);
    return u;
  }

  static Map<String, Object> head(Options opt, WorkloadInfo w, String label, Collectors.Collector c,
      Passes m) {
    Map<String, Object> d = Json.obj();
    d.put("workload", w.name);
    d.put("strategy", label);
    if (!opt.label.isEmpty()) d.put("hosted_by", c.name);
    d.put("config", JvmInfo.appliedConfig(c));
    d.put("unit", w.unit);
    d.put("size", opt.size);
    d.put("threads", opt.threads);
    d.put("seed", new java.math.BigInteger(Long.toUnsignedString(opt.seed)));
    d.put("deliberate_leak", w.deliberateLeak);
    d.put("allocator", JvmInfo.identity());
    d.put("checksum", String.format("%016x", m.result.checksum));
    d.put("units", m.result.units);
    d.put("live_bytes", m.result.liveBytes);
    d.put("wall_ns", m.median(true));
    d.put("cpu_ns", m.median(false));
    d.put("cpu_clock", Map.of("source", "OperatingSystemMXBean.getProcessCpuTime",
        "resolution_ns", 10_000_000L));
    d.put("first_wall_ns", m.iterations[0].wallNs);
    d.put("first_cpu_ns", m.iterations[0].cpuNs);
    d.put("steady_state", m.nIterations > 1);
    d.put("iterations", iterations(m));
    d.put("min_time_s", opt.minTimeS);
    d.put("repeatable", w.repeatable);
    return d;
  }

  static String gbench(Options opt, WorkloadInfo w, String label, Passes m,
      Map<String, Object> detail) {
    Map<String, Object> ctx = Json.obj();
    ctx.put("date", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    ctx.put("executable", System.getProperty("mmbench.launcher", ""));
    ctx.put("num_cpus", Runtime.getRuntime().availableProcessors());
    ctx.put("mmbench_workload", w.name);
    ctx.put("mmbench_strategy", label);
    ctx.put("mmbench_size", opt.size);
    ctx.put("mmbench_threads", Integer.toString(opt.threads));
    ctx.put("mmbench_seed", Long.toUnsignedString(opt.seed));
    ctx.put("mmbench_malloc_family", JvmInfo.FAMILY);
    ctx.put("mmbench_malloc_version", System.getProperty("java.vm.version"));
    ctx.put("mmbench_malloc_from", JvmInfo.libjvm());
    ctx.put("mmbench_jvm_version", System.getProperty("java.vm.version"));
    double secs = m.median(true) * 1e-9;
    Map<String, Object> b = Json.obj();
    String name = w.name + "/" + label + "/iterations:1/process_time/real_time";
    b.put("name", name);
    b.put("run_name", name);
    b.put("run_type", "iteration");
    b.put("repetitions", 1);
    b.put("repetition_index", 0);
    b.put("threads", 1);
    b.put("iterations", 1);
    b.put("real_time", m.median(true) * 1e-6);
    b.put("cpu_time", m.median(false) * 1e-6);
    b.put("time_unit", "ms");
    b.put("units", (double) m.result.units);
    b.put("units_per_s", secs > 0 ? m.result.units / secs : 0.0);
    b.put("live_bytes", (double) m.result.liveBytes);
    b.put("checksum48", (double) (m.result.checksum & ((1L << 48) - 1)));
    for (int i = 0; i < PERCENTILES.length; ++i) {
      b.put("lat_p" + PERCENTILE_KEYS[i] + "_ns", (double) m.latency.valueAtPercentile(PERCENTILES[i]));
    }
    b.put("lat_max_ns", (double) m.latency.max());
    @SuppressWarnings("unchecked")
    Map<String, Object> gc = (Map<String, Object>) detail.get("gc");
    @SuppressWarnings("unchecked")
    Map<String, Object> pauses = (Map<String, Object>) gc.get("pauses");
    b.put("gc_pauses", ((Long) pauses.get("count")).doubleValue());
    b.put("gc_pause_total_ns", (Double) pauses.get("mean") * (Long) pauses.get("count"));
    @SuppressWarnings("unchecked")
    Map<String, Object> pct = (Map<String, Object>) pauses.get("percentiles");
    b.put("gc_pause_p99_ns", ((Long) pct.get("99")).doubleValue());
    b.put("gc_pause_max_ns", ((Long) pauses.get("max")).doubleValue());
    for (int i = 0; i < m.counters.size(); ++i) b.put(m.counters.name(i), m.counters.value(i));
    Map<String, Object> out = Json.obj();
    out.put("context", ctx);
    out.put("benchmarks", List.of(b));
    return Json.pretty(out);
  }
}
