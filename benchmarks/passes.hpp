// The measured passes of one run and what they record. Everything a run
// measures is allocated before the measured region, which writes only into it.
#pragma once

#include <cstdint>
#include <memory>

#include "base/histogram.hpp"
#include "base/sizes.hpp"
#include "benchmarks/registry.hpp"
#include "benchmarks/worker_options.hpp"

namespace mmbench {

// One pass of the workload through its fixed work.
struct Iteration {
  std::int64_t wall_ns = 0;
  std::int64_t cpu_ns = 0;  // process CPU time, all threads
  long minor_faults = 0;    // first-touch page faults, mostly
  long involuntary_switches = 0;
  bool timed = false;  // per-unit clock on (latency recorded)
};

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
void run_passes(const WorkerOptions& opt, const WorkloadEntry& entry, Size size, Measurement& m);

// Median over the repeated (untimed) iterations, or the first when there are none.
std::int64_t median_of(const Iteration* it, int n, std::int64_t Iteration::*field);

// The figure: the median repeated iteration where the workload repeats
// (robust to one disturbed iteration), else the only one.
std::int64_t figure_wall_ns(const Iteration* it, int n);

// How fast the machine is right now: a fixed chain of dependent integer
// operations (no memory, no allocation), timed. The runner compares it across
// the runs of a folder: a busy VM host can slow everything down without any
// steal time showing (docs/reproducibility.md).
std::int64_t speed_probe_ns();

// What timing one unit costs: a clock read at each end and a histogram
// record, measured in a loop of `n` (before the measured region).
double unit_record_cost_ns(int n = 200'000);

}  // namespace mmbench
