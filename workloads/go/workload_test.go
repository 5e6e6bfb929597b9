package workloads

import (
	"sort"
	"testing"

	"mmbench/benchmarks/go/base"
)

func runOnce(w Workload, timed bool) Result {
	ctx := &RunContext{Size: Quick, Threads: 1, Seed: 42, Latency: base.NewDefaultHistogram(),
		Corrected: base.NewDefaultHistogram(), Counters: &Counters{}, TimeUnits: timed}
	return w.Run(ctx)
}

// Fixed work: a second pass (clock off, as in the steady state) does the
// same work and builds the same data, whatever the collector did meanwhile.
func TestWorkIsFixed(t *testing.T) {
	for _, w := range All() {
		if !w.Info.Repeatable {
			continue
		}
		first, again := runOnce(w, true), runOnce(w, false)
		if first != again || first.Units == 0 {
			t.Errorf("%s: first pass %+v, second %+v", w.Info.Name, first, again)
		}
	}
}

// The listing order is the C++ worker's (workload files in name order).
func TestRegistryInNameOrder(t *testing.T) {
	var names []string
	for _, w := range All() {
		names = append(names, w.Info.Name)
	}
	if len(names) != 10 || !sort.StringsAreSorted(names) {
		t.Fatalf("registered: %v", names)
	}
}

// The PRNG's Below is the high word of next * n (the C++ 128-bit product).
func TestBelowIsTheHighWordOfTheProduct(t *testing.T) {
	r, s := NewRng(7), NewRng(7)
	for i := 0; i < 1000; i++ {
		n := uint64(i*i + 1)
		x := s.Next()
		hi := (x>>32*n + (x&0xffffffff*n)>>32) >> 32 // n < 2^32: exact
		if got := r.Below(n); got != hi {
			t.Fatalf("Below(%d) = %d, want %d", n, got, hi)
		}
	}
}
