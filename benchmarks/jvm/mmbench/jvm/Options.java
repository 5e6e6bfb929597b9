// The worker's command line: the C++ worker's flags (benchmarks/worker_main.cpp),
// the runner's --benchmark_out=/--benchmark_out_format=, and --gc-log.
package mmbench.jvm;

import java.util.List;

final class Options {
  String workload = "";
  String strategy = "";
  String size = "default";
  int threads = 1;
  long seed = 42; // a uint64_t bit pattern
  String detailOut = "";
  String benchmarkOut = "";
  String benchmarkOutFormat = "json";
  String expectMalloc = "";
  String label = "";
  String fault = "";
  String gcLog = "";
  double minTimeS = 0;
  int minIterations = 1;
  int maxIterations = 1000;
  int warmupPasses = 1;
  boolean drain = false;
  boolean list = false;
  boolean describe = false;
  boolean help = false;

  static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  private static final List<String> FLAGS = List.of("--drain", "--list", "--describe", "--help");
  // Accepted for the C++ worker's command line, meaningless here.
  private static final List<String> IGNORED = List.of("--benchmark_format",
      "--benchmark_counters_tabular", "--benchmark_filter");

  static Options parse(String[] args) throws UsageError {
    Options o = new Options();
    for (int i = 0; i < args.length; ++i) {
      String a = args[i];
      String key = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        key = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (FLAGS.contains(key)) {
        o.flag(key);
        continue;
      }
      if (!key.startsWith("--")) throw new UsageError("unexpected argument '" + a + "'");
      if (value == null) {
        if (i + 1 >= args.length) throw new UsageError(key + " needs a value");
        value = args[++i];
      }
      o.set(key, value);
    }
    return o;
  }

  private void flag(String key) {
    switch (key) {
      case "--drain" -> drain = true;
      case "--list" -> list = true;
      case "--describe" -> describe = true;
      default -> help = true;
    }
  }

  private void set(String key, String v) throws UsageError {
    switch (key) {
      case "--workload" -> workload = v;
      case "--strategy" -> strategy = v;
      case "--size" -> size = v;
      case "--threads" -> threads = (int) number(key, v, 1, 4096);
      case "--seed" -> seed = unsigned(key, v);
      case "--detail-out" -> detailOut = v;
      case "--benchmark_out" -> benchmarkOut = v;
      case "--benchmark_out_format" -> benchmarkOutFormat = v;
      case "--expect-malloc" -> expectMalloc = v;
      case "--label" -> label = v;
      case "--gc-log" -> gcLog = v;
      case "--fault" -> {
        if (!List.of("crash", "hang", "oom").contains(v)) {
          throw new UsageError("--fault: crash | hang | oom, not '" + v + "'");
        }
        fault = v;
      }
      case "--min-time" -> minTimeS = number(key, v, 0, 3600);
      case "--min-iterations" -> minIterations = (int) number(key, v, 1, 1000);
      case "--max-iterations" -> maxIterations = (int) number(key, v, 2, 100000);
      case "--warmup-passes" -> warmupPasses = (int) number(key, v, 0, 100);
      case "--gc-max-heap-bytes", "--gc-free-space-divisor" ->
          throw new UsageError(key + " applies to Boehm strategies only (glibc worker); the JVM's "
              + "heap is MMBENCH_JVM_HEAP");
      default -> {
        if (!IGNORED.contains(key)) throw new UsageError("unknown option " + key);
      }
    }
    if (key.equals("--benchmark_out_format") && !v.equals("json")) {
      throw new UsageError("--benchmark_out_format: only json");
    }
  }

  private static double number(String key, String v, double lo, double hi) throws UsageError {
    try {
      double d = Double.parseDouble(v);
      if (d >= lo && d <= hi) return d;
    } catch (NumberFormatException e) {
      // said below
    }
    throw new UsageError(key + ": '" + v + "' is not a number in [" + lo + ", " + hi + "]");
  }

  private static long unsigned(String key, String v) throws UsageError {
    try {
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new UsageError(key + ": '" + v + "' is not an integer in [0, 2^64-1]");
    }
  }
}
