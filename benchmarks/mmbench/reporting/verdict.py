"""The verdict table: per workload and strategy, the figures that decide
between strategies (lower-bound overhead, RSS over live data, memory retained
after the drain phase, worst stall, MMU)."""

from __future__ import annotations

from mmbench import fmt
from mmbench.fmt import DASH, format_duration, sig3
from mmbench.reporting.figures import MIN_LIVE_KIB, RowFigures
from mmbench.reporting.model import Cell, Table, interval_text, mark_best, na_or
from mmbench.runfolder import RunData, number

HEADERS = ["workload", "strategy", "LBO wall [95% CI]", "LBO CPU [95% CI]", "RSS/live",
           "retained after drain", "worst stall", "MMU@10ms"]
# (column, higher is better) of the columns whose best value is marked.
RANKED = [(2, False), (3, False), (4, False), (5, False), (6, False), (7, True)]


def retained_after_drain(row: dict) -> tuple[float | None, float | None]:
    """(RSS 1 s into the drain phase, in KiB; its share of the peak RSS), or
    (None, None) where the drain did not run."""
    kib = number(row.get("drain_rss_1s_kib"))
    peak = number(row.get("peak_rss_kib"))
    if kib is None:
        return None, None
    return kib, (kib / peak if peak else None)


def _lbo_cells(row: dict, f: RowFigures) -> list[Cell]:
    if "throughput" in f.na:
        return [Cell(fmt.not_applicable(f.na["throughput"]))] * 2
    if row.get("lbo_alone"):
        return [Cell(fmt.not_applicable(row["lbo_alone"]))] * 2
    cells = []
    for which in ("wall", "cpu"):
        v = number(row.get("lbo_" + which))
        cells.append(Cell(interval_text(v, number(row.get(f"lbo_{which}_lo")),
                                        number(row.get(f"lbo_{which}_hi"))), v))
    return cells


def _retained_cell(row: dict) -> Cell:
    kib, share = retained_after_drain(row)
    if kib is None:
        return Cell("not measured")
    text = f"{sig3(kib / 1024)} MiB" + (f" ({fmt.percent(share, 0)})" if share is not None
                                        else "")
    return Cell(text, share)


def verdict_row(row: dict, f: RowFigures) -> list[Cell]:
    stalls = [v for v in (f.latency_ns.get("max"), f.gc_max_ns) if v is not None]
    stall = max(stalls) if stalls else None
    mmu10 = number(row.get("mmu_10ms"))
    return ([Cell(f.workload + (" (leak)" if f.deliberate_leak else "")), Cell(f.strategy)]
            + _lbo_cells(row, f)
            + [Cell(na_or(f, "rss_per_live", sig3(f.rss_per_live)), f.rss_per_live),
               _retained_cell(row), Cell(format_duration(stall), stall),
               Cell(sig3(mmu10), mmu10) if mmu10 is not None else Cell(DASH)])


def verdict_table(data: RunData, figs: list[RowFigures]) -> Table:
    """The verdict's rows, ok rows only; the best in each column within a
    workload is marked."""
    by_key = {(f.workload, f.strategy): f for f in figs}
    rows: list[list[Cell]] = []
    for w in data.workloads():
        group = [verdict_row(row, by_key[(w, row["strategy"])]) for row in data.rows_of(w)
                 if by_key.get((w, row["strategy"])) and by_key[(w, row["strategy"])].ok]
        for column, higher in RANKED:
            mark_best(group, column, higher)
        rows += group
    return Table("Verdict", HEADERS, rows, anchor="verdict", notes=NOTES)


NOTES = [
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
    "RSS/live: median peak RSS (ru_maxrss; Pss for a process mapping shared memory) over "
    "the workload's live data at its peak; "
    f"n/a where the workload keeps less than a page ({MIN_LIVE_KIB:.0f} KiB) live, below "
    "what RSS resolves. "
    "Retained after drain: RSS 1 s after the workload released everything, and its share "
    "of peak RSS, from `mmbench run --drain` (plots/retained_rss also shows the RSS "
    "after the strategy's own release call); 'not measured' otherwise. "
    "Worst stall: the longer of the slowest unit of work and the longest GC pause. "
    "MMU@10ms: minimum mutator utilization over 10 ms windows from the stop-the-world "
    "windows (Cheng and Blelloch, PLDI 2001), worst repetition; only for strategies that "
    "report such windows (the collectors: Boehm, the JVM's, Go's); others' stalls show "
    "in the worst stall.",
    "Bold: the best value in its column within the workload (lowest, highest for MMU).",
]
