"""The thread-scaling experiment's Markdown (scale.md), with the report's
conventions (mmbench.fmt). The heap-size sweep's is in sweep_md.py."""

from __future__ import annotations

from mmbench import fmt
from mmbench.fmt import DASH, TIMES
from mmbench.reporting.sweep_md import sweep_markdown  # noqa: F401  (where callers look)


def _row_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _times(value) -> str:
    """A speedup: 1.52×."""
    return f"{value:.2f}{TIMES}" if value else DASH


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
