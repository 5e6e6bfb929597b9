"""What disturbs a run: read from the kernel before and after each worker.

A run is a fixed piece of work, so anything else that takes the CPU, stalls
memory or moves the worker shows up as time that is not the strategy's. Per
run the runner records (docs/reproducibility.md says why each):

- steal: CPU time the hypervisor gave to other guests (/proc/stat), as a
  share of all CPU time on the machine during the run;
- PSI: /proc/pressure/cpu and /memory "some" stall time during the run, as a
  share of the run's wall time;
- load: /proc/loadavg's runnable count at the start (the runner included);
- the worker's own CPU migrations and involuntary context switches (from
  its detail file, read by the caller);
- THP and DAMON state (they change page-fault and reclaim costs).

`disturbance()` turns these into reasons; a disturbed run is re-run (bounded)
by the runner, and every attempt is kept in the run record.
"""

from __future__ import annotations

import os
import statistics


def _limit(name: str, default: float) -> float:
    """A threshold, overridable from the environment (MMBENCH_<NAME>)."""
    value = os.environ.get("MMBENCH_" + name)
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


# Thresholds for calling a run disturbed (docs/reproducibility.md gives the
# figures seen on the project's 2-core VM); each can be overridden by an
# environment variable of the same name with an MMBENCH_ prefix.
STEAL_SHARE_MAX = _limit("STEAL_SHARE_MAX", 0.02)
CPU_PRESSURE_SHARE_MAX = _limit("CPU_PRESSURE_SHARE_MAX", 0.10)
MEMORY_PRESSURE_SHARE_MAX = _limit("MEMORY_PRESSURE_SHARE_MAX", 0.01)
MIGRATIONS_MAX_WHEN_PINNED = _limit("MIGRATIONS_MAX_WHEN_PINNED", 0)
# The worker's speed probe (a fixed integer loop before and after its passes)
# against the median probe of the folder's undisturbed runs: normal jitter is
# 1-2% with rare single outliers near 12%; a busy host ran everything 1.7x
# slower for over a minute without any steal showing.
SLOW_PROBE_RATIO_MAX = _limit("SLOW_PROBE_RATIO_MAX", 1.15)
# The host probe (runner/host_probe.py: a tree built and walked in 4 MiB, read
# just before and after each worker) against the session's usual best. It
# reads about half the workloads' slowdown in the host's slow windows (1.3x
# when they run 1.6x): above this, the run is re-run.
HOST_SLOW_MAX = _limit("HOST_SLOW_MAX", 1.05)


class SpeedProbes:
    """The speed probes of a run's undisturbed processes, per runtime: a JVM's or
    Go's probe is other code than the C++ worker's, its time not comparable (one
    pool made every JVM run read 2x slower than usual)."""
    MIN_PROBES = 6   # a reference only once this many probes are in
    # The JVM's probe reads its own runtime, not the machine: unpinned, its
    # collector and compiler threads run beside the probing thread on 2 cores,
    # and in one default run its probes ranged 12-41 ms (the one after the
    # passes up to 2.3x the one before) while Go's stayed within 7.7-9.1 ms.
    # Its runs are judged by the host probe (outside the worker) alone.
    UNCOMPARABLE = ("jvm",)

    def __init__(self) -> None:
        self.by_runtime: dict[str, list[int]] = {}

    def add(self, runtime: str, probes: list[int]) -> None:
        if runtime not in self.UNCOMPARABLE:  # never a reference: not kept
            self.by_runtime.setdefault(runtime, []).extend(probes)

    def reference(self, runtime: str) -> float | None:
        """The median probe of the runtime's processes so far; None below MIN_PROBES
        and for a runtime whose probe is UNCOMPARABLE."""
        if runtime in self.UNCOMPARABLE:
            return None
        probes = self.by_runtime.get(runtime) or []
        return statistics.median(probes) if len(probes) >= self.MIN_PROBES else None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _cpu_jiffies() -> dict[str, int] | None:
    text = _read("/proc/stat")
    if not text:
        return None
    fields = text.splitlines()[0].split()
    if fields[0] != "cpu":
        return None
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    values = [int(v) for v in fields[1:1 + len(names)]]
    out = dict(zip(names, values))
    out["total"] = sum(values)
    return out


def _psi_some_total_us(resource: str) -> int | None:
    text = _read(f"/proc/pressure/{resource}")
    if not text:
        return None
    for line in text.splitlines():
        if line.startswith("some"):
            for item in line.split():
                if item.startswith("total="):
                    return int(item[6:])
    return None


def _runnable() -> int | None:
    text = _read("/proc/loadavg")
    try:
        return int(text.split()[3].split("/")[0]) if text else None
    except (IndexError, ValueError):
        return None


def thp_state() -> dict[str, str | None]:
    def chosen(path):
        text = _read(path)
        if not text:
            return None
        for word in text.split():
            if word.startswith("["):
                return word.strip("[]")
        return text.strip()
    return {"enabled": chosen("/sys/kernel/mm/transparent_hugepage/enabled"),
            "defrag": chosen("/sys/kernel/mm/transparent_hugepage/defrag")}


def kdamond_running() -> bool:
    """Whether a DAMON worker thread (kdamond) exists: it samples page access
    and may reclaim, so it is part of the machine's state."""
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return False
    for pid in pids:
        comm = _read(f"/proc/{pid}/comm")
        if comm and comm.startswith("kdamond"):
            return True
    return False


def machine_state() -> dict:
    """Once per run folder (manifest): the settings that change timings."""
    return {
        "thp": thp_state(),
        "kdamond": kdamond_running(),
        "aslr": (_read("/proc/sys/kernel/randomize_va_space") or "").strip() or None,
        "cpu_governor": (_read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
                         or "").strip() or None,
        "psi": os.path.exists("/proc/pressure/cpu"),
        "cpus": sorted(os.sched_getaffinity(0)),
    }


class Snapshot:
    """Counters at one instant; `delta(later, wall_s)` gives the run's shares."""

    def __init__(self):
        self.jiffies = _cpu_jiffies()
        self.cpu_some_us = _psi_some_total_us("cpu")
        self.memory_some_us = _psi_some_total_us("memory")
        self.runnable = _runnable()

    def delta(self, later: Snapshot, wall_s: float) -> dict:
        out: dict = {"runnable_at_start": self.runnable}
        if self.jiffies and later.jiffies:
            total = later.jiffies["total"] - self.jiffies["total"]
            steal = later.jiffies["steal"] - self.jiffies["steal"]
            out["steal_share"] = steal / total if total > 0 else 0.0
        for key, a, b in (("cpu_pressure_share", self.cpu_some_us, later.cpu_some_us),
                          ("memory_pressure_share", self.memory_some_us,
                           later.memory_some_us)):
            if a is not None and b is not None and wall_s > 0:
                out[key] = (b - a) / 1e6 / wall_s
        return out


def disturbance(noise: dict, pinned: bool) -> list[str]:
    """Reasons to distrust one run's timing (empty: undisturbed)."""
    reasons = []
    if noise.get("steal_share") is not None and noise["steal_share"] > STEAL_SHARE_MAX:
        reasons.append(f'steal {100 * noise["steal_share"]:.1f}% of CPU time')
    # CPU pressure says something only about a pinned worker: an unpinned
    # multithreaded one (producer_consumer on 2 CPUs) makes its own threads wait.
    if pinned and (noise.get("cpu_pressure_share") or 0) > CPU_PRESSURE_SHARE_MAX:
        reasons.append(f'CPU pressure {100 * noise["cpu_pressure_share"]:.0f}% of wall')
    if (noise.get("memory_pressure_share") or 0) > MEMORY_PRESSURE_SHARE_MAX:
        reasons.append(f'memory pressure {100 * noise["memory_pressure_share"]:.1f}% of wall')
    ratio = noise.get("speed_probe_ratio")
    if ratio is not None and ratio > SLOW_PROBE_RATIO_MAX:
        reasons.append(f"machine {100 * (ratio - 1):.0f}% slower than usual (speed probe)")
    host = noise.get("host_probe_ratio")
    if host is not None and host > HOST_SLOW_MAX:
        reasons.append(f"host {100 * (host - 1):.0f}% slower than its usual best (host probe)")
    migrations = noise.get("migrations")
    if pinned and migrations is not None and migrations > MIGRATIONS_MAX_WHEN_PINNED:
        reasons.append(f"{migrations} CPU migrations while pinned")
    return reasons
