// mmbench worker: runs one (workload, strategy) once, in this fresh process,
// as a Google Benchmark benchmark with fixed work (one iteration). The runner
// starts one of these per repetition and reads its figures from the detail
// JSON (--detail-out, benchmarks/detail_json.hpp); Google Benchmark's JSON
// (--benchmark_out) carries the library's context and the run's identity.
// Exit codes: base/exit_codes.hpp (listed by --list as "exit_codes").
//
// Strategy-specific behaviour comes only through the strategy's optional
// hooks (allocators/strategy.hpp, benchmarks/registry.hpp).
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "base/exit_codes.hpp"
#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/listing.hpp"
#include "benchmarks/worker_options.hpp"
#include "benchmarks/worker_run.hpp"

int main(int argc, char** argv) {
  using namespace mmbench;
  WorkerOptions opt;
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
  const bool gc_options =
      opt.gc_max_heap_bytes != 0 || opt.gc_free_space_divisor != 0 || opt.gc_fixed_heap;
  if (gc_options && !entry->strategy->takes_heap_options) {
    std::cerr << "mmbench-worker: --gc-* options apply to Boehm strategies only, not '"
              << opt.strategy << "'\n";
    return kExitUsage;
  }
  if (opt.gc_fixed_heap && !entry->strategy->takes_fixed_heap) {
    std::cerr << "mmbench-worker: --gc-fixed-heap does not apply to '" << opt.strategy
              << "': it collects on its own trigger, not when a fixed heap is full\n";
    return kExitUsage;
  }
  if (opt.gc_fixed_heap && opt.gc_max_heap_bytes == 0) {
    std::cerr << "mmbench-worker: --gc-fixed-heap needs --gc-max-heap-bytes (the heap to fill)\n";
    return kExitUsage;
  }
  // Google Benchmark sees only the program name and the arguments we did not parse.
  return run_guarded(opt, *entry, id, app.remaining(), argv[0]);
}
