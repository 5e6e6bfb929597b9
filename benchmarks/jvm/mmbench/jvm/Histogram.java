// HDR-style log-linear histogram of non-negative values (nanoseconds): a port
// of base/histogram.hpp with the same bucket layout (HdrHistogram's), so the
// JVM rows' buckets, percentiles and .hgrm files mean what the C++ rows' do
// (tests/scripts/jvm_histogram_check.py feeds both the same samples).
// All memory is allocated in the constructor; record() never allocates and
// never locks. Values above the trackable maximum are clamped and counted.
package mmbench.jvm;

import java.util.Arrays;

public final class Histogram {
  private final long[] counts;
  private final int countsLen;
  private long total = 0;
  private long saturated = 0;
  private double sum = 0;
  private long min = Long.MAX_VALUE;
  private long max = 0;
  private final long highestTrackable;
  private final long subBucketCount;
  private final long subBucketHalfCount;
  private final long subBucketMask;
  private final int subBucketHalfCountMagnitude;
  private final int bucketCount;
  private final int significantDigits;

  // Default range: 1 ns .. ~36 min at 3 significant digits.
  public Histogram() {
    this(1L << 41, 3);
  }

  public Histogram(long highestTrackable, int significantDigits) {
    long largestSingleUnit = 2 * (long) Math.pow(10, significantDigits);
    int subBucketCountMagnitude = (int) Math.ceil(Math.log((double) largestSingleUnit) / Math.log(2));
    subBucketHalfCountMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
    subBucketCount = 1L << (subBucketHalfCountMagnitude + 1);
    subBucketHalfCount = subBucketCount / 2;
    subBucketMask = subBucketCount - 1;
    long smallestUntrackable = subBucketCount;
    int buckets = 1;
    while (smallestUntrackable <= highestTrackable) {
      if (smallestUntrackable > Long.MAX_VALUE / 2) {
        ++buckets;
        break;
      }
      smallestUntrackable <<= 1;
      ++buckets;
    }
    bucketCount = buckets;
    countsLen = (int) ((bucketCount + 1) * subBucketHalfCount);
    this.highestTrackable = highestTrackable;
    this.significantDigits = significantDigits;
    counts = new long[countsLen];
  }

  public void record(long value) {
    recordN(value, 1);
  }

  // Test only: every value recorded, as given, is also kept here (while room).
  private long[] tap;
  private int tapped = 0;

  public void tap(long[] buffer) {
    tap = buffer;
    tapped = 0;
  }

  public long[] tapValues() {
    return tap;
  }

  public int tapped() {
    return tapped;
  }

  public void recordN(long value, long n) {
    if (tap != null && tapped < tap.length) tap[tapped++] = value;
    if (value < 0) value = 0;
    if (value > highestTrackable) {
      value = highestTrackable;
      saturated += n;
    }
    counts[countsIndex(value)] += n;
    total += n;
    sum += (double) value * (double) n;
    if (value < min) min = value;
    if (value > max) max = value;
  }

  // Coordinated-omission correction (HdrHistogram's recordValueWithExpectedInterval).
  public void recordCorrected(long value, long expectedInterval) {
    record(value);
    if (expectedInterval <= 0) return;
    for (long missing = value - expectedInterval; missing >= expectedInterval;
        missing -= expectedInterval) {
      record(missing);
    }
  }

  public void merge(Histogram other) {
    int n = Math.min(countsLen, other.countsLen);
    for (int i = 0; i < n; ++i) counts[i] += other.counts[i];
    total += other.total;
    sum += other.sum;
    saturated += other.saturated;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  public void reset() {
    Arrays.fill(counts, 0);
    total = 0;
    saturated = 0;
    sum = 0;
    min = Long.MAX_VALUE;
    max = 0;
  }

  public long count() {
    return total;
  }

  public long saturated() {
    return saturated;
  }

  public long min() {
    return total == 0 ? 0 : min;
  }

  public long max() {
    return max;
  }

  public double mean() {
    return total == 0 ? 0.0 : sum / (double) total;
  }

  public double sum() {
    return sum;
  }

  public int significantDigits() {
    return significantDigits;
  }

  public int countsLen() {
    return countsLen;
  }

  public long countAtIndex(int i) {
    return counts[i];
  }

  // The highest value equivalent to the bucket holding the ceil(p% * count)-th
  // smallest sample (HdrHistogram's definition), capped at the exact maximum.
  public long valueAtPercentile(double p) {
    if (total == 0) return 0;
    p = Math.min(Math.max(Math.nextDown(p), 0.0), 100.0);
    long target = (long) Math.ceil(p / 100.0 * (double) total);
    target = Math.max(target, 1);
    long running = 0;
    for (int i = 0; i < countsLen; ++i) {
      running += counts[i];
      if (running >= target) return Math.min(highestEquivalent(valueAtIndex(i)), max);
    }
    return max;
  }

  public long valueAtIndex(int index) {
    long bucket = (index >> subBucketHalfCountMagnitude) - 1;
    long sub = (index & (subBucketHalfCount - 1)) + subBucketHalfCount;
    if (bucket < 0) {
      sub -= subBucketHalfCount;
      bucket = 0;
    }
    return sub << bucket;
  }

  public long lowestEquivalent(long v) {
    int b = bucketIndex(v);
    return (v >> b) << b;
  }

  public long equivalentRange(long v) {
    int b = bucketIndex(v);
    long sub = v >> b;
    return 1L << (sub >= subBucketCount ? b + 1 : b);
  }

  public long highestEquivalent(long v) {
    return lowestEquivalent(v) + equivalentRange(v) - 1;
  }

  private int bucketIndex(long v) {
    int pow2ceiling = 64 - Long.numberOfLeadingZeros(v | subBucketMask);
    return pow2ceiling - (subBucketHalfCountMagnitude + 1);
  }

  private int countsIndex(long v) {
    int b = bucketIndex(v);
    long sub = v >> b;
    return (int) ((((long) b + 1) << subBucketHalfCountMagnitude) + (sub - subBucketHalfCount));
  }
}
