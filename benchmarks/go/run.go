package main

// One run: the passes of benchmarks/worker_main.cpp. The first pass is timed
// unit by unit (the latency histogram; for a workload that repeats, also the
// warm-up, reported apart as first_wall_ns); then, with --min-time, passes
// with the per-unit clock off until they add up to min_time and number at
// least min_iterations. The figure is the median of those.

import (
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"syscall"
	"time"

	"mmbench/benchmarks/go/base"
	workloads "mmbench/workloads/go"
)

type iteration struct {
	wallNs, cpuNs, minorFaults, involuntary int64
	timed                                   bool
}

// measurement: everything a run measures, allocated before the first pass.
type measurement struct {
	latency, corrected    *base.Histogram
	counters, scratch     *workloads.Counters
	iterations            []iteration
	checksumsAgree        bool
	result                workloads.Result
	startNs, endNs        int64
	recordCostNs          float64
	probeBefore, probeAft int64
	harvest               *memstatHarvest
	snap0, snap1          gcSnapshot
}

var probeSink uint64

// envLatencySamples: tests only. The timed pass's latency samples, raw, are
// written to this file (at most keptLatencySamples of them), so a test can
// compare the row's percentiles with the exact ones.
const (
	envLatencySamples  = "MMBENCH_GO_TEST_LATENCY_SAMPLES"
	keptLatencySamples = 1 << 22
)

// speedProbeNs: a fixed chain of dependent integer operations, timed (the
// C++ worker's register probe).
func speedProbeNs() int64 {
	x := uint64(0x9e3779b97f4a7c15)
	t0 := base.NowNs()
	for i := 0; i < 2_000_000; i++ {
		x = workloads.Mix64(x)
	}
	t := base.NowNs() - t0
	probeSink = x
	return t
}

// unitRecordCostNs: a clock read at each end of a unit and a record, in a loop.
func unitRecordCostNs(n int) float64 {
	scratch := base.NewDefaultHistogram()
	t0 := base.NowNs()
	for i := 0; i < n; i++ {
		start := base.Ticks()
		scratch.Record(base.NsSince(start))
	}
	return float64(base.NowNs()-t0) / float64(n)
}

func cpuNs() int64 { return base.ClockNs(base.ClockProcessCPUTimeID) }

func runPasses(opt *options, w workloads.Workload, m *measurement, maxIterations int) {
	size, _ := workloads.ParseSize(opt.size)
	ctx := &workloads.RunContext{Size: size, Threads: opt.threads, Seed: opt.seed,
		Latency: m.latency, Corrected: m.corrected, Counters: m.counters, TimeUnits: true}
	repeatCtx := *ctx
	repeatCtx.Counters, repeatCtx.TimeUnits = m.scratch, false
	m.startNs = base.NowNs()
	if opt.fault != "" {
		injectFault(opt.fault)
	}
	repeated := 0.0
	for i := 0; i < maxIterations; i++ {
		if i > 0 && repeated >= opt.minTime && i-1 >= opt.minIterations {
			break
		}
		c := ctx
		if i > 0 {
			c = &repeatCtx
			endPass()
		}
		pc0 := processNow()
		cpu0 := cpuNs()
		t0 := base.NowNs()
		r := w.Run(c)
		t1 := base.NowNs()
		cpu1 := cpuNs()
		pc1 := processNow()
		m.harvest.harvest() // outside the pass: MemStats stops the world
		m.iterations = append(m.iterations, iteration{t1 - t0, cpu1 - cpu0,
			pc1.minorFaults - pc0.minorFaults, pc1.involuntary - pc0.involuntary, i == 0})
		if i == 0 {
			m.result = r
		} else {
			m.checksumsAgree = m.checksumsAgree && r.Checksum == m.result.Checksum && r.Units == m.result.Units
			repeated += float64(t1-t0) * 1e-9
		}
		if maxIterations == 1 {
			break
		}
	}
	m.endNs = base.NowNs()
}

// endPass runs between two passes (outside both, never after the last): a
// collection, so that each pass starts from a collected heap as a fresh
// process's first pass does. Without it a cycle that straddles the end of a
// pass marks that pass's data live (floating garbage), the next heap goal
// doubles, and the peak RSS grows with the number of passes. Its cycle is
// "(forced)" in the trace and left out of the pauses and events.
func endPass() { runtime.GC() }

// medianOf the repeated passes' field, or the first pass's when there are none.
func medianOf(its []iteration, field func(iteration) int64) int64 {
	var v []int64
	for _, it := range its[1:] {
		v = append(v, field(it))
	}
	if len(v) == 0 {
		return field(its[0])
	}
	sort.Slice(v, func(a, b int) bool { return v[a] < v[b] })
	if n := len(v); n%2 == 1 {
		return v[n/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func injectFault(fault string) {
	switch fault {
	case "crash": // a signal death, as the C++ worker's SIGSEGV
		debug.SetTraceback("crash")
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
		time.Sleep(time.Second)
	case "hang":
		for {
			time.Sleep(time.Hour)
		}
	case "oom":
		panic(errOutOfMemory)
	}
}

// run measures the workload and writes the results; returns the exit code.
func run(opt *options, w workloads.Workload, s goStrategy) int {
	label := s.name
	if opt.label != "" {
		label = opt.label
	}
	repeat := w.Info.Repeatable && opt.minTime > 0
	maxIterations := 1
	if repeat {
		maxIterations = opt.maxIterations
	}
	m := &measurement{latency: base.NewDefaultHistogram(), corrected: base.NewDefaultHistogram(),
		counters: &workloads.Counters{}, scratch: &workloads.Counters{},
		iterations: make([]iteration, 0, maxIterations), checksumsAgree: true, harvest: newHarvest()}
	if os.Getenv(envLatencySamples) != "" {
		m.latency.KeepValues(keptLatencySamples)
	}
	base.CalibrateUnitClock(20_000_000)
	m.recordCostNs = unitRecordCostNs(200_000)
	m.probeBefore = speedProbeNs()
	var ms runtime.MemStats
	m.snap0 = settledSnapshot(&ms)
	m.harvest.harvest()
	if code := runGuarded(opt, w, m, maxIterations); code != exitOK {
		return code
	}
	m.snap1 = settledSnapshot(&ms)
	m.harvest.harvest() // the cycles that ended while the snapshot settled
	if !m.checksumsAgree {
		say("a repeated iteration of %s returned another checksum or unit count than the first: not fixed work", w.Info.Name)
		return exitError
	}
	processEnd := processNow()
	m.probeAft = speedProbeNs()
	var drain map[string]any
	if opt.drain {
		drain = drainPhase()
	}
	return writeResults(opt, w, s, label, m, processEnd, drain)
}

// errOutOfMemory stands for an allocation the workload could not make. The
// runtime's own out-of-memory is a fatal error that no program can catch
// (exit 2, its report on stderr): the runner then records "error".
var errOutOfMemory = &outOfMemory{}

type outOfMemory struct{}

func (*outOfMemory) Error() string { return "out of memory" }

func runGuarded(opt *options, w workloads.Workload, m *measurement, maxIterations int) (code int) {
	defer func() {
		if e := recover(); e != nil {
			if e == errOutOfMemory {
				say("out of memory in %s/%s", opt.workload, opt.strategy)
				code = exitOutOfMemory
				return
			}
			say("error: %v", e)
			code = exitError
		}
	}()
	runPasses(opt, w, m, maxIterations)
	return exitOK
}

// drainPhase: RSS after the last pass, 100 ms and 1 s later, then after the
// runtime's own release call (debug.FreeOSMemory), each announced on stderr
// before a pause of at least 100 ms (benchmarks/worker_main.cpp).
func drainPhase() map[string]any {
	sayPhase := func(phase string, kib int64) {
		workerStderrWrite("mmbench-drain: " + phase + " rss_kib=" + itoa(kib) + "\n")
	}
	t0 := base.NowNs()
	start := statmRSSKiB()
	sayPhase("start", start)
	base.SleepUntilNs(t0 + 100_000_000)
	at100 := statmRSSKiB()
	sayPhase("100ms", at100)
	base.SleepUntilNs(t0 + 1_000_000_000)
	at1s := statmRSSKiB()
	sayPhase("1s", at1s)
	base.SleepUntilNs(t0 + 1_100_000_000)
	debug.FreeOSMemory()
	released := statmRSSKiB()
	sayPhase("released", released)
	base.SleepUntilNs(base.NowNs() + 100_000_000)
	kib := func(v int64) any {
		if v < 0 {
			return nil
		}
		return v
	}
	return map[string]any{"rss_start_kib": kib(start), "rss_100ms_kib": kib(at100),
		"rss_1s_kib": kib(at1s), "release_call": "debug.FreeOSMemory", "rss_released_kib": kib(released)}
}
