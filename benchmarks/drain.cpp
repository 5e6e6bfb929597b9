#include "benchmarks/drain.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "base/clock.hpp"
#include "benchmarks/proc_stats.hpp"

namespace mmbench {
namespace {

void sleep_until_ns(std::int64_t t) {
  const timespec ts{static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// One line on stderr, written without stdio buffering: the observer acts on it.
void announce(const char* phase, long kib) {
  char line[96];
  const int n = std::snprintf(line, sizeof line, "mmbench-drain: %s rss_kib=%ld\n", phase, kib);
  if (n > 0) {
    [[maybe_unused]] auto ignored = write(2, line, static_cast<std::size_t>(n));
  }
}

nlohmann::json kib_or_null(long v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v); }

}  // namespace

nlohmann::json drain_phase(const StrategyEntry& strategy) {
  const std::int64_t t0 = monotonic_ns(CLOCK_MONOTONIC);
  const long start = statm_rss_kib();
  announce("start", start);
  sleep_until_ns(t0 + 100'000'000);
  const long at_100ms = statm_rss_kib();
  announce("100ms", at_100ms);
  sleep_until_ns(t0 + 1'000'000'000);
  const long at_1s = statm_rss_kib();
  announce("1s", at_1s);
  sleep_until_ns(t0 + 1'100'000'000);  // the observer's turn, before the release call
  // The strategy's own call that gives free memory back to the system (none: nullptr).
  const char* call = strategy.release_memory();
  const long released = call == nullptr ? -1 : statm_rss_kib();
  announce("released", released);
  sleep_until_ns(monotonic_ns(CLOCK_MONOTONIC) + 100'000'000);  // the observer's turn
  return {{"rss_start_kib", kib_or_null(start)},
          {"rss_100ms_kib", kib_or_null(at_100ms)},
          {"rss_1s_kib", kib_or_null(at_1s)},
          {"release_call", call == nullptr ? nlohmann::json(nullptr) : nlohmann::json(call)},
          {"rss_released_kib", kib_or_null(released)}};
}

}  // namespace mmbench
