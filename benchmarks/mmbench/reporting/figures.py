"""The figures of one summary row, in report units, shared by tables, plots and HTML.

Sources: summary.json rows (medians, merged-histogram percentiles, per-rep
samples). Relative throughput is the row's paired ratio (per-round ratios to
glibc, summary.py); for older run folders without it, Fieller's interval of
the ratio of mean throughputs.

Figures that would say something false are None here, with the reason in
`na`, so every table, the CSV and the plots leave them out alike: the speed
of a row whose headline is not its speed, and peak RSS over live data where
the workload keeps next to nothing live.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from mmbench.runfolder import RunData, number, numbers
from mmbench.stats import ratio_of_means_ci

REFERENCE = "glibc"

# RSS counts whole pages: live data under one (4 KiB) is below what it
# resolves, and RSS over it is the harness's own footprint over next to nothing.
MIN_LIVE_KIB = 4.0

# Why a row's speed figures are not applicable, by headline (summary.py).
UNTIMED = {"footprint": "footprint", "frame_time": "fixed rate"}

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
    rel: float | None               # throughput relative to the reference strategy's
    rel_low: float | None           # its 95% interval, None if unbounded or unknown
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
    na: dict = field(default_factory=dict)  # figure name -> why it is not applicable
    runtime: str | None = None      # c++ | jvm | go | programs (summary.py)
    gc_collections: float | None = None  # a collector's collections in the measured span

    @property
    def few_collections(self) -> bool:
        return few_collections(self.gc_collections, self.iterations, self.headline)

    @property
    def has_gc(self) -> bool:
        return self.gc_pauses is not None or self.gc_max_ns is not None


def few_collections(collections: float | None, passes: float | None, headline: str) -> bool:
    """A collector that collected less often than once per measured pass: at its heap
    most passes saw no collection, and the figure is mostly the cost of allocating."""
    return (collections is not None and passes is not None and headline != "footprint"
            and collections < passes)


def _throughput_samples(row: dict) -> list[float]:
    samples = numbers(row.get("throughput_samples"))
    if not samples and number(row.get("throughput_per_s")) is not None:
        samples = [number(row.get("throughput_per_s"))]
    return samples


def _relative(data: RunData, row: dict) -> tuple[float | None, float | None, float | None]:
    """(ratio to the reference, 95% low, high) of an ok throughput row."""
    if number(row.get("ratio_vs_ref")) is not None:
        # Paired by round (summary.py): drift between rounds cancels.
        return (number(row.get("ratio_vs_ref")), number(row.get("ratio_ci95_lo")),
                number(row.get("ratio_ci95_hi")))
    reference = data.find(row["workload"], REFERENCE)
    if reference is not None and reference.get("status") == "ok":
        # A run folder from before paired ratios: independent samples (Fieller).
        ci = ratio_of_means_ci(_throughput_samples(row), _throughput_samples(reference))
        if ci is not None:
            return ci.ratio, ci.low, ci.high
    return None, None, None


def not_applicable(headline: str, live_kib: float | None) -> dict[str, str]:
    """The figures of a row that make no sense, and why."""
    na = {}
    if headline in UNTIMED:
        na.update(throughput=UNTIMED[headline], rel=UNTIMED[headline])
    if live_kib is not None and live_kib < MIN_LIVE_KIB:
        na["rss_per_live"] = "no live data"
    return na


def row_figures(data: RunData, row: dict) -> RowFigures:
    ok = row.get("status") == "ok"
    headline = str(row.get("headline") or "throughput")
    peak_kib, live_kib = number(row.get("peak_rss_kib")), number(row.get("live_kib"))
    na = not_applicable(headline, live_kib)
    timed = ok and "throughput" not in na
    rel, rel_low, rel_high = _relative(data, row) if timed else (None, None, None)
    throughput = number(row.get("throughput_per_s"))
    if throughput is None and numbers(row.get("throughput_samples")):
        throughput = statistics.median(numbers(row.get("throughput_samples")))
    reps = number(row.get("reps"))

    def figure(key):
        return number(row.get(key)) if ok else None
    return RowFigures(
        workload=row["workload"], strategy=row["strategy"], status=str(row.get("status")),
        ok=ok, deliberate_leak=bool(row.get("deliberate_leak")),
        unit=str(row.get("unit") or "unit"), reps=int(reps) if reps is not None else None,
        throughput=throughput if timed else None, rel=rel, rel_low=rel_low, rel_high=rel_high,
        wall_s=figure("wall_s"),
        peak_rss_mib=peak_kib / 1024 if ok and peak_kib is not None else None,
        live_mib=live_kib / 1024 if ok and live_kib is not None else None,
        rss_per_live=(peak_kib / live_kib if ok and peak_kib and live_kib
                      and "rss_per_live" not in na else None),
        latency_ns={name: figure(key) for name, key in LATENCY_KEYS},
        gc_pauses=figure("gc_pauses"), gc_p99_ns=figure("gc_pause_p99_ns"),
        gc_max_ns=figure("gc_pause_max_ns"), headline=headline, cv_wall=figure("cv_wall"),
        cpu_s=figure("cpu_s"), first_wall_s=figure("first_wall_s"),
        instrument_share=figure("instrument_share"),
        timed_share=figure("timed_iteration_share"),
        disturbed_reps=int(number(row.get("disturbed_reps")) or 0),
        excluded_reps=int(number(row.get("excluded_reps")) or 0),
        reruns=int(number(row.get("reruns")) or 0),
        iterations=figure("iterations_per_run"), na=na, runtime=row.get("runtime"),
        gc_collections=figure("gc_collections"),
    )


def all_figures(data: RunData) -> list[RowFigures]:
    return [row_figures(data, r) for r in data.rows]
