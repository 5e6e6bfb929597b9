"""The worker's two result files, in the C++ workers' shapes (docs/run-folder.md):
the detail JSON and a Google Benchmark JSON with one benchmark."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import socket

from mmbench import hgrm


def checksum16(data: bytes) -> str:
    """The detail's checksum: 16 hex digits (the first 64 bits of SHA-256)."""
    return hashlib.sha256(data).hexdigest()[:16]


def histogram(values_ns: list[int]) -> dict:
    return hgrm.from_values(values_ns).to_json()


# The process counters the C++ workers report for themselves: here the program's.
PROCESS_COUNTERS = ("minor_faults", "major_faults", "voluntary_switches", "involuntary_switches")


def build(args, program, figure: dict, allocator: dict, process: dict, extra: dict) -> dict:
    """The detail JSON. figure: {checksum, units, wall_ns, cpu_ns, latency, counters,
    start_ns, end_ns}; process: the program's own measurements."""
    wall = int(figure["wall_ns"])
    detail = {
        "workload": program.name, "strategy": args.label or args.strategy,
        "unit": program.unit, "size": args.size, "threads": args.threads, "seed": args.seed,
        "deliberate_leak": False, "allocator": allocator, "checksum": figure["checksum"],
        "units": figure["units"], "live_bytes": 0, "wall_ns": wall,
        "cpu_ns": figure.get("cpu_ns"), "first_wall_ns": wall,
        "first_cpu_ns": figure.get("cpu_ns"), "steady_state": False,
        "iterations": [{"wall_ns": wall, "cpu_ns": figure.get("cpu_ns"),
                        "minor_faults": process.get("minor_faults"),
                        "involuntary_switches": process.get("involuntary_switches"),
                        "timed": False}],
        "min_time_s": 0.0, "repeatable": False,
        "process": {k: process.get(k) for k in PROCESS_COUNTERS},
        "start_monotonic_ns": figure.get("start_ns"), "end_monotonic_ns": figure.get("end_ns"),
        "latency": figure["latency"], "counters": figure.get("counters", {}),
        "program": process,
    }
    if args.label:
        detail["hosted_by"] = args.strategy
    detail.update(extra)
    return detail


def gbench(args, program, detail: dict) -> dict:
    """One benchmark entry, as the C++ workers' Google Benchmark output names it."""
    wall_ms = detail["wall_ns"] / 1e6
    cpu_ms = (detail["cpu_ns"] or 0) / 1e6
    pct = detail["latency"]["percentiles"]
    strategy = detail["strategy"]
    bench = {
        "name": f"{program.name}/{strategy}/iterations:1/process_time/real_time",
        "run_name": f"{program.name}/{strategy}/iterations:1/process_time/real_time",
        "run_type": "iteration", "repetitions": 1, "repetition_index": 0, "threads": 1,
        "iterations": 1, "real_time": wall_ms, "cpu_time": cpu_ms, "time_unit": "ms",
        "units": detail["units"], "units_per_s": detail["units"] / (detail["wall_ns"] / 1e9),
        "lat_p50_ns": pct["50"], "lat_p99_ns": pct["99"], "lat_max_ns": detail["latency"]["max"],
    }
    context = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host_name": socket.gethostname(), "executable": program.command[0],
        "num_cpus": os.cpu_count(), "mmbench_workload": program.name,
        "mmbench_strategy": strategy, "mmbench_size": args.size, "mmbench_seed": str(args.seed),
        "mmbench_malloc_family": detail["allocator"]["family"],
        "mmbench_malloc_from": detail["allocator"]["malloc_from"],
    }
    return {"context": context, "benchmarks": [bench]}


def write_atomic(path: str, data: dict) -> None:
    """Through PATH.tmp, as the C++ workers write (the runner cleans up a leftover)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
