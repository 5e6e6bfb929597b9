// mmbench worker: runs one (workload, strategy) once, in this fresh process,
// as a Google Benchmark benchmark with fixed work (one iteration). The runner
// starts one of these per repetition and reads:
//   - Google Benchmark's JSON (--benchmark_out), our figures as counters;
//   - a detail JSON (--detail-out): exact checksum, histograms, GC pauses.
// Exit codes: 0 ok, 2 bad usage, 3 allocator is not the one claimed,
//             4 out of memory, 5 other error.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/histogram_json.hpp"
#include "workloads/workload.hpp"
#if MMBENCH_WORKER_HOSTS_ALL
#include "allocators/boehm.hpp"
#endif

namespace mmbench {

std::vector<WorkloadEntry>& workload_registry() {
  static std::vector<WorkloadEntry> entries;
  return entries;
}

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitAllocator = 3;
constexpr int kExitOutOfMemory = 4;
constexpr int kExitError = 5;

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

[[maybe_unused]] bool is_boehm(const std::string& strategy) {
  return strategy.rfind("boehm", 0) == 0;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
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

struct Options {
  std::string workload;
  std::string strategy;
  std::string size = "default";
  int threads = 1;
  std::uint64_t seed = 42;
  std::string detail_out;
  std::string expect_malloc;  // family or preloaded library; default: this binary's family
  std::string fault;          // test only: crash | hang | oom
  bool list = false;
  bool describe = false;
};

nlohmann::json identity_json(const AllocatorIdentity& id) {
  return {{"family", id.family},
          {"malloc_from", id.malloc_from},
          {"new_from", id.new_from},
          {"version", id.version}};
}

void inject_fault(const std::string& fault) {
  if (fault == "crash") {
    raise(SIGSEGV);
  } else if (fault == "hang") {
    for (;;) pause();
  } else if (fault == "oom") {
    throw std::bad_alloc();
  }
}

int run(const Options& opt, const WorkloadEntry& entry, int gb_argc, char** gb_argv) {
  const Size size = opt.size == "quick"   ? Size::kQuick
                    : opt.size == "large" ? Size::kLarge
                                          : Size::kDefault;
#if MMBENCH_WORKER_HOSTS_ALL
  if (is_boehm(entry.strategy)) BoehmRuntime::init();
#endif
  // Everything the measured region writes to is allocated here, before it.
  auto latency = std::make_unique<Histogram>();
  auto corrected = std::make_unique<Histogram>();
  auto counters = std::make_unique<Counters>();
  WorkloadResult result;
  std::int64_t start_ns = 0, end_ns = 0;
  bool ran = false;

  const std::string name = std::string(entry.info.name) + "/" + entry.strategy;
  benchmark::RegisterBenchmark(
      name.c_str(),
      [&](benchmark::State& state) {
        RunContext ctx{size, opt.threads, opt.seed, *latency, *corrected, *counters};
#if MMBENCH_WORKER_HOSTS_ALL
        if (is_boehm(entry.strategy)) BoehmRuntime::reset_pauses();
#endif
        for (auto _ : state) {
          start_ns = now_ns();
          if (!opt.fault.empty()) inject_fault(opt.fault);
          result = entry.run(ctx);
          end_ns = now_ns();
        }
        ran = true;
        const double secs = static_cast<double>(end_ns - start_ns) * 1e-9;
        state.counters["units"] = static_cast<double>(result.units);
        state.counters["units_per_s"] = secs > 0 ? static_cast<double>(result.units) / secs : 0;
        state.counters["live_bytes"] = static_cast<double>(result.live_bytes);
        // 48 bits are exact in a double; the full value is in the detail file.
        state.counters["checksum48"] = static_cast<double>(result.checksum & ((1ULL << 48) - 1));
        for (const auto& p : kReportedPercentiles) {
          state.counters[std::string("lat_p") + p.key + "_ns"] =
              static_cast<double>(latency->value_at_percentile(p.percentile));
        }
        state.counters["lat_max_ns"] = static_cast<double>(latency->max());
#if MMBENCH_WORKER_HOSTS_ALL
        if (is_boehm(entry.strategy)) {
          const Histogram& pauses = BoehmRuntime::pauses();
          state.counters["gc_pauses"] = static_cast<double>(pauses.count());
          state.counters["gc_pause_total_ns"] = pauses.sum();
          state.counters["gc_pause_p99_ns"] = static_cast<double>(pauses.value_at_percentile(99));
          state.counters["gc_pause_max_ns"] = static_cast<double>(pauses.max());
        }
#endif
        for (int i = 0; i < counters->size(); ++i) {
          state.counters[counters->name(i)] = counters->value(i);
        }
      })
      ->Iterations(1)
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->Unit(benchmark::kMillisecond);

  const AllocatorIdentity id = identify_allocator();
  benchmark::AddCustomContext("mmbench_workload", std::string(entry.info.name));
  benchmark::AddCustomContext("mmbench_strategy", entry.strategy);
  benchmark::AddCustomContext("mmbench_size", opt.size);
  benchmark::AddCustomContext("mmbench_threads", std::to_string(opt.threads));
  benchmark::AddCustomContext("mmbench_seed", std::to_string(opt.seed));
  benchmark::AddCustomContext("mmbench_malloc_family", id.family);
  benchmark::AddCustomContext("mmbench_malloc_version", id.version);
  benchmark::AddCustomContext("mmbench_malloc_from", id.malloc_from);
#if MMBENCH_WORKER_HOSTS_ALL
  if (is_boehm(entry.strategy)) {
    const unsigned v = GC_get_version();
    benchmark::AddCustomContext("mmbench_gc_version", std::to_string(v >> 16) + "." +
                                                          std::to_string((v >> 8) & 0xff) + "." +
                                                          std::to_string(v & 0xff));
  }
#endif
  benchmark::Initialize(&gb_argc, gb_argv);
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv)) return kExitUsage;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!ran) {
    std::cerr << "mmbench-worker: the benchmark did not run (check --benchmark_filter)\n";
    return kExitError;
  }

  if (!opt.detail_out.empty()) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(result.checksum));
    nlohmann::json d;
    d["workload"] = entry.info.name;
    d["strategy"] = entry.strategy;
    d["unit"] = entry.info.unit;
    d["size"] = opt.size;
    d["threads"] = opt.threads;
    d["seed"] = opt.seed;
    d["deliberate_leak"] = entry.info.deliberate_leak;
    d["allocator"] = identity_json(id);
    d["checksum"] = hex;
    d["units"] = result.units;
    d["live_bytes"] = result.live_bytes;
    d["wall_ns"] = end_ns - start_ns;
    d["start_monotonic_ns"] = start_ns;
    d["end_monotonic_ns"] = end_ns;
    d["self_maxrss_kib"] = self_maxrss_kib();
    d["latency"] = histogram_to_json(*latency);
    if (entry.info.open_loop) d["corrected_latency"] = histogram_to_json(*corrected);
    nlohmann::json extra = nlohmann::json::object();
    for (int i = 0; i < counters->size(); ++i) extra[counters->name(i)] = counters->value(i);
    d["counters"] = extra;
#if MMBENCH_WORKER_HOSTS_ALL
    if (is_boehm(entry.strategy)) {
      nlohmann::json gc;
      gc["collections"] = GC_get_gc_no();
      gc["heap_bytes"] = GC_get_heap_size();
      gc["total_allocated_bytes"] = GC_get_total_bytes();
      gc["pauses"] = histogram_to_json(BoehmRuntime::pauses());
      nlohmann::json events = nlohmann::json::array();
      for (std::size_t i = 0; i < BoehmRuntime::event_count(); ++i) {
        const auto& e = BoehmRuntime::events()[i];
        events.push_back({e.start_ns - start_ns, e.duration_ns});
      }
      gc["events"] = std::move(events);  // [start offset from run start, duration], ns
      d["gc"] = std::move(gc);
    }
#endif
    write_atomically(opt.detail_out, d.dump() + "\n");
  }
  return 0;
}

}  // namespace
}  // namespace mmbench

int main(int argc, char** argv) {
  using namespace mmbench;
  Options opt;
  CLI::App app{"mmbench worker (" MMBENCH_MALLOC_FAMILY
               "): runs one workload under one strategy; other --benchmark_* flags go to "
               "Google Benchmark"};
  app.allow_extras();
  app.add_option("--workload", opt.workload, "workload to run");
  app.add_option("--strategy", opt.strategy, "strategy to run it under");
  app.add_option("--size", opt.size, "quick | default | large")
      ->check(CLI::IsMember({"quick", "default", "large"}));
  app.add_option("--threads", opt.threads, "threads, for workloads that take them")
      ->check(CLI::Range(1, 4096));
  app.add_option("--seed", opt.seed, "seed of the workload's random stream");
  app.add_option("--detail-out", opt.detail_out, "write the detail JSON here");
  app.add_option("--expect-malloc", opt.expect_malloc,
                 "allocator that must serve malloc (family, or preloaded library path)");
  app.add_option("--fault", opt.fault, "test only: crash | hang | oom")
      ->check(CLI::IsMember({"crash", "hang", "oom"}));
  app.add_flag("--list", opt.list, "list workloads and strategies as JSON and exit");
  app.add_flag("--describe", opt.describe, "print the allocator identity as JSON and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  const AllocatorIdentity id = identify_allocator();
  const std::string expected =
      opt.expect_malloc.empty() ? MMBENCH_MALLOC_FAMILY : opt.expect_malloc;
  if (std::string why = allocator_mismatch(id, expected); !why.empty()) {
    std::cerr << "mmbench-worker: allocator check failed: " << why
              << "; refusing to run (the figures would be labelled wrongly)\n";
    return kExitAllocator;
  }

  auto& registry = workload_registry();
  if (opt.list || opt.describe) {
    nlohmann::json out;
    out["family"] = MMBENCH_MALLOC_FAMILY;
    out["allocator"] = identity_json(id);
    if (opt.list) {
      nlohmann::json entries = nlohmann::json::array();
      for (const auto& e : registry) {
        entries.push_back({{"workload", e.info.name},
                           {"strategy", e.strategy},
                           {"unit", e.info.unit},
                           {"description", e.info.description},
                           {"open_loop", e.info.open_loop},
                           {"deliberate_leak", e.info.deliberate_leak}});
      }
      out["entries"] = std::move(entries);
    }
#if MMBENCH_WORKER_HOSTS_ALL
    const unsigned v = GC_get_version();
    out["gc_version"] = std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
                        std::to_string(v & 0xff);
#endif
    std::cout << out.dump(1) << "\n";
    return 0;
  }

  std::set<std::string> workloads, strategies;
  const WorkloadEntry* entry = nullptr;
  for (const auto& e : registry) {
    workloads.insert(std::string(e.info.name));
    strategies.insert(e.strategy);
    if (e.info.name == opt.workload && e.strategy == opt.strategy) entry = &e;
  }
  if (entry == nullptr) {
    if (!workloads.count(opt.workload)) {
      std::cerr << "mmbench-worker: unknown workload '" << opt.workload
                << "'; valid: " << join(workloads) << "\n";
    } else {
      std::cerr << "mmbench-worker: unknown strategy '" << opt.strategy
                << "' in this worker; valid: " << join(strategies) << "\n";
    }
    return kExitUsage;
  }

  // Google Benchmark sees only the program name and the arguments we did not parse.
  std::vector<std::string> rest = app.remaining();
  std::vector<char*> gb_argv{argv[0]};
  for (auto& a : rest) gb_argv.push_back(a.data());
  gb_argv.push_back(nullptr);
  int gb_argc = static_cast<int>(gb_argv.size()) - 1;
  try {
    return run(opt, *entry, gb_argc, gb_argv.data());
  } catch (const std::bad_alloc&) {
    std::cerr << "mmbench-worker: out of memory in " << opt.workload << "/" << opt.strategy << "\n";
    return kExitOutOfMemory;
  } catch (const std::exception& e) {
    std::cerr << "mmbench-worker: error: " << e.what() << "\n";
    return kExitError;
  }
}
