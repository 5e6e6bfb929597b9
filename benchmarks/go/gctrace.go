package main

// Pauses from the runtime itself, from three sources read outside the
// measured passes:
//   - the gctrace lines (one per cycle: its start, to the millisecond since
//     the runtime started, and its three phases' wall times: sweep
//     termination and mark termination stop the world, marking between them
//     runs concurrently), which give the windows (gc.events) and the pause
//     histogram (gc.pauses);
//   - runtime/metrics /gc/pauses:seconds (a histogram of every stop-the-world
//     pause) and /gc/cycles/total, read at the run's two ends;
//   - runtime.MemStats: PauseTotalNs and, per recent cycle, the exact pause
//     sum and the wall-clock end of its mark termination, harvested after
//     every pass (its ring holds 256 cycles).
// The sources are recorded side by side in gc.crosscheck; a test checks
// that they agree (tests/scripts/go_pause_crosscheck.py).

import (
	"bufio"
	"math"
	"os"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
	_ "unsafe" // go:linkname

	"mmbench/benchmarks/go/base"
)

// nanotime() when the runtime started: the origin of gctrace's "@t s".
//
//go:linkname runtimeInitTime runtime.runtimeInitTime
var runtimeInitTime int64

// gc N @T s P%: A+B+C ms clock, a+b/c/d+e ms cpu, ... [(forced)]
var gctraceLine = regexp.MustCompile(`^gc (\d+) @([0-9.]+)s \d+%: ([0-9.]+)\+([0-9.]+)\+([0-9.]+) ms clock, ` +
	`([0-9.]+)\+([0-9.]+)/([0-9.]+)/([0-9.]+)\+([0-9.]+) ms cpu`)

// envPauseScale: tests only. Scales every parsed pause, so that the
// cross-check can be shown to fail on shortened pauses.
const envPauseScale = "MMBENCH_GO_TEST_PAUSE_SCALE"

type gcCycle struct {
	n              uint64
	startNs        int64 // monotonic: runtimeInitTime + @t (to the millisecond)
	sweepTermNs    int64 // stop-the-world
	markNs         int64 // concurrent
	markTermNs     int64 // stop-the-world
	cpuNs          int64 // all the cycle's CPU time, assists and background workers included
	forced         bool
	endFromMemstat int64 // monotonic end of mark termination from MemStats.PauseEnd (0: unknown)
}

func msToNs(s string) int64 {
	v, _ := strconv.ParseFloat(s, 64)
	return int64(math.Round(v * 1e6))
}

func parseGCTrace(path string) ([]gcCycle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	scale := 1.0
	if v, err := strconv.ParseFloat(os.Getenv(envPauseScale), 64); err == nil {
		scale = v
	}
	var cycles []gcCycle
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := gctraceLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		c := gcCycle{n: n, startNs: runtimeInitTime + msToNs(m[2])*1000,
			sweepTermNs: int64(float64(msToNs(m[3])) * scale), markNs: msToNs(m[4]),
			markTermNs: int64(float64(msToNs(m[5])) * scale),
			forced:     strings.HasSuffix(sc.Text(), "(forced)")}
		for _, k := range m[6:] {
			c.cpuNs += msToNs(k)
		}
		cycles = append(cycles, c)
	}
	return cycles, sc.Err()
}

// gcSnapshot: the runtime's counters at one end of the run.
type gcSnapshot struct {
	cycles, forced, allocBytes uint64
	pauses                     *metrics.Float64Histogram
	numGC                      uint32
	pauseTotalNs, heapSys      uint64
	// in flight: a cycle had stopped the world once (sweep termination) and
	// not yet the second time.
	inFlight int64
}

var metricNames = []string{"/gc/cycles/total:gc-cycles", "/gc/cycles/forced:gc-cycles",
	"/gc/heap/allocs:bytes", "/gc/pauses:seconds"}

func readSnapshot(ms *runtime.MemStats) gcSnapshot {
	samples := make([]metrics.Sample, len(metricNames))
	for i, n := range metricNames {
		samples[i].Name = n
	}
	runtime.ReadMemStats(ms)
	metrics.Read(samples)
	s := gcSnapshot{cycles: samples[0].Value.Uint64(), forced: samples[1].Value.Uint64(),
		allocBytes: samples[2].Value.Uint64(), pauses: samples[3].Value.Float64Histogram(),
		numGC: ms.NumGC, pauseTotalNs: ms.PauseTotalNs, heapSys: ms.HeapSys}
	var total uint64
	for _, c := range s.pauses.Counts {
		total += c
	}
	s.inFlight = int64(total) - 2*int64(s.cycles)
	return s
}

// settledSnapshot waits (at most ~200 ms) for a cycle in flight to end, so
// that both ends of the run cut between cycles; the detail says when not.
func settledSnapshot(ms *runtime.MemStats) gcSnapshot {
	s := readSnapshot(ms)
	for i := 0; i < 200 && s.inFlight != 0; i++ {
		time.Sleep(time.Millisecond)
		s = readSnapshot(ms)
	}
	return s
}

// memstatHarvest keeps, per cycle number, MemStats' exact pause sum and its
// mark termination's end (monotonic), read from the 256-cycle ring after
// each pass.
type memstatHarvest struct {
	ms       runtime.MemStats
	pauseNs  map[uint64]uint64
	endMono  map[uint64]int64
	lastSeen uint32
}

func newHarvest() *memstatHarvest {
	return &memstatHarvest{pauseNs: map[uint64]uint64{}, endMono: map[uint64]int64{}}
}

func (h *memstatHarvest) harvest() {
	runtime.ReadMemStats(&h.ms)
	// The wall clock's offset from the monotonic one, read back to back.
	unix0 := time.Now().UnixNano()
	mono := base.NowNs()
	unix := (unix0 + time.Now().UnixNano()) / 2
	first := uint32(1)
	if h.ms.NumGC > 256 {
		first = h.ms.NumGC - 255
	}
	if h.lastSeen+1 > first {
		first = h.lastSeen + 1
	}
	for n := first; n <= h.ms.NumGC; n++ {
		i := (n - 1) % 256
		h.pauseNs[uint64(n)] = h.ms.PauseNs[i]
		h.endMono[uint64(n)] = int64(h.ms.PauseEnd[i]) - unix + mono
	}
	h.lastSeen = h.ms.NumGC
}

func histogramSumBounds(before, after *metrics.Float64Histogram) (count uint64, lo, hi float64) {
	for i := range after.Counts {
		c := after.Counts[i] - before.Counts[i]
		if c == 0 {
			continue
		}
		count += c
		l, u := after.Buckets[i], after.Buckets[i+1]
		if math.IsInf(l, -1) {
			l = 0
		}
		lo += float64(c) * l * 1e9
		hi += float64(c) * u * 1e9 // +Inf when the top bucket holds one
	}
	return count, lo, hi
}

// maxPerCycle bounds the per-cycle pairs the cross-check keeps.
const maxPerCycle = 512

// pauseTally accumulates the cycles of one run, times relative to runStart.
type pauseTally struct {
	runStart                                int64
	pauses                                  *base.Histogram
	events, windows                         [][2]int64
	n, total, cpu, placedByMemstats, forced int64
	matched                                 int64
	perCycle                                [][2]int64 // [gctrace's pause sum, MemStats' exact one]
}

func (t *pauseTally) offset(at int64) int64 {
	if at < t.runStart {
		return 0
	}
	return at - t.runStart
}

func (t *pauseTally) add(c gcCycle, h *memstatHarvest) {
	t.n++
	t.total += c.sweepTermNs + c.markTermNs
	if exact, ok := h.pauseNs[c.n]; ok {
		t.matched++
		if len(t.perCycle) < maxPerCycle {
			t.perCycle = append(t.perCycle, [2]int64{c.sweepTermNs + c.markTermNs, int64(exact)})
		}
	}
	if c.forced {
		// Between two passes (endPass): no workload ran.
		t.forced++
		return
	}
	start := c.startNs
	stw2Start := start + c.sweepTermNs + c.markNs
	if end, ok := h.endMono[c.n]; ok {
		// The exact end of mark termination; the start then, within the
		// millisecond gctrace gives it to.
		stw2Start = end - c.markTermNs
		if s := stw2Start - c.markNs - c.sweepTermNs; s > start {
			start = s
			if start > c.startNs+999_999 {
				start = c.startNs + 999_999
			}
		}
		t.placedByMemstats++
	}
	t.events = append(t.events, [2]int64{t.offset(start), c.sweepTermNs},
		[2]int64{t.offset(stw2Start), c.markTermNs})
	t.windows = append(t.windows, [2]int64{t.offset(start), t.offset(stw2Start + c.markTermNs)})
	t.pauses.Record(c.sweepTermNs)
	t.pauses.Record(c.markTermNs)
	t.cpu += c.cpuNs
}

func jsonFloat(v float64) any {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return v
}

// crosscheck: the three sources side by side (tests/scripts/go_pause_crosscheck.py).
func (t *pauseTally) crosscheck(s0, s1 gcSnapshot) map[string]any {
	metricPauses, lo, hi := histogramSumBounds(s0.pauses, s1.pauses)
	return map[string]any{
		"first_cycle": s0.cycles + 1, "last_cycle": s1.cycles,
		"gctrace_cycles": t.n, "gctrace_pauses": 2 * t.n, "gctrace_pause_total_ns": t.total,
		"gctrace_forced_cycles": t.forced,
		"metrics_cycles":        s1.cycles - s0.cycles, "metrics_pauses": metricPauses,
		"metrics_pause_total_lo_ns": jsonFloat(lo), "metrics_pause_total_hi_ns": jsonFloat(hi),
		"metrics_in_flight_start": s0.inFlight, "metrics_in_flight_end": s1.inFlight,
		"memstats_cycles":         int64(s1.numGC) - int64(s0.numGC),
		"memstats_pause_total_ns": s1.pauseTotalNs - s0.pauseTotalNs,
		"memstats_matched_cycles": t.matched, "memstats_per_cycle": t.perCycle,
		"events_placed_by_memstats": t.placedByMemstats,
	}
}

// pauseReport is the detail's "gc" and the pause histogram, over the cycles
// that ended between the two snapshots, with times relative to runStart; the
// forced cycles between passes count in the cross-check only.
func pauseReport(runStart int64, cycles []gcCycle, s0, s1 gcSnapshot, h *memstatHarvest,
	gomaxprocs int) (map[string]any, *base.Histogram) {
	t := &pauseTally{runStart: runStart, pauses: base.NewDefaultHistogram(),
		events: [][2]int64{}, windows: [][2]int64{}, perCycle: [][2]int64{}}
	for _, c := range cycles {
		if c.n > s0.cycles && c.n <= s1.cycles {
			t.add(c, h)
		}
	}
	gc := map[string]any{
		"collections": t.n - t.forced, "heap_bytes": s1.heapSys, "marker_threads": gomaxprocs,
		"incremental": true, "concurrent": true, "gomaxprocs": gomaxprocs,
		"total_allocated_bytes": s1.allocBytes - s0.allocBytes,
		"pauses":                t.pauses.JSON(), "events": t.events, "cycle_windows": t.windows,
		"cpu_ns": t.cpu, "forced_between_passes": t.forced,
		"sources": map[string]any{
			"events":  "GODEBUG=gctrace=1 (cycle start to the ms, phases to 2 significant digits)",
			"timing":  "mark termination end from runtime.MemStats.PauseEnd where its ring held the cycle",
			"metrics": "runtime/metrics /gc/pauses:seconds, /gc/cycles/total:gc-cycles",
		},
		"crosscheck": t.crosscheck(s0, s1),
	}
	return gc, t.pauses
}
