"""Which instruments of a run's peak memory this machine offers, for the manifest.

- ru_maxrss_kib (the runner's os.wait4 ru_maxrss), GNU time's "Maximum resident
  set size" and /proc/<pid>/status VmHWM are one kernel counter (the mm's
  hiwater_rss) read three ways. Their agreement (tests/python/test_runner_rss.py)
  proves that the runner read the right process, not that the figure is right.
  It is peak_rss_kib, except for a process that maps shared memory, which RSS
  counts once per mapping: peak_rss_kib is then the sampled peak Pss
  (sampled_peak_pss_kib, /proc/<pid>/smaps_rollup; docs/run-folder.md).
- sampled_peak_rss_kib, the maximum of the RSS timeline, is computed apart from
  that counter: the runner reads /proc/<pid>/statm (the current resident pages)
  every sample period and keeps the largest. It is a lower bound of the true
  peak: it can only miss memory that was touched and given back within one
  period, and a run shorter than one period may have no sample at all.
- A cgroup's memory peak (cgroup v2 memory.peak, v1 memory.max_usage_in_bytes),
  as BenchExec measures, would be independent of both; it needs a cgroup this
  user may create children in. cgroup_status() says whether the machine offers
  one; the runner does not use it yet (so "independent" below names the RSS
  timeline).
"""

from __future__ import annotations

import os

from mmbench.execute import PSS_PERIOD_S

PSS_PERIOD_MS = PSS_PERIOD_S * 1000


def _v2_mount(mountinfo: str) -> str | None:
    """Mount point of the cgroup2 hierarchy, from /proc/self/mountinfo's text."""
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        if right.split()[:1] == ["cgroup2"]:
            return left.split()[4]
    return None


def cgroup_status(proc_cgroup: str = "/proc/self/cgroup",
                  mountinfo: str = "/proc/self/mountinfo") -> dict:
    """{"memory_peak": bool, "why": text}: whether this process sits in a cgroup v2
    with the memory controller and a memory.peak, in a folder it may write (a
    delegated cgroup, in which a per-run child could be made)."""
    try:
        with open(proc_cgroup, encoding="utf-8") as f:
            lines = f.read().splitlines()
        with open(mountinfo, encoding="utf-8") as f:
            mount = _v2_mount(f.read())
    except OSError as e:
        return {"memory_peak": False, "why": f"cannot read {e.filename}"}
    path = next((line[3:] for line in lines if line.startswith("0::")), None)
    if path is None or mount is None:
        return {"memory_peak": False, "why": "no cgroup v2 hierarchy"}
    folder = os.path.join(mount, path.lstrip("/"))
    try:
        with open(os.path.join(folder, "cgroup.controllers"), encoding="utf-8") as f:
            controllers = f.read().split()
    except OSError:
        controllers = []
    if "memory" not in controllers:
        return {"memory_peak": False,
                "why": f"cgroup v2 at {folder} has no memory controller "
                       f'(controllers: {" ".join(controllers) or "none"})'}
    if not os.path.exists(os.path.join(folder, "memory.peak")):
        return {"memory_peak": False, "why": f"no memory.peak in {folder} (kernel < 5.19?)"}
    if not os.access(folder, os.W_OK):
        return {"memory_peak": False, "why": f"{folder} is not delegated to this user"}
    return {"memory_peak": True,
            "why": f"delegated cgroup v2 at {folder} (not used by the runner yet)"}


def describe(sample_ms: float) -> dict:
    """The manifest's "memory_instruments": what each peak figure is and what is independent."""
    return {
        "peak_rss_kib": "wait4 ru_maxrss: the kernel's hiwater_rss, the same counter as "
                        "/usr/bin/time -v's maximum resident set size and VmHWM; for a "
                        "process mapping shared memory (peak_rss_source pss), which RSS "
                        "counts once per mapping, the sampled peak Pss of smaps_rollup "
                        f"read every {PSS_PERIOD_MS:g} ms or less often",
        "sampled_peak_rss_kib": "maximum of /proc/<pid>/statm resident pages read every "
                                f"{sample_ms:g} ms: a lower bound of the true peak, missing at "
                                "most what was touched and given back within one period",
        "independent": "sampled_peak_rss_kib",
        "cgroup": cgroup_status(),
    }
