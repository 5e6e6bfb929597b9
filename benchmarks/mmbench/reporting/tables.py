"""Result tables: a neutral model (Table/Cell) rendered as Markdown and CSV
(html.py renders the same model). Numbers carry 3 significant digits; each
column's best value among rows with status ok is marked.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from mmbench import hgrm
from mmbench.fmt import DASH, duration_unit, format_duration, round3, si, sig3
from mmbench.reporting import machines  # cluster: per-machine tables of a merge
from mmbench.reporting.figures import REFERENCE, RowFigures, all_figures
from mmbench.runfolder import RunData, machine_line, manifest_items, number


def _spans_decades(values_ns: list[float | None], decades: int = 3) -> bool:
    present = [v for v in values_ns if v is not None and v > 0]
    return bool(present) and max(present) / min(present) > 10 ** decades


@dataclass
class Cell:
    text: str
    value: float | None = None
    best: bool = False


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    anchor: str = ""
    notes: list[str] = field(default_factory=list)


def _mark_best(rows: list[list[Cell]], column: int, higher_is_better: bool,
               eligible: list[bool]) -> None:
    values = [(r[column].value, i) for i, r in enumerate(rows)
              if eligible[i] and r[column].value is not None]
    if len(values) < 2:
        return
    best = max(v for v, _ in values) if higher_is_better else min(v for v, _ in values)
    for v, i in values:
        if v == best:
            rows[i][column].best = True


def _count(x: float | None) -> str:
    if x is None:
        return DASH
    return str(int(x)) if float(x).is_integer() else sig3(x)


def _rel_text(f: RowFigures) -> str:
    if f.headline == "footprint":
        return "n/a (footprint)"
    if f.headline == "frame_time":
        return "n/a (fixed rate)"
    if f.rel is None:
        return DASH
    if f.strategy == REFERENCE:
        return "1 (reference)"
    if f.rel_low is None or f.rel_high is None:
        return f"{sig3(f.rel)}× [CI n/a]"
    return f"{sig3(f.rel)}× [{sig3(f.rel_low)}, {sig3(f.rel_high)}]"


def workload_table(figs: list[RowFigures]) -> Table:
    """One workload's rows: throughput, RSS, latency percentiles, GC pauses."""
    workload = figs[0].workload
    leak = any(f.deliberate_leak for f in figs)
    unit = figs[0].unit
    lat_names = [name for name in figs[0].latency_ns]
    lat_units = {name: duration_unit([f.latency_ns[name] for f in figs]) for name in lat_names}
    # A column spanning more than three decades (a 30 ns drop beside 90 ms ones)
    # reads better with a unit in every cell than as 0.0000300 ms.
    per_cell = {name for name in lat_names if _spans_decades([f.latency_ns[name] for f in figs])}
    has_gc = any(f.has_gc for f in figs)
    gc_unit = duration_unit([f.gc_p99_ns for f in figs] + [f.gc_max_ns for f in figs])

    wall_unit = duration_unit([f.wall_s * 1e9 if f.wall_s is not None else None for f in figs])
    speed = figs[0].headline == "throughput"
    headers = ["strategy", "status", f"throughput ({unit}/s)", "vs glibc [95% CI]", "CV",
               f"wall ({wall_unit[0]})",
               "peak RSS (MiB)", "RSS/live"]
    headers += [n if n in per_cell else f"{n} ({lat_units[n][0]})" for n in lat_names]
    if has_gc:
        headers += ["GC pauses", f"GC p99 ({gc_unit[0]})", f"GC max ({gc_unit[0]})"]
    # (column index, higher is better) of columns that get a best mark; a
    # footprint or fixed-rate row has no speed to rank.
    ranked = ([(2, True), (3, True), (5, False)] if speed else []) + [(6, False), (7, False)]
    ranked += [(8 + i, False) for i in range(len(lat_names))]
    if has_gc:
        ranked += [(8 + len(lat_names) + 1, False), (8 + len(lat_names) + 2, False)]

    rows = []
    for f in figs:
        status = f.status + (", deliberate leak" if f.deliberate_leak else "")
        if not f.ok:
            rows.append([Cell(f.strategy), Cell(status)] + [Cell(DASH)] * (len(headers) - 2))
            continue
        row = [Cell(f.strategy), Cell(status),
               Cell(si(f.throughput), f.throughput) if speed else Cell(DASH),
               Cell(_rel_text(f), f.rel),
               Cell(f"{100 * f.cv_wall:.1f}%" if f.cv_wall is not None else DASH, f.cv_wall),
               Cell(sig3(f.wall_s * 1e9 / wall_unit[1]) if f.wall_s is not None else DASH,
                    f.wall_s),
               Cell(sig3(f.peak_rss_mib), f.peak_rss_mib),
               Cell(sig3(f.rss_per_live), f.rss_per_live)]
        for n in lat_names:
            v = f.latency_ns[n]
            text = (format_duration(v) if n in per_cell else sig3(v / lat_units[n][1])) \
                if v is not None else DASH
            row.append(Cell(text, v))
        if has_gc:
            row.append(Cell(_count(f.gc_pauses)))
            for v in (f.gc_p99_ns, f.gc_max_ns):
                row.append(Cell(sig3(v / gc_unit[1]) if v is not None else DASH, v))
        rows.append(row)
    eligible = [f.ok for f in figs]
    for column, higher in ranked:
        _mark_best(rows, column, higher, eligible)

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
                rel_row.append(Cell(sig3(v), v) if first_value else Cell(DASH))
                rss_row.append(Cell(sig3(f.peak_rss_mib), f.peak_rss_mib))
        if first_value is None:  # footprint: the RSS row alone
            rss_row[0] = rel_row[0]
            rss_row[0].text += " (footprint)"
            rows.append(rss_row)
            vals = [c.value for c in rss_row[2:] if c.value is not None]
            if len(vals) >= 2:
                for c in rss_row[2:]:
                    c.best = c.value == min(vals)
            continue
        higher_first = headline == "throughput"
        # strategies are columns here, so the best is marked within each row
        for row, higher in ((rel_row, higher_first), (rss_row, False)):
            vals = [c.value for c in row[2:] if c.value is not None]
            if len(vals) >= 2:
                best = max(vals) if higher else min(vals)
                for c in row[2:]:
                    c.best = c.value == best
        rows += [rel_row, rss_row]
    notes = ["throughput ×: throughput relative to glibc, the median of the ratios "
             "within each round (higher is better); frame p99 ms: the fixed-rate loop's "
             "frame-time p99 (its throughput is the same 1 kHz everywhere; lower is better); "
             "footprint: the empty workload, i.e. the harness's own memory per strategy (no "
             "speed ratio: it does no work to speak of); "
             "peak RSS: median over repetitions of the worker's ru_maxrss (lower is better)."]
    return Table("Overview", ["workload", "figure"] + strategies, rows, anchor="overview",
                 notes=notes)


def _lbo_text(row: dict, which: str) -> str:
    v = number(row.get("lbo_" + which))
    if v is None:
        return DASH
    lo, hi = number(row.get(f"lbo_{which}_lo")), number(row.get(f"lbo_{which}_hi"))
    if lo is None or hi is None:
        return f"{sig3(v)} [CI n/a]"
    return f"{sig3(v)} [{sig3(lo)}, {sig3(hi)}]"


def retained_after_drain(row: dict) -> tuple[float | None, float | None]:
    """(RSS 1 s into the drain phase, in KiB; its share of the peak RSS), or
    (None, None) where the drain did not run."""
    kib = number(row.get("drain_rss_1s_kib"))
    peak = number(row.get("peak_rss_kib"))
    if kib is None:
        return None, None
    return kib, (kib / peak if peak else None)


def verdict_table(data: RunData, figs: list[RowFigures]) -> Table:
    """Per workload and strategy, the figures that decide between strategies:
    lower-bound overhead (wall, CPU), peak RSS over live data, memory retained
    after the drain phase, worst stall and MMU at 10 ms; the best in each
    column within a workload is marked."""
    headers = ["workload", "strategy", "LBO wall [95% CI]", "LBO CPU [95% CI]", "RSS/live",
               "retained after drain", "worst stall", "MMU@10ms"]
    ranked = [(2, False), (3, False), (4, False), (5, False), (6, False), (7, True)]
    by_key = {(f.workload, f.strategy): f for f in figs}
    rows: list[list[Cell]] = []
    for w in data.workloads():
        group = []
        for row in data.rows_of(w):
            f = by_key.get((w, row["strategy"]))
            if f is None or not f.ok:
                continue
            headline = str(row.get("headline") or "throughput")
            if headline == "throughput":
                lbo_cells = [Cell(_lbo_text(row, "wall"), number(row.get("lbo_wall"))),
                             Cell(_lbo_text(row, "cpu"), number(row.get("lbo_cpu")))]
            else:
                why = "n/a (footprint)" if headline == "footprint" else "n/a (fixed rate)"
                lbo_cells = [Cell(why), Cell(why)]
            kib, share = retained_after_drain(row)
            retained = (Cell(f"{sig3(kib / 1024)} MiB"
                             + (f" ({100 * share:.0f}%)" if share is not None else ""), share)
                        if kib is not None else Cell("not measured"))
            stalls = [v for v in (f.latency_ns.get("max"), f.gc_max_ns) if v is not None]
            stall = max(stalls) if stalls else None
            mmu10 = number(row.get("mmu_10ms"))
            group.append([Cell(w + (" (leak)" if f.deliberate_leak else "")), Cell(f.strategy)]
                         + lbo_cells
                         + [Cell(sig3(f.rss_per_live), f.rss_per_live), retained,
                            Cell(format_duration(stall), stall),
                            Cell(sig3(mmu10), mmu10) if mmu10 is not None else Cell(DASH)])
        for column, higher in ranked:
            _mark_best(group, column, higher, [True] * len(group))
        rows += group
    notes = [
        "LBO: lower-bound overhead (Cai, Blackburn, Bond and Maas, ISPASS 2022): the "
        "strategy's total cost of one steady-state pass over the minimum distilled cost "
        "(MDC), minus 1; 0 is the cheapest run, 0.5 means at least 50% more time than the "
        "cheapest memory management seen here. Distilled cost = total minus the time spent "
        "in stop-the-world windows the strategy reports (Boehm); MDC = the smallest median "
        "distilled cost among all strategies of the workload, epsilon included when run. "
        "Wall: the pass's wall time; CPU: the process's CPU time of all threads. 95% CI: "
        "percentile bootstrap over repetitions (fixed seed). Throughput workloads only.",
        "What the bound says: no strategy run here could cut the cost below MDC by managing "
        "memory differently (short of doing the mutator's own work faster), so LBO is a "
        "floor on what memory management costs this strategy. What it does not say: it is "
        "not the strategy's whole cost; work done concurrently, inside allocation and free "
        "calls, in write barriers or through worse locality stays in the distilled cost and "
        "so in MDC, which makes the bound lower than the true overhead. It is relative to "
        "the strategies run: without epsilon, MDC comes from a real allocator. It says "
        "nothing of memory: epsilon's cost is its RSS, hence RSS/live beside it.",
        "RSS/live: median peak RSS (ru_maxrss) over the workload's live data at its peak. "
        "Retained after drain: RSS 1 s after the workload released everything, and its share "
        "of peak RSS, from `mmbench run --drain` (plots/retained_rss also shows the RSS "
        "after the strategy's own release call); 'not measured' otherwise. "
        "Worst stall: the longer of the slowest unit of work and the longest GC pause. "
        "MMU@10ms: minimum mutator utilization over 10 ms windows from the stop-the-world "
        "windows (Cheng and Blelloch, PLDI 2001), worst repetition; only for strategies that "
        "report such windows (the Boehm variants); others' stalls show in the worst stall.",
        "Bold: the best value in its column within the workload (lowest, highest for MMU).",
    ]
    return Table("Verdict", headers, rows, anchor="verdict", notes=notes)


def _counter_text(name: str, v: float) -> str:
    # Counters named *_ns are durations; the rest are counts or sizes.
    return format_duration(v) if name.endswith("_ns") else _count(v)


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


def _share(x: float | None) -> str:
    return DASH if x is None else f"{100 * x:.2f}%"


def measurement_table(figs: list[RowFigures]) -> Table:
    """How each figure was obtained and how much to trust it (docs/reproducibility.md)."""
    headers = ["workload", "strategy", "reps", "CV", "iterations/run", "first iteration",
               "steady iteration", "CPU/iteration", "clock share (figure)",
               "clock share (timed iteration)", "disturbed reps", "left out", "re-runs"]
    rows = []
    for f in figs:
        if not f.ok:
            continue
        rows.append([Cell(f.workload), Cell(f.strategy), Cell(_count(f.reps)),
                     Cell(f"{100 * f.cv_wall:.1f}%" if f.cv_wall is not None else DASH),
                     Cell(_count(f.iterations)),
                     Cell(format_duration(f.first_wall_s * 1e9) if f.first_wall_s else DASH),
                     Cell(format_duration(f.wall_s * 1e9) if f.wall_s else DASH),
                     Cell(format_duration(f.cpu_s * 1e9) if f.cpu_s else DASH),
                     Cell(_share(f.instrument_share)), Cell(_share(f.timed_share)),
                     Cell(str(f.disturbed_reps)), Cell(str(f.excluded_reps)),
                     Cell(str(f.reruns))])
    notes = ["CV: coefficient of variation of the figure's time over repetitions. "
             "iterations/run: the workload's passes in one process; the first is timed unit "
             "by unit (the latency figures) and is the warm-up; the figure is the median of "
             "the later, steady-state ones, run with the per-unit clock off. Workloads that "
             "cannot repeat (leak_exit, real_time_loop) run once, timed. "
             "clock share: the per-unit clock's calibrated cost (units x cost per timed unit) "
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


METHOD_NOTES = [
    "Throughput: work units per second of one steady-state iteration (the median of a "
    "process's iterations after the first, run with the per-unit clock off), median over "
    "repetitions; workloads that cannot repeat run once. See docs/reproducibility.md.",
    "vs glibc: the median of the per-round ratios (strategy / glibc in the same "
    "randomized round), with a distribution-free interval from order statistics (95% "
    "coverage from 6 rounds; with 5 rounds it is min-max, 94%); for run folders "
    "from before paired rounds, the ratio of mean throughputs with Fieller's interval. "
    "'CI n/a' means fewer than two repetitions or an unbounded interval.",
    "CV: coefficient of variation of the time over repetitions.",
    "Peak RSS: median over repetitions of the worker process's ru_maxrss (wait4); RSS/live is "
    "peak RSS over the workload's live data at its peak.",
    "Latency percentiles and GC pauses: from the histograms of all repetitions merged "
    "(HdrHistogram, ~3 significant digits); GC pauses is the median count per repetition.",
    "Bold: the best value in its column among rows with status ok.",
    "Verdict: lower-bound overhead (LBO) after Cai et al. (ISPASS 2022), for wall and CPU "
    "time: total / minimum distilled cost - 1, where the distilled cost leaves out only the "
    "stop-the-world time a strategy reports. It is a lower bound on the cost of memory "
    "management, never the full cost (concurrent and in-allocation work, barriers and "
    "locality stay in the distilled cost), and relative to the strategies run: run "
    "`epsilon` (never frees) to have the cheapest possible allocator among them. Read it "
    "beside RSS/live: epsilon buys its speed with memory. MMU: Cheng and Blelloch (PLDI "
    "2001), from the recorded stop-the-world windows over each run's whole span, exact; "
    "plots/mmu_<workload> shows MMU against the window size (1 ms to 1 s).",
]


# --- Markdown ---------------------------------------------------------------
def _md_escape(text: str) -> str:
    """Text from the run folder (folder name, argv, names, problems) as inert Markdown:
    no HTML, no table cell break, no line break (shown as a visible \\n)."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return text.replace("|", "\\|")


def table_markdown(t: Table) -> str:
    out = [f"## {t.title}", ""] if t.title else []
    out.append("| " + " | ".join(_md_escape(h) for h in t.headers) + " |")
    out.append("|" + "|".join(["---"] * 2 + ["---:"] * (len(t.headers) - 2)) + "|")
    for row in t.rows:
        cells = [f"**{_md_escape(c.text)}**" if c.best else _md_escape(c.text) for c in row]
        out.append("| " + " | ".join(cells) + " |")
    for n in t.notes:
        out += ["", n]
    return "\n".join(out) + "\n"


def configuration_items(data: RunData) -> list[tuple[str, str]]:
    return manifest_items(data.manifest)


# What a reader needs to reproduce or judge a table, in this order; the whole
# manifest follows in an appendix.
HEADLINE_ITEMS = [
    ("machine", ("machine.cpu_model", "machine.cores", "machine.total_memory_kib")),
    ("kernel", ("machine.kernel",)),
    ("compiler", ("compiler.version", "compiler.flags")),
    ("Google Benchmark", ("versions.google_benchmark",)),
    ("Boehm GC", ("versions.boehm_gc",)),
    ("mimalloc", ("versions.mimalloc",)),
    ("jemalloc", ("versions.jemalloc",)),
    ("glibc", ("versions.glibc",)),
    ("git revision", ("git.revision", "git.dirty")),
    ("run", ("started", "finished", "state")),
    ("size, reps, threads, seed", ("options.size", "options.reps", "options.threads",
                                   "options.seed")),
    ("strategies", ("plan.strategies",)),
    ("command", ("argv",)),
]


def headline_items(data: RunData) -> list[tuple[str, str]]:
    flat = dict(configuration_items(data))
    out = []
    for label, keys in HEADLINE_ITEMS:
        values = []
        for k in keys:
            if k not in flat:
                continue
            v = flat[k]
            if k == "machine.cores":
                v = f"{v} cores"
            elif k == "machine.total_memory_kib":
                v = f"{float(v) / 1048576:.1f} GiB" if v.replace(".", "").isdigit() else v
            elif k == "git.dirty":
                v = "(uncommitted changes)" if v.lower() == "true" else ""
            values.append(v)
        values = [v for v in values if v]
        if values:
            out.append((label, ", ".join(values)))
    return out


def results_markdown(tables: list[Table], overview_last: bool = False) -> str:
    """The result tables; with overview_last, the overview closes the text (terminal)."""
    ordered = list(tables)
    if overview_last and ordered and ordered[0].anchor == "overview":
        ordered = ordered[1:] + ordered[:1]
    return "\n".join(table_markdown(t) for t in ordered)


def report_markdown(data: RunData, tables: list[Table]) -> str:
    out = [f"# mmbench report: {_md_escape(data.run_dir.name)}", "",
           _md_escape(machine_line(data)), ""]
    headline = headline_items(data)
    if headline:
        out += ["## Machine and configuration", "", "| | |", "|---|---|"]
        out += [f"| {_md_escape(k)} | {_md_escape(v)} |" for k, v in headline]
        out += ["", "Full configuration, every tuning variable included: see the appendix.", ""]
    if not data.rows:
        out += ["No result rows could be read from this run folder.", ""]
    out.append(results_markdown(tables))
    out += ["## Method", ""] + [f"- {n}" for n in METHOD_NOTES] + [""]
    if data.problems:
        out += ["## Input problems", ""] + [f"- {_md_escape(p)}" for p in data.problems] + [""]
    items = configuration_items(data)
    if items:
        out += ["## Appendix: full configuration (manifest.json)", "", "| key | value |",
                "|---|---|"]
        out += [f"| {_md_escape(k)} | {_md_escape(v)} |" for k, v in items]
        out.append("")
    return "\n".join(out)


# --- CSV --------------------------------------------------------------------
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
