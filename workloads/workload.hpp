// What every workload gets and returns, and how it registers itself.
//
// A workload is a class template over a Strategy with
//   static constexpr WorkloadInfo kInfo{...};
//   static WorkloadResult run(RunContext& ctx);
// and one line at the end of its file:
//   MMBENCH_REGISTER_WORKLOAD(ClassTemplateName);
// which registers it for every strategy the worker binary hosts. The work
// done must be fixed for a given (size, threads, seed) and the checksum must
// depend only on the data built, never on addresses or timing, so that every
// strategy returns the same checksum.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocators/strategy.hpp"
#include "benchmarks/histogram.hpp"
#include "benchmarks/unit_clock.hpp"

namespace mmbench {

enum class Size { kQuick, kDefault, kLarge };

// Picks the figure for the run's size: scaled(ctx.size, 4, 16, 20).
template <class T>
constexpr T scaled(Size s, T quick, T dflt, T large) noexcept {
  return s == Size::kQuick ? quick : s == Size::kLarge ? large : dflt;
}

// Wall clock for pacing and phase times (not per-unit latency: see RunContext).
inline std::int64_t now_ns() noexcept { return monotonic_ns(); }

// Named extra figures a workload reports (deadline misses, phase times...).
// Fixed capacity, no allocation: names must be string literals.
class Counters {
 public:
  static constexpr int kMax = 32;
  void set(const char* name, double value) noexcept {
    for (int i = 0; i < n_; ++i) {
      if (std::strcmp(names_[i], name) == 0) {
        values_[i] = value;
        return;
      }
    }
    if (n_ < kMax) {
      names_[n_] = name;
      values_[n_++] = value;
    }
  }
  void add(const char* name, double delta) noexcept {
    for (int i = 0; i < n_; ++i) {
      if (std::strcmp(names_[i], name) == 0) {
        values_[i] += delta;
        return;
      }
    }
    set(name, delta);
  }
  int size() const noexcept { return n_; }
  const char* name(int i) const noexcept { return names_[i]; }
  double value(int i) const noexcept { return values_[i]; }

 private:
  const char* names_[kMax] = {};
  double values_[kMax] = {};
  int n_ = 0;
};

struct RunContext {
  Size size = Size::kDefault;
  int threads = 1;
  std::uint64_t seed = 42;
  Histogram& latency;    // one sample per unit of work, in ns
  Histogram& corrected;  // open-loop workloads: latency from the intended start time
  Counters& counters;
  // Per-unit timing on or off. The worker turns it off for the steady-state
  // iterations its throughput comes from, so that figure carries no clock
  // cost; the latency histogram comes from the timed (first) iteration.
  bool time_units = true;

  // Time one unit: start = ctx.unit_start(); ...work...; ctx.unit_end(start).
  std::int64_t unit_start() const noexcept { return time_units ? UnitClock::ticks() : 0; }
  void unit_end(std::int64_t start) noexcept {
    if (time_units) latency.record(UnitClock::ns_since(start));
  }
  // A unit timed by the workload itself (e.g. a phase it also reports).
  void record_unit_ns(std::int64_t ns) noexcept {
    if (time_units) latency.record(ns);
  }
};

struct WorkloadResult {
  std::uint64_t checksum = 0;
  std::uint64_t units = 0;       // units of work done (the latency samples' unit)
  std::uint64_t live_bytes = 0;  // peak bytes reachable at once (see each workload)
};

struct WorkloadInfo {
  std::string_view name;
  std::string_view unit;         // "tree", "request", ...
  std::string_view description;  // one line: what real program it models
  bool open_loop = false;        // records corrected latency
  bool deliberate_leak = false;  // manual variants leak on purpose (labelled in tables)
  // Whether running it again in the same process measures the same thing. Not
  // for a workload whose point is the process's whole life (leak_exit leaks
  // until exit) or that runs at a fixed rate (real_time_loop): those run once.
  bool repeatable = true;
  // Runs threads of its own (the runner then does not pin it to one CPU).
  bool multithreaded = false;
  // What its row says: "throughput" (units per second, ratios between
  // strategies), "frame_time" (a fixed rate: frame-time percentiles and
  // deadline misses), or "footprint" (no work to speak of: the harness's own
  // memory per strategy, never a speed ratio).
  std::string_view headline = "throughput";
};

// 64-bit mixing for checksums (splitmix64 finaliser): order-sensitive when
// chained as h = mix(h ^ x).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Small, fast, deterministic PRNG (xoshiro-style splitmix stream).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept { return mix64(state_++); }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) noexcept {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// Releases a singly linked list whose nodes chain through `next`: node by node
// where the strategy frees each object or counts references (detaching `next`
// before the release turns shared_ptr's recursive cascade, which a list of
// millions would overflow the stack with, into a loop); otherwise the head
// alone, and a region or the collector reclaims the rest.
template <class S, class NodePtr>
void release_list(NodePtr& head) {
  if constexpr (kNeedsRelease<S> || kFreesEachObject<S>) {
    while (head) {
      NodePtr next = std::move(S::raw(head)->next);
      S::release(head);
      head = std::move(next);
    }
  } else {
    S::release(head);
  }
}

// ---- registration -----------------------------------------------------------

struct WorkloadEntry {
  WorkloadInfo info;
  std::string strategy;
  WorkloadResult (*run)(RunContext&);
  void (*between_passes)();  // the strategy's end_pass (EndsPasses), else nullptr
};

template <class S>
constexpr void (*between_passes_of())() {
  if constexpr (EndsPasses<S>) {
    return &S::end_pass;
  } else {
    return nullptr;
  }
}

std::vector<WorkloadEntry>& workload_registry();

// One pass of a workload inside a scope of its own, so that a region
// strategy gives back at its end whatever the workload made outside its own
// scopes (binary_trees' long-lived tree): a process that runs the workload
// again (steady-state iterations) starts each pass from the same heap.
template <template <class> class W, class S>
WorkloadResult run_in_scope(RunContext& ctx) {
  typename S::Scope scope;
  return W<S>::run(ctx);
}

template <template <class> class W, class... Strategies>
struct WorkloadRegistrar {
  WorkloadRegistrar() {
    (workload_registry().push_back(
         {W<Strategies>::kInfo, std::string(Strategies::kName), &run_in_scope<W, Strategies>,
          between_passes_of<Strategies>()}),
     ...);
  }
};

}  // namespace mmbench

// The worker binary defines MMBENCH_WORKER_STRATEGIES (the strategies it hosts).
#include "benchmarks/worker_strategies.hpp"

#define MMBENCH_CONCAT_(a, b) a##b
#define MMBENCH_CONCAT(a, b) MMBENCH_CONCAT_(a, b)
#define MMBENCH_REGISTER_WORKLOAD(W)                                                      \
  static const ::mmbench::WorkloadRegistrar<W, MMBENCH_WORKER_STRATEGIES> MMBENCH_CONCAT( \
      mmbench_registrar_, __LINE__)
