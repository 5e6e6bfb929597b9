// The monotonic clock every layer reads (the worker's pass times, the
// workloads' pacing and phase times, the collector's pause events).
#pragma once

#include <time.h>

#include <cstdint>

namespace mmbench {

// Nanoseconds of `clock` (CLOCK_MONOTONIC unless told otherwise). Async-signal
// safe and allocation-free: usable in the collector's stop-the-world callback.
inline std::int64_t monotonic_ns(clockid_t clock = CLOCK_MONOTONIC) noexcept {
  timespec ts;
  clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Wall clock for pacing and phase times (not per-unit latency: see UnitClock).
inline std::int64_t now_ns() noexcept { return monotonic_ns(); }

}  // namespace mmbench
