"""Thread scaling: throughput of each strategy as the workload's thread count
grows (--threads 1..N). Every (strategy, threads) is a cell of one interleaved
run (the protocol of `mmbench run`: rounds in random order, adaptive rounds,
paired ratios), the thread counts past the first as configured strategies
strategy@tN; a strategy that refuses threads (pmr: exit 6) is a data point,
"unsupported", not an error."""

from __future__ import annotations

import csv
import io
import os

from mmbench import stats


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


def label(strategy: str, threads: int, first: int) -> str:
    """The run's name for (strategy, threads): the strategy itself at the first
    thread count (the run's --threads), else strategy@tN."""
    return strategy if threads == first else f"{strategy}@t{threads}"


def configured_strategies(workloads: list[str], strategies: list[str],
                          threads: list[int]) -> dict[str, dict]:
    """Every (strategy, threads) past the first thread count as a configured strategy
    (workers.Catalog.add_configured) that runs with its own thread count."""
    return {label(s, t, threads[0]): {"strategy": s, "threads": t,
                                      "workloads": {w: {"args": [], "env": {}}
                                                    for w in workloads}}
            for s in strategies for t in threads[1:]}


def _by_rep(row: dict) -> dict[int, float]:
    return {int(k): v for k, v in (row.get("throughput_by_rep") or {}).items() if v}


def build_result(rows: list[dict], workloads: list[str], strategies: list[str],
                 threads: list[int], settings: dict) -> dict:
    """scale.json from the run's summary rows: per (workload, strategy, threads) the
    median throughput and the speedup over the strategy's own first thread count,
    the median of the per-round ratios (both ran in the same round, seconds apart)."""
    cells = {(r["workload"], r["strategy"]): r for r in rows}
    result = dict(settings, threads=threads, strategies=strategies, workloads={})
    for w in workloads:
        out = []
        for t in threads:
            for s in strategies:
                r = cells.get((w, label(s, t, threads[0])))
                if r is None:
                    continue
                base = cells.get((w, s)) or {}
                speedup, lo, hi, pairs, _ = stats.paired_ratio(_by_rep(r), _by_rep(base))
                out.append({"workload": w, "strategy": s, "threads": t, "status": r["status"],
                            "rep_status": r.get("rep_status"),
                            "throughput_per_s": r.get("throughput_per_s"),
                            "speedup": speedup, "speedup_ci95": [lo, hi] if lo else None,
                            "paired_rounds": pairs, "wall_s": r.get("wall_s"),
                            "peak_rss_kib": r.get("peak_rss_kib"),
                            "lat_p99_ns": r.get("lat_p99_ns"), "lat_max_ns": r.get("lat_max_ns"),
                            "pause_max_ns": r.get("gc_pause_max_ns"),
                            "checksum": r.get("checksum"), "cv_wall": r.get("cv_wall")})
        unit = next((r.get("unit") for r in rows if r["workload"] == w and r.get("unit")), None)
        result["workloads"][w] = {"unit": unit, "rows": out}
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
