// What every workload gets and returns, and how it declares itself.
//
// A workload is a class template over a Strategy with
//   static constexpr WorkloadInfo kInfo{...};
//   static WorkloadResult run(RunContext& ctx);
// and one line at the end of its file:
//   MMBENCH_WORKLOAD(ClassTemplateName);
// which names it for the worker. This layer knows no strategy list: the worker
// build compiles each workload file inside a generated registration unit that
// instantiates it for every strategy that worker hosts
// (benchmarks/register_workload.hpp). The work
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
#include "base/clock.hpp"
#include "base/histogram.hpp"
#include "base/sizes.hpp"
#include "base/unit_clock.hpp"

namespace mmbench {

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

}  // namespace mmbench

// The last line of a workload file: names its class template for the
// registration unit the worker build wraps around the file.
#define MMBENCH_WORKLOAD(W)  \
  namespace {                \
  template <class S>         \
  using ThisWorkload = W<S>; \
  }                          \
  static_assert(true, "needs a ;")
