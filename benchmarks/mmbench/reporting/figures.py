"""The figures of one summary row, in report units, shared by tables, plots and HTML.

Sources: summary.json rows (medians, merged-histogram percentiles, per-rep
samples). Relative throughput is the row's paired ratio (per-round ratios to
glibc, summary.py); for older run folders without it, Fieller's interval of
the ratio of mean throughputs.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from mmbench.runfolder import RunData, number, numbers
from mmbench.stats import ratio_of_means_ci

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
    headline: str = "throughput"    # throughput | frame_time | footprint (summary.py)
    cv_wall: float | None = None    # coefficient of variation of the time over reps
    cpu_s: float | None = None      # process CPU time of one steady-state iteration
    first_wall_s: float | None = None  # the first (timed, warm-up) iteration
    instrument_share: float | None = None  # per-unit clock's share of the throughput figure
    timed_share: float | None = None       # ... of the timed (latency) iteration
    disturbed_reps: int = 0
    excluded_reps: int = 0
    reruns: int = 0
    iterations: float | None = None

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
    headline = str(row.get("headline") or "throughput")
    if headline != "throughput":
        pass  # no speed ratio: a footprint row or a fixed-rate loop
    elif ok and number(row.get("ratio_vs_ref")) is not None:
        # Paired by round (summary.py): drift between rounds cancels.
        rel = number(row.get("ratio_vs_ref"))
        rel_low, rel_high = number(row.get("ratio_ci95_lo")), number(row.get("ratio_ci95_hi"))
    elif ok and reference is not None and reference.get("status") == "ok":
        # A run folder from before paired ratios: independent samples (Fieller).
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
        headline=headline,
        cv_wall=number(row.get("cv_wall")) if ok else None,
        cpu_s=number(row.get("cpu_s")) if ok else None,
        first_wall_s=number(row.get("first_wall_s")) if ok else None,
        instrument_share=number(row.get("instrument_share")) if ok else None,
        timed_share=number(row.get("timed_iteration_share")) if ok else None,
        disturbed_reps=int(number(row.get("disturbed_reps")) or 0),
        excluded_reps=int(number(row.get("excluded_reps")) or 0),
        reruns=int(number(row.get("reruns")) or 0),
        iterations=number(row.get("iterations_per_run")) if ok else None,
    )


def all_figures(data: RunData) -> list[RowFigures]:
    return [row_figures(data, r) for r in data.rows]
