// --describe: the identity and each strategy's configuration; --list adds the
// workloads x strategies, the strategies, the sizes and the exit codes, in the
// C++ worker's schema (tests/scripts/check_listing.py).
package mmbench.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mmbench.workloads.Size;
import mmbench.workloads.Workload;
import mmbench.workloads.WorkloadInfo;
import mmbench.workloads.Workloads;

final class Listing {
  private Listing() {}

  static Map<String, Object> exitCodes() {
    Map<String, Object> codes = Json.obj();
    codes.put("ok", ExitCodes.OK);
    codes.put("usage", ExitCodes.USAGE);
    codes.put("allocator_mismatch", ExitCodes.ALLOCATOR);
    codes.put("oom", ExitCodes.OUT_OF_MEMORY);
    codes.put("error", ExitCodes.ERROR);
    codes.put("unsupported", ExitCodes.UNSUPPORTED);
    return codes;
  }

  static Map<String, Object> entry(WorkloadInfo w, String strategy) {
    Map<String, Object> e = Json.obj();
    e.put("workload", w.name);
    e.put("strategy", strategy);
    e.put("unit", w.unit);
    e.put("description", w.description);
    e.put("open_loop", w.openLoop);
    e.put("deliberate_leak", w.deliberateLeak);
    e.put("repeatable", w.repeatable);
    e.put("multithreaded", w.multithreaded);
    e.put("headline", w.headline);
    e.put("refuses", null);
    return e;
  }

  static String print(boolean full, Map<String, Collectors.Collector> collectors) {
    Map<String, Object> out = Json.obj();
    out.put("family", JvmInfo.FAMILY);
    out.put("allocator", JvmInfo.identity());
    Map<String, Object> config = Json.obj();
    for (Collectors.Collector c : collectors.values()) config.put(c.name, JvmInfo.config(c));
    out.put("config", config);
    out.put("jvm_version", System.getProperty("java.vm.version"));
    // Where a run's JVM log (safepoints, collections: the pauses' source) and
    // crash report go: --gc-log FILE, else beside --detail-out.
    Map<String, Object> log = Json.obj();
    log.put("option", "--gc-log");
    log.put("default", "<detail-out>.gc.log");
    log.put("crash_report", "<gc-log without .gc.log>.hs_err.log");
    out.put("runtime_log", log);
    if (full) {
      List<Object> entries = new ArrayList<>();
      for (Workload w : Workloads.ALL) {
        for (String s : collectors.keySet()) entries.add(entry(w.info(), s));
      }
      out.put("entries", entries);
      List<Object> strategies = new ArrayList<>();
      for (Collectors.Collector c : collectors.values()) {
        Map<String, Object> s = Json.obj();
        s.put("name", c.name);
        s.put("family", JvmInfo.FAMILY);
        s.put("reclaim", c.reclaim);
        s.put("hooks", c.reclaim.equals("never") ? List.of("config", "pauses")
            : List.of("config", "pauses", "end_pass", "release_memory"));
        strategies.add(s);
      }
      out.put("strategies", strategies);
      List<Object> sizes = new ArrayList<>();
      for (Size s : Size.values()) sizes.add(s.label);
      out.put("sizes", sizes);
      out.put("exit_codes", exitCodes());
    }
    return Json.pretty(out);
  }
}
