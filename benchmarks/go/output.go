package main

// The run's outputs: the detail JSON (docs/run-folder.md, the C++ worker's
// keys), the Google-Benchmark-shaped JSON (context + one benchmark, our
// figures as counters) and the console line.

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"mmbench/benchmarks/go/base"
	workloads "mmbench/workloads/go"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func workerStderrWrite(s string) { io.WriteString(workerStderr(), s) }

// gcCycles parses the collector's lines, first waiting (at most ~200 ms) for
// the copying child to have written the last cycle the run saw.
func gcCycles(opt *options, last uint64) ([]gcCycle, error) {
	path := os.Getenv(envGCTrace)
	var cycles []gcCycle
	var err error
	for i := 0; i < 200; i++ {
		cycles, err = parseGCTrace(path)
		if err == nil && (last == 0 || (len(cycles) > 0 && cycles[len(cycles)-1].n >= last)) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if opt.gctraceKeep != "" {
		if data, rerr := os.ReadFile(path); rerr == nil {
			os.WriteFile(opt.gctraceKeep, data, 0o666)
		}
	}
	// Read: the detail holds what it says. The copying child keeps it open
	// (it may still append a line) until the end; unlinking it now is safe.
	os.Remove(path)
	return cycles, err
}

func iterationsJSON(its []iteration) []any {
	out := []any{}
	for _, it := range its {
		out = append(out, map[string]any{"wall_ns": it.wallNs, "cpu_ns": it.cpuNs,
			"minor_faults": it.minorFaults, "involuntary_switches": it.involuntary, "timed": it.timed})
	}
	return out
}

func detailJSON(opt *options, w workloads.Workload, s goStrategy, label string, m *measurement,
	pc processCounters, gc map[string]any, drain map[string]any) map[string]any {
	its := m.iterations
	wall := func(it iteration) int64 { return it.wallNs }
	cpu := func(it iteration) int64 { return it.cpuNs }
	records := float64(m.latency.Count() + m.corrected.Count())
	timedShare := 0.0
	if its[0].wallNs > 0 {
		timedShare = records * m.recordCostNs / float64(its[0].wallNs)
	}
	figureShare := timedShare
	if len(its) > 1 {
		figureShare = 0
	}
	counters := map[string]any{}
	for i := 0; i < m.counters.Len(); i++ {
		k, v := m.counters.At(i)
		counters[k] = v
	}
	d := map[string]any{
		"workload": w.Info.Name, "strategy": label, "config": s.config(), "unit": w.Info.Unit,
		"size": opt.size, "threads": opt.threads, "seed": opt.seed,
		"deliberate_leak": w.Info.DeliberateLeak, "allocator": identity(),
		"checksum": fmt.Sprintf("%016x", m.result.Checksum), "units": m.result.Units,
		"live_bytes": m.result.LiveBytes,
		"wall_ns":    medianOf(its, wall), "cpu_ns": medianOf(its, cpu),
		"first_wall_ns": its[0].wallNs, "first_cpu_ns": its[0].cpuNs,
		"steady_state": len(its) > 1, "iterations": iterationsJSON(its),
		"min_time_s": opt.minTime, "repeatable": w.Info.Repeatable,
		"unit_clock": map[string]any{"source": base.UnitClockSource(), "ns_per_tick": base.NsPerTick(),
			"record_cost_ns": m.recordCostNs, "timed_iteration_share": timedShare,
			"figure_share": figureShare},
		"speed_probe_ns": []int64{m.probeBefore, m.probeAft},
		"sched":          mainThreadSched(),
		"process": map[string]any{"minor_faults": pc.minorFaults, "major_faults": pc.majorFaults,
			"voluntary_switches": pc.voluntary, "involuntary_switches": pc.involuntary},
		"start_monotonic_ns": m.startNs, "end_monotonic_ns": m.endNs,
		"self_maxrss_kib": selfMaxRSSKiB(), "latency": m.latency.JSON(), "counters": counters,
		"gc": gc,
	}
	if opt.label != "" {
		d["hosted_by"] = s.name
	}
	if w.Info.OpenLoop {
		d["corrected_latency"] = m.corrected.JSON()
	}
	if opt.drain {
		d["drain"] = drain
	}
	return d
}

func writeResults(opt *options, w workloads.Workload, s goStrategy, label string, m *measurement,
	pc processCounters, drain map[string]any) int {
	cycles, err := gcCycles(opt, m.snap1.cycles)
	if err != nil {
		say("error: cannot read the collector's trace: %v", err)
		return exitError
	}
	gc, pauses := pauseReport(m.startNs, cycles, m.snap0, m.snap1, m.harvest, runtime.GOMAXPROCS(0))
	gogc, limit := inForce()
	gc["in_force"] = map[string]any{"GOGC": gogc, "GOMEMLIMIT": memlimitString(limit)}
	if path := os.Getenv(envLatencySamples); path != "" {
		var b strings.Builder
		for _, v := range m.latency.KeptValues() {
			b.WriteString(itoa(v) + "\n")
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o666); err != nil {
			say("error: %v", err)
			return exitError
		}
	}
	counters := benchmarkCounters(m, pauses)
	if opt.benchmarkFormat == "console" {
		printConsole(w, label, m, counters)
	}
	if opt.benchmarkOut != "" {
		if err := writeAtomically(opt.benchmarkOut, benchmarkJSON(opt, w, label, m, counters)); err != nil {
			say("error: %v", err)
			return exitError
		}
	}
	if opt.detailOut != "" {
		d := detailJSON(opt, w, s, label, m, pc, gc, drain)
		d["self_vmhwm_kib"] = selfVmHWMKiB() // last, after building everything else
		if err := writeAtomically(opt.detailOut, d); err != nil {
			say("error: %v", err)
			return exitError
		}
	}
	return exitOK
}

// benchmarkCounters: the counters the C++ worker gives Google Benchmark.
func benchmarkCounters(m *measurement, pauses *base.Histogram) map[string]float64 {
	figure := medianOf(m.iterations, func(it iteration) int64 { return it.wallNs })
	secs := float64(figure) * 1e-9
	c := map[string]float64{
		"units": float64(m.result.Units), "live_bytes": float64(m.result.LiveBytes),
		"checksum48": float64(m.result.Checksum & (1<<48 - 1)),
		"lat_max_ns": float64(m.latency.Max()),
		"gc_pauses":  float64(pauses.Count()), "gc_pause_total_ns": pauses.Sum(),
		"gc_pause_p99_ns": float64(pauses.ValueAtPercentile(99)),
		"gc_pause_max_ns": float64(pauses.Max()),
	}
	if secs > 0 {
		c["units_per_s"] = float64(m.result.Units) / secs
	} else {
		c["units_per_s"] = 0
	}
	for _, p := range base.ReportedPercentiles {
		c["lat_p"+p.Key+"_ns"] = float64(m.latency.ValueAtPercentile(p.Percentile))
	}
	for i := 0; i < m.counters.Len(); i++ {
		k, v := m.counters.At(i)
		c[k] = v
	}
	return c
}

func benchmarkName(w workloads.Workload, label string) string {
	return w.Info.Name + "/" + label + "/iterations:1/process_time/real_time"
}

// benchmarkJSON: Google Benchmark's JSON layout, so its tools read it; the
// run's whole span (all passes) is the one benchmark iteration, as there.
func benchmarkJSON(opt *options, w workloads.Workload, label string, m *measurement,
	counters map[string]float64) map[string]any {
	host, _ := os.Hostname()
	exe, _ := os.Executable()
	var cpu int64
	for _, it := range m.iterations {
		cpu += it.cpuNs
	}
	load := []float64{}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		for _, f := range strings.Fields(string(data))[:3] {
			v, _ := strconv.ParseFloat(f, 64)
			load = append(load, v)
		}
	}
	bench := map[string]any{
		"name": benchmarkName(w, label), "family_index": 0, "per_family_instance_index": 0,
		"run_name": benchmarkName(w, label), "run_type": "iteration", "repetitions": 1,
		"repetition_index": 0, "threads": 1, "iterations": 1,
		"real_time": float64(m.endNs-m.startNs) / 1e6, "cpu_time": float64(cpu) / 1e6,
		"time_unit": "ms",
	}
	for k, v := range counters {
		bench[k] = v
	}
	return map[string]any{
		"context": map[string]any{
			"date": time.Now().Format(time.RFC3339), "host_name": host, "executable": exe,
			"num_cpus": runtime.NumCPU(), "caches": []any{}, "load_avg": load,
			"mmbench_workload": w.Info.Name, "mmbench_strategy": label, "mmbench_size": opt.size,
			"mmbench_threads": strconv.Itoa(opt.threads), "mmbench_seed": strconv.FormatUint(opt.seed, 10),
			"mmbench_malloc_family": family, "mmbench_malloc_version": runtime.Version(),
			"mmbench_malloc_from": "go runtime", "mmbench_go_version": runtime.Version(),
		},
		"benchmarks": []any{bench},
	}
}

func printConsole(w workloads.Workload, label string, m *measurement, counters map[string]float64) {
	fmt.Printf("%s  %.3f ms  units_per_s=%.6g checksum=%016x lat_p99_ns=%.0f gc_pauses=%.0f\n",
		benchmarkName(w, label), float64(m.endNs-m.startNs)/1e6, counters["units_per_s"],
		m.result.Checksum, counters["lat_p99_ns"], counters["gc_pauses"])
}
