// Package base is the Go worker's plumbing that workloads use too: the
// monotonic clock, the per-unit clock and the latency histogram, ports of
// base/clock.hpp, base/unit_clock.hpp and base/histogram.hpp.
package base

import (
	"syscall"
	"unsafe"
)

// The runtime's own monotonic clock: CLOCK_MONOTONIC through the vDSO, the
// clock the C++ worker reads (base/clock.hpp) and the one the runtime stamps
// its collections with, so pass times and pause windows share one time base.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// NowNs is CLOCK_MONOTONIC in nanoseconds, allocation-free.
func NowNs() int64 { return nanotime() }

// ClockNs reads one POSIX clock (CLOCK_PROCESS_CPUTIME_ID, CLOCK_MONOTONIC_RAW...)
// through the system call; -1 when it fails.
func ClockNs(clock int) int64 {
	var ts syscall.Timespec
	_, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, uintptr(clock),
		uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return -1
	}
	return ts.Sec*1_000_000_000 + ts.Nsec
}

// POSIX clock ids (linux/time.h).
const (
	ClockMonotonic        = 1
	ClockProcessCPUTimeID = 2
	ClockMonotonicRaw     = 4
)

// SleepUntilNs sleeps until CLOCK_MONOTONIC reaches t, with clock_nanosleep
// (TIMER_ABSTIME), as the C++ workloads do: the runtime's timers wake through
// epoll with millisecond timeouts, too coarse for a 1 ms frame.
func SleepUntilNs(t int64) {
	ts := syscall.NsecToTimespec(t)
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_CLOCK_NANOSLEEP, ClockMonotonic, 1,
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}
