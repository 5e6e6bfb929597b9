"""The figures of one summary row, in report units, shared by tables, plots and HTML.

Sources: summary.json rows (medians, merged-histogram percentiles, per-rep
samples). Relative throughput is computed here from throughput_samples.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .rundata import RunData, number, numbers
from .stats import ratio_of_means_ci

REFERENCE = "glibc"

LATENCY_KEYS = [("p50", "lat_p50_ns"), ("p90", "lat_p90_ns"), ("p99", "lat_p99_ns"),
                ("p99.9", "lat_p999_ns"), ("max", "lat_max_ns")]


@dataclass
class RowFigures:
    workload: str
    strategy: str
    status: str
    ok: bool
    deliberate_leak: bool
    unit: str
    reps: int | None
    throughput: float | None        # units/s, median over reps
    rel: float | None               # mean(throughput)/mean(glibc throughput)
    rel_low: float | None           # 95% CI (Fieller), None if unbounded/unknown
    rel_high: float | None
    wall_s: float | None
    peak_rss_mib: float | None
    live_mib: float | None
    rss_per_live: float | None
    latency_ns: dict                # p50 .. max -> ns or None
    gc_pauses: float | None
    gc_p99_ns: float | None
    gc_max_ns: float | None

    @property
    def has_gc(self) -> bool:
        return self.gc_pauses is not None or self.gc_max_ns is not None


def _throughput_samples(row: dict) -> list[float]:
    samples = numbers(row.get("throughput_samples"))
    if not samples and number(row.get("throughput_per_s")) is not None:
        samples = [number(row.get("throughput_per_s"))]
    return samples


def row_figures(data: RunData, row: dict) -> RowFigures:
    ok = row.get("status") == "ok"
    reference = data.find(row["workload"], REFERENCE)
    rel = rel_low = rel_high = None
    if ok and reference is not None and reference.get("status") == "ok":
        ci = ratio_of_means_ci(_throughput_samples(row), _throughput_samples(reference))
        if ci is not None:
            rel, rel_low, rel_high = ci.ratio, ci.low, ci.high
    peak_kib, live_kib = number(row.get("peak_rss_kib")), number(row.get("live_kib"))
    peak_mib = peak_kib / 1024 if peak_kib is not None else None
    live_mib = live_kib / 1024 if live_kib is not None else None
    throughput = number(row.get("throughput_per_s"))
    if throughput is None and numbers(row.get("throughput_samples")):
        throughput = statistics.median(numbers(row.get("throughput_samples")))
    reps = number(row.get("reps"))
    return RowFigures(
        workload=row["workload"], strategy=row["strategy"], status=str(row.get("status")),
        ok=ok, deliberate_leak=bool(row.get("deliberate_leak")),
        unit=str(row.get("unit") or "unit"), reps=int(reps) if reps is not None else None,
        throughput=throughput if ok else None, rel=rel, rel_low=rel_low, rel_high=rel_high,
        wall_s=number(row.get("wall_s")) if ok else None,
        peak_rss_mib=peak_mib if ok else None, live_mib=live_mib if ok else None,
        rss_per_live=(peak_kib / live_kib) if ok and peak_kib and live_kib else None,
        latency_ns={name: number(row.get(key)) if ok else None for name, key in LATENCY_KEYS},
        gc_pauses=number(row.get("gc_pauses")) if ok else None,
        gc_p99_ns=number(row.get("gc_pause_p99_ns")) if ok else None,
        gc_max_ns=number(row.get("gc_pause_max_ns")) if ok else None,
    )


def all_figures(data: RunData) -> list[RowFigures]:
    return [row_figures(data, r) for r in data.rows]
