// Package workloads holds the Go ports of workloads/*.cpp, one file each,
// keeping the C++ file's structure, names and constants. This file is
// workloads/workload.hpp: what every workload gets and returns, the PRNG and
// the checksum mixer. The work done is fixed for a given (size, threads,
// seed) and the checksum depends only on the data built, so a Go row's
// checksum equals the C++ rows'.
//
// Where the C++ workload branches on its strategy (free each object, drop a
// reference, rewind a region), a port does what a Go program would do: it
// drops the reference and the collector reclaims the rest (see each file and
// docs/workloads/).
package workloads

import (
	"math/bits"

	"mmbench/benchmarks/go/base"
)

// Size is the run's size.
type Size int

// The sizes, smallest first (base/sizes.hpp).
const (
	Quick Size = iota
	Default
	Large
)

// SizeNames as the command line and --list name them.
var SizeNames = []string{"quick", "default", "large"}

// ParseSize returns the size named, or false.
func ParseSize(name string) (Size, bool) {
	for i, n := range SizeNames {
		if n == name {
			return Size(i), true
		}
	}
	return Default, false
}

// Scaled picks the figure for the run's size: Scaled(ctx.Size, 4, 16, 20).
func Scaled[T any](s Size, quick, dflt, large T) T {
	switch s {
	case Quick:
		return quick
	case Large:
		return large
	}
	return dflt
}

// Counters are named extra figures a workload reports; fixed capacity, set in
// order of first use (the C++ Counters).
type Counters struct {
	names  [32]string
	values [32]float64
	n      int
}

// Set sets a counter.
func (c *Counters) Set(name string, v float64) {
	for i := 0; i < c.n; i++ {
		if c.names[i] == name {
			c.values[i] = v
			return
		}
	}
	if c.n < len(c.names) {
		c.names[c.n], c.values[c.n] = name, v
		c.n++
	}
}

// Len is the number of counters set.
func (c *Counters) Len() int { return c.n }

// At is counter i.
func (c *Counters) At(i int) (string, float64) { return c.names[i], c.values[i] }

// RunContext is what a workload gets (workload.hpp's RunContext).
type RunContext struct {
	Size      Size
	Threads   int
	Seed      uint64
	Latency   *base.Histogram // one sample per unit of work, in ns
	Corrected *base.Histogram // open-loop workloads: latency from the intended start
	Counters  *Counters
	// Per-unit timing on or off: off for the steady-state passes the
	// throughput comes from, on for the first (timed) pass.
	TimeUnits bool
}

// UnitStart starts timing one unit: start := ctx.UnitStart(); ...; ctx.UnitEnd(start).
func (c *RunContext) UnitStart() int64 {
	if c.TimeUnits {
		return base.Ticks()
	}
	return 0
}

// UnitEnd records the unit begun at start.
func (c *RunContext) UnitEnd(start int64) {
	if c.TimeUnits {
		c.Latency.Record(base.NsSince(start))
	}
}

// RecordUnitNs records a unit the workload timed itself.
func (c *RunContext) RecordUnitNs(ns int64) {
	if c.TimeUnits {
		c.Latency.Record(ns)
	}
}

// Result is what a workload returns.
type Result struct {
	Checksum  uint64
	Units     uint64
	LiveBytes uint64 // peak bytes reachable at once (logical, as the C++ workload counts)
}

// Info is how a workload declares itself (WorkloadInfo).
type Info struct {
	Name, Unit, Description string
	OpenLoop                bool
	DeliberateLeak          bool
	Repeatable              bool
	Multithreaded           bool
	Headline                string
}

// Workload is one registered port.
type Workload struct {
	Info Info
	Run  func(ctx *RunContext) Result
}

var registry []Workload

// Register adds a workload (from its file's init: file order is name order,
// the C++ listing's order).
func Register(w Workload) {
	if w.Info.Headline == "" {
		w.Info.Headline = "throughput"
	}
	registry = append(registry, w)
}

// All the registered workloads.
func All() []Workload { return registry }

// Mix64 is the splitmix64 finaliser: order-sensitive when chained as h = Mix64(h ^ x).
func Mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Rng is workload.hpp's deterministic stream.
type Rng struct{ state uint64 }

// NewRng seeds a stream.
func NewRng(seed uint64) Rng { return Rng{seed} }

// Next is the next 64 bits.
func (r *Rng) Next() uint64 {
	v := Mix64(r.state)
	r.state++
	return v
}

// Below is uniform in [0, n): the high word of next * n.
func (r *Rng) Below(n uint64) uint64 {
	hi, _ := bits.Mul64(r.Next(), n)
	return hi
}

// Uniform is in [0, 1), 53 bits.
func (r *Rng) Uniform() float64 { return float64(r.Next()>>11) * 0x1.0p-53 }
