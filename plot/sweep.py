"""Figures of a heap-size sweep (`mmbench sweep`), from its sweep.json only.

    ./mmbench plot SWEEP_DIR

plots/sweep_<workload>.png, two panels: time per pass relative to the best
manual strategy against peak RSS, in MiB and in multiples of live data (both
log x); one curve per collector (its heap multiples, or Go's GOGC values,
marked along it), the manual strategies as labelled points, a line at 10%
above the best manual time. plots/sweep_lbo.png: LBO (wall) against heap
multiple per collector, one panel per workload (Cai et al., ISPASS 2022).
Failed points are not drawn; each figure's footer lists them.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from mmbench.errors import UsageError
from mmbench.experiments.hertz_berger import WITHIN
from mmbench.reporting.sweep_md import is_current_format
from mmbench.runfolder import read_json
from plot.style import save_figure, style

FOOTER = {"fontsize": 7, "color": "#444", "x": 0.01, "ha": "left"}


def _ok(p: dict) -> bool:
    return p.get("status") == "ok" and p.get("time_vs_best_manual") is not None


def _tag(p: dict) -> str:
    if p.get("series") == "gogc":
        return f'GOGC={p["gogc"]}'
    if p.get("series") == "heap":
        return "no cap" if p.get("multiple") is None else f'{p["multiple"]:g}×'
    return ""


def _failed_line(points: list[dict]) -> str:
    failed = [f'{p["strategy"]} {_tag(p) or "point"} {p.get("status")}' for p in points
              if p.get("status") != "ok"]
    text = "not drawn (failed): " + "; ".join(failed) if failed else "every point completed"
    return textwrap.fill(text, 190)


def _collector_points(points: list[dict], strategy: str) -> list[dict]:
    mine = [p for p in points if p["strategy"] == strategy and _ok(p)
            and p.get("series") in ("heap", "gogc")]
    return sorted(mine, key=lambda p: (p.get("multiple") or 0, p.get("gogc") or 0))


def _log_axis(ax, xlabel: str) -> None:
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(
        lambda v, _pos: f"{v:g}" if f"{v:g}"[0] in "235" else ""))
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_xlabel(xlabel)


def _time_panel(ax, result: dict, points: list[dict], x_of) -> None:
    for strategy in result.get("collectors", []):
        pts = [p for p in _collector_points(points, strategy) if x_of(p) is not None]
        if not pts:
            continue
        st = style(strategy)
        kind = "GOGC" if pts[0]["series"] == "gogc" else "× min heap"
        ax.plot([x_of(p) for p in pts], [p["time_vs_best_manual"] for p in pts],
                label=f"{strategy} ({kind})", **st)
        for p in pts:
            ax.annotate(_tag(p), (x_of(p), p["time_vs_best_manual"]), textcoords="offset points",
                        xytext=(3, 3), fontsize=6, color=st["color"])
    for p in points:
        if p.get("series") == "manual" and _ok(p) and x_of(p) is not None:
            st = style(p["strategy"])
            ax.plot([x_of(p)], [p["time_vs_best_manual"]], linestyle="none",
                    marker=st["marker"], color=st["color"], markersize=8,
                    markeredgecolor="black", label=f'{p["strategy"]} (manual)')
            ax.annotate(p["strategy"], (x_of(p), p["time_vs_best_manual"]),
                        textcoords="offset points", xytext=(5, -9), fontsize=7)
    ax.axhline(1 + WITHIN, color="grey", linestyle=":", linewidth=1,
               label=f"{100 * WITHIN:g}% above the best manual")
    top = max((p["time_vs_best_manual"] for p in points if _ok(p)), default=1 + WITHIN)
    ax.set_ylim(0, max(top, 1 + WITHIN) * 1.08)


def plot_workload(workload: str, result: dict, out_dir: Path) -> list[Path]:
    points = [p for p in result["points"] if p["workload"] == workload]
    best = (result.get("best_manual") or {}).get(workload) or {}
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=True)
    _time_panel(axes[0], result, points,
                lambda p: p["peak_rss_kib"] / 1024 if p.get("peak_rss_kib") else None)
    _log_axis(axes[0], "peak RSS (MiB, log)")
    _time_panel(axes[1], result, points, lambda p: p.get("rss_multiple"))
    _log_axis(axes[1], "peak RSS, multiple of live data (log)")
    wall = best.get("wall_s")
    per_pass = f", {wall * 1e3:.3g} ms per pass" if wall else ""
    axes[0].set_ylabel(f'time relative to the best manual ({best.get("strategy")}{per_pass})')
    axes[0].set_title(f"{workload}: time against peak RSS")
    axes[1].set_title(f"{workload}: time against peak RSS over live data")
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.supxlabel(f"mmbench sweep · size {result.get('size')} · Go: GOGC, its x is the peak "
                  f"RSS it reached (no hard heap) · {_failed_line(points)}", **FOOTER)
    return save_figure(fig, out_dir, f"sweep_{workload}")


def plot_lbo(result: dict, workloads: list[str], out_dir: Path) -> list[Path]:
    """LBO (wall, within the runtime) against heap multiple, a panel per workload."""
    cols = min(3, len(workloads))
    rows = math.ceil(len(workloads) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
    no_multiple = set()
    for ax, workload in zip(axes.flat, workloads):
        points = [p for p in result["points"] if p["workload"] == workload]
        for strategy in result.get("collectors", []):
            pts = [p for p in _collector_points(points, strategy)
                   if p.get("lbo_wall") is not None]
            if pts and pts[0]["series"] == "gogc":
                no_multiple.add(strategy)
            elif pts := [p for p in pts if p.get("multiple") is not None]:
                ax.plot([p["multiple"] for p in pts], [p["lbo_wall"] for p in pts],
                        label=strategy, **style(strategy))
        ax.axhline(1.0, color="grey", linewidth=0.8)
        _log_axis(ax, "heap, multiple of the minimum heap (log)")
        if result.get("multiples"):
            ax.xaxis.set_major_locator(FixedLocator(result["multiples"]))
            ax.xaxis.set_minor_locator(NullLocator())
        ax.set_ylabel("LBO (wall)")
        ax.set_title(workload)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(workloads):]:
        ax.set_visible(False)
    skipped = (f" · not drawn: {', '.join(sorted(no_multiple))} (GOGC series, no heap "
               "multiple; in sweep.md)") if no_multiple else ""
    fig.supxlabel(f"mmbench sweep · lower bound overhead against heap multiple{skipped} · "
                  f"{_failed_line(result['points'])}", **FOOTER)
    return save_figure(fig, out_dir, "sweep_lbo")


def plot_sweep(sweep_dir) -> list[Path]:
    """Draw every sweep figure of SWEEP_DIR/sweep.json into SWEEP_DIR/plots."""
    sweep_dir = Path(sweep_dir)
    result = read_json(sweep_dir / "sweep.json")
    if not is_current_format(result):
        raise UsageError(f"{sweep_dir / 'sweep.json'}: an older sweep format; remake it with "
                         "mmbench sweep")
    out_dir = sweep_dir / "plots"
    workloads = list(dict.fromkeys(p["workload"] for p in result["points"]))
    written = []
    for workload in workloads:
        written += plot_workload(workload, result, out_dir)
    if workloads:
        written += plot_lbo(result, workloads, out_dir)
    return written
