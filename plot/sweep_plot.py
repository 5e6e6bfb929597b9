#!/usr/bin/python3
"""Figures of a heap-size sweep (`mmbench sweep`), from its sweep.json only.

    /usr/bin/python3 plot/sweep_plot.py SWEEP_DIR

One figure per workload, plots/sweep_<workload>.png and .svg, three panels
against the heap cap in multiples of live data (log x):
  time relative to the best manual strategy (manual strategies: horizontal lines),
  the collector's stop-the-world pauses p50 / p99 / max,
  per-unit latency p99 / max (manual strategies' as horizontal lines).
Runs that hit the cap are drawn as crosses on the x axis of the time panel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from style import style  # noqa: E402

plt.rcParams.update({"font.size": 9, "axes.grid": True, "grid.alpha": 0.3,
                     "svg.fonttype": "none", "savefig.dpi": 110, "svg.hashsalt": "mmbench"})
PERCENTILE_LOOK = {"p50": ":", "p99": "--", "max": "-"}


def _ms(ns):
    return None if ns is None else ns / 1e6


def plot_workload(workload: str, data: dict, sweep: dict, out_dir: Path) -> list:
    rows = [r for r in data["points"] if r["multiple"] is not None]
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] != "ok"]
    uncapped = next((r for r in data["points"] if r["multiple"] is None), None)
    strategy = sweep["strategy"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    ax_t, ax_p, ax_l = axes
    for ax in axes:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: "%g" % v))
        ax.xaxis.set_minor_formatter(FuncFormatter(
            lambda v, _pos: "%g" % v if ("%g" % v)[0] in "1235" else ""))
        ax.set_xlabel("heap cap (multiple of live data, %.1f MiB)" % (data["live_bytes"] / 2**20))

    # Time relative to the best manual strategy.
    xs = [r["multiple"] for r in ok]
    ax_t.plot(xs, [r["relative_time"] for r in ok], label=strategy, **style(strategy))
    if failed:
        ax_t.plot([r["multiple"] for r in failed], [0] * len(failed), "x", color="red",
                  markersize=8, linestyle="none", label="failed (%s)" % ", ".join(
                      sorted({r["status"] for r in failed})))
    if uncapped and uncapped.get("relative_time"):
        ax_t.axhline(uncapped["relative_time"], color=style(strategy)["color"], linewidth=0.8,
                     linestyle=(0, (1, 3)), label="%s uncapped" % strategy)
    for s, ref in data["references"].items():
        if ref.get("relative_time"):
            st = style(s)
            ax_t.axhline(ref["relative_time"], color=st["color"], linestyle=st["linestyle"],
                         linewidth=1, label=s)
    if data.get("minimum"):
        ax_t.axvline(data["minimum"]["multiple"], color="grey", linewidth=0.8,
                     label="smallest heap that completes (%.3g x)" % data["minimum"]["multiple"])
    ax_t.set_ylabel("time relative to best manual (%s)" % data["best_reference"])
    ax_t.set_ylim(bottom=0)
    ax_t.set_title("%s: time" % workload)
    ax_t.legend(fontsize=7)

    # Stop-the-world pauses.
    for key in ("p50", "p99", "max"):
        pts = [(r["multiple"], _ms(r["pause_%s_ns" % key])) for r in ok
               if r["pause_%s_ns" % key] is not None]
        if pts:
            ax_p.plot(*zip(*pts), marker="o", markersize=4, linestyle=PERCENTILE_LOOK[key],
                      color=style(strategy)["color"], label="%s pause %s" % (strategy, key))
    ax_p.set_yscale("log")
    ax_p.set_ylabel("stop-the-world pause (ms)")
    ax_p.set_title("%s: GC pauses" % workload)
    ax_p.legend(fontsize=7)

    # Per-unit latency, with the manual strategies' for reference.
    for key in ("p99", "max"):
        pts = [(r["multiple"], _ms(r["lat_%s_ns" % key])) for r in ok
               if r["lat_%s_ns" % key] is not None]
        if pts:
            ax_l.plot(*zip(*pts), marker="o", markersize=4, linestyle=PERCENTILE_LOOK[key],
                      color=style(strategy)["color"], label="%s %s" % (strategy, key))
        for s, ref in data["references"].items():
            value = _ms((ref.get("lat") or {}).get(key))
            if value:
                ax_l.axhline(value, color=style(s)["color"], linestyle=PERCENTILE_LOOK[key],
                             linewidth=1, label="%s %s" % (s, key))
    ax_l.set_yscale("log")
    ax_l.set_ylabel("latency per %s (ms)" % (data.get("unit") or "unit"))
    ax_l.set_title("%s: unit latency" % workload)
    ax_l.legend(fontsize=6, ncol=2)

    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ext in ("png", "svg"):
        path = out_dir / ("sweep_%s.%s" % (workload, ext))
        fig.savefig(path)
        written.append(path)
    plt.close(fig)
    return written


def plot_sweep(sweep_dir) -> list:
    sweep_dir = Path(sweep_dir)
    sweep = json.loads((sweep_dir / "sweep.json").read_text(encoding="utf-8"))
    written = []
    for workload, data in sweep["workloads"].items():
        if "points" in data:
            written += plot_workload(workload, data, sweep, sweep_dir / "plots")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for p in plot_sweep(sys.argv[1]):
        print(p)
