#include "benchmarks/worker_run.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <new>

#include "base/exit_codes.hpp"
#include "base/unit_clock.hpp"
#include "benchmarks/detail_json.hpp"
#include "benchmarks/drain.hpp"
#include "benchmarks/passes.hpp"

namespace mmbench {
namespace {

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

// What the run folder's manifest takes from Google Benchmark's JSON: the
// run's identity, beside the library's own context. The figures are in the
// detail JSON only.
void add_benchmark_context(const WorkerOptions& opt, const WorkloadEntry& entry,
                           const std::string& label, const AllocatorIdentity& id) {
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

// Registers the run as one benchmark iteration, real and process CPU time.
void register_run(const std::string& name, const WorkerOptions& opt, const WorkloadEntry& entry,
                  Size size, Measurement& m) {
  const StrategyEntry& strategy = *entry.strategy;
  benchmark::RegisterBenchmark(name.c_str(),
                               [&opt, &entry, &strategy, size, &m](benchmark::State& state) {
                                 if (strategy.reset_pauses != nullptr) strategy.reset_pauses();
                                 for (auto _ : state) run_passes(opt, entry, size, m);
                                 m.ran = true;
                               })
      ->Iterations(1)
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->Unit(benchmark::kMillisecond);
}

// Why the run's figures cannot be used, or "" when they can.
std::string failed_run(const WorkloadEntry& entry, const Measurement& m) {
  if (!m.ran) return "the benchmark did not run (check --benchmark_filter)";
  if (!m.checksums_agree) {
    return "a repeated iteration of " + std::string(entry.info.name) +
           " returned another checksum or unit count than the first: not fixed work";
  }
  return "";
}

int run(const WorkerOptions& opt, const WorkloadEntry& entry, const AllocatorIdentity& id,
        int gb_argc, char** gb_argv) {
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

  register_run(std::string(entry.info.name) + "/" + label, opt, entry, size, m);
  add_benchmark_context(opt, entry, label, id);
  benchmark::Initialize(&gb_argc, gb_argv);
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv)) return kExitUsage;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (const std::string why = failed_run(entry, m); !why.empty()) {
    std::cerr << "mmbench-worker: " << why << "\n";
    return kExitError;
  }
  const ProcessCounters process_end = ProcessCounters::now();
  m.probe_after_ns = speed_probe_ns();
  nlohmann::json drain;
  if (opt.drain) drain = drain_phase(strategy);
  if (!opt.detail_out.empty()) {
    write_atomically(opt.detail_out, detail_json({opt, entry, label, id, m, process_end, drain}));
  }
  return kExitOk;
}

}  // namespace

int run_guarded(const WorkerOptions& opt, const WorkloadEntry& entry, const AllocatorIdentity& id,
                const std::vector<std::string>& rest, char* argv0) {
  std::set_terminate(&on_terminate);
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

}  // namespace mmbench
