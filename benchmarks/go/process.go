package main

// What the worker reads about its own process: rusage, RSS, scheduler
// statistics, and the atomic write of its result files.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

type processCounters struct {
	minorFaults, majorFaults, voluntary, involuntary int64
}

func processNow() processCounters {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return processCounters{ru.Minflt, ru.Majflt, ru.Nvcsw, ru.Nivcsw}
}

func selfMaxRSSKiB() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

// selfVmHWMKiB is VmHWM of /proc/self/status (-1 if unreadable): the peak of
// this address space only, reset at exec.
func selfVmHWMKiB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(line[6:]), " kB"), 10, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// statmRSSKiB is the resident set now, from /proc/self/statm (-1 if unreadable).
func statmRSSKiB() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return -1
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return -1
	}
	return pages * int64(os.Getpagesize()) / 1024
}

// mainThreadSched: the main thread's migrations and context switches
// (/proc/thread-self/sched; the workloads run on it, see main.go's init).
func mainThreadSched() map[string]any {
	out := map[string]any{}
	data, err := os.ReadFile("/proc/thread-self/sched")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		for _, key := range []string{"se.nr_migrations", "nr_switches", "nr_voluntary_switches",
			"nr_involuntary_switches"} {
			if strings.HasPrefix(line, key+" ") {
				if i := strings.IndexByte(line, ':'); i >= 0 {
					if v, err := strconv.ParseInt(strings.TrimSpace(line[i+1:]), 10, 64); err == nil {
						out[key] = v
					}
				}
			}
		}
	}
	return out
}

// writeAtomically writes compact JSON and a newline through path+".tmp".
func writeAtomically(path string, v any) error {
	data, err := encodeJSON(v, 0)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o666); err != nil {
		return fmt.Errorf("cannot write %s: %v", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cannot rename %s to %s: %v", tmp, path, err)
	}
	return nil
}
