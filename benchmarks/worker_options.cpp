#include "benchmarks/worker_options.hpp"

#include <vector>

#include "base/sizes.hpp"
#include "benchmarks/fault_injection.hpp"

namespace mmbench {
namespace {

// The names as a CLI11 check and as help text ("a | b | c").
template <class Names>
std::vector<std::string> choices(const Names& names, std::string& help) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    out.emplace_back(n);
    help += (help.empty() ? "" : " | ") + out.back();
  }
  return out;
}

void add_run_options(CLI::App& app, WorkerOptions& opt) {
  app.add_option("--workload", opt.workload, "workload to run");
  app.add_option("--strategy", opt.strategy, "strategy to run it under");
  std::vector<std::string_view> size_names;
  for (const auto& s : kSizeNames) size_names.push_back(s.name);
  std::string size_help;
  const auto sizes = choices(size_names, size_help);
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
  app.add_flag("--gc-fixed-heap", opt.gc_fixed_heap,
               "Boehm strategies (not boehm-incremental), with --gc-max-heap-bytes: use the "
               "capped heap as a fixed heap, collecting only when it is full (a cap alone never "
               "makes libgc's heap grow)");
  std::string fault_help;
  const auto faults = choices(kFaultNames, fault_help);
  app.add_option("--fault", opt.fault, "test only: " + fault_help)->check(CLI::IsMember(faults));
}

void add_protocol_options(CLI::App& app, WorkerOptions& opt) {
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

}  // namespace

void add_options(CLI::App& app, WorkerOptions& opt) {
  app.allow_extras();
  add_run_options(app, opt);
  add_protocol_options(app, opt);
}

ProcessOptions process_options(const WorkerOptions& opt, const AllocatorIdentity& id) {
  return {id.family, opt.gc_max_heap_bytes, opt.gc_free_space_divisor, opt.gc_fixed_heap};
}

}  // namespace mmbench
