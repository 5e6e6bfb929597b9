"""The report's result tables, as the neutral model of model.py: the overview,
one table per workload with its own figures, and how each figure was measured.
Each column's best value among rows with status ok is marked; markdown.py,
html.py and csv_report.py render them.
"""

from __future__ import annotations

from mmbench import fmt, hgrm
from mmbench.fmt import DASH, duration_unit, format_duration, si, sig3
from mmbench.reporting import machines  # cluster: per-machine tables of a merge
from mmbench.reporting.figures import RowFigures, all_figures
from mmbench.reporting.model import (Cell, Table, count_text, duration_text, mark_best,
                                     mark_best_in_row, na_or, ratio_text)
from mmbench.reporting.verdict import verdict_table
from mmbench.runfolder import RunData


def _spans_decades(values_ns: list[float | None], decades: int = 3) -> bool:
    present = [v for v in values_ns if v is not None and v > 0]
    return bool(present) and max(present) / min(present) > 10 ** decades


class _Units:
    """The units of one workload table's columns, chosen from its rows."""

    def __init__(self, figs: list[RowFigures]):
        self.lat_names = list(figs[0].latency_ns)
        self.lat = {n: duration_unit([f.latency_ns[n] for f in figs]) for n in self.lat_names}
        # A column spanning more than three decades (a 30 ns drop beside 90 ms ones)
        # reads better with a unit in every cell than as 0.0000300 ms.
        self.per_cell = {n for n in self.lat_names
                         if _spans_decades([f.latency_ns[n] for f in figs])}
        self.has_gc = any(f.has_gc for f in figs)
        self.gc = duration_unit([f.gc_p99_ns for f in figs] + [f.gc_max_ns for f in figs])
        self.wall = duration_unit([f.wall_s * 1e9 if f.wall_s is not None else None
                                   for f in figs])

    def headers(self, unit: str) -> list[str]:
        out = ["strategy", "status", f"throughput ({unit}/s)", "vs glibc [95% CI]", "CV",
               f"wall ({self.wall[0]})", "peak RSS (MiB)", "RSS/live"]
        out += [n if n in self.per_cell else f"{n} ({self.lat[n][0]})" for n in self.lat_names]
        if self.has_gc:
            out += ["GC pauses", f"GC p99 ({self.gc[0]})", f"GC max ({self.gc[0]})"]
        return out

    def ranked(self, speed: bool) -> list[tuple[int, bool]]:
        """(column, higher is better) of the columns that get a best mark; a row
        without a speed figure has no speed to rank."""
        out = ([(2, True), (3, True), (5, False)] if speed else []) + [(6, False), (7, False)]
        out += [(8 + i, False) for i in range(len(self.lat_names))]
        if self.has_gc:
            out += [(9 + len(self.lat_names), False), (10 + len(self.lat_names), False)]
        return out

    def cells(self, f: RowFigures) -> list[Cell]:
        row = [Cell(na_or(f, "throughput", si(f.throughput)), f.throughput),
               Cell(ratio_text(f), f.rel),
               Cell(fmt.percent(f.cv_wall), f.cv_wall),
               Cell(sig3(f.wall_s * 1e9 / self.wall[1]) if f.wall_s is not None else DASH,
                    f.wall_s),
               Cell(sig3(f.peak_rss_mib), f.peak_rss_mib),
               Cell(na_or(f, "rss_per_live", sig3(f.rss_per_live)), f.rss_per_live)]
        for n in self.lat_names:
            v = f.latency_ns[n]
            text = format_duration(v) if n in self.per_cell else sig3(
                v / self.lat[n][1] if v is not None else None)
            row.append(Cell(text, v))
        if self.has_gc:
            row.append(Cell(count_text(f.gc_pauses)))
            for v in (f.gc_p99_ns, f.gc_max_ns):
                row.append(Cell(sig3(v / self.gc[1] if v is not None else None), v))
        return row


def workload_table(figs: list[RowFigures]) -> Table:
    """One workload's rows: throughput, RSS, latency percentiles, GC pauses."""
    workload, unit = figs[0].workload, figs[0].unit
    leak = any(f.deliberate_leak for f in figs)
    units = _Units(figs)
    headers = units.headers(unit)
    rows = []
    for f in figs:
        status = f.status + (", deliberate leak" if f.deliberate_leak else "")
        if f.ok:
            rows.append([Cell(f.strategy), Cell(status)] + units.cells(f))
        else:
            rows.append([Cell(f.strategy), Cell(status)] + [Cell(DASH)] * (len(headers) - 2))
    for column, higher in units.ranked(figs[0].headline == "throughput"):
        mark_best(rows, column, higher, [f.ok for f in figs])
    notes = []
    if leak:
        notes.append("Deliberate leak: this workload never frees by design; its RSS grows "
                     "with the work done and RSS/live is not a fragmentation figure.")
    failed = [f for f in figs if not f.ok]
    if failed:
        notes.append("No figures are claimed for rows whose status is not ok: " + ", ".join(
            f"{f.strategy} ({f.status})" for f in failed) + ".")
    title = f"{workload}" + (" (deliberate leak)" if leak else "")
    return Table(title, headers, rows, anchor=f"wl-{workload}", notes=notes)


# The overview's legend, one entry per kind of first figure (only those the
# table shows are explained).
OVERVIEW_LEGEND = (
    ("throughput", "throughput ×: throughput relative to glibc, the median of the ratios "
                   "within each round (higher is better)"),
    ("frame_time", "frame p99 ms: the fixed-rate loop's frame-time p99 (its throughput is "
                   "the same 1 kHz everywhere; lower is better)"),
    ("footprint", "footprint: the empty workload, i.e. the harness's own memory per strategy "
                  "(no speed ratio: it does no work to speak of)"),
)
# A collector whose heap held most passes without a collection.
FEW_COLLECTIONS_MARK = "°"
FEW_COLLECTIONS_NOTE = (
    f"{FEW_COLLECTIONS_MARK}: the collector ran fewer collections in the measured span than "
    "the run had passes, so most passes saw none: at this heap the figure is mostly the cost "
    "of allocating (the collection between passes is reported apart); `mmbench sweep` "
    "measures the collectors at multiples of their minimum heap.")
OVERVIEW_RSS_LEGEND = ("peak RSS: median over repetitions of the worker's ru_maxrss, or of its "
                       "Pss for a process mapping shared memory (lower is better)")


def overview_table(figs: list[RowFigures]) -> Table:
    """Workloads × strategies: throughput vs glibc and peak RSS, one cell each."""
    workloads, strategies = [], []
    for f in figs:
        if f.workload not in workloads:
            workloads.append(f.workload)
        if f.strategy not in strategies:
            strategies.append(f.strategy)
    by_key = {(f.workload, f.strategy): f for f in figs}
    rows = []
    for w in workloads:
        leak = any(by_key[(w, s)].deliberate_leak for s in strategies if (w, s) in by_key)
        headline = next(f.headline for f in figs if f.workload == w)
        # What the row's first figure is: a speed ratio only where speed is the point.
        first_label, first_value = {
            "throughput": ("throughput ×", lambda f: f.rel),
            "frame_time": ("frame p99 ms", lambda f: (f.latency_ns.get("p99") or 0) / 1e6
                           if f.latency_ns.get("p99") is not None else None),
        }.get(headline, (None, None))
        rel_row = [Cell(w + (" (leak)" if leak else "")), Cell(first_label or "")]
        rss_row = [Cell(""), Cell("peak RSS MiB")]
        for s in strategies:
            f = by_key.get((w, s))
            if f is None:
                rel_row.append(Cell(DASH))
                rss_row.append(Cell(DASH))
            elif not f.ok:
                rel_row.append(Cell(f.status))
                rss_row.append(Cell(f.status))
            else:
                v = first_value(f) if first_value else None
                mark = FEW_COLLECTIONS_MARK if f.few_collections and v is not None else ""
                rel_row.append(Cell(sig3(v) + mark, v) if first_value else Cell(fmt.NA))
                rss_row.append(Cell(sig3(f.peak_rss_mib), f.peak_rss_mib))
        if first_value is None:  # footprint: the RSS row alone
            rss_row[0] = rel_row[0]
            rss_row[0].text += " (footprint)"
            rows.append(rss_row)
            mark_best_in_row(rss_row, 2, False)
            continue
        higher_first = headline == "throughput"
        # strategies are columns here, so the best is marked within each row
        for row, higher in ((rel_row, higher_first), (rss_row, False)):
            mark_best_in_row(row, 2, higher)
        rows += [rel_row, rss_row]
    headlines = {f.headline for f in figs}
    legend = [text for headline, text in OVERVIEW_LEGEND if headline in headlines]
    notes = ["; ".join(legend + [OVERVIEW_RSS_LEGEND]) + "."]
    if any(f.ok and f.few_collections for f in figs):
        notes.append(FEW_COLLECTIONS_NOTE)
    runtimes = sorted({f.runtime for f in figs if f.runtime})
    if len(runtimes) > 1:
        notes.append(f"Runtimes side by side ({', '.join(runtimes)}): a ratio across "
                     "runtimes includes the language, its compiler and its runtime, not only "
                     "memory management; LBO (the verdict) compares strategies within one "
                     "runtime only.")
    return Table("Overview", ["workload", "figure"] + strategies, rows, anchor="overview",
                 notes=notes)


def _counter_text(name: str, v: float) -> str:
    # Counters named *_ns are durations; the rest are counts or sizes.
    return format_duration(v) if name.endswith("_ns") else count_text(v)


def workload_figures_table(data: RunData, workload: str) -> Table | None:
    """The workload's own figures (deadline misses, hits, leaked bytes, ...:
    medians over repetitions) and, for open-loop workloads, latency corrected
    for coordinated omission, per strategy."""
    rows_in = [r for r in data.rows_of(workload) if r.get("status") == "ok"]
    names = sorted({k for r in rows_in for k in (r.get("counters") or {})})
    corrected = {}
    for r in rows_in:
        merged = hgrm.merged_latency(data.details(r), hgrm.corrected_latency_of)
        if merged.count:
            corrected[r["strategy"]] = merged
    if not names and not corrected:
        return None
    headers = ["strategy"] + names
    if corrected:
        headers += ["corrected p99", "corrected max"]
    rows = []
    for r in rows_in:
        counters = r.get("counters") or {}
        row = [Cell(r["strategy"])]
        for n in names:
            v = counters.get(n)
            row.append(Cell(_counter_text(n, v) if v is not None else DASH, v))
        if corrected:
            m = corrected.get(r["strategy"])
            for p in (99, 100):
                v = m.value_at(p) if m else None
                row.append(Cell(format_duration(v) if v is not None else DASH, v))
        rows.append(row)
    notes = ["Medians over repetitions of the workload's own counters (see its page in "
             "docs/workloads/)."]
    if corrected:
        notes.append("Corrected latency: from each unit's intended start time (open loop), "
                     "so a stall also counts against the units it delayed (coordinated "
                     "omission, as HdrHistogram's corrected recording).")
    return Table(f"{workload}: workload figures", headers, rows,
                 anchor=f"wl-{workload}-figures", notes=notes)


def measurement_table(figs: list[RowFigures]) -> Table:
    """How each figure was obtained and how much to trust it (docs/reproducibility.md)."""
    headers = ["workload", "strategy", "reps", "CV", "iterations/run", "first iteration",
               "steady iteration", "CPU/iteration", "clock share (figure)",
               "clock share (timed iteration)", "disturbed reps", "left out", "re-runs"]
    rows = []
    for f in figs:
        if not f.ok:
            continue
        rows.append([Cell(f.workload), Cell(f.strategy), Cell(count_text(f.reps)),
                     Cell(fmt.percent(f.cv_wall)),
                     Cell(count_text(f.iterations)),
                     Cell(duration_text(f.first_wall_s)), Cell(duration_text(f.wall_s)),
                     Cell(duration_text(f.cpu_s)),
                     Cell(fmt.percent(f.instrument_share, 2)),
                     Cell(fmt.percent(f.timed_share, 2)),
                     Cell(str(f.disturbed_reps)), Cell(str(f.excluded_reps)),
                     Cell(str(f.reruns))])
    notes = ["CV: coefficient of variation of the figure's time over repetitions. "
             "iterations/run: the workload's passes in one process; the first is timed unit "
             "by unit (the latency figures) and is the warm-up (the JVM worker runs untimed "
             "warm-up passes before it, in every workload but leak_exit: the JIT's warm-up "
             "stays out of its latencies); the figure is the median of "
             "the later, steady-state ones, run with the per-unit clock off. Workloads that "
             "cannot repeat (leak_exit, real_time_loop) run once, timed. "
             "clock share: the per-unit clock's calibrated cost (units × cost per timed unit) "
             "as a share of the figure and of the timed iteration. "
             "disturbed reps: repetitions whose final attempt still saw a slow host (host "
             "probe), steal, CPU or memory pressure or migrations beyond the limits; left "
             "out: those of them kept out of the cell's figures (while 3 or more undisturbed "
             "ones remain); re-runs: disturbed attempts re-run."]
    return Table("Measurement", headers, rows, anchor="measurement", notes=notes)


def build_tables(data: RunData) -> list[Table]:
    figs = all_figures(data)
    tables = [overview_table(figs), verdict_table(data, figs)] if figs else []
    for w in data.workloads():
        tables.append(workload_table([f for f in figs if f.workload == w]))
        extra = workload_figures_table(data, w)
        if extra is not None:
            tables.append(extra)
    if any(f.iterations is not None for f in figs):  # runs from before the protocol lack it
        tables.append(measurement_table(figs))
    tables += machines.tables(data)  # cluster: per-machine tables of a merge (machines.py)
    return tables
