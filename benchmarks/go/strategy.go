package main

// The collectors this worker offers, one row each, in the manner of
// allocators/malloc_config.cpp: the setting each declares, the environment
// variable that sets it, and the read-back that verifies it at start-up. A
// run refuses (exit "allocator_mismatch") when the setting in force is not
// the declared one, e.g. a GOGC left in the environment: a row labelled `go`
// must have run with the collector the listing says.

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimitOff is what the runtime reports when GOMEMLIMIT is off.
const memoryLimitOff = int64(math.MaxInt64)

type goStrategy struct {
	name     string
	gogc     int   // GOGC percent; -1: off (never collects unless the limit is near)
	memLimit int64 // GOMEMLIMIT bytes; memoryLimitOff: no limit
}

// The table. Overridable per run with --gogc / --gomemlimit (declared, then verified).
var strategyTable = []goStrategy{
	{name: "go", gogc: 100, memLimit: memoryLimitOff},
}

func findStrategy(name string) (goStrategy, bool) {
	for _, s := range strategyTable {
		if s.name == name {
			return s, true
		}
	}
	return goStrategy{}, false
}

// gogcString is GOGC as the environment spells it.
func gogcString(p int) string {
	if p < 0 {
		return "off"
	}
	return strconv.Itoa(p)
}

func memlimitString(b int64) string {
	if b == memoryLimitOff {
		return "off"
	}
	return strconv.FormatInt(b, 10)
}

// parseGOGC reads a --gogc value: a percentage or "off".
func parseGOGC(s string) (int, error) {
	if s == "off" {
		return -1, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 {
		return 0, fmt.Errorf("--gogc: %q is neither a percentage nor off", s)
	}
	return p, nil
}

// parseMemLimit reads a --gomemlimit value: bytes, with an optional B, KiB,
// MiB, GiB or TiB suffix (GOMEMLIMIT's syntax), or "off".
func parseMemLimit(s string) (int64, error) {
	if s == "off" {
		return memoryLimitOff, nil
	}
	scale := int64(1)
	for _, u := range []struct {
		suffix string
		scale  int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, scale = strings.TrimSuffix(s, u.suffix), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > memoryLimitOff/scale {
		return 0, fmt.Errorf("--gomemlimit: %q is not a positive byte count (B, KiB, MiB, GiB, TiB) or off", s)
	}
	return n * scale, nil
}

// declared applies the command line's overrides to the table row.
func (s goStrategy) declared(opt *options) goStrategy {
	if opt.gogc != "" {
		s.gogc, _ = parseGOGC(opt.gogc) // validated in parseOptions
	}
	if opt.gomemlimit != "" {
		s.memLimit, _ = parseMemLimit(opt.gomemlimit)
	}
	return s
}

// envOrNull is an environment variable's value, nil when unset.
func envOrNull(name string) any {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return nil
}

// config is the strategy's configuration as declared (--describe, --list and
// the detail's "config" say the same).
func (s goStrategy) config() map[string]any {
	return map[string]any{
		"GOGC":        s.gogc,
		"GOMEMLIMIT":  memlimitString(s.memLimit),
		"GOMAXPROCS":  "runtime default (CPUs in the affinity mask) unless env says otherwise",
		"go_version":  runtime.Version(),
		"compiler":    runtime.Compiler,
		"collector":   "concurrent tri-colour mark-sweep, non-moving, non-generational",
		"pause_trace": "GODEBUG=gctrace=1 (the worker re-executes itself with it)",
		"env": map[string]any{
			"GOGC": envOrNull("GOGC"), "GOMEMLIMIT": envOrNull("GOMEMLIMIT"),
			"GOMAXPROCS": envOrNull("GOMAXPROCS"), "GODEBUG": userGODEBUG(),
		},
	}
}

// inForce reads the collector's settings back from the runtime.
func inForce() (gogc int, limit int64) {
	gogc = debug.SetGCPercent(100)
	debug.SetGCPercent(gogc)
	return gogc, debug.SetMemoryLimit(-1) // a negative limit only reads it
}

// verify is the start-up check: "" when the settings in force are the
// declared ones, else why not.
func (s goStrategy) verify() string {
	gogc, limit := inForce()
	var why []string
	if gogc != s.gogc {
		why = append(why, fmt.Sprintf("GOGC in force is %s (environment GOGC=%v), strategy %s declares %s",
			gogcString(gogc), envOrNull("GOGC"), s.name, gogcString(s.gogc)))
	}
	if limit != s.memLimit {
		why = append(why, fmt.Sprintf("GOMEMLIMIT in force is %s (environment GOMEMLIMIT=%v), strategy %s declares %s",
			memlimitString(limit), envOrNull("GOMEMLIMIT"), s.name, memlimitString(s.memLimit)))
	}
	return strings.Join(why, "; ")
}

// reclaim, hooks: as --list names them ("strategies").
func (s goStrategy) listing() map[string]any {
	return map[string]any{
		"name": s.name, "family": family, "reclaim": "tracing",
		"hooks": []string{"init_process", "config", "pauses", "end_pass", "release_memory"},
	}
}
