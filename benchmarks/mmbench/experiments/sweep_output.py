"""A sweep's files beside its run folder: sweep.json, sweep.csv, sweep.md and the
figures. The tables and figures are reporting.sweep_md's and plot.sweep's;
where those cannot read this sweep.json, a plain table of the points stands in
(sweep.md says so) and the data is written all the same."""

from __future__ import annotations

import csv
import importlib
import io
import pathlib
import sys

from mmbench import fmt
from mmbench.runfolder import write_json_atomic, write_text_atomic

# The columns of the plain table and CSV.
COLUMNS = ("workload", "label", "series", "multiple", "gogc", "heap_bytes", "status", "reps",
           "wall_s", "throughput_per_s", "time_vs_best_manual", "peak_rss_kib", "live_kib",
           "rss_multiple", "lbo_wall", "lbo_cpu", "gc_pause_p99_ns", "gc_pause_max_ns",
           "footprint_kib")


def plain_csv(result: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in result["points"]:
        writer.writerow(["" if p.get(c) is None else p[c] for c in COLUMNS])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return fmt.DASH
    return fmt.sig3(value) if isinstance(value, float) else str(value)


def plain_markdown(result: dict) -> str:
    lines = [f'# Time-space sweep (size {result["size"]}, {result["reps"]} round(s))', ""]
    for w in dict.fromkeys(p["workload"] for p in result["points"]):
        best = (result["best_manual"].get(w) or {}).get("strategy") or fmt.DASH
        lines += [f"## {w} (time against {best})", "",
                  "| point | status | pass s | × best manual | peak RSS KiB | × live | LBO wall |",
                  "|---|---|---|---|---|---|---|"]
        for p in (p for p in result["points"] if p["workload"] == w):
            lines.append("| " + " | ".join(_cell(p.get(c)) for c in (
                "label", "status", "wall_s", "time_vs_best_manual", "peak_rss_kib",
                "rss_multiple", "lbo_wall")) + " |")
        lines.append("")
    return "\n".join(lines)


def _formatters():
    """reporting.sweep_md's (sweep_markdown, to_csv), else the plain ones here."""
    try:
        module = importlib.import_module("mmbench.reporting.sweep_md")
        return module.sweep_markdown, module.to_csv
    except ImportError:
        return plain_markdown, plain_csv


def write(root: pathlib.Path, result: dict) -> int:
    """Write the files, print the table and the figures drawn; 1 where the figures
    could not be drawn (the data is written all the same), else 0."""
    write_json_atomic(root / "sweep.json", result)
    to_markdown, to_csv = _formatters()
    write_text_atomic(root / "sweep.csv", to_csv(result))
    markdown = to_markdown(result)
    write_text_atomic(root / "sweep.md", markdown)
    print(markdown, end="")
    rc = 0
    try:
        from plot import sweep as plot_sweep
        for path in plot_sweep.plot_sweep(root):
            print(f"plot: {path}")
    except Exception as e:  # noqa: BLE001 - the data is on disk whatever the figures do
        print(f"mmbench sweep: no plots ({type(e).__name__}: {e}); the data is in {root}",
              file=sys.stderr)
        rc = 1
    print(f"sweep folder: {root}")
    return rc
