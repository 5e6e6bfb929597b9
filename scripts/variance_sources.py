#!/usr/bin/python3
"""Where does run-to-run variance come from? Measures one factor at a time.

Runs one worker command (default: binary_trees under glibc and under the
arena, default size) N times per condition and prints, per condition, the
coefficient of variation of its figure, the median, and what the kernel and
the worker counted (page faults, migrations, steal). The conditions:

  single      one iteration per process, unpinned (the old protocol)
  pinned      one iteration per process, pinned to the last CPU (taskset)
  no-aslr     pinned, address-space randomization off (setarch -R)
  steady      pinned, steady state: median of iterations after the first
  alternating pinned single iterations, alternating with another
              workload/strategy process in between (the suite's context)
  sampler     as `steady`, while a thread polls /proc/<pid>/statm every 1 ms

Results go to stdout as a Markdown table; docs/reproducibility.md quotes them.
Usage: scripts/variance_sources.py [BUILD_DIR] [N]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 10
LAST_CPU = str(max(os.sched_getaffinity(0)))


def steal_jiffies() -> int:
    with open("/proc/stat") as f:
        return int(f.readline().split()[8])


def once(strategy, workload="binary_trees", pin=True, aslr=True, min_time=0.0, poll=False):
    family = strategy if strategy in ("mimalloc", "jemalloc") else "glibc"
    worker = f"{BUILD}/mmbench-worker-{family}"
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [worker, "--workload", workload, "--strategy", strategy, "--detail-out", out.name,
               "--benchmark_format=json"]
        if min_time:
            cmd += ["--min-time", str(min_time)]
        if not aslr:
            cmd = ["setarch", "-R"] + cmd
        if pin:
            cmd = ["taskset", "-c", LAST_CPU] + cmd
        stop = threading.Event()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        if poll:
            def sample():
                try:
                    fd = os.open(f"/proc/{proc.pid}/statm", os.O_RDONLY)
                except OSError:
                    return
                while not stop.wait(0.001):
                    try:
                        os.pread(fd, 256, 0)
                    except OSError:
                        break
                os.close(fd)
            threading.Thread(target=sample, daemon=True).start()
        proc.wait()
        stop.set()
        d = json.load(open(out.name))
    its = d["iterations"]
    return {"figure_s": d["wall_ns"] / 1e9, "first_s": its[0]["wall_ns"] / 1e9,
            "faults_first": its[0]["minor_faults"],
            "faults_later": statistics.median([i["minor_faults"] for i in its[1:]]) if len(
                its) > 1 else None,
            "migrations": d["sched"].get("se.nr_migrations"),
            "invol": d["process"]["involuntary_switches"]}


def condition(name, strategy, **kw):
    alternate = kw.pop("alternate", False)
    results, steal0, t0 = [], steal_jiffies(), time.monotonic()
    for _ in range(N):
        if alternate:  # another workload and allocator in between, as in a suite
            once("boehm", workload="lru_cache", pin=kw.get("pin", True))
        results.append(once(strategy, **kw))
    wall = time.monotonic() - t0
    steal_share = (steal_jiffies() - steal0) / os.sysconf("SC_CLK_TCK") / wall / os.cpu_count()
    fig = [r["figure_s"] for r in results]
    return {"condition": name, "strategy": strategy, "n": N,
            "median_s": statistics.median(fig),
            "cv": statistics.stdev(fig) / statistics.mean(fig),
            "range": f"{min(fig):.4f}-{max(fig):.4f}",
            "faults_first": statistics.median(r["faults_first"] for r in results),
            "faults_later": results[0]["faults_later"],
            "migrations": sum(r["migrations"] or 0 for r in results),
            "invol": sum(r["invol"] or 0 for r in results),
            "steal": steal_share}


def main():
    rows = []
    for strategy in ("glibc", "arena"):
        rows.append(condition("single", strategy, pin=False))
        rows.append(condition("pinned", strategy))
        rows.append(condition("no-aslr", strategy, aslr=False))
        rows.append(condition("alternating", strategy, alternate=True))
        rows.append(condition("steady", strategy, min_time=0.2))
        rows.append(condition("sampler", strategy, min_time=0.2, poll=True))
    print("| condition | strategy | n | median s | CV | range s | first-iteration faults | "
          "later-iteration faults | migrations | invol. switches | steal |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        later = "-" if r["faults_later"] is None else int(r["faults_later"])
        print(f'| {r["condition"]} | {r["strategy"]} | {r["n"]} | {r["median_s"]:.4f} | '
              f'{100 * r["cv"]:.2f}% | {r["range"]} | {r["faults_first"]} | {later} | '
              f'{r["migrations"]} | {r["invol"]} | {100 * r["steal"]:.2f}% |')


if __name__ == "__main__":
    main()
