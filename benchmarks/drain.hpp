// The drain phase (--drain): how much memory a strategy gives back once the
// workload has released everything, read from inside and, at the same
// states, from outside.
#pragma once

#include <nlohmann/json.hpp>

#include "benchmarks/registry.hpp"

namespace mmbench {

// Keeps the process alive and reads its RSS at the start, after 100 ms and
// after 1 s, then makes the strategy's release call and reads it again. Each
// reading is announced on stderr ("mmbench-drain: PHASE rss_kib=N") just
// before a pause of at least 100 ms, so that an observer can read
// /proc/<pid>/statm from outside at the same state. Returns the readings.
nlohmann::json drain_phase(const StrategyEntry& strategy);

}  // namespace mmbench
