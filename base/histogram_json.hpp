// Histogram -> JSON for the worker's detail file (written after measuring).
#pragma once

#include <nlohmann/json.hpp>

#include "base/histogram.hpp"

namespace mmbench {

struct ReportedPercentile {
  double percentile;
  const char* key;  // JSON key in "percentiles"
};
inline constexpr ReportedPercentile kReportedPercentiles[] = {
    {50, "50"}, {90, "90"}, {99, "99"}, {99.9, "999"}, {99.99, "9999"}};

inline nlohmann::json histogram_to_json(const Histogram& h) {
  nlohmann::json j;
  j["count"] = h.count();
  j["min"] = h.min();
  j["max"] = h.max();
  j["mean"] = h.mean();
  j["saturated"] = h.saturated();
  j["significant_digits"] = h.significant_digits();
  nlohmann::json pct = nlohmann::json::object();
  for (const auto& p : kReportedPercentiles) pct[p.key] = h.value_at_percentile(p.percentile);
  j["percentiles"] = pct;
  // Non-empty buckets as [lowest equivalent, highest equivalent, count]: enough
  // to merge repetitions and recompute any percentile without knowing the layout.
  nlohmann::json buckets = nlohmann::json::array();
  for (std::int64_t i = 0; i < h.counts_len(); ++i) {
    const std::int64_t c = h.count_at_index(i);
    if (c == 0) continue;
    const std::int64_t v = h.value_at_index(i);
    buckets.push_back({h.lowest_equivalent(v), h.highest_equivalent(v), c});
  }
  j["buckets"] = std::move(buckets);
  return j;
}

}  // namespace mmbench
