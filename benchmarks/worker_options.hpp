// The worker's command line: its options and how CLI11 parses them. Options
// it does not know (--benchmark_*) go on to Google Benchmark.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "allocators/strategy.hpp"
#include "benchmarks/allocator_identity.hpp"

namespace mmbench {

struct WorkerOptions {
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
  bool gc_fixed_heap = false;               // Boehm strategies: collect only when the cap is full
  std::string fault;                        // test only: benchmarks/fault_injection.hpp
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

void add_options(CLI::App& app, WorkerOptions& opt);

// What a strategy's process-wide set-up and configuration report are given.
ProcessOptions process_options(const WorkerOptions& opt, const AllocatorIdentity& id);

}  // namespace mmbench
