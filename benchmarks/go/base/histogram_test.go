package base

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"testing"
)

// Recording inside a measured region must never allocate: an allocation is
// work for the collector under test.
func TestRecordAndClockDoNotAllocate(t *testing.T) {
	h := NewDefaultHistogram()
	CalibrateUnitClock(1_000_000)
	v := int64(1)
	if n := testing.AllocsPerRun(10_000, func() {
		start := Ticks()
		h.Record(NsSince(start) + v)
		h.RecordN(v<<30, 2)
		v = v*3 + 1
	}); n != 0 {
		t.Fatalf("Record and the unit clock allocate %v times per call", n)
	}
}

// Samples of several magnitudes: sub-microsecond units, tens of
// microseconds, millisecond pauses, a few very long outliers.
func samples(n int, seed int64) []int64 {
	r := rand.New(rand.NewSource(seed))
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(math.Exp(r.NormFloat64()*2.5 + 8))
	}
	return append(out, 0, 1, 2047, 2048, 2049, 1<<20, 1<<40, 1<<41, 1<<42, 1<<50)
}

// The row's percentiles are HdrHistogram's: the highest value equivalent to
// the bucket of the ceil(p% N)-th smallest sample, capped at the exact
// maximum, so within 1/1024 of that exact sample.
func TestPercentilesAgreeWithExactOnes(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		for _, n := range []int{1, 7, 1000, 100_000} {
			xs := samples(n, seed)[:n]
			h := NewDefaultHistogram()
			for _, x := range xs {
				h.Record(x)
			}
			sorted := append([]int64(nil), xs...)
			sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
			for _, p := range []float64{0, 1, 50, 90, 99, 99.9, 99.99, 100} {
				rank := int(math.Ceil(math.Nextafter(p, math.Inf(-1)) / 100 * float64(n)))
				if rank < 1 {
					rank = 1
				}
				exact := sorted[rank-1]
				want := h.HighestEquivalent(exact)
				if want > h.Max() {
					want = h.Max()
				}
				got := h.ValueAtPercentile(p)
				if got != want || got < exact || float64(got-exact) > float64(exact)/1024+1 {
					t.Fatalf("seed %d n %d p%v: histogram %d, exact sample %d (bucket top %d)",
						seed, n, p, got, exact, want)
				}
			}
			if h.Max() != sorted[n-1] || h.Min() != sorted[0] || h.Count() != int64(n) {
				t.Fatalf("min/max/count %d/%d/%d, exact %d/%d/%d", h.Min(), h.Max(), h.Count(),
					sorted[0], sorted[n-1], n)
			}
		}
	}
}

// Fed the same samples, the C++ histogram (base/histogram.hpp, through
// tests/go/histogram_dump.cpp) and this one write the same HIST.
func TestMatchesCppHistogram(t *testing.T) {
	tool := os.Getenv("MMBENCH_CPP_HISTOGRAM_DUMP")
	if tool == "" {
		t.Skip("MMBENCH_CPP_HISTOGRAM_DUMP (the C++ dump tool) not given; ctest gives it")
	}
	xs := append(samples(50_000, 7), -5, 1<<41+1)
	var in bytes.Buffer
	w := bufio.NewWriter(&in)
	h := NewDefaultHistogram()
	for _, x := range xs {
		w.WriteString(strconv.FormatInt(x, 10) + "\n")
		h.Record(x)
	}
	w.Flush()
	cmd := exec.Command(tool)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	var cpp, goh map[string]any
	if err := json.Unmarshal(out, &cpp); err != nil {
		t.Fatalf("C++ output: %v", err)
	}
	data, _ := json.Marshal(h.JSON())
	json.Unmarshal(data, &goh)
	for _, key := range []string{"count", "min", "max", "saturated", "significant_digits"} {
		if cpp[key] != goh[key] {
			t.Errorf("%s: C++ %v, Go %v", key, cpp[key], goh[key])
		}
	}
	if m1, m2 := cpp["mean"].(float64), goh["mean"].(float64); math.Abs(m1-m2) > 1e-9*math.Abs(m1) {
		t.Errorf("mean: C++ %v, Go %v", m1, m2)
	}
	for _, key := range []string{"percentiles", "buckets"} {
		a, _ := json.Marshal(cpp[key])
		b, _ := json.Marshal(goh[key])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differ:\nC++ %.300s\nGo  %.300s", key, a, b)
		}
	}
	if n := len(goh["buckets"].([]any)); n < 1000 {
		t.Errorf("only %d buckets compared", n)
	}
}
