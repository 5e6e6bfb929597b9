// mmbench worker: runs one (workload, strategy) once, in this fresh process,
// as a Google Benchmark benchmark with fixed work (one iteration). The runner
// starts one of these per repetition and reads:
//   - Google Benchmark's JSON (--benchmark_out), our figures as counters;
//   - a detail JSON (--detail-out): exact checksum, histograms, GC pauses.
// Exit codes: base/exit_codes.hpp (listed by --list as "exit_codes").
//
// --describe prints, per hosted strategy, the configuration it runs with
// ("config": GLIBC_TUNABLES / mimalloc options / jemalloc opt.* / the
// collector's settings), so a manifest can record every tuning knob.
// --list adds the workloads × strategies, the strategies with their hooks,
// the sizes and the exit codes: the tests are generated from it.
//
// Strategy-specific behaviour comes only through the strategy's optional
// hooks (allocators/strategy.hpp, benchmarks/registry.hpp).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/exit_codes.hpp"
#include "base/histogram_json.hpp"
#include "base/sizes.hpp"
#include "base/unit_clock.hpp"
#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/hosted_strategies.hpp"
#include "benchmarks/registry.hpp"

namespace mmbench {

std::vector<WorkloadEntry>& workload_registry() {
  static std::vector<WorkloadEntry> entries;
  return entries;
}

namespace {

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Writes the JSON (compact, then a newline) streamed into the file: no copy
// of the whole text in memory after the detail's last reading (VmHWM).
void write_atomically(const std::string& path, const nlohmann::json& json) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << json << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

long self_maxrss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Peak RSS of this address space (VmHWM of /proc/self/status), -1 if unreadable.
// Unlike ru_maxrss it starts afresh at exec, so it never includes the process
// this one was forked from: an instrument independent of the runner's wait4.
long self_vmhwm_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

// One pass of the workload through its fixed work.
struct Iteration {
  std::int64_t wall_ns = 0;
  std::int64_t cpu_ns = 0;  // process CPU time, all threads
  long minor_faults = 0;    // first-touch page faults, mostly
  long involuntary_switches = 0;
  bool timed = false;  // per-unit clock on (latency recorded)
};

struct ProcessCounters {
  long minor_faults = 0, major_faults = 0, voluntary_switches = 0, involuntary_switches = 0;
  static ProcessCounters now() noexcept {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw};
  }
};

// The main thread's scheduler statistics (/proc/self/sched): migrations
// between CPUs and context switches, for the runner's noise record.
nlohmann::json main_thread_sched() {
  nlohmann::json out = nlohmann::json::object();
  std::ifstream sched("/proc/thread-self/sched");
  std::string line;
  while (std::getline(sched, line)) {
    for (const char* key :
         {"se.nr_migrations", "nr_switches", "nr_voluntary_switches", "nr_involuntary_switches"}) {
      if (line.rfind(key, 0) == 0 && line.size() > std::strlen(key) &&
          line[std::strlen(key)] == ' ') {
        const auto colon = line.find(':');
        if (colon != std::string::npos)
          out[key] = std::strtoll(line.c_str() + colon + 1, nullptr, 10);
      }
    }
  }
  return out;
}

// How fast the machine is right now: a fixed chain of dependent integer
// operations (no memory, no allocation), timed. The runner compares it across
// the runs of a folder: a VM whose host is busy can run everything 1.7x slower
// for a minute without any steal time showing (docs/reproducibility.md).
std::int64_t speed_probe_ns() {
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  const std::int64_t t0 = monotonic_ns();
  for (int i = 0; i < 2'000'000; ++i) x = mix64(x);
  const std::int64_t t = monotonic_ns() - t0;
  benchmark::DoNotOptimize(x);
  return t;
}

// What timing one unit costs: a clock read at each end and a histogram
// record, measured here in a loop of `n` (before the measured region).
double unit_record_cost_ns(int n = 200'000) {
  Histogram scratch;
  const std::int64_t t0 = monotonic_ns();
  for (int i = 0; i < n; ++i) {
    const std::int64_t start = UnitClock::ticks();
    scratch.record(UnitClock::ns_since(start));
  }
  return static_cast<double>(monotonic_ns() - t0) / n;
}

struct Options {
  std::string workload;
  std::string strategy;
  std::string size = "default";
  int threads = 1;
  std::uint64_t seed = 42;
  std::string detail_out;
  std::string expect_malloc;          // family or preloaded library; default: this binary's family
  std::string label;                  // name written into the results instead of the strategy's
  std::size_t gc_max_heap_bytes = 0;  // Boehm strategies: heap cap, 0 = none
  unsigned long gc_free_space_divisor = 0;  // Boehm strategies: 0 = libgc's default
  std::string fault;  // test only: crash | hang | oom | asan-overflow | ubsan-shift | lsan-leak
  // Steady state: after the first (timed, warm-up) iteration, run the workload
  // again with the per-unit clock off until the repeated iterations add up to
  // min_time_s and number at least min_iterations (max_iterations at most).
  double min_time_s = 0;
  int min_iterations = 1;
  int max_iterations = 1000;
  bool drain = false;  // memory given back: RSS over a drain phase after the last pass
  bool list = false;
  bool describe = false;
};

nlohmann::json identity_json(const AllocatorIdentity& id) {
  return {{"family", id.family},
          {"malloc_from", id.malloc_from},
          {"new_from", id.new_from},
          {"version", id.version},
          {"sanitizer", id.sanitizer}};
}

// The hosted strategies, in registration order.
template <class... S>
std::vector<const StrategyEntry*> entries_of(StrategyList<S...>) {
  return {&strategy_entry<S>()...};
}
const std::vector<const StrategyEntry*>& hosted_strategies() {
  static const std::vector<const StrategyEntry*> all = entries_of(HostedStrategies{});
  return all;
}

ProcessOptions process_options(const Options& opt, const AllocatorIdentity& id) {
  return {id.family, opt.gc_max_heap_bytes, opt.gc_free_space_divisor};
}

// An uncaught std::bad_alloc in a workload's own thread would end in
// std::terminate and a core dump; it is out of memory all the same.
[[noreturn]] void on_terminate() {
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
      static const char msg[] = "mmbench-worker: out of memory (in a workload thread)\n";
      [[maybe_unused]] auto ignored = write(2, msg, sizeof msg - 1);
      std::_Exit(kExitOutOfMemory);
    } catch (...) {
    }
  }
  std::abort();
}

void inject_fault(const std::string& fault) {
  if (fault == "crash") {
    raise(SIGSEGV);
  } else if (fault == "hang") {
    for (;;) pause();
  } else if (fault == "oom") {
    throw std::bad_alloc();
  } else if (fault == "asan-overflow") {  // sanitizer tests: one read past a heap block
    // (through a volatile pointer: UBSan's object-size check would see it first)
    char* volatile block = static_cast<char*>(std::malloc(16));
    volatile std::size_t past = 16;
    volatile char c = block[past];
    (void)c;
    std::free(block);
  } else if (fault == "ubsan-shift") {  // sanitizer tests: undefined behaviour
    volatile int by = 40;
    volatile int shifted = 1 << by;
    (void)shifted;
  } else if (fault == "lsan-leak") {  // sanitizer tests: a block nothing points to
    [[maybe_unused]] static void* volatile sink;
    sink = std::malloc(4096);
    sink = nullptr;
  }
}

// Resident set of this process now, in KiB, from /proc/self/statm (what a
// runner reads from outside); read with open/read, no malloc. -1 if unreadable.
long statm_rss_kib() {
  char buf[128];
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  unsigned long size = 0, resident = 0;
  if (std::sscanf(buf, "%lu %lu", &size, &resident) != 2) return -1;
  return static_cast<long>(resident * static_cast<unsigned long>(sysconf(_SC_PAGESIZE) / 1024));
}

void sleep_until_ns(std::int64_t t) {
  const timespec ts{static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// The drain phase (--drain): the workload has released everything; keep the
// process alive and read its RSS at the start, after 100 ms and after 1 s,
// then make the strategy's release call and read it again. Each reading is
// announced on stderr ("mmbench-drain: PHASE rss_kib=N") just before a pause
// of at least 100 ms, so that an observer can read /proc/<pid>/statm from
// outside at the same state.
nlohmann::json drain_phase(const StrategyEntry& strategy) {
  auto say = [](const char* phase, long kib) {
    char line[96];
    const int n = std::snprintf(line, sizeof line, "mmbench-drain: %s rss_kib=%ld\n", phase, kib);
    if (n > 0) {
      [[maybe_unused]] auto ignored = write(2, line, static_cast<std::size_t>(n));
    }
  };
  const std::int64_t t0 = monotonic_ns(CLOCK_MONOTONIC);
  const long start = statm_rss_kib();
  say("start", start);
  sleep_until_ns(t0 + 100'000'000);
  const long at_100ms = statm_rss_kib();
  say("100ms", at_100ms);
  sleep_until_ns(t0 + 1'000'000'000);
  const long at_1s = statm_rss_kib();
  say("1s", at_1s);
  sleep_until_ns(t0 + 1'100'000'000);  // the observer's turn, before the release call
  // The strategy's own call that gives free memory back to the system (none: nullptr).
  const char* call = strategy.release_memory();
  const long released = call == nullptr ? -1 : statm_rss_kib();
  say("released", released);
  sleep_until_ns(monotonic_ns(CLOCK_MONOTONIC) + 100'000'000);  // the observer's turn
  auto kib = [](long v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v); };
  return {{"rss_start_kib", kib(start)},
          {"rss_100ms_kib", kib(at_100ms)},
          {"rss_1s_kib", kib(at_1s)},
          {"release_call", call == nullptr ? nlohmann::json(nullptr) : nlohmann::json(call)},
          {"rss_released_kib", kib(released)}};
}

// Median over the repeated (untimed) iterations, or the first when there are none.
std::int64_t median_of(const Iteration* it, int n, std::int64_t Iteration::*field) {
  std::vector<std::int64_t> values;
  for (int i = 1; i < n; ++i) values.push_back(it[i].*field);
  if (values.empty()) return it[0].*field;
  std::sort(values.begin(), values.end());
  const std::size_t m = values.size();
  return m % 2 ? values[m / 2] : (values[m / 2 - 1] + values[m / 2]) / 2;
}

std::int64_t figure_wall_ns(const Iteration* it, int n) {
  return median_of(it, n, &Iteration::wall_ns);
}

// Everything one run measures, allocated before the measured region (which
// writes only into it).
struct Measurement {
  explicit Measurement(int max_passes)
      : max_iterations(max_passes),
        iterations(std::make_unique<Iteration[]>(static_cast<std::size_t>(max_passes))) {}
  std::unique_ptr<Histogram> latency = std::make_unique<Histogram>();
  std::unique_ptr<Histogram> corrected = std::make_unique<Histogram>();
  std::unique_ptr<Counters> counters = std::make_unique<Counters>();
  // The repeated iterations' counters (discarded).
  std::unique_ptr<Counters> scratch_counters = std::make_unique<Counters>();
  int max_iterations;
  std::unique_ptr<Iteration[]> iterations;
  int n_iterations = 0;
  bool checksums_agree = true;
  WorkloadResult result;
  std::int64_t start_ns = 0, end_ns = 0;
  bool ran = false;
  double record_cost_ns = 0;
  std::int64_t probe_before_ns = 0, probe_after_ns = 0;
};

// The passes of one benchmark iteration: the first timed unit by unit (the
// latency figures) and, where the workload repeats, the warm-up; then the
// steady state, clock off.
void run_passes(const Options& opt, const WorkloadEntry& entry, Size size, Measurement& m) {
  const StrategyEntry& strategy = *entry.strategy;
  RunContext ctx{size, opt.threads, opt.seed, *m.latency, *m.corrected, *m.counters};
  RunContext repeat_ctx{size, opt.threads, opt.seed, *m.latency, *m.corrected, *m.scratch_counters};
  repeat_ctx.time_units = false;
  const bool repeat = m.max_iterations > 1;
  m.start_ns = now_ns();
  if (!opt.fault.empty()) inject_fault(opt.fault);
  double repeated_s = 0;
  for (int i = 0; i < m.max_iterations; ++i) {
    if (i > 0 && repeated_s >= opt.min_time_s && i - 1 >= opt.min_iterations) break;
    if (i > 0 && strategy.end_pass != nullptr) strategy.end_pass();
    const ProcessCounters pc0 = ProcessCounters::now();
    const std::int64_t cpu0 = monotonic_ns(CLOCK_PROCESS_CPUTIME_ID);
    const std::int64_t t0 = now_ns();
    const WorkloadResult r = entry.run(i == 0 ? ctx : repeat_ctx);
    const std::int64_t t1 = now_ns();
    const std::int64_t cpu1 = monotonic_ns(CLOCK_PROCESS_CPUTIME_ID);
    const ProcessCounters pc1 = ProcessCounters::now();
    m.iterations[i] = {t1 - t0, cpu1 - cpu0, pc1.minor_faults - pc0.minor_faults,
                       pc1.involuntary_switches - pc0.involuntary_switches, i == 0};
    m.n_iterations = i + 1;
    if (i == 0) {
      m.result = r;
    } else {
      m.checksums_agree =
          m.checksums_agree && r.checksum == m.result.checksum && r.units == m.result.units;
      repeated_s += static_cast<double>(t1 - t0) * 1e-9;
    }
    if (!repeat) break;
  }
  m.end_ns = now_ns();
}

// Our figures as Google Benchmark counters.
void report_counters(benchmark::State& state, const StrategyEntry& strategy, const Measurement& m) {
  // The figure: the median repeated iteration where the workload
  // repeats (robust to one disturbed iteration), else the only one.
  const std::int64_t figure_ns = figure_wall_ns(m.iterations.get(), m.n_iterations);
  const double secs = static_cast<double>(figure_ns) * 1e-9;
  const WorkloadResult& result = m.result;
  state.counters["units"] = static_cast<double>(result.units);
  state.counters["units_per_s"] = secs > 0 ? static_cast<double>(result.units) / secs : 0;
  state.counters["live_bytes"] = static_cast<double>(result.live_bytes);
  // 48 bits are exact in a double; the full value is in the detail file.
  state.counters["checksum48"] = static_cast<double>(result.checksum & ((1ULL << 48) - 1));
  for (const auto& p : kReportedPercentiles) {
    state.counters[std::string("lat_p") + p.key + "_ns"] =
        static_cast<double>(m.latency->value_at_percentile(p.percentile));
  }
  state.counters["lat_max_ns"] = static_cast<double>(m.latency->max());
  if (strategy.pauses != nullptr) {
    const Histogram& pauses = strategy.pauses();
    state.counters["gc_pauses"] = static_cast<double>(pauses.count());
    state.counters["gc_pause_total_ns"] = pauses.sum();
    state.counters["gc_pause_p99_ns"] = static_cast<double>(pauses.value_at_percentile(99));
    state.counters["gc_pause_max_ns"] = static_cast<double>(pauses.max());
  }
  for (int i = 0; i < m.counters->size(); ++i) {
    state.counters[m.counters->name(i)] = m.counters->value(i);
  }
}

void add_benchmark_context(const Options& opt, const WorkloadEntry& entry, const std::string& label,
                           const AllocatorIdentity& id) {
  benchmark::AddCustomContext("mmbench_workload", std::string(entry.info.name));
  benchmark::AddCustomContext("mmbench_strategy", label);
  if (!opt.label.empty()) {
    benchmark::AddCustomContext("mmbench_hosted_by", std::string(entry.strategy->name));
  }
  benchmark::AddCustomContext("mmbench_size", opt.size);
  benchmark::AddCustomContext("mmbench_threads", std::to_string(opt.threads));
  benchmark::AddCustomContext("mmbench_seed", std::to_string(opt.seed));
  benchmark::AddCustomContext("mmbench_malloc_family", id.family);
  benchmark::AddCustomContext("mmbench_malloc_version", id.version);
  benchmark::AddCustomContext("mmbench_malloc_from", id.malloc_from);
  if (entry.strategy->gc_version != nullptr) {
    benchmark::AddCustomContext("mmbench_gc_version", entry.strategy->gc_version());
  }
}

// The detail JSON (--detail-out): everything the counters round or leave out.
nlohmann::json detail_json(const Options& opt, const WorkloadEntry& entry, const std::string& label,
                           const AllocatorIdentity& id, const Measurement& m,
                           const ProcessCounters& process_end, const nlohmann::json& drain) {
  const StrategyEntry& strategy = *entry.strategy;
  const Iteration* iterations = m.iterations.get();
  const int n_iterations = m.n_iterations;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(m.result.checksum));
  nlohmann::json d;
  d["workload"] = entry.info.name;
  d["strategy"] = label;
  if (!opt.label.empty()) d["hosted_by"] = strategy.name;  // e.g. glibc's Malloc under LD_PRELOAD
  d["config"] = strategy.config_json(process_options(opt, id));
  d["unit"] = entry.info.unit;
  d["size"] = opt.size;
  d["threads"] = opt.threads;
  d["seed"] = opt.seed;
  d["deliberate_leak"] = entry.info.deliberate_leak;
  d["allocator"] = identity_json(id);
  d["checksum"] = hex;
  d["units"] = m.result.units;
  d["live_bytes"] = m.result.live_bytes;
  // wall_ns: the figure throughput is units / wall_ns of (see "iterations").
  d["wall_ns"] = figure_wall_ns(iterations, n_iterations);
  d["cpu_ns"] = median_of(iterations, n_iterations, &Iteration::cpu_ns);
  d["first_wall_ns"] = iterations[0].wall_ns;
  d["first_cpu_ns"] = iterations[0].cpu_ns;
  d["steady_state"] = n_iterations > 1;
  nlohmann::json its = nlohmann::json::array();
  for (int i = 0; i < n_iterations; ++i) {
    const Iteration& it = iterations[i];
    its.push_back({{"wall_ns", it.wall_ns},
                   {"cpu_ns", it.cpu_ns},
                   {"minor_faults", it.minor_faults},
                   {"involuntary_switches", it.involuntary_switches},
                   {"timed", it.timed}});
  }
  d["iterations"] = std::move(its);
  d["min_time_s"] = opt.min_time_s;
  d["repeatable"] = entry.info.repeatable;
  // The instrument's cost: per unit, calibrated at start-up; as a share of
  // the timed iteration (the figure itself is untimed when it repeats).
  // (per record: a workload may time units in batches, e.g. leak_exit)
  const double records = static_cast<double>(m.latency->count() + m.corrected->count());
  const double timed_share =
      iterations[0].wall_ns > 0
          ? records * m.record_cost_ns / static_cast<double>(iterations[0].wall_ns)
          : 0.0;
  d["unit_clock"] = {{"source", UnitClock::source()},
                     {"ns_per_tick", UnitClock::ns_per_tick()},
                     {"record_cost_ns", m.record_cost_ns},
                     {"timed_iteration_share", timed_share},
                     {"figure_share", n_iterations > 1 ? 0.0 : timed_share}};
  // before the first pass, after the last
  d["speed_probe_ns"] = {m.probe_before_ns, m.probe_after_ns};
  d["sched"] = main_thread_sched();
  d["process"] = {{"minor_faults", process_end.minor_faults},
                  {"major_faults", process_end.major_faults},
                  {"voluntary_switches", process_end.voluntary_switches},
                  {"involuntary_switches", process_end.involuntary_switches}};
  d["start_monotonic_ns"] = m.start_ns;
  d["end_monotonic_ns"] = m.end_ns;
  d["self_maxrss_kib"] = self_maxrss_kib();
  d["latency"] = histogram_to_json(*m.latency);
  if (entry.info.open_loop) d["corrected_latency"] = histogram_to_json(*m.corrected);
  nlohmann::json extra = nlohmann::json::object();
  for (int i = 0; i < m.counters->size(); ++i) extra[m.counters->name(i)] = m.counters->value(i);
  d["counters"] = extra;
  if (opt.drain) d["drain"] = drain;
  if (strategy.pause_report != nullptr) d["gc"] = strategy.pause_report(m.start_ns);
  // Read last, after the run and after building everything above.
  d["self_vmhwm_kib"] = self_vmhwm_kib();
  return d;
}

int run(const Options& opt, const WorkloadEntry& entry, const AllocatorIdentity& id, int gb_argc,
        char** gb_argv) {
  const Size size = parse_size(opt.size).value_or(Size::kDefault);
  const StrategyEntry& strategy = *entry.strategy;
  // Process-wide set-up a strategy needs before its first allocation.
  if (strategy.init_process != nullptr) strategy.init_process(process_options(opt, id));
  // The name the results carry: the strategy's, or --label (a preloaded allocator).
  const std::string label = opt.label.empty() ? std::string(strategy.name) : opt.label;
  const bool repeat = entry.info.repeatable && opt.min_time_s > 0;
  Measurement m(repeat ? std::max(opt.max_iterations, 2) : 1);
  UnitClock::calibrate();
  m.record_cost_ns = unit_record_cost_ns();
  m.probe_before_ns = speed_probe_ns();

  const std::string name = std::string(entry.info.name) + "/" + label;
  benchmark::RegisterBenchmark(name.c_str(),
                               [&](benchmark::State& state) {
                                 if (strategy.reset_pauses != nullptr) strategy.reset_pauses();
                                 for (auto _ : state) run_passes(opt, entry, size, m);
                                 m.ran = true;
                                 report_counters(state, strategy, m);
                               })
      ->Iterations(1)
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->Unit(benchmark::kMillisecond);

  add_benchmark_context(opt, entry, label, id);
  benchmark::Initialize(&gb_argc, gb_argv);
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv)) return kExitUsage;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!m.ran) {
    std::cerr << "mmbench-worker: the benchmark did not run (check --benchmark_filter)\n";
    return kExitError;
  }
  if (!m.checksums_agree) {
    std::cerr << "mmbench-worker: a repeated iteration of " << entry.info.name
              << " returned another checksum or unit count than the first: not fixed work\n";
    return kExitError;
  }
  const ProcessCounters process_end = ProcessCounters::now();
  m.probe_after_ns = speed_probe_ns();
  nlohmann::json drain;
  if (opt.drain) drain = drain_phase(strategy);
  if (!opt.detail_out.empty()) {
    const nlohmann::json d = detail_json(opt, entry, label, id, m, process_end, drain);
    write_atomically(opt.detail_out, d);
  }
  return kExitOk;
}

void add_options(CLI::App& app, Options& opt) {
  app.allow_extras();
  app.add_option("--workload", opt.workload, "workload to run");
  app.add_option("--strategy", opt.strategy, "strategy to run it under");
  std::vector<std::string> sizes;
  std::string size_help;
  for (const auto& s : kSizeNames) {
    sizes.emplace_back(s.name);
    size_help += (size_help.empty() ? "" : " | ") + std::string(s.name);
  }
  app.add_option("--size", opt.size, size_help)->check(CLI::IsMember(sizes));
  app.add_option("--threads", opt.threads, "threads, for workloads that take them")
      ->check(CLI::Range(1, 4096));
  app.add_option("--seed", opt.seed, "seed of the workload's random stream");
  app.add_option("--detail-out", opt.detail_out, "write the detail JSON here");
  app.add_option("--expect-malloc", opt.expect_malloc,
                 "allocator that must serve malloc (family, or preloaded library path)");
  app.add_option("--label", opt.label,
                 "name to write into the results instead of the strategy's (e.g. a preloaded "
                 "allocator run by the glibc strategy)");
  app.add_option("--gc-max-heap-bytes", opt.gc_max_heap_bytes,
                 "Boehm strategies: cap the collected heap (GC_set_max_heap_size); reaching it "
                 "ends the run with exit code 4");
  app.add_option("--gc-free-space-divisor", opt.gc_free_space_divisor,
                 "Boehm strategies: GC_set_free_space_divisor (libgc default 3; higher = "
                 "smaller heap, more collections)")
      ->check(CLI::PositiveNumber);
  app.add_option("--fault", opt.fault,
                 "test only: crash | hang | oom | asan-overflow | ubsan-shift | lsan-leak")
      ->check(CLI::IsMember(
          {"crash", "hang", "oom", "asan-overflow", "ubsan-shift", "lsan-leak"}));
  app.add_option("--min-time", opt.min_time_s,
                 "seconds of steady-state iterations after the first, timed one (0: run once; "
                 "workloads that do not repeat, such as leak_exit, always run once)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--min-iterations", opt.min_iterations,
                 "at least this many steady-state iterations when --min-time > 0")
      ->check(CLI::Range(1, 1000));
  app.add_option("--max-iterations", opt.max_iterations,
                 "at most this many iterations in all when --min-time > 0")
      ->check(CLI::Range(2, 100000));
  app.add_flag("--drain", opt.drain,
               "after the last pass, a drain phase (~1.3 s): RSS at its start, after 100 ms "
               "and 1 s, and after the strategy's own release call, into the detail JSON");
  app.add_flag("--list", opt.list, "list workloads and strategies as JSON and exit");
  app.add_flag("--describe", opt.describe,
               "print the allocator identity and each strategy's configuration as JSON and exit");
}

nlohmann::json listing_entry(const WorkloadEntry& e) {
  return {{"workload", e.info.name},
          {"strategy", e.strategy->name},
          {"unit", e.info.unit},
          {"description", e.info.description},
          {"open_loop", e.info.open_loop},
          {"deliberate_leak", e.info.deliberate_leak},
          {"repeatable", e.info.repeatable},
          {"multithreaded", e.info.multithreaded},
          {"headline", e.info.headline},
          {"refuses", e.refuses != nullptr ? nlohmann::json(e.refuses) : nlohmann::json(nullptr)}};
}

nlohmann::json listing_strategy(const StrategyEntry& s) {
  return {{"name", s.name},
          {"family", s.family},
          {"reclaim", reclaim_name(s.reclaim)},
          {"hooks", s.hooks}};
}

// --describe: the allocator and each hosted strategy's configuration;
// --list adds what the tests and the runner are generated from.
int print_listing(const Options& opt, const AllocatorIdentity& id) {
  nlohmann::json out;
  out["family"] = MMBENCH_MALLOC_FAMILY;
  out["allocator"] = identity_json(id);
  nlohmann::json config = nlohmann::json::object();
  try {
    for (const StrategyEntry* s : hosted_strategies()) {
      config[std::string(s->name)] = s->config_json(process_options(opt, id));
    }
  } catch (const std::exception& e) {
    std::cerr << "mmbench-worker: " << e.what() << "\n";
    return kExitUsage;
  }
  out["config"] = std::move(config);
  if (opt.list) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : workload_registry()) entries.push_back(listing_entry(e));
    out["entries"] = std::move(entries);
    nlohmann::json strategies = nlohmann::json::array();
    for (const StrategyEntry* s : hosted_strategies()) strategies.push_back(listing_strategy(*s));
    out["strategies"] = std::move(strategies);
    nlohmann::json sizes = nlohmann::json::array();
    for (const auto& s : kSizeNames) sizes.push_back(s.name);
    out["sizes"] = std::move(sizes);
    nlohmann::json codes = nlohmann::json::object();
    for (const auto& c : kExitCodeNames) codes[std::string(c.name)] = static_cast<int>(c.code);
    out["exit_codes"] = std::move(codes);
  }
  for (const StrategyEntry* s : hosted_strategies()) {
    if (s->gc_version != nullptr) {
      out["gc_version"] = s->gc_version();
      break;
    }
  }
  std::cout << out.dump(1) << "\n";
  return kExitOk;
}

// The registered combination the options name; nullptr (said why) if none.
const WorkloadEntry* find_entry(const Options& opt) {
  std::set<std::string> workloads, strategies;
  for (const auto& e : workload_registry()) {
    workloads.insert(std::string(e.info.name));
    strategies.insert(std::string(e.strategy->name));
    if (e.info.name == opt.workload && e.strategy->name == opt.strategy) return &e;
  }
  if (!workloads.count(opt.workload)) {
    std::cerr << "mmbench-worker: unknown workload '" << opt.workload
              << "'; valid: " << join(workloads) << "\n";
  } else {
    std::cerr << "mmbench-worker: unknown strategy '" << opt.strategy
              << "' in this worker; valid: " << join(strategies) << "\n";
  }
  return nullptr;
}

// Runs the entry with Google Benchmark's share of the command line; out of
// memory and other errors become their exit codes.
int run_guarded(const Options& opt, const WorkloadEntry& entry, const AllocatorIdentity& id,
                const std::vector<std::string>& rest, char* argv0) {
  std::vector<std::string> args = rest;
  std::vector<char*> gb_argv{argv0};
  for (auto& a : args) gb_argv.push_back(a.data());
  gb_argv.push_back(nullptr);
  const int gb_argc = static_cast<int>(gb_argv.size()) - 1;
  try {
    return run(opt, entry, id, gb_argc, gb_argv.data());
  } catch (const std::bad_alloc&) {
    std::cerr << "mmbench-worker: out of memory in " << opt.workload << "/" << opt.strategy;
    if (opt.gc_max_heap_bytes != 0) {
      std::cerr << " (collector heap capped at " << opt.gc_max_heap_bytes << " bytes)";
    }
    std::cerr << "\n";
    return kExitOutOfMemory;
  } catch (const std::exception& e) {
    std::cerr << "mmbench-worker: error: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace
}  // namespace mmbench

int main(int argc, char** argv) {
  using namespace mmbench;
  Options opt;
  CLI::App app{"mmbench worker (" MMBENCH_MALLOC_FAMILY
               "): runs one workload under one strategy; other --benchmark_* flags go to "
               "Google Benchmark"};
  add_options(app, opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  const AllocatorIdentity id = identify_allocator();
  const std::string expected =
      opt.expect_malloc.empty() ? MMBENCH_MALLOC_FAMILY : opt.expect_malloc;
  if (std::string why = allocator_mismatch(id, expected); !why.empty()) {
    std::cerr << "mmbench-worker: allocator check failed: " << why
              << "; refusing to run (the figures would be labelled wrongly)\n";
    return kExitAllocator;
  }
  if (opt.list || opt.describe) return print_listing(opt, id);

  const WorkloadEntry* entry = find_entry(opt);
  if (entry == nullptr) return kExitUsage;
  const bool gc_options = opt.gc_max_heap_bytes != 0 || opt.gc_free_space_divisor != 0;
  if (gc_options && !entry->strategy->takes_heap_options) {
    std::cerr << "mmbench-worker: --gc-* options apply to Boehm strategies only, not '"
              << opt.strategy << "'\n";
    return kExitUsage;
  }
  std::set_terminate(&on_terminate);
  // Google Benchmark sees only the program name and the arguments we did not parse.
  return run_guarded(opt, *entry, id, app.remaining(), argv[0]);
}
