"""The experiments' Markdown: the heap-size sweep (sweep.md) and thread scaling
(scale.md), with the report's conventions (mmbench.fmt)."""

from __future__ import annotations

from mmbench import fmt
from mmbench.experiments.sweep import LIBGC_DEFAULT_DIVISOR
from mmbench.fmt import DASH, TIMES


def _row_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _ms(ns) -> str:
    return fmt.sig3(ns / 1e6 if ns is not None else None)


def _times(value) -> str:
    """A multiple of the live data or of the best time: 1.52×."""
    return f"{value:.2f}{TIMES}" if value else DASH


def _pauses(row) -> str:
    return " / ".join(_ms(row[k]) for k in ("pause_p50_ns", "pause_p99_ns", "pause_max_ns"))


def _latencies(row) -> str:
    return " / ".join(_ms(row[k]) for k in ("lat_p99_ns", "lat_max_ns"))


def _binding_text(row) -> str:
    if row["multiple"] is None:
        return DASH
    return {True: "binds", False: "cap not binding", None: "unknown"}[row["cap_binding"]]


def _mib(n_bytes) -> str:
    return f"{(n_bytes or 0) / 2**20:.2f} MiB"


def _sweep_heading(data: dict) -> list[str]:
    best = data["best_reference_wall_s"]
    lines = [f'Live data {_mib(data["live_bytes"])}; uncapped heap '
             f'{_mib(data["uncapped_heap_bytes"])}; best manual strategy: '
             f'{data["best_reference"] or "none"} '
             f'({fmt.format_duration(best * 1e9 if best else None)}).']
    if data.get("minimum"):
        m = data["minimum"]
        failing = (f'{fmt.sig3(m["largest_failing_multiple"])}{TIMES} fails'
                   if m["largest_failing_multiple"] else "no smaller multiple failed")
        lines.append(f'Smallest heap that completes: **{fmt.sig3(m["multiple"])}{TIMES} live** '
                     f'({_mib(m["cap_bytes"])}); {failing}.')
    return lines + [""]


def _cap_section(data: dict) -> list[str]:
    uncapped_x = (data["uncapped_heap_bytes"] or 0) / data["live_bytes"]
    lines = ["### Heap cap (default free-space divisor)", "",
             f"A cap at or above the uncapped heap ({_times(uncapped_x)} live) does not bind: "
             "the run repeats the uncapped configuration, because libgc sizes its heap by "
             "the free-space divisor, not by the cap.", "",
             "| heap cap (× live) | status | cap | time vs best manual | heap used (× live) "
             "| peak RSS (× live) | GC pauses p50 / p99 / max (ms) "
             "| unit latency p99 / max (ms) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in data["points"]:
        if not row["in_grid"]:
            continue
        ok = row["status"] == "ok"
        lines.append(_row_line([
            "uncapped" if row["multiple"] is None else fmt.sig3(row["multiple"]),
            row["status"], _binding_text(row), _times(row["relative_time"]),
            _times(row["heap_over_live"]), _times(row["rss_over_live"]),
            _pauses(row) if ok else DASH, _latencies(row) if ok else DASH]))
    return lines + [""]


def _divisor_section(data: dict) -> list[str]:
    lines = [f"### Free-space divisor, uncapped (libgc default {LIBGC_DEFAULT_DIVISOR})", "",
             "Lower divisor: more allocation between collections, a larger heap, fewer "
             "collections. Heap is measured (GC_get_heap_size at the end of the run) over "
             "live data.", "",
             "| divisor | status | heap (× live, measured) | peak RSS (× live) "
             "| time vs best manual | collections | GC pauses p50 / p99 / max (ms) "
             "| unit latency p99 / max (ms) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in data["divisor_points"]:
        ok = row["status"] == "ok"
        collections = row["gc_collections"]
        lines.append(_row_line([
            str(int(row["divisor"])), row["status"], _times(row["heap_over_live"]),
            _times(row["rss_over_live"]), _times(row["relative_time"]),
            f"{collections:.0f}" if collections is not None else DASH,
            _pauses(row) if ok else DASH, _latencies(row) if ok else DASH]))
    return lines + [""]


def _references_line(data: dict) -> list[str]:
    def one(s, r):
        if r["status"] != "ok":
            return f'{s} {r["status"]}'
        return (f'{s} ok {fmt.format_duration(r["wall_s"] * 1e9)} '
                f'({_times(r["relative_time"])}), unit latency max {_ms(r["lat"]["max"])} ms')
    return ["References (uncapped): " + "; ".join(
        one(s, r) for s, r in data["references"].items()), ""]


def sweep_markdown(sweep: dict) -> str:
    lines = [f'# Heap-size sweep: {sweep["strategy"]} against the best of '
             f'{", ".join(sweep["references"])} (size {sweep["size"]}, {sweep["reps"]} rep(s))',
             ""]
    for w, data in sweep["workloads"].items():
        lines += [f"## {w}", ""]
        if "error" in data:
            lines += [data["error"], ""]
            continue
        lines += _sweep_heading(data) + _cap_section(data)
        if data.get("divisor_points"):
            lines += _divisor_section(data)
        if data["references"]:
            lines += _references_line(data)
    return "\n".join(lines) + "\n"


def _scale_cell(r: dict | None) -> str:
    if r is None:
        return DASH
    if r["status"] != "ok":
        return r["status"]
    return f'{fmt.si(r["throughput_per_s"])} ({_times(r["speedup"])})'


def scale_markdown(scale: dict) -> str:
    lines = [f'# Thread scaling (size {scale["size"]}, {scale["reps"]} rep(s), '
             f'{scale["cores"]} cores)', ""]
    for w, data in scale["workloads"].items():
        lines += [f'## {w} (throughput, {data["unit"] or "unit"}/s; speedup over '
                  f'{scale["threads"][0]} thread(s))', ""]
        strategies = list(dict.fromkeys(r["strategy"] for r in data["rows"]))
        lines.append(_row_line(["threads"] + strategies))
        lines.append("| --- |" + " --- |" * len(strategies))
        for t in scale["threads"]:
            by_strategy = {r["strategy"]: r for r in data["rows"] if r["threads"] == t}
            lines.append(_row_line([str(t)] + [_scale_cell(by_strategy.get(s))
                                               for s in strategies]))
        lines.append("")
    return "\n".join(lines) + "\n"
