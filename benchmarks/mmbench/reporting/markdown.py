"""report.md: the result tables as Markdown, headed by the machine and the
configuration, with the method and the full manifest after them."""

from __future__ import annotations

from mmbench import fmt
from mmbench.fmt import DASH, NA
from mmbench.reporting.model import Table
from mmbench.runfolder import RunData, machine_line

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
    "Peak RSS: median over repetitions of the worker process's ru_maxrss (wait4); a process "
    "mapping shared memory, which RSS counts once per mapping, is measured by its sampled "
    "peak Pss (smaps_rollup) instead. RSS/live is peak RSS over the workload's live data at "
    "its peak.",
    "Latency percentiles and GC pauses: from the histograms of all repetitions merged "
    "(HdrHistogram, ~3 significant digits); GC pauses is the median count per repetition.",
    "Bold: the best value in its column among rows with status ok. "
    f"{DASH}: a figure not measured or not readable; {NA}: a figure that does not apply "
    "(a speed figure of a row whose point is not its speed, a ratio over no live data).",
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


def _md_escape(text: str) -> str:
    """Text from the run folder (folder name, argv, names, problems) as inert Markdown:
    no HTML, no table cell break, no line break (shown as a visible \\n)."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return text.replace("|", "\\|")


def pipe_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A pipe table of plain strings (cells as given), then a blank line."""
    def line(cells) -> str:
        return "| " + " | ".join(cells) + " |"
    return [line(header), line(["---"] * len(header))] + [line(r) for r in rows] + [""]


def table_lines(t: Table, padded: bool = False, text_columns: int = 2) -> list[str]:
    """The table's Markdown lines: its first text_columns columns left-aligned,
    the rest right; padded, every column as wide as its widest cell, so it reads
    as plain text in a terminal too."""
    body = [[f"**{_md_escape(c.text)}**" if c.best else _md_escape(c.text) for c in row]
            for row in t.rows]
    header = [_md_escape(h) for h in t.headers]
    widths = [max(len(x) for x in col) if padded else 0 for col in zip(header, *body)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) if i < text_columns else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    # Padded: the rule as wide as the cells with their spaces; else the shortest.
    rule = "|" + "|".join(("-" * (w + 2) if padded else "---") if i < text_columns else
                          ("-" * (w + 1) if padded else "---") + ":"
                          for i, w in enumerate(widths)) + "|"
    return [line(header), rule] + [line(cells) for cells in body]


def table_markdown(t: Table) -> str:
    out = [f"## {t.title}", ""] if t.title else []
    out += table_lines(t)
    for n in t.notes:
        out += ["", n]
    return "\n".join(out) + "\n"


def manifest_items(manifest: dict) -> list[tuple[str, str]]:
    """The manifest's scalar leaves (and short lists) as (dotted key, text)."""
    items = []
    for key, v in fmt.flatten(manifest):
        if isinstance(v, list):
            if len(v) > 12 or any(isinstance(x, (dict, list)) for x in v):
                continue
            v = ", ".join(str(x) for x in v)
        if v is None or v == "":
            continue
        text = str(v)
        if len(text) > 200:
            text = text[:197] + "..."
        items.append((key, text))
    return items


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


def report_markdown(data: RunData, tables: list[Table], state: str = "") -> str:
    """state: the line saying the run is partial (runstate.py), "" for a finished one."""
    out = [f"# mmbench report: {_md_escape(data.run_dir.name)}", "",
           _md_escape(machine_line(data)), ""]
    if state:
        out += [f"**{_md_escape(state[0].upper() + state[1:])}.**", ""]
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
