// Histogram against exact statistics of the same samples.
//
// The reference for a percentile is the nearest-rank definition the header
// documents: the value of the ceil(p% * count)-th smallest sample, reported as
// the highest value equivalent to its bucket and capped at the exact maximum.
// Ranks here are computed in integer arithmetic (p in thousandths of a
// percent), so the reference itself carries no rounding error.
#include "base/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace mmbench {
namespace {

constexpr std::int64_t kDefaultHighest = std::int64_t{1} << 41;

// Percentiles in thousandths of a percent: 99900 is p99.9.
constexpr std::int64_t kPercentilesMilli[] = {0,     1,     100,   1000,  10000, 25000,
                                              33333, 50000, 66667, 75000, 90000, 95000,
                                              99000, 99500, 99900, 99990, 99999, 100000};

std::int64_t nearest_rank(std::int64_t percentile_milli, std::int64_t count) {
  // ceil(percentile_milli * count / 100000), at least 1.
  const std::int64_t num = percentile_milli * count;
  return std::max<std::int64_t>((num + 99999) / 100000, 1);
}

// Independent derivation of the 3-digit bucket layout: values below 2048 are
// exact; above, a value v with 2^(10+k) <= v < 2^(11+k) shares a bucket of
// width 2^k with its neighbours.
std::int64_t bucket_width(std::int64_t v) {
  if (v < 2048) return 1;
  const int log2v = 63 - std::countl_zero(static_cast<std::uint64_t>(v));
  return std::int64_t{1} << (log2v - 10);
}
std::int64_t highest_equivalent_reference(std::int64_t v) {
  const std::int64_t w = bucket_width(v);
  return v / w * w + w - 1;
}

std::int64_t count_of_value(const Histogram& h, std::int64_t v) {
  const std::int64_t lowest = h.lowest_equivalent(v);
  for (std::int64_t i = 0; i < h.counts_len(); ++i) {
    if (h.value_at_index(i) == lowest) return h.count_at_index(i);
  }
  ADD_FAILURE() << "no bucket holds " << v;
  return -1;
}

// Records `samples` and checks every statistic against the sorted samples.
void check_against_exact(const std::vector<std::int64_t>& samples, const std::string& what) {
  SCOPED_TRACE(what);
  Histogram h;
  for (std::int64_t v : samples) h.record(v);
  std::vector<std::int64_t> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<std::int64_t>(sorted.size());

  ASSERT_EQ(h.count(), n);
  EXPECT_EQ(h.min(), sorted.front());
  EXPECT_EQ(h.max(), sorted.back());
  EXPECT_EQ(h.saturated(), 0);
  // Integer sums below 2^53 are exact in a double, so the mean is too.
  const std::int64_t sum = std::accumulate(sorted.begin(), sorted.end(), std::int64_t{0});
  ASSERT_LT(sum, std::int64_t{1} << 53);
  EXPECT_EQ(h.sum(), static_cast<double>(sum));
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum) / static_cast<double>(n));

  for (std::int64_t pm : kPercentilesMilli) {
    const double p = static_cast<double>(pm) / 1000.0;
    const std::int64_t exact = sorted[nearest_rank(pm, n) - 1];
    const std::int64_t got = h.value_at_percentile(p);
    SCOPED_TRACE(::testing::Message() << "p" << p << ", exact value " << exact);
    // The documented definition, precisely.
    EXPECT_EQ(got, std::min(highest_equivalent_reference(exact), sorted.back()));
    // And the documented error bound: never below, at most 2^-10 above.
    EXPECT_GE(got, exact);
    EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * (1.0 + 0x1.0p-10));
  }
}

std::vector<std::int64_t> draw(std::size_t n, const std::function<std::int64_t()>& gen) {
  std::vector<std::int64_t> out(n);
  for (auto& v : out) v = gen();
  return out;
}

TEST(HistogramLayout, BucketsMatchThreeSignificantDigits) {
  Histogram h;
  EXPECT_EQ(h.sub_bucket_count(), 2048);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    // Log-uniform over the whole range, plus every value near bucket edges.
    const int bits = static_cast<int>(rng() % 41);
    const std::int64_t v = static_cast<std::int64_t>(rng() >> (64 - bits - 1) >> 1);
    ASSERT_EQ(h.highest_equivalent(v), highest_equivalent_reference(v)) << v;
    ASSERT_EQ(h.lowest_equivalent(v), v / bucket_width(v) * bucket_width(v)) << v;
  }
  for (int k = 10; k < 41; ++k) {
    for (std::int64_t v :
         {(std::int64_t{1} << k) - 1, std::int64_t{1} << k, (std::int64_t{1} << k) + 1}) {
      ASSERT_EQ(h.highest_equivalent(v), highest_equivalent_reference(v)) << v;
    }
  }
}

TEST(HistogramPercentiles, UniformSmallValuesAreExact) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::int64_t> d(0, 2047);
  const auto samples = draw(100000, [&] { return d(rng); });
  check_against_exact(samples, "uniform 0..2047");
  // Below 2048 every bucket holds one value: percentiles are the samples themselves.
  Histogram h;
  for (auto v : samples) h.record(v);
  std::vector<std::int64_t> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(h.value_at_percentile(50), sorted[nearest_rank(50000, 100000) - 1]);
}

TEST(HistogramPercentiles, UniformNanosecondsToSeconds) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<std::int64_t> d(1, 2'000'000'000);
  check_against_exact(draw(200000, [&] { return d(rng); }), "uniform 1ns..2s");
}

TEST(HistogramPercentiles, LogUniformNanosecondsToSeconds) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> d(0.0, std::log(10e9));
  check_against_exact(draw(200000, [&] { return static_cast<std::int64_t>(std::exp(d(rng))); }),
                      "log-uniform 1ns..10s");
}

TEST(HistogramPercentiles, LogNormalHeavyTail) {
  std::mt19937_64 rng(4);
  std::lognormal_distribution<double> d(std::log(50'000.0), 2.0);
  check_against_exact(draw(200000,
                           [&] {
                             return std::min<std::int64_t>(static_cast<std::int64_t>(d(rng)),
                                                           30'000'000'000);
                           }),
                      "log-normal median 50us sigma 2");
}

TEST(HistogramPercentiles, ParetoHeavyTail) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // Pareto with alpha 1.1 from 100 ns: a few samples land in the seconds.
  check_against_exact(draw(200000,
                           [&] {
                             const double x = 100.0 / std::pow(1.0 - u(rng), 1.0 / 1.1);
                             return static_cast<std::int64_t>(std::min(x, 3e10));
                           }),
                      "pareto alpha 1.1");
}

TEST(HistogramPercentiles, ConstantValue) {
  check_against_exact(std::vector<std::int64_t>(5000, 123'456'789), "constant 123456789");
  // The cap at the exact maximum: the bucket's highest equivalent is larger.
  Histogram h;
  h.record_n(123'456'789, 10);
  EXPECT_GT(h.highest_equivalent(123'456'789), 123'456'789);
  EXPECT_EQ(h.value_at_percentile(50), 123'456'789);
  EXPECT_EQ(h.value_at_percentile(100), 123'456'789);
}

TEST(HistogramPercentiles, RoundCountsAtReportedPercentiles) {
  // Sample counts the workloads produce (powers of ten) at the reported
  // percentiles, where p/100*count is an integer in exact arithmetic: 1..N
  // distinct values make any off-by-one rank visible.
  for (std::int64_t n : {1000, 10000, 100000}) {
    std::vector<std::int64_t> samples(n);
    std::iota(samples.begin(), samples.end(), 1);
    check_against_exact(samples, "1.." + std::to_string(n));
  }
}

TEST(HistogramEdges, ZeroAndEmpty) {
  Histogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  h.record(0);
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.value_at_percentile(0), 0);
  EXPECT_EQ(h.value_at_percentile(100), 0);
  EXPECT_EQ(count_of_value(h, 0), 1);
  h.record(-5);  // negative durations (clock quirks) count as 0
  EXPECT_EQ(count_of_value(h, 0), 2);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.saturated(), 0);
}

TEST(HistogramEdges, SaturationClampsToHighestTrackable) {
  Histogram h;
  h.record(1000);
  h.record(kDefaultHighest);  // trackable: not saturated
  EXPECT_EQ(h.saturated(), 0);
  h.record(kDefaultHighest + 1);
  h.record_n(std::int64_t{1} << 60, 3);
  h.record(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(h.count(), 7);
  EXPECT_EQ(h.saturated(), 5);
  EXPECT_EQ(h.max(), kDefaultHighest);
  EXPECT_EQ(h.value_at_percentile(100), kDefaultHighest);
  EXPECT_EQ(h.value_at_percentile(50), kDefaultHighest);
  EXPECT_EQ(h.value_at_percentile(1), 1000);
  EXPECT_EQ(count_of_value(h, kDefaultHighest), 6);
  EXPECT_DOUBLE_EQ(h.sum(), 1000.0 + 6.0 * static_cast<double>(kDefaultHighest));

  // A smaller range saturates earlier.
  Histogram small(1'000'000);
  small.record(2'000'000);
  EXPECT_EQ(small.saturated(), 1);
  EXPECT_EQ(small.max(), 1'000'000);
}

TEST(HistogramMerge, EqualsRecordingEverythingIntoOne) {
  std::mt19937_64 rng(6);
  std::lognormal_distribution<double> d(std::log(20'000.0), 2.5);
  Histogram a, b, all;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::int64_t>(d(rng));
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  a.record(kDefaultHighest * 4);  // saturated samples merge too
  all.record(kDefaultHighest * 4);
  a.merge(b);
  ASSERT_EQ(a.counts_len(), all.counts_len());
  for (std::int64_t i = 0; i < all.counts_len(); ++i) {
    ASSERT_EQ(a.count_at_index(i), all.count_at_index(i)) << "index " << i;
  }
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.saturated(), all.saturated());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (std::int64_t pm : kPercentilesMilli) {
    const double p = static_cast<double>(pm) / 1000.0;
    EXPECT_EQ(a.value_at_percentile(p), all.value_at_percentile(p)) << p;
  }
}

TEST(HistogramMerge, IntoEmptyAndFromEmpty) {
  Histogram empty, h;
  h.record(500);
  h.record(70'000);
  h.merge(empty);
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(h.min(), 500);
  EXPECT_EQ(h.max(), 70'000);
  empty.merge(h);
  EXPECT_EQ(empty.count(), 2);
  EXPECT_EQ(empty.min(), 500);
  EXPECT_EQ(empty.max(), 70'000);
}

TEST(HistogramCorrected, MatchesRecordValueWithExpectedInterval) {
  // HdrHistogram: record v; then v - i, v - 2i, ... while >= i.
  Histogram h;
  h.record_corrected(1000, 300);  // 1000, 700, 400
  EXPECT_EQ(h.count(), 3);
  EXPECT_EQ(count_of_value(h, 1000), 1);
  EXPECT_EQ(count_of_value(h, 700), 1);
  EXPECT_EQ(count_of_value(h, 400), 1);
  EXPECT_EQ(count_of_value(h, 100), 0);
  EXPECT_DOUBLE_EQ(h.sum(), 2100.0);

  h.reset();
  h.record_corrected(1000, 100);  // 1000, 900, ..., 100
  EXPECT_EQ(h.count(), 10);
  for (std::int64_t v = 100; v <= 1000; v += 100) EXPECT_EQ(count_of_value(h, v), 1) << v;
  EXPECT_EQ(h.min(), 100);
  EXPECT_DOUBLE_EQ(h.sum(), 5500.0);

  h.reset();
  h.record_corrected(100, 100);  // no longer than the interval: itself only
  h.record_corrected(99, 100);
  h.record_corrected(50, 0);  // no interval: no correction
  h.record_corrected(50, -3);
  EXPECT_EQ(h.count(), 4);
  EXPECT_EQ(count_of_value(h, 100), 1);
  EXPECT_EQ(count_of_value(h, 99), 1);
  EXPECT_EQ(count_of_value(h, 50), 2);

  h.reset();
  h.record_corrected(250, 100);  // 250, 150
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(count_of_value(h, 150), 1);
  EXPECT_EQ(h.min(), 150);
}

TEST(HistogramCorrected, LongStallFillsInMissedSamples) {
  // A 1 s stall with a 1 ms expected interval stands for 1000 samples whose
  // values fall linearly from 1 s to 1 ms; the median of those is ~0.5 s.
  Histogram h;
  h.record_corrected(1'000'000'000, 1'000'000);
  EXPECT_EQ(h.count(), 1000);
  EXPECT_EQ(h.min(), 1'000'000);
  EXPECT_EQ(h.max(), 1'000'000'000);
  const std::int64_t median = h.value_at_percentile(50);
  EXPECT_GE(median, 500'000'000);
  EXPECT_LE(median, highest_equivalent_reference(500'000'000));
}

TEST(HistogramReset, ForgetsEverything) {
  Histogram h;
  for (int i = 1; i <= 100; ++i) h.record(i * 1000);
  h.record(kDefaultHighest + 1);
  h.reset();
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.saturated(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.sum(), 0.0);
  for (std::int64_t i = 0; i < h.counts_len(); ++i) ASSERT_EQ(h.count_at_index(i), 0);
  h.record(7);
  EXPECT_EQ(h.min(), 7);
  EXPECT_EQ(h.value_at_percentile(100), 7);
}

}  // namespace
}  // namespace mmbench
