// The clock workloads time their units of work with.
//
// A unit (a tree, a request, a push) can take a few hundred nanoseconds, so
// the clock's own cost matters, and reading the TSC costs less than
// clock_gettime (docs/reproducibility.md has the figures). Where the CPU
// says its TSC is invariant (constant_tsc and nonstop_tsc), ticks are TSC
// cycles, converted to nanoseconds with a rate calibrated once per process
// against CLOCK_MONOTONIC_RAW; elsewhere ticks are CLOCK_MONOTONIC nanoseconds.
#pragma once

#include <time.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "base/clock.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define MMBENCH_HAVE_TSC 1
#else
#define MMBENCH_HAVE_TSC 0
#endif

namespace mmbench {

class UnitClock {
 public:
  static std::int64_t ticks() noexcept {
#if MMBENCH_HAVE_TSC
    if (use_tsc_) return static_cast<std::int64_t>(__rdtsc());
#endif
    return monotonic_ns();
  }
  static std::int64_t to_ns(std::int64_t ticks) noexcept {
    return use_tsc_ ? static_cast<std::int64_t>(static_cast<double>(ticks) * ns_per_tick_) : ticks;
  }
  static std::int64_t ns_since(std::int64_t start_ticks) noexcept {
    return to_ns(ticks() - start_ticks);
  }
  static bool uses_tsc() noexcept { return use_tsc_; }
  static double ns_per_tick() noexcept { return ns_per_tick_; }
  static const char* source() noexcept { return use_tsc_ ? "tsc" : "clock_gettime"; }

  // Decides the source and measures the TSC rate over `window_ns` (before any
  // measured region: it spins). Returns false when it falls back to clock_gettime.
  static bool calibrate(std::int64_t window_ns = 20'000'000) noexcept {
    use_tsc_ = false;
    ns_per_tick_ = 1.0;
#if MMBENCH_HAVE_TSC
    if (!invariant_tsc()) return false;
    const std::int64_t t0 = monotonic_ns(CLOCK_MONOTONIC_RAW);
    const std::uint64_t c0 = __rdtsc();
    std::int64_t t1;
    do t1 = monotonic_ns(CLOCK_MONOTONIC_RAW);
    while (t1 - t0 < window_ns);
    const std::uint64_t c1 = __rdtsc();
    if (c1 <= c0) return false;
    ns_per_tick_ = static_cast<double>(t1 - t0) / static_cast<double>(c1 - c0);
    use_tsc_ = true;
    return true;
#else
    (void)window_ns;
    return false;
#endif
  }

 private:
  static bool invariant_tsc() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("flags", 0) == 0) {
        return line.find(" constant_tsc") != std::string::npos &&
               line.find(" nonstop_tsc") != std::string::npos;
      }
    }
    return false;
  }

  static inline bool use_tsc_ = false;
  static inline double ns_per_tick_ = 1.0;
};

}  // namespace mmbench
