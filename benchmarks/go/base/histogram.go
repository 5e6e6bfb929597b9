package base

import (
	"math"
	"math/bits"
)

// Histogram is base/histogram.hpp ported: an HDR-style log-linear histogram
// of non-negative nanoseconds with the same bucket layout (same constructor
// arithmetic, same index functions), so that buckets, percentiles and .hgrm
// files of a Go row mean what they mean for a C++ row. All memory is
// allocated by NewHistogram; Record is O(1) and never allocates.
type Histogram struct {
	counts                      []int64
	total, saturated            int64
	sum                         float64
	min, max                    int64
	highestTrackable            int64
	subBucketCount              int64
	subBucketHalfCount          int64
	subBucketMask               int64
	subBucketHalfCountMagnitude int
	bucketCount                 int64
	significantDigits           int
	kept                        []int64 // tests only: the raw values (KeepValues)
}

// DefaultHighestTrackable is the C++ default range: 1 ns .. ~36 min.
const DefaultHighestTrackable = int64(1) << 41

// NewHistogram builds a histogram tracking [0, highest] to digits significant digits.
func NewHistogram(highest int64, digits int) *Histogram {
	h := &Histogram{highestTrackable: highest, significantDigits: digits, min: math.MaxInt64}
	largestSingleUnit := 2 * int64(math.Pow(10, float64(digits)))
	magnitude := int(math.Ceil(math.Log2(float64(largestSingleUnit))))
	if magnitude < 1 {
		magnitude = 1
	}
	h.subBucketHalfCountMagnitude = magnitude - 1
	h.subBucketCount = int64(1) << (h.subBucketHalfCountMagnitude + 1)
	h.subBucketHalfCount = h.subBucketCount / 2
	h.subBucketMask = h.subBucketCount - 1
	smallestUntrackable := h.subBucketCount
	h.bucketCount = 1
	for smallestUntrackable <= highest {
		if smallestUntrackable > math.MaxInt64/2 {
			h.bucketCount++
			break
		}
		smallestUntrackable <<= 1
		h.bucketCount++
	}
	h.counts = make([]int64, (h.bucketCount+1)*h.subBucketHalfCount)
	return h
}

// NewDefaultHistogram is NewHistogram(DefaultHighestTrackable, 3).
func NewDefaultHistogram() *Histogram { return NewHistogram(DefaultHighestTrackable, 3) }

// Record adds one value.
func (h *Histogram) Record(v int64) { h.RecordN(v, 1) }

// RecordN adds n copies of v; values above the trackable maximum are clamped
// to it and counted as saturated.
func (h *Histogram) RecordN(v, n int64) {
	if v < 0 {
		v = 0
	}
	if v > h.highestTrackable {
		v = h.highestTrackable
		h.saturated += n
	}
	h.counts[h.countsIndex(v)] += n
	h.total += n
	h.sum += float64(v) * float64(n)
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	if len(h.kept) < cap(h.kept) {
		h.kept = append(h.kept, v)
	}
}

// KeepValues makes the histogram keep up to n raw values as well (tests
// only: the exact percentiles of the same samples). The space is allocated
// here, so recording still never allocates.
func (h *Histogram) KeepValues(n int) { h.kept = make([]int64, 0, n) }

// KeptValues are the raw values kept, in recording order.
func (h *Histogram) KeptValues() []int64 { return h.kept }

// Merge adds other's counts (same layout when built with the same parameters).
func (h *Histogram) Merge(o *Histogram) {
	n := len(h.counts)
	if len(o.counts) < n {
		n = len(o.counts)
	}
	for i := 0; i < n; i++ {
		h.counts[i] += o.counts[i]
	}
	h.total += o.total
	h.sum += o.sum
	h.saturated += o.saturated
	if o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
}

// Reset empties it.
func (h *Histogram) Reset() {
	for i := range h.counts {
		h.counts[i] = 0
	}
	h.total, h.saturated, h.sum, h.min, h.max = 0, 0, 0, math.MaxInt64, 0
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 { return h.total }

// Saturated counts the values clamped to the trackable maximum.
func (h *Histogram) Saturated() int64 { return h.saturated }

// Min is the smallest value (0 when empty).
func (h *Histogram) Min() int64 {
	if h.total == 0 {
		return 0
	}
	return h.min
}

// Max is the exact largest value recorded.
func (h *Histogram) Max() int64 { return h.max }

// Sum of the values recorded.
func (h *Histogram) Sum() float64 { return h.sum }

// Mean of the values (0 when empty).
func (h *Histogram) Mean() float64 {
	if h.total == 0 {
		return 0
	}
	return h.sum / float64(h.total)
}

// SignificantDigits the layout keeps.
func (h *Histogram) SignificantDigits() int { return h.significantDigits }

// CountsLen is the number of counters.
func (h *Histogram) CountsLen() int64 { return int64(len(h.counts)) }

// CountAtIndex is counter i.
func (h *Histogram) CountAtIndex(i int64) int64 { return h.counts[i] }

// ValueAtPercentile is HdrHistogram's: the highest value equivalent to the
// bucket holding the ceil(p% * count)-th smallest sample, capped at the exact
// maximum; p is taken one ulp lower first, as HdrHistogram does.
func (h *Histogram) ValueAtPercentile(p float64) int64 {
	if h.total == 0 {
		return 0
	}
	p = math.Nextafter(p, math.Inf(-1))
	if p < 0 {
		p = 0
	} else if p > 100 {
		p = 100
	}
	target := int64(math.Ceil(p / 100.0 * float64(h.total)))
	if target < 1 {
		target = 1
	}
	var running int64
	for i, c := range h.counts {
		running += c
		if running >= target {
			v := h.HighestEquivalent(h.ValueAtIndex(int64(i)))
			if v > h.max {
				return h.max
			}
			return v
		}
	}
	return h.max
}

// ValueAtIndex is the lowest value of counter index.
func (h *Histogram) ValueAtIndex(index int64) int64 {
	bucket := (index >> h.subBucketHalfCountMagnitude) - 1
	sub := (index & (h.subBucketHalfCount - 1)) + h.subBucketHalfCount
	if bucket < 0 {
		sub -= h.subBucketHalfCount
		bucket = 0
	}
	return sub << bucket
}

// LowestEquivalent is the lowest value in v's bucket.
func (h *Histogram) LowestEquivalent(v int64) int64 {
	b := h.bucketIndex(v)
	return (v >> b) << b
}

// EquivalentRange is the width of v's bucket.
func (h *Histogram) EquivalentRange(v int64) int64 {
	b := h.bucketIndex(v)
	if v>>b >= h.subBucketCount {
		return int64(1) << (b + 1)
	}
	return int64(1) << b
}

// HighestEquivalent is the highest value in v's bucket.
func (h *Histogram) HighestEquivalent(v int64) int64 {
	return h.LowestEquivalent(v) + h.EquivalentRange(v) - 1
}

func (h *Histogram) bucketIndex(v int64) int {
	pow2ceiling := 64 - bits.LeadingZeros64(uint64(v|h.subBucketMask))
	return pow2ceiling - (h.subBucketHalfCountMagnitude + 1)
}

func (h *Histogram) countsIndex(v int64) int64 {
	b := h.bucketIndex(v)
	sub := v >> b
	return ((int64(b) + 1) << h.subBucketHalfCountMagnitude) + (sub - h.subBucketHalfCount)
}

// ReportedPercentile is one of the percentiles the detail JSON and the
// counters report (base/histogram_json.hpp).
type ReportedPercentile struct {
	Percentile float64
	Key        string
}

// ReportedPercentiles in the order the C++ worker reports them.
var ReportedPercentiles = []ReportedPercentile{
	{50, "50"}, {90, "90"}, {99, "99"}, {99.9, "999"}, {99.99, "9999"},
}

// JSON is the detail file's HIST: count, min, max, mean, saturated,
// significant_digits, percentiles and the non-empty buckets as
// [lowest, highest, count] (base/histogram_json.hpp).
func (h *Histogram) JSON() map[string]any {
	pct := map[string]any{}
	for _, p := range ReportedPercentiles {
		pct[p.Key] = h.ValueAtPercentile(p.Percentile)
	}
	buckets := [][3]int64{}
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		v := h.ValueAtIndex(int64(i))
		buckets = append(buckets, [3]int64{h.LowestEquivalent(v), h.HighestEquivalent(v), c})
	}
	return map[string]any{
		"count": h.total, "min": h.Min(), "max": h.max, "mean": h.Mean(),
		"saturated": h.saturated, "significant_digits": h.significantDigits,
		"percentiles": pct, "buckets": buckets,
	}
}
