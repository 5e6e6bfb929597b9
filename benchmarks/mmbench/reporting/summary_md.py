"""summary.md and the table `mmbench run` prints: the summary rows in one
padded Markdown table (it reads as plain text in a terminal too), with the
warnings a reader needs before trusting a figure."""

from __future__ import annotations

from pathlib import Path

from mmbench import fmt
from mmbench.fmt import DASH, format_duration, format_kib
from mmbench.reporting.figures import REFERENCE, RowFigures, row_figures
from mmbench.reporting.markdown import table_lines
from mmbench.reporting.model import Cell, Table, ratio_text
from mmbench.runfolder import RunData

HEADERS = ["workload", "strategy", "status", "throughput", f"{fmt.TIMES} {REFERENCE} [95% CI]",
           "CV", "wall", "peak RSS", "live", "p50", "p99", "p99.9", "max", "GC pauses",
           "GC p99", "GC max"]
# Figures above this coefficient of variation over repetitions get a warning.
NOISY_CV = 0.05

NOTES = (
    "throughput: median over repetitions of units / wall time of one steady-state "
    "iteration (per-unit clock off; the median of the process's repeated iterations); "
    f"{fmt.TIMES} {REFERENCE}: median of the per-round ratios to {REFERENCE}, with an "
    "order-statistics interval (95% coverage from 6 rounds; with 5, min-max at 94%); "
    "CV: coefficient of variation of the time over repetitions; "
    "baseline is the harness's footprint and real_time_loop runs at a fixed rate (read its "
    f"frame-time percentiles): their speed figures are {fmt.NA}; "
    "peak RSS: median of the worker's wait4 ru_maxrss (its Pss for a process mapping "
    "shared memory, where RSS counts a page once per mapping); "
    "live: the workload's peak reachable data; latencies: per unit of work, all "
    "repetitions merged; `(leaks)`: the workload leaks on purpose under this strategy; "
    f"{DASH}: not measured.")


def _throughput_text(f: RowFigures) -> str:
    if f.ok and "throughput" in f.na:
        return fmt.not_applicable(f.na["throughput"])
    return f"{fmt.si(f.throughput)} {f.unit}/s" if f.throughput is not None else DASH


def _cells(f: RowFigures) -> list[str]:
    lat = f.latency_ns
    return [f.workload, f.strategy + (" (leaks)" if f.deliberate_leak else ""), f.status,
            _throughput_text(f), ratio_text(f), fmt.percent(f.cv_wall),
            format_duration(f.wall_s * 1e9 if f.wall_s is not None else None),
            format_kib(f.peak_rss_mib * 1024 if f.peak_rss_mib is not None else None),
            format_kib(f.live_mib * 1024 if f.live_mib is not None else None),
            format_duration(lat["p50"]), format_duration(lat["p99"]),
            format_duration(lat["p99.9"]), format_duration(lat["max"]),
            fmt.si(f.gc_pauses), format_duration(f.gc_p99_ns), format_duration(f.gc_max_ns)]


def summary_table(rows: list[dict]) -> Table:
    data = RunData(Path("."), rows=rows)
    return Table("", HEADERS, [[Cell(c) for c in _cells(row_figures(data, r))] for r in rows])


def markdown_table(rows: list[dict]) -> str:
    return "\n".join(table_lines(summary_table(rows), padded=True, text_columns=3)) + "\n"


def _cell_names(rows: list[dict]) -> str:
    return ", ".join(f'{r["workload"]}/{r["strategy"]}' for r in rows)


def _timed(row: dict) -> bool:
    return row.get("headline", "throughput") == "throughput"


def _kept_disturbed(row: dict) -> int:
    return (row.get("disturbed_reps") or 0) - (row.get("excluded_reps") or 0)


def _notices(rows: list[dict]) -> list[str]:
    """The paragraphs after the table: what is disturbed, noisy, refused or failed."""
    out = []
    kept = [r for r in rows if _kept_disturbed(r) > 0]
    if kept:
        out.append("WARNING: disturbed repetitions in the figures (a slow host, steal, "
                   "CPU or memory pressure or migrations beyond the limits even after "
                   "re-runs, and fewer than 3 undisturbed ones: the figures rest on the 3 "
                   "the host probe found least slowed down; see each run.json's noise): "
                   + ", ".join(f'{r["workload"]}/{r["strategy"]}: {_kept_disturbed(r)}'
                               for r in kept))
    left_out = sum(r.get("excluded_reps") or 0 for r in rows)
    if left_out:
        out.append(f"Note: {left_out} repetition(s) still disturbed after their re-runs "
                   "are left out of their cells' figures (Measurement table: left out).")
    noisy = [r for r in rows if (r.get("cv_wall") or 0) > NOISY_CV and _timed(r)]
    if noisy:
        out.append(f"WARNING: cells whose time varies by more than {fmt.percent(NOISY_CV, 0)} "
                   "over repetitions (CV): " + ", ".join(
                       f'{r["workload"]}/{r["strategy"]} {fmt.percent(r["cv_wall"])}'
                       for r in noisy))
    refused = [r for r in rows if r["status"] == "unsupported"]
    if refused:
        out.append("Unsupported (the strategy refuses the combination, e.g. a "
                   "single-threaded pmr resource under threads): " + _cell_names(refused))
    bad = [r for r in rows if r["status"] not in ("ok", "unsupported")]
    if bad:
        out.append("Not ok: " + "; ".join(
            f'{r["workload"]}/{r["strategy"]}: {r["status"]} (reps: {", ".join(r["rep_status"])})'
            for r in bad))
    return out


def _run_line(manifest: dict) -> str:
    opts, mach, git = (manifest.get(k, {}) for k in ("options", "machine", "git"))
    dirty = " (dirty)" if git.get("dirty") else ""
    return (f'size `{opts.get("size")}`, {opts.get("reps")} repetition(s), threads '
            f'{opts.get("threads")}, seed {opts.get("seed")}; {mach.get("cpu_model")}, '
            f'{mach.get("cores")} cores, kernel {mach.get("kernel")}; '
            f'git {(git.get("revision") or "?")[:12]}{dirty}\n')


def summary_markdown(rows: list[dict], manifest: dict | None) -> str:
    parts = ["# mmbench run summary\n"]
    if manifest:
        parts.append(_run_line(manifest))
    parts += [markdown_table(rows), f"\n{NOTES}\n"]
    parts += [f"\n{n}\n" for n in _notices(rows)]
    return "".join(parts)


def warnings(rows: list[dict]) -> list[str]:
    """One line per cell whose figure should not be trusted as it is."""
    out = []
    for r in rows:
        if _kept_disturbed(r) > 0:
            out.append(f'warning: {r["workload"]}/{r["strategy"]}: {_kept_disturbed(r)} '
                       "repetition(s) disturbed and kept in the figures (slow host, steal, "
                       "pressure or migrations; see run.json noise)")
        if (r.get("cv_wall") or 0) > NOISY_CV and _timed(r):
            out.append(f'warning: {r["workload"]}/{r["strategy"]} varies by '
                       f'{fmt.percent(r["cv_wall"])} (CV) over its repetitions')
    return out
