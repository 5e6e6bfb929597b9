// What the worker reads about its own process: rusage, /proc/self/status,
// /proc/thread-self/sched and /proc/self/statm.
#pragma once

#include <nlohmann/json.hpp>

namespace mmbench {

// Page faults and context switches of the whole process so far (getrusage).
struct ProcessCounters {
  long minor_faults = 0, major_faults = 0, voluntary_switches = 0, involuntary_switches = 0;
  static ProcessCounters now() noexcept;
};

// ru_maxrss of this process, in KiB.
long self_maxrss_kib();

// Peak RSS of this address space (VmHWM of /proc/self/status), -1 if unreadable.
// Unlike ru_maxrss it starts afresh at exec, so it never includes the process
// this one was forked from: an instrument independent of the runner's wait4.
long self_vmhwm_kib();

// The main thread's scheduler statistics (/proc/thread-self/sched): migrations
// between CPUs and context switches, for the runner's noise record.
nlohmann::json main_thread_sched();

// Resident set of this process now, in KiB, from /proc/self/statm (what a
// runner reads from outside); read with open/read, no malloc. -1 if unreadable.
long statm_rss_kib() noexcept;

}  // namespace mmbench
