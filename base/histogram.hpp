// HDR-style log-linear histogram of non-negative integer values (nanoseconds).
//
// Same bucket layout as HdrHistogram: values are grouped by power of two
// ("buckets"), each split linearly into sub-buckets, so every recorded value is
// kept to `significant_digits` decimal digits (3 -> relative error < 0.1%).
// All memory is allocated in the constructor; record() is O(1), never
// allocates and never locks, so it can run inside a measured region and inside
// the collector's stop-the-world callback. Values above the trackable maximum
// are clamped to it and counted in saturated().
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <new>

namespace mmbench {

class Histogram {
 public:
  // Default range: 1 ns .. ~36 min at 3 significant digits (about 300 KiB).
  explicit Histogram(std::int64_t highest_trackable = std::int64_t{1} << 41,
                     int significant_digits = 3) {
    const std::int64_t largest_single_unit =
        2 * static_cast<std::int64_t>(std::pow(10, significant_digits));
    const int sub_bucket_count_magnitude =
        static_cast<int>(std::ceil(std::log2(static_cast<double>(largest_single_unit))));
    sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
    sub_bucket_count_ = std::int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
    sub_bucket_half_count_ = sub_bucket_count_ / 2;
    sub_bucket_mask_ = sub_bucket_count_ - 1;
    std::int64_t smallest_untrackable = sub_bucket_count_;
    bucket_count_ = 1;
    while (smallest_untrackable <= highest_trackable) {
      if (smallest_untrackable > std::numeric_limits<std::int64_t>::max() / 2) {
        ++bucket_count_;
        break;
      }
      smallest_untrackable <<= 1;
      ++bucket_count_;
    }
    counts_len_ = (bucket_count_ + 1) * sub_bucket_half_count_;
    highest_trackable_ = highest_trackable;
    significant_digits_ = significant_digits;
    counts_ = static_cast<std::int64_t*>(std::calloc(counts_len_, sizeof(std::int64_t)));
    if (counts_ == nullptr) throw std::bad_alloc();
  }
  ~Histogram() { std::free(counts_); }
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void record(std::int64_t value) noexcept { record_n(value, 1); }

  void record_n(std::int64_t value, std::int64_t n) noexcept {
    if (value < 0) value = 0;
    if (value > highest_trackable_) {
      value = highest_trackable_;
      saturated_ += n;
    }
    counts_[counts_index(value)] += n;
    total_ += n;
    sum_ += static_cast<double>(value) * static_cast<double>(n);
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }

  // Coordinated-omission correction, as HdrHistogram's
  // recordValueWithExpectedInterval: a value longer than the expected interval
  // also stands for the samples that would have been taken while it blocked.
  void record_corrected(std::int64_t value, std::int64_t expected_interval) noexcept {
    record(value);
    if (expected_interval <= 0) return;
    for (std::int64_t missing = value - expected_interval; missing >= expected_interval;
         missing -= expected_interval) {
      record(missing);
    }
  }

  void merge(const Histogram& other) noexcept {
    // Both use the same layout when built with the same parameters.
    const std::int64_t n = std::min(counts_len_, other.counts_len_);
    for (std::int64_t i = 0; i < n; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    sum_ += other.sum_;
    saturated_ += other.saturated_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void reset() noexcept {
    std::fill(counts_, counts_ + counts_len_, 0);
    total_ = 0;
    saturated_ = 0;
    sum_ = 0;
    min_ = std::numeric_limits<std::int64_t>::max();
    max_ = 0;
  }

  std::int64_t count() const noexcept { return total_; }
  std::int64_t saturated() const noexcept { return saturated_; }
  std::int64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  // Exact maximum recorded (not bucket-rounded).
  std::int64_t max() const noexcept { return max_; }
  double mean() const noexcept { return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_); }
  double sum() const noexcept { return sum_; }
  int significant_digits() const noexcept { return significant_digits_; }
  std::int64_t sub_bucket_count() const noexcept { return sub_bucket_count_; }
  std::int64_t bucket_count() const noexcept { return bucket_count_; }
  std::int64_t counts_len() const noexcept { return counts_len_; }
  std::int64_t count_at_index(std::int64_t i) const noexcept { return counts_[i]; }

  // Value at percentile p in [0, 100]: the highest value equivalent to the
  // bucket holding the ceil(p% * count)-th smallest sample (HdrHistogram's
  // definition), capped at the exact maximum.
  std::int64_t value_at_percentile(double p) const noexcept {
    if (total_ == 0) return 0;
    // One ulp below p, as HdrHistogram does, so that p/100*N landing a hair
    // above an integer (99.9% of 1000) does not skip to the next rank.
    p = std::clamp(std::nextafter(p, -std::numeric_limits<double>::infinity()), 0.0, 100.0);
    auto target = static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
    target = std::max<std::int64_t>(target, 1);
    std::int64_t running = 0;
    for (std::int64_t i = 0; i < counts_len_; ++i) {
      running += counts_[i];
      if (running >= target) {
        return std::min(highest_equivalent(value_at_index(i)), max_);
      }
    }
    return max_;
  }

  std::int64_t value_at_index(std::int64_t index) const noexcept {
    std::int64_t bucket = (index >> sub_bucket_half_count_magnitude_) - 1;
    std::int64_t sub = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
    if (bucket < 0) {
      sub -= sub_bucket_half_count_;
      bucket = 0;
    }
    return sub << bucket;
  }
  std::int64_t lowest_equivalent(std::int64_t v) const noexcept {
    const int b = bucket_index(v);
    return sub_bucket_index(v, b) << b;
  }
  std::int64_t equivalent_range(std::int64_t v) const noexcept {
    const int b = bucket_index(v);
    const std::int64_t sub = sub_bucket_index(v, b);
    return std::int64_t{1} << (sub >= sub_bucket_count_ ? b + 1 : b);
  }
  std::int64_t highest_equivalent(std::int64_t v) const noexcept {
    return lowest_equivalent(v) + equivalent_range(v) - 1;
  }

 private:
  int bucket_index(std::int64_t v) const noexcept {
    const int pow2ceiling = 64 - std::countl_zero(static_cast<std::uint64_t>(v | sub_bucket_mask_));
    return pow2ceiling - (sub_bucket_half_count_magnitude_ + 1);
  }
  std::int64_t sub_bucket_index(std::int64_t v, int bucket) const noexcept { return v >> bucket; }
  std::int64_t counts_index(std::int64_t v) const noexcept {
    const int b = bucket_index(v);
    const std::int64_t sub = sub_bucket_index(v, b);
    return ((static_cast<std::int64_t>(b) + 1) << sub_bucket_half_count_magnitude_) +
           (sub - sub_bucket_half_count_);
  }

  std::int64_t* counts_ = nullptr;
  std::int64_t counts_len_ = 0;
  std::int64_t total_ = 0;
  std::int64_t saturated_ = 0;
  double sum_ = 0;
  std::int64_t min_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_ = 0;
  std::int64_t highest_trackable_ = 0;
  std::int64_t sub_bucket_count_ = 0;
  std::int64_t sub_bucket_half_count_ = 0;
  std::int64_t sub_bucket_mask_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  std::int64_t bucket_count_ = 0;
  int significant_digits_ = 3;
};

}  // namespace mmbench
