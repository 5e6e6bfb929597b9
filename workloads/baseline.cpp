// baseline: allocates one small object and releases it. Its peak RSS is the
// worker's own footprint (Google Benchmark, the allocator, the collector's
// start-up heap), so that every table can show what the harness itself costs.
#include "workloads/workload.hpp"

namespace mmbench {

template <Strategy S>
struct Baseline {
  static constexpr WorkloadInfo kInfo{
      .name = "baseline",
      .unit = "run",
      .description = "empty workload: the harness's own footprint per strategy",
      .headline = "footprint",
  };
  struct Cell {
    std::uint64_t value = 0;
  };
  static WorkloadResult run(RunContext& ctx) {
    const std::int64_t t0 = ctx.unit_start();
    typename S::Scope scope;
    auto p = S::template make<Cell>();
    S::raw(p)->value = 42;
    const std::uint64_t v = S::raw(p)->value;
    S::release(p);
    ctx.unit_end(t0);
    return {.checksum = mix64(v), .units = 1, .live_bytes = sizeof(Cell)};
  }
};

MMBENCH_WORKLOAD(Baseline);

}  // namespace mmbench
