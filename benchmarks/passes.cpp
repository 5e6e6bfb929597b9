#include "benchmarks/passes.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "base/clock.hpp"
#include "base/unit_clock.hpp"
#include "benchmarks/fault_injection.hpp"
#include "benchmarks/proc_stats.hpp"

namespace mmbench {
namespace {

// One pass, timed as a whole (wall, process CPU, faults, switches).
WorkloadResult timed_pass(const WorkloadEntry& entry, RunContext& ctx, Iteration& out, bool timed) {
  const ProcessCounters pc0 = ProcessCounters::now();
  const std::int64_t cpu0 = monotonic_ns(CLOCK_PROCESS_CPUTIME_ID);
  const std::int64_t t0 = now_ns();
  const WorkloadResult r = entry.run(ctx);
  const std::int64_t t1 = now_ns();
  const std::int64_t cpu1 = monotonic_ns(CLOCK_PROCESS_CPUTIME_ID);
  const ProcessCounters pc1 = ProcessCounters::now();
  out = {t1 - t0, cpu1 - cpu0, pc1.minor_faults - pc0.minor_faults,
         pc1.involuntary_switches - pc0.involuntary_switches, timed};
  return r;
}

}  // namespace

void run_passes(const WorkerOptions& opt, const WorkloadEntry& entry, Size size, Measurement& m) {
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
    const WorkloadResult r = timed_pass(entry, i == 0 ? ctx : repeat_ctx, m.iterations[i], i == 0);
    m.n_iterations = i + 1;
    if (i == 0) {
      m.result = r;
    } else {
      m.checksums_agree =
          m.checksums_agree && r.checksum == m.result.checksum && r.units == m.result.units;
      repeated_s += static_cast<double>(m.iterations[i].wall_ns) * 1e-9;
    }
    if (!repeat) break;
  }
  m.end_ns = now_ns();
}

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

std::int64_t speed_probe_ns() {
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  const std::int64_t t0 = monotonic_ns();
  for (int i = 0; i < 2'000'000; ++i) x = mix64(x);
  const std::int64_t t = monotonic_ns() - t0;
  benchmark::DoNotOptimize(x);
  return t;
}

double unit_record_cost_ns(int n) {
  Histogram scratch;
  const std::int64_t t0 = monotonic_ns();
  for (int i = 0; i < n; ++i) {
    const std::int64_t start = UnitClock::ticks();
    scratch.record(UnitClock::ns_since(start));
  }
  return static_cast<double>(monotonic_ns() - t0) / n;
}

}  // namespace mmbench
