"""Thread scaling: throughput of each strategy as the workload's thread count
grows (--threads 1..N). Each (strategy, threads) point is its own set of
processes; a strategy that refuses threads (pmr: exit 6) is a data point,
"unsupported", not an error."""

from __future__ import annotations

import csv
import io
import os
import pathlib

from mmbench import workers
from mmbench.experiments import points


def default_threads(cores: int = 0) -> list[int]:
    """1, 2, 4, ... up to the number of cores, and the number of cores itself."""
    cores = cores or os.cpu_count() or 1
    out, t = [], 1
    while t < cores:
        out.append(t)
        t *= 2
    out.append(cores)
    return out


def parse_threads(text: str) -> list[int]:
    values = sorted({int(v) for v in text.split(",") if v.strip()})
    if not values or values[0] < 1:
        raise ValueError("thread counts must be >= 1")
    return values


def run_scale(root: pathlib.Path, catalog: workers.Catalog, opts: dict, workloads: list[str],
              strategies: list[str], threads: list[int], reps: int, progress=None) -> dict:
    result = {"threads": threads, "reps": reps, "size": opts["size"], "cores": os.cpu_count(),
              "strategies": strategies, "workloads": {}}
    for w in workloads:
        rows = []
        for t in threads:
            for s in strategies:
                if (w, s) not in catalog.entries:
                    continue
                p = points.measure(root / "points" / w / (f"t{t}"), catalog,
                                   dict(opts, threads=t), w, s, reps, progress=progress)
                rows.append({"workload": w, "strategy": s, "threads": t, "status": p.status,
                             "rep_status": p.rep_status,
                             "throughput_per_s": p.throughput_per_s, "wall_s": p.wall_s,
                             "peak_rss_kib": p.peak_rss_kib, "lat_p99_ns": p.lat.get("p99"),
                             "lat_max_ns": p.lat.get("max"), "pause_max_ns": p.pause.get("max"),
                             "checksum": p.checksum, "folder": p.folder, "problem": p.problem})
        one = {r["strategy"]: r["throughput_per_s"] for r in rows
               if r["threads"] == threads[0] and r["throughput_per_s"]}
        for r in rows:
            base = one.get(r["strategy"])
            r["speedup"] = (r["throughput_per_s"] / base
                            if base and r["throughput_per_s"] else None)
        result["workloads"][w] = {"unit": catalog.workloads.get(w, {}).get("unit"), "rows": rows}
    return result


CSV_COLUMNS = ["workload", "strategy", "threads", "status", "throughput_per_s", "speedup",
               "wall_s", "peak_rss_kib", "lat_p99_ns", "lat_max_ns", "pause_max_ns", "checksum"]


def to_csv(scale: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for data in scale["workloads"].values():
        for r in data["rows"]:
            writer.writerow(["" if r.get(c) is None else r[c] for c in CSV_COLUMNS])
    return out.getvalue()
