"""sweep.md and sweep.csv of `mmbench sweep`, from sweep.json alone, with the
report's conventions (mmbench.fmt): — for a figure not measured, n/a where
none makes sense, × on ratios and multiples."""

from __future__ import annotations

import csv
import io
import statistics

from mmbench import fmt
from mmbench.experiments import hertz_berger
from mmbench.fmt import DASH, NA, TIMES
from mmbench.reporting.markdown import pipe_table

CSV_COLUMNS = ["workload", "strategy", "label", "runtime", "series", "multiple", "gogc",
               "heap_bytes", "status", "reps", "wall_s", "throughput_per_s",
               "time_vs_best_manual", "time_vs_best_manual_ci95_low",
               "time_vs_best_manual_ci95_high", "peak_rss_kib", "live_kib", "rss_multiple",
               "lbo_wall", "lbo_cpu", "cpu_s", "gc_pause_p99_ns", "gc_pause_max_ns",
               "footprint_kib"]
BOEHM_NOTE = ("Each point caps libgc's heap there and has it allocate at least the heap "
              "above the minimum between collections (--gc-min-bytes-allocd), as a fixed "
              "JVM heap fills before it is collected: a cap alone never makes libgc's heap "
              "grow.")
GO_NOTE = ("Go has no hard heap cap (GOMEMLIMIT is soft): its series sweeps GOGC, and "
           "its memory figure is the peak RSS it reached, not an imposed heap.")


def _x(value) -> str:
    """A heap multiple: 1.25×."""
    return DASH if value is None else f"{value:g}{TIMES}"


def _mib_kib(kib) -> str:
    return fmt.sig3(kib / 1024 if kib is not None else None)


def _mib_bytes(n_bytes) -> str:
    return NA if n_bytes is None else f"{fmt.sig3(n_bytes / 2**20)} MiB"


def _time_ci(p: dict) -> str:
    text = fmt.ratio(p.get("time_vs_best_manual"))
    ci = p.get("time_vs_best_manual_ci95")
    if text != DASH and ci and None not in ci:
        text += f" ({fmt.sig3(ci[0])}–{fmt.sig3(ci[1])})"
    return text


def _pause_ms(ns) -> str:
    return fmt.sig3(ns / 1e6 if ns is not None else None)


def _workload_points(result: dict, workload: str) -> list[dict]:
    return [p for p in result.get("points", []) if p["workload"] == workload]


def _live_line(pts: list[dict]) -> str:
    """Live data per runtime (each runtime's own objects), median over its ok points."""
    by_runtime: dict[str, list[float]] = {}
    for p in pts:
        if p.get("status") == "ok" and p.get("live_kib"):
            by_runtime.setdefault(p.get("runtime") or "?", []).append(p["live_kib"])
    if not by_runtime:
        return f"Live data: {DASH}."
    return "Live data: " + ", ".join(f"{rt} {_mib_kib(statistics.median(v))} MiB"
                                     for rt, v in by_runtime.items()) + "."


def _best_line(result: dict, workload: str) -> str:
    best = (result.get("best_manual") or {}).get(workload)
    if not best or not best.get("strategy"):
        return "Best explicit malloc/free strategy: none completed."
    wall = best.get("wall_s")
    return (f'Best explicit malloc/free strategy: **{best["strategy"]}** '
            f'({fmt.format_duration(wall * 1e9 if wall is not None else None)} per pass).')


def _collector_rows(pts: list[dict], gogc: bool) -> list[list[str]]:
    rows = []
    for p in pts:
        ok = p.get("status") == "ok"
        rows.append([
            f'GOGC={p["gogc"]}' if gogc else _x(p.get("multiple")),
            NA if gogc else _mib_bytes(p.get("heap_bytes")), p.get("status") or DASH,
            _time_ci(p) if ok else DASH, _mib_kib(p.get("peak_rss_kib")) if ok else DASH,
            fmt.ratio(p.get("rss_multiple")) if ok else DASH,
            fmt.ratio(p.get("lbo_wall")) if ok else DASH,
            _pause_ms(p.get("gc_pause_max_ns")) if ok else DASH])
    return rows


def _collector_section(result: dict, workload: str, strategy: str, pts: list[dict]) -> list:
    gogc = pts[0].get("series") == "gogc"
    minimum = ((result.get("minheap") or {}).get(workload) or {}).get(strategy) or {}
    lines = [f"### {strategy}", ""]
    if gogc:
        lines += [GO_NOTE, ""]
    else:
        text = (f'Multiples of its minimum heap ({_mib_bytes(minimum.get("min_heap_bytes"))}'
                f', {minimum.get("status") or DASH}).')
        if minimum.get("knob") == "boehm-cap":
            text += " " + BOEHM_NOTE
        lines += [text, ""]
    header = ["GOGC" if gogc else "heap (× min heap)", "heap", "status",
              "time vs best manual (95% CI)", "peak RSS MiB", "peak RSS × live", "LBO (wall)",
              "worst pause ms"]
    return lines + pipe_table(header, _collector_rows(pts, gogc))


def _manual_section(pts: list[dict]) -> list[str]:
    rows = []
    for p in pts:
        ok = p.get("status") == "ok"
        wall = p.get("wall_s")
        rows.append([p["strategy"], p.get("status") or DASH,
                     fmt.format_duration(wall * 1e9) if ok and wall is not None else DASH,
                     _time_ci(p) if ok else DASH,
                     _mib_kib(p.get("peak_rss_kib")) if ok else DASH,
                     fmt.ratio(p.get("rss_multiple")) if ok else DASH,
                     _mib_kib(p.get("footprint_kib"))])
    return ["### Manual strategies", ""] + pipe_table(
        ["strategy", "status", "time per pass", "time vs best manual (95% CI)",
         "peak RSS MiB", "peak RSS × live", "footprint MiB"], rows)


def _workload_section(result: dict, workload: str) -> list[str]:
    pts = _workload_points(result, workload)
    lines = [f"## {workload}", "", _live_line(pts) + " " + _best_line(result, workload), ""]
    for strategy in result.get("collectors", []):
        mine = sorted((p for p in pts if p["strategy"] == strategy
                       and p.get("series") in ("heap", "gogc")),
                      key=lambda p: (p.get("multiple") or 0, p.get("gogc") or 0))
        if mine:
            lines += _collector_section(result, workload, strategy, mine)
    manual = [p for p in pts if p.get("series") == "manual"]
    if manual:
        lines += _manual_section(manual)
    return lines


def _hb_cell(row: dict, largest) -> str:
    """The Hertz–Berger number of one row, as the table writes it."""
    if row["ok_points"] == 0:
        return "no point completed"
    prefix = "≤ " if row["first_point_within"] else ""
    if row["series"] == "gogc":
        if row["crossing_gogc"] is None:
            return f'not within (GOGC up to {max(row["at_gogc"])})'
        return f'{prefix}GOGC={row["crossing_gogc"]}'
    if row["crossing_multiple"] is None:
        return f"not within {_x(largest)}"
    return prefix + _x(row["crossing_multiple"])


def _hb_row(row: dict, multiples: list, largest) -> list[str]:
    gogc = row["series"] == "gogc"
    crossed = row["crossing_gogc" if gogc else "crossing_multiple"] is not None
    # No crossing: no interpolated figure makes sense (n/a); a crossing at the
    # first completed point: one exists below the grid but was not measured (—).
    interpolated = fmt.ratio(row["interpolated_rss_multiple" if gogc
                                 else "interpolated_multiple"]) if crossed else NA
    if gogc and interpolated != DASH and crossed:
        interpolated += " live RSS"
    at = [NA] * len(multiples) if gogc else [
        row["failed"].get(m) or fmt.ratio(row["at_multiples"].get(m)) for m in multiples]
    rss = fmt.ratio(row["crossing_rss_multiple"]) if crossed else NA
    return [row["workload"], row["strategy"], _hb_cell(row, largest), interpolated, rss, *at]


def is_current_format(result: dict) -> bool:
    """Whether result is a sweep.json of the points format this module reads."""
    return (result.get("experiment") == "sweep" and isinstance(result.get("points"), list)
            and isinstance(result.get("collectors"), list))


def hertz_berger_markdown(result: dict, within: float = hertz_berger.WITHIN,
                          heading: str | None = "##") -> str:
    """The Hertz–Berger table over every (workload, collector), beside the 2005
    figures; under a heading of that level (None: no heading)."""
    rows = hertz_berger.table(result, within)
    multiples = result.get("multiples") or []
    largest = hertz_berger.largest_multiple(result)
    pct = f"{100 * within:g}%"
    grid, interpolated = hertz_berger.published_crossing(within)
    published = ", ".join(f"{_x(m)} {fmt.ratio(r)}" for m, r in hertz_berger.HERTZ_BERGER_2005)
    title = (f"Hertz–Berger: the smallest heap within {pct} of the best explicit malloc/free "
             "strategy")
    lines = [f"{heading} {title}", ""] if heading else []
    lines += [f"Heap in multiples of each collector's minimum heap (the smallest in which it "
              f"completes); the grid multiple is the first whose time is within {pct}, "
              "≤ where the smallest completed multiple already is; the interpolated one is "
             "linear between it and the multiple before (for Go, in peak RSS over live data); "
              "then the peak RSS over live data at the grid crossing, and the time vs best "
              "manual at each multiple. " + GO_NOTE, ""]
    header = ["workload", "collector", f"within {pct} at", "interpolated",
              "peak RSS × live there", *(f"at {_x(m)}" for m in multiples)]
    lines += pipe_table(header, [_hb_row(r, multiples, largest) for r in rows])
    lines += [f"Published ({hertz_berger.HERTZ_BERGER_2005_CITATION}; Java, GenMS, simulated "
              f"with oracle frees): {published}; within {pct} at {_x(grid)} "
              f"({fmt.ratio(interpolated)} interpolated).", ""]
    return "\n".join(lines)


def _header(result: dict) -> list[str]:
    return [f'# Heap-size sweep (size {result.get("size", DASH)}, seed '
            f'{result.get("seed", DASH)})', "",
            "Collectors at " + ", ".join(_x(m) for m in result.get("multiples", []))
            + " their minimum heap; Go at GOGC "
            + ", ".join(str(g) for g in result.get("gogc", [])) + "; manual strategies "
            + ", ".join(result.get("references", [])) + " as points. Time is the "
            "steady-state time per pass relative to the best explicit malloc/free "
            "strategy's, paired per round (95% CI); LBO within the collector's runtime.", ""]


def sweep_markdown(result: dict) -> str:
    """sweep.md: per workload its collectors' series and the manual points, then the
    Hertz–Berger table over all workloads and collectors."""
    lines = _header(result)
    for workload in dict.fromkeys(p["workload"] for p in result.get("points", [])):
        lines += _workload_section(result, workload)
    return "\n".join(lines) + "\n" + hertz_berger_markdown(result)


def _csv_value(point: dict, column: str):
    if column.startswith("time_vs_best_manual_ci95_"):
        ci = point.get("time_vs_best_manual_ci95") or [None, None]
        value = ci[0] if column.endswith("low") else ci[1]
    else:
        value = point.get(column)
    return "" if value is None else value


def to_csv(result: dict) -> str:
    """sweep.csv: one row per point, CSV_COLUMNS in that order, the values as
    sweep.json holds them (unrounded), empty where none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in result.get("points", []):
        writer.writerow([_csv_value(p, c) for c in CSV_COLUMNS])
    return out.getvalue()
