"""report.csv: one row per (workload, strategy), numbers only (µs, MiB, s)."""

from __future__ import annotations

import csv
import io

from mmbench.fmt import round3
from mmbench.reporting.figures import all_figures
from mmbench.runfolder import RunData

CSV_COLUMNS = ["workload", "strategy", "status", "deliberate_leak", "unit", "reps",
               "throughput_per_s", "rel_throughput", "rel_ci95_low", "rel_ci95_high", "wall_s",
               "peak_rss_mib", "live_mib", "rss_per_live", "lat_p50_us", "lat_p90_us",
               "lat_p99_us", "lat_p999_us", "lat_max_us", "gc_pauses", "gc_pause_p99_us",
               "gc_pause_max_us", "best"]
_BEST_HIGHER = {"throughput_per_s": True, "rel_throughput": True, "wall_s": False,
                "peak_rss_mib": False, "rss_per_live": False, "lat_p50_us": False,
                "lat_p90_us": False, "lat_p99_us": False, "lat_p999_us": False,
                "lat_max_us": False, "gc_pause_p99_us": False, "gc_pause_max_us": False}


def _us(ns: float | None) -> float | None:
    return ns / 1e3 if ns is not None else None


def report_csv(data: RunData) -> str:
    """One row per (workload, strategy), numbers only (µs, MiB, s); `best` names the
    columns in which the row is best within its workload (';'-separated)."""
    figs = all_figures(data)
    records = []
    for f in figs:
        lat = f.latency_ns
        records.append({
            "workload": f.workload, "strategy": f.strategy, "status": f.status,
            "deliberate_leak": int(f.deliberate_leak), "unit": f.unit, "reps": f.reps,
            "throughput_per_s": f.throughput, "rel_throughput": f.rel,
            "rel_ci95_low": f.rel_low, "rel_ci95_high": f.rel_high, "wall_s": f.wall_s,
            "peak_rss_mib": f.peak_rss_mib, "live_mib": f.live_mib,
            "rss_per_live": f.rss_per_live, "lat_p50_us": _us(lat["p50"]),
            "lat_p90_us": _us(lat["p90"]), "lat_p99_us": _us(lat["p99"]),
            "lat_p999_us": _us(lat["p99.9"]), "lat_max_us": _us(lat["max"]),
            "gc_pauses": f.gc_pauses, "gc_pause_p99_us": _us(f.gc_p99_ns),
            "gc_pause_max_us": _us(f.gc_max_ns), "best": [],
        })
    for w in data.workloads():
        group = [r for r in records if r["workload"] == w and r["status"] == "ok"]
        for column, higher in _BEST_HIGHER.items():
            vals = [r[column] for r in group if r[column] is not None]
            if len(vals) < 2:
                continue
            best = max(vals) if higher else min(vals)
            for r in group:
                if r[column] == best:
                    r["best"].append(column)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        out = {}
        for k in CSV_COLUMNS:
            v = r[k]
            if k == "best":
                out[k] = ";".join(v)
            elif isinstance(v, float):
                out[k] = round3(v)
            else:
                out[k] = "" if v is None else v
        writer.writerow(out)
    return buf.getvalue()
