package base

import (
	"os"
	"strings"
	_ "unsafe" // go:linkname
)

// The TSC, read by the runtime's own assembly (RDTSC on amd64).
//
//go:linkname cputicks runtime.cputicks
func cputicks() int64

// The clock workloads time their units with (base/unit_clock.hpp): TSC cycles
// where the CPU says its TSC is invariant, converted with a rate calibrated
// once against CLOCK_MONOTONIC_RAW; CLOCK_MONOTONIC nanoseconds elsewhere.
var (
	useTSC    bool
	nsPerTick = 1.0
)

// Ticks is the unit clock now.
func Ticks() int64 {
	if useTSC {
		return cputicks()
	}
	return nanotime()
}

// ToNs converts a tick count to nanoseconds.
func ToNs(ticks int64) int64 {
	if useTSC {
		return int64(float64(ticks) * nsPerTick)
	}
	return ticks
}

// NsSince is the nanoseconds from start (ticks) to now.
func NsSince(start int64) int64 { return ToNs(Ticks() - start) }

// NsPerTick is the calibrated rate (1 for clock_gettime).
func NsPerTick() float64 { return nsPerTick }

// UnitClockSource names the source as the detail JSON does.
func UnitClockSource() string {
	if useTSC {
		return "tsc"
	}
	return "clock_gettime"
}

// CalibrateUnitClock decides the source and measures the TSC rate over
// windowNs (it spins: before any measured region). False: clock_gettime.
func CalibrateUnitClock(windowNs int64) bool {
	useTSC, nsPerTick = false, 1.0
	if !invariantTSC() {
		return false
	}
	t0 := ClockNs(ClockMonotonicRaw)
	c0 := cputicks()
	t1 := t0
	for t1-t0 < windowNs {
		t1 = ClockNs(ClockMonotonicRaw)
	}
	c1 := cputicks()
	if c1 <= c0 || t0 < 0 {
		return false
	}
	nsPerTick = float64(t1-t0) / float64(c1-c0)
	useTSC = true
	return true
}

func invariantTSC() bool {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "flags") {
			return strings.Contains(line, " constant_tsc") && strings.Contains(line, " nonstop_tsc")
		}
	}
	return false
}
