"""Figures of a heap-size sweep (`mmbench sweep`), from its sweep.json only.

    ./mmbench plot SWEEP_DIR

One figure per workload, plots/sweep_<workload>.png, three panels
against the collector's *measured* heap in multiples of live data (log x):
  time relative to the best manual strategy: the free-space-divisor series as a
  line (markers labelled d=D), the cap series as points (hollow where the cap
  did not bind, i.e. the run repeats the uncapped configuration), runs that hit
  the cap as red crosses at their cap on the x axis, the manual strategies as
  horizontal lines and Hertz & Berger's 2005 figures for comparison;
  the collector's stop-the-world pauses p50 / p99 / max for both series;
  per-unit latency p99 / max (manual strategies' as horizontal lines).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from mmbench.runfolder import read_json
from plot.style import save_figure, style

PERCENTILE_LOOK = {"p50": ":", "p99": "--", "max": "-"}
CAP_PAUSE_MARKER = {"p50": "v", "p99": "s", "max": "^"}


def _ms(ns):
    return None if ns is None else ns / 1e6


# Hertz & Berger, OOPSLA 2005: GenMS (Java) time relative to the best explicit
# manager at 2x, 3x and 5x the minimum heap (their x is heap over the smallest heap
# the collector runs in, not over live data: a comparison of shape, not of points).
HERTZ_BERGER = [(2.0, 1.70), (3.0, 1.17), (5.0, 1.00)]
HERTZ_BERGER_LABEL = "Hertz & Berger 2005 (Java, GenMS)"


def _ok(rows):
    return [r for r in rows if r["status"] == "ok" and r.get("heap_over_live")]


def _series(data: dict) -> dict:
    """The points of one workload's sweep, by what the figure draws them as."""
    cap_rows = [r for r in data["points"] if r["multiple"] is not None and r.get("in_grid", True)]
    cap_ok = _ok(cap_rows)
    return {"cap_ok": cap_ok,
            "binding": [r for r in cap_ok if r.get("cap_binding") is not False],
            "loose": [r for r in cap_ok if r.get("cap_binding") is False],
            "failed": [r for r in cap_rows if r["status"] != "ok"],
            "divisor_ok": sorted(_ok(data.get("divisor_points", [])),
                                 key=lambda r: r["heap_over_live"])}


def _heap_axis(ax, data: dict) -> None:
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(
        lambda v, _pos: f"{v:g}" if (f"{v:g}")[0] in "1235" else ""))
    ax.set_xlabel(f'heap, multiple of live data ({data["live_bytes"] / 2**20:.1f} MiB)\n'
                  "measured; failed runs at their cap")


def _time_series(ax, series: dict, strategy: str, colour: str) -> None:
    """The collector's points: the divisor line, the cap points, the failed runs."""
    divisor_ok, loose, failed = series["divisor_ok"], series["loose"], series["failed"]
    if divisor_ok:
        ax.plot([r["heap_over_live"] for r in divisor_ok],
                [r["relative_time"] for r in divisor_ok], color=colour, marker="o",
                markersize=5, linestyle="-", label=f"{strategy} uncapped, free-space divisor d")
        for r in divisor_ok:
            ax.annotate(f'd={r["divisor"]}', (r["heap_over_live"], r["relative_time"]),
                        textcoords="offset points", xytext=(4, 4), fontsize=7, color=colour)
    if series["binding"]:
        ax.plot([r["heap_over_live"] for r in series["binding"]],
                [r["relative_time"] for r in series["binding"]], "s", color=colour,
                markersize=6, linestyle="none", label=f"{strategy} heap cap (default divisor)")
    if loose:
        ax.plot([r["heap_over_live"] for r in loose], [r["relative_time"] for r in loose],
                "s", markerfacecolor="none", color=colour, markersize=8, linestyle="none",
                label="heap cap, cap not binding ("
                      + ", ".join(f'{r["multiple"]:g}x' for r in loose) + ")")
    if failed:
        ax.plot([r["multiple"] for r in failed], [0] * len(failed), "x", color="red",
                markersize=8, linestyle="none", clip_on=False,
                label=f'failed at cap ({", ".join(sorted({r["status"] for r in failed}))})')


def _time_panel(ax, workload: str, data: dict, series: dict, strategy: str, colour: str):
    """Time relative to the best manual strategy."""
    _time_series(ax, series, strategy, colour)
    ax.plot(*zip(*HERTZ_BERGER), marker="D", color="grey", markersize=5, linestyle=":",
            linewidth=1, label=HERTZ_BERGER_LABEL)
    for s, ref in data["references"].items():
        if ref.get("relative_time"):
            st = style(s)
            ax.axhline(ref["relative_time"], color=st["color"], linestyle=st["linestyle"],
                       linewidth=1, label=s)
    if data.get("minimum"):
        ax.axvline(data["minimum"]["multiple"], color="grey", linewidth=0.8,
                   label=f'smallest cap that completes ({data["minimum"]["multiple"]:.3g} x)')
    ax.set_ylabel(f'time relative to best manual ({data["best_reference"]})')
    ax.set_ylim(bottom=0)
    ax.set_title(f"{workload}: time")
    ax.legend(fontsize=6)


def _pause_panel(ax, workload: str, series: dict, strategy: str, colour: str) -> None:
    """Stop-the-world pauses, both series."""
    for key in ("p50", "p99", "max"):
        for rows, name in ((series["divisor_ok"], "divisor"), (series["cap_ok"], "cap")):
            pts = sorted((r["heap_over_live"], _ms(r[f"pause_{key}_ns"])) for r in rows
                         if r[f"pause_{key}_ns"] is not None)
            if pts:
                ax.plot(*zip(*pts), markersize=5,
                        marker="o" if name == "divisor" else CAP_PAUSE_MARKER[key],
                        linestyle=PERCENTILE_LOOK[key] if name == "divisor" else "none",
                        color=colour if name == "divisor" else "grey",
                        label=f"{strategy} {name} pause {key}")
    ax.set_yscale("log")
    ax.set_ylabel("stop-the-world pause (ms)")
    ax.set_title(f"{workload}: GC pauses")
    ax.legend(fontsize=6, ncol=2)


def _latency_panel(ax, workload: str, data: dict, series: dict, strategy: str,
                   colour: str) -> None:
    """Per-unit latency of the divisor series, with the manual strategies' for reference."""
    for key in ("p99", "max"):
        pts = [(r["heap_over_live"], _ms(r[f"lat_{key}_ns"])) for r in series["divisor_ok"]
               if r[f"lat_{key}_ns"] is not None]
        if pts:
            ax.plot(*zip(*pts), marker="o", markersize=4, linestyle=PERCENTILE_LOOK[key],
                    color=colour, label=f"{strategy} divisor series {key}")
        for s, ref in data["references"].items():
            value = _ms((ref.get("lat") or {}).get(key))
            if value:
                ax.axhline(value, color=style(s)["color"], linestyle=PERCENTILE_LOOK[key],
                           linewidth=1, label=f"{s} {key}")
    ax.set_yscale("log")
    ax.set_ylabel(f'latency per {data.get("unit") or "unit"} (ms)')
    ax.set_title(f"{workload}: unit latency")
    ax.legend(fontsize=6, ncol=2)


def plot_workload(workload: str, data: dict, sweep: dict, out_dir: Path) -> list:
    series = _series(data)
    strategy = sweep["strategy"]
    colour = style(strategy)["color"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), sharex=True)
    for ax in axes:
        _heap_axis(ax, data)
    _time_panel(axes[0], workload, data, series, strategy, colour)
    _pause_panel(axes[1], workload, series, strategy, colour)
    _latency_panel(axes[2], workload, data, series, strategy, colour)
    return save_figure(fig, out_dir, f"sweep_{workload}")


def plot_sweep(sweep_dir) -> list:
    sweep_dir = Path(sweep_dir)
    sweep = read_json(sweep_dir / "sweep.json")
    written = []
    for workload, data in sweep["workloads"].items():
        if "points" in data:
            written += plot_workload(workload, data, sweep, sweep_dir / "plots")
    return written
