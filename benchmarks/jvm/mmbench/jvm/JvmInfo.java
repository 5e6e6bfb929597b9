// The JVM's identity and settings, for --list, --describe and the detail's
// config: version, JIT, heap options, the collector's options as applied.
package mmbench.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

final class JvmInfo {
  static final String FAMILY = "jvm";
  static final String HEAP_ENV = "MMBENCH_JVM_HEAP";

  private JvmInfo() {}

  static String libjvm() {
    return System.getProperty("java.home") + "/lib/server/libjvm.so";
  }

  // The "allocator" of the detail and --list: HotSpot's heap serves every object.
  static Map<String, Object> identity() {
    Map<String, Object> id = Json.obj();
    id.put("family", FAMILY);
    id.put("malloc_from", libjvm());
    id.put("new_from", libjvm());
    id.put("version", System.getProperty("java.vm.version"));
    id.put("sanitizer", "");
    return id;
  }

  static String vmOption(String name) {
    try {
      HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hs.getVMOption(name).getValue();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static Map<String, Object> version() {
    Map<String, Object> v = Json.obj();
    v.put("vm_name", System.getProperty("java.vm.name"));
    v.put("vm_version", System.getProperty("java.vm.version"));
    v.put("vm_vendor", System.getProperty("java.vm.vendor"));
    v.put("java_version", System.getProperty("java.version"));
    v.put("java_home", System.getProperty("java.home"));
    return v;
  }

  // The JIT: declared because its warm-up is in the first pass (kept out of
  // the throughput figure, which is the median steady-state pass).
  static Map<String, Object> jit() {
    Map<String, Object> j = Json.obj();
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    j.put("compiler", c == null ? null : c.getName());
    j.put("mode", System.getProperty("java.vm.info"));
    j.put("TieredCompilation", vmOption("TieredCompilation"));
    j.put("TieredStopAtLevel", vmOption("TieredStopAtLevel"));
    j.put("CICompilerCount", vmOption("CICompilerCount"));
    return j;
  }

  static long compileTimeMs() {
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
  }

  // A strategy's configuration: what the launcher starts java with for it.
  static Map<String, Object> config(Collectors.Collector c) {
    Map<String, Object> m = Json.obj();
    String heap = System.getProperty("mmbench.heap", "");
    m.put("jvm_options", c.options);
    m.put("heap", heap);
    String rule = System.getProperty("mmbench.heap.rule", "");
    // --list/--describe: no workload, so the heap is the rule's, not yet a size.
    String h = rule.startsWith("per workload") ? "<heap>" : heap;
    m.put("heap_options", List.of("-Xms" + h, "-Xmx" + h, "-XX:-ExitOnOutOfMemoryError"));
    m.put("heap_env", HEAP_ENV);
    m.put("heap_rule", rule);
    m.put("gc_beans", c.beans);
    m.put("supported", c.unsupported == null);
    m.put("unsupported_reason", c.unsupported);
    m.put("description", c.description);
    m.put("jvm", version());
    m.put("jit", jit());
    m.put("pause_source", "-Xlog:safepoint: the Total of each safepoint that is a collector pause");
    m.put("pause_operations", c.pauseOperations);
    m.put("pause_operations_not_in_beans", c.uncountedPauses);
    m.put("pause_beans", c.pauseBeans);
    m.put("extra_options", System.getenv().getOrDefault("MMBENCH_JVM_OPTIONS", ""));
    m.put("extra_options_env", "MMBENCH_JVM_OPTIONS");
    return m;
  }

  // The configuration as applied, in the run itself: adds the JVM's own options.
  static Map<String, Object> appliedConfig(Collectors.Collector c) {
    Map<String, Object> m = config(c);
    m.put("applied_jvm_options", Collectors.jvmOptions());
    m.put("ParallelGCThreads", vmOption("ParallelGCThreads"));
    m.put("ConcGCThreads", vmOption("ConcGCThreads"));
    m.put("MaxHeapSize", vmOption("MaxHeapSize"));
    m.put("InitialHeapSize", vmOption("InitialHeapSize"));
    return m;
  }
}
