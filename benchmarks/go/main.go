// mmbench-worker-go: the worker contract of benchmarks/worker_main.cpp for
// the Go ports of the workloads (workloads/go) under the Go runtime's
// collector. It runs one (workload, strategy) in this fresh process and writes
//   - a Google-Benchmark-shaped JSON (--benchmark_out), our figures as counters;
//   - the detail JSON (--detail-out, docs/run-folder.md).
//
// --list and --describe print the same schema as the C++ workers. A run
// re-executes the worker once with GODEBUG=gctrace=1, its stderr piped
// through a small copy of itself that keeps the collector's lines apart
// (pauses.go), so the pause windows come from the runtime itself.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	workloads "mmbench/workloads/go"
)

const family = "go"

// Exit codes: base/exit_codes.hpp, benchmarks/mmbench/contract.py.
const (
	exitOK          = 0
	exitUsage       = 2
	exitAllocator   = 3
	exitOutOfMemory = 4
	exitError       = 5
	exitUnsupported = 6
)

var exitCodeNames = []struct {
	name string
	code int
}{
	{"ok", exitOK}, {"usage", exitUsage}, {"allocator_mismatch", exitAllocator},
	{"oom", exitOutOfMemory}, {"error", exitError}, {"unsupported", exitUnsupported},
}

type options struct {
	workload, strategy, size string
	threads                  int
	seed                     uint64
	detailOut, label         string
	expectMalloc             string
	gogc, gomemlimit         string
	gcMaxHeapBytes           uint64
	gcFreeSpaceDivisor       uint64
	fault                    string
	minTime                  float64
	minIterations            int
	maxIterations            int
	drain, list, describe    bool
	benchmarkOut             string
	benchmarkOutFormat       string
	benchmarkFormat          string
	gctraceKeep              string
	teeGCTrace               string
}

// The worker's main thread runs the workloads: /proc/thread-self/sched
// ("sched" in the detail) is then that thread's, as in the C++ worker.
func init() { runtime.LockOSThread() }

func say(format string, a ...any) {
	fmt.Fprintf(workerStderr(), "mmbench-worker-go: "+format+"\n", a...)
}

func parseOptions(args []string) (*options, int) {
	opt := &options{}
	fs := flag.NewFlagSet("mmbench-worker-go", flag.ContinueOnError)
	fs.StringVar(&opt.workload, "workload", "", "workload to run")
	fs.StringVar(&opt.strategy, "strategy", "", "strategy to run it under")
	fs.StringVar(&opt.size, "size", "default", strings.Join(workloads.SizeNames, " | "))
	fs.IntVar(&opt.threads, "threads", 1, "threads, for workloads that take them")
	fs.Uint64Var(&opt.seed, "seed", 42, "seed of the workload's random stream")
	fs.StringVar(&opt.detailOut, "detail-out", "", "write the detail JSON here")
	fs.StringVar(&opt.expectMalloc, "expect-malloc", "", "allocator that must serve the heap (here: go)")
	fs.StringVar(&opt.label, "label", "", "name to write into the results instead of the strategy's")
	fs.StringVar(&opt.gogc, "gogc", "", "declare and run with this GOGC (percent or off) instead of the table's")
	fs.StringVar(&opt.gomemlimit, "gomemlimit", "", "declare and run with this GOMEMLIMIT (bytes, KiB..TiB, or off)")
	fs.Uint64Var(&opt.gcMaxHeapBytes, "gc-max-heap-bytes", 0, "Boehm strategies only (refused here)")
	fs.Uint64Var(&opt.gcFreeSpaceDivisor, "gc-free-space-divisor", 0, "Boehm strategies only (refused here)")
	fs.StringVar(&opt.fault, "fault", "", "test only: crash | hang | oom")
	fs.Float64Var(&opt.minTime, "min-time", 0, "seconds of steady-state passes after the first, timed one")
	fs.IntVar(&opt.minIterations, "min-iterations", 1, "at least this many steady-state passes when --min-time > 0")
	fs.IntVar(&opt.maxIterations, "max-iterations", 1000, "at most this many passes in all when --min-time > 0")
	fs.BoolVar(&opt.drain, "drain", false, "after the last pass, a drain phase (~1.3 s) into the detail JSON")
	fs.BoolVar(&opt.list, "list", false, "list workloads and strategies as JSON and exit")
	fs.BoolVar(&opt.describe, "describe", false, "print the runtime identity and each strategy's configuration")
	fs.StringVar(&opt.benchmarkOut, "benchmark_out", "", "write the Google-Benchmark-shaped JSON here")
	fs.StringVar(&opt.benchmarkOutFormat, "benchmark_out_format", "json", "json (the only format written)")
	fs.StringVar(&opt.benchmarkFormat, "benchmark_format", "console", "console | json (stdout)")
	fs.StringVar(&opt.gctraceKeep, "gctrace-keep", "", "keep the collector's gctrace lines in this file (tests)")
	fs.StringVar(&opt.teeGCTrace, "tee-gctrace", "", "internal: copy stdin to stderr, gctrace lines to this file")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
			return nil, exitOK
		}
		say("%v (--help lists the options)", err)
		return nil, exitUsage
	}
	if fs.NArg() > 0 {
		say("unexpected argument %q", fs.Arg(0))
		return nil, exitUsage
	}
	return opt, -1
}

// validate checks what the flag package cannot: "" or why the options are bad.
func (opt *options) validate() string {
	if _, ok := workloads.ParseSize(opt.size); !ok {
		return fmt.Sprintf("--size: %q not in {%s}", opt.size, strings.Join(workloads.SizeNames, ", "))
	}
	switch {
	case opt.threads < 1 || opt.threads > 4096:
		return "--threads: must be in [1, 4096]"
	case opt.minTime < 0 || opt.minTime > 3600:
		return "--min-time: must be in [0, 3600]"
	case opt.minIterations < 1 || opt.minIterations > 1000:
		return "--min-iterations: must be in [1, 1000]"
	case opt.maxIterations < 2 || opt.maxIterations > 100000:
		return "--max-iterations: must be in [2, 100000]"
	case opt.benchmarkOutFormat != "json":
		return "--benchmark_out_format: only json is written"
	case opt.benchmarkFormat != "console" && opt.benchmarkFormat != "json":
		return "--benchmark_format: console or json"
	}
	if opt.fault != "" && opt.fault != "crash" && opt.fault != "hang" && opt.fault != "oom" {
		return "--fault: crash | hang | oom"
	}
	if opt.gogc != "" {
		if _, err := parseGOGC(opt.gogc); err != nil {
			return err.Error()
		}
	}
	if opt.gomemlimit != "" {
		if _, err := parseMemLimit(opt.gomemlimit); err != nil {
			return err.Error()
		}
	}
	if opt.gcMaxHeapBytes != 0 || opt.gcFreeSpaceDivisor != 0 {
		return "--gc-* options apply to Boehm strategies only, not '" + opt.strategy + "'"
	}
	return ""
}

// allocatorMismatch: the Go runtime serves its own heap; a run that expects
// another allocator (a preloaded malloc) cannot be honoured.
func allocatorMismatch(opt *options) string {
	if opt.expectMalloc != "" && opt.expectMalloc != family {
		return fmt.Sprintf("the Go runtime allocates its own heap, not %s", opt.expectMalloc)
	}
	return ""
}

func findWorkload(opt *options) (workloads.Workload, goStrategy, bool) {
	var names []string
	for _, w := range workloads.All() {
		names = append(names, w.Info.Name)
		if w.Info.Name == opt.workload {
			s, ok := findStrategy(opt.strategy)
			if !ok {
				say("unknown strategy '%s' in this worker; valid: %s", opt.strategy, strategyNames())
			}
			return w, s, ok
		}
	}
	say("unknown workload '%s'; valid: %s", opt.workload, strings.Join(names, ", "))
	return workloads.Workload{}, goStrategy{}, false
}

func strategyNames() string {
	var names []string
	for _, s := range strategyTable {
		names = append(names, s.name)
	}
	return strings.Join(names, ", ")
}

func main() {
	os.Exit(mainCode())
}

func mainCode() int {
	opt, code := parseOptions(os.Args[1:])
	if opt == nil {
		return code
	}
	if opt.teeGCTrace != "" {
		return teeGCTrace(opt.teeGCTrace)
	}
	if why := opt.validate(); why != "" {
		say("%s", why)
		return exitUsage
	}
	if why := allocatorMismatch(opt); why != "" {
		say("allocator check failed: %s; refusing to run (the figures would be labelled wrongly)", why)
		return exitAllocator
	}
	if opt.list || opt.describe {
		return printListing(opt)
	}
	w, s, ok := findWorkload(opt)
	if !ok {
		return exitUsage
	}
	s = s.declared(opt)
	if !underGCTrace() {
		// Does not return unless the re-execution could not be made.
		return reexecWithGCTrace(opt, s)
	}
	if why := s.verify(); why != "" {
		say("collector check failed: %s; refusing to run (the figures would be labelled wrongly)", why)
		return finish(exitAllocator)
	}
	return finish(run(opt, w, s))
}
