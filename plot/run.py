"""Every figure of a run folder (docs/run-folder.md) into RUN_DIR/plots/:
make_all() draws the per-workload ones here (latency, RSS over time, MMU) and
the bar charts of bars.py.

    ./mmbench plot RUN_DIR

Also called by `mmbench report` / `mmbench run`. See README.md here.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from mmbench import hgrm
from mmbench import runfolder
from mmbench.fmt import unit_for
from plot import bars
from plot.style import PAUSE_LINESTYLE, footer, save_figure, style

PERCENTILE_TICKS = [(0.5, "50%"), (0.9, "90%"), (0.99, "99%"), (0.999, "99.9%"),
                    (0.9999, "99.99%"), (0.99999, "99.999%"), (0.999999, "99.9999%")]


def _markevery(n: int) -> int:
    return max(1, n // 12)


class _Loaded:
    """Merged histograms per (workload, strategy) for rows with status ok."""

    def __init__(self, data: runfolder.RunData):
        self.latency: dict[tuple[str, str], hgrm.Histogram] = {}
        self.pauses: dict[tuple[str, str], hgrm.Histogram] = {}
        for row in data.rows:
            if row.get("status") != "ok":
                continue
            details = data.details(row)
            key = (row["workload"], row["strategy"])
            lat = hgrm.merged_latency(details)
            if lat.count:
                self.latency[key] = lat
            gc = hgrm.merged_gc_pauses(details)
            if gc.count:
                self.pauses[key] = gc

    def curves(self, workload: str):
        """(label, Merged, style kwargs) of a workload's latency and GC-pause histograms."""
        out = []
        for (w, s), m in self.latency.items():
            if w == workload:
                out.append((s, m, style(s)))
        for (w, s), m in self.pauses.items():
            if w == workload:
                out.append((f"{s} GC pause", m, {**style(s), "linestyle": PAUSE_LINESTYLE,
                                                  "marker": None}))
        return out


def latency_by_percentile(data, loaded, workload, out_dir, written):
    curves = loaded.curves(workload)
    if not curves:
        return
    top = max(m.max for _, m, _ in curves)
    unit, scale = unit_for(top)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    xmax = 2.0
    for label, m, st in curves:
        ps, vs = m.percentile_curve()
        xs = [1 / (1 - p) for p in ps]
        xmax = max(xmax, max(xs))
        ax.plot(xs, [v / scale for v in vs], label=f"{label} (n={m.count})",
                markevery=_markevery(len(xs)), **st)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = [(1 / (1 - p), t) for p, t in PERCENTILE_TICKS if 1 / (1 - p) <= xmax * 1.01]
    ax.xaxis.set_major_locator(FixedLocator([x for x, _ in ticks]))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda x, _: {round(a): t for a, t in ticks}.get(round(x), "")))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(1, xmax * 1.2)
    ax.set_xlabel("percentile (log 1/(1-p) scale)")
    ax.set_ylabel(f"latency ({unit}, log)")
    ax.set_title(f"{workload}: latency by percentile, all repetitions merged")
    ax.legend(fontsize=7, loc="upper left")
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"latency_{workload}"))


def latency_cdf_and_histogram(data, loaded, workload, out_dir, written):
    curves = loaded.curves(workload)
    if not curves:
        return
    top = max(m.max for _, m, _ in curves)
    low = min(b[0] for _, m, _ in curves for b in m.buckets[:1]) or 1
    unit, scale = unit_for(top)

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for label, m, st in curves:
        xs, ys = m.cdf()
        ax.step([x / scale for x in xs], ys, where="post", label=label,
                markevery=_markevery(len(xs)), **st)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"latency ({unit}, log)")
    ax.set_ylabel("fraction of samples ≤ latency")
    ax.set_title(f"{workload}: latency CDF, all repetitions merged")
    ax.legend(fontsize=7, loc="lower right")
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"latency_cdf_{workload}"))

    # Histogram on log-spaced bins (8 per decade); each bucket's count goes to the
    # bin holding its midpoint. Fractions, so runs with different counts compare.
    lo_exp = math.floor(math.log10(max(low, 1)))
    hi_exp = math.ceil(math.log10(max(top, 10)))
    edges = [10 ** (lo_exp + i / 8) for i in range((hi_exp - lo_exp) * 8 + 1)]
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for label, m, st in curves:
        counts = [0] * (len(edges) - 1)
        for lo, hi, c in m.buckets:
            mid = (lo + hi) / 2
            i = min(len(counts) - 1, max(0, int((math.log10(max(mid, 1)) - lo_exp) * 8)))
            counts[i] += c
        fractions = [c / m.count for c in counts]
        ax.stairs(fractions, [e / scale for e in edges], label=label,
                  color=st["color"], linestyle=st["linestyle"], linewidth=1.4)
        centres = [math.sqrt(edges[i] * edges[i + 1]) / scale for i in range(len(counts))
                   if counts[i]]
        if st.get("marker"):
            ax.plot(centres, [f for f in fractions if f], linestyle="none",
                    marker=st["marker"], color=st["color"], markersize=4)
    ax.set_xscale("log")
    ax.set_xlabel(f"latency ({unit}, log bins, 8 per decade)")
    ax.set_ylabel("fraction of samples")
    ax.set_title(f"{workload}: latency histogram, all repetitions merged")
    ax.legend(fontsize=7, loc="upper right")
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"latency_hist_{workload}"))


def rss_over_time(data, workload, out_dir, written):
    lines = []
    for row in data.rows_of(workload):
        rep = data.median_rep(row)
        timeline = data.rss_timeline(row, rep)
        if timeline is None and rep != 1:
            rep, timeline = 1, data.rss_timeline(row, 1)
        if timeline:
            lines.append((row["strategy"], rep, row.get("status"), timeline))
    if not lines:
        return
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for s, rep, status, (t, kib) in lines:
        label = f"{s} (rep {rep})" + ("" if status == "ok" else f" [{status}]")
        ax.plot(t, [k / 1024 for k in kib], label=label, markevery=_markevery(len(t)),
                **style(s))
    ax.set_xlabel("time since start (s)")
    ax.set_ylabel("RSS (MiB)")
    ax.set_title(f"{workload}: RSS over time (median-wall repetition)")
    ax.legend(fontsize=7)
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"rss_{workload}"))


def mmu_curves(data, workload, out_dir, written):
    """MMU(w) against log w, 1 ms .. 1 s, per collector row of a workload: per
    repetition, the worst (lowest) MMU at each w, as in the tables (mmu.py)."""
    from mmbench import mmu as mmu_mod

    windows = mmu_mod.curve_windows_ns()
    lines = []
    for row in data.rows_of(workload):
        if row.get("status") != "ok":
            continue
        timelines = [t for t in (mmu_mod.detail_timeline(d)
                                 for d in data.details(row).values()) if t is not None]
        if not timelines:
            continue
        ys = []
        for w in windows:
            vals = [v for v in (t.mmu(w) for t in timelines) if v is not None]
            ys.append(min(vals) if vals else None)
        pts = [(w / 1e6, y) for w, y in zip(windows, ys) if y is not None]
        if pts:
            lines.append((row["strategy"], len(timelines), pts))
    if not lines:
        return
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for s, n, pts in lines:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], label=f"{s} (worst of {n} reps)",
                markevery=_markevery(len(pts)), **style(s))
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("window w (ms, log)")
    ax.set_ylabel("minimum mutator utilization")
    ax.set_title(f"{workload}: MMU from stop-the-world pauses (higher is better)")
    ax.legend(fontsize=7)
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"mmu_{workload}"))


def make_all(run_dir, data: runfolder.RunData | None = None):
    """Draw every figure into RUN_DIR/plots; returns (written paths, problems).

    One figure failing is reported and does not stop the others.
    """
    data = data or runfolder.load(run_dir)
    out_dir = Path(run_dir) / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    problems: list[str] = []
    loaded = _Loaded(data)
    jobs = [("overview", lambda: bars.overview(data, out_dir, written)),
            ("throughput/RSS bars", lambda: bars.throughput_and_rss_bars(data, out_dir, written)),
            ("retained RSS", lambda: bars.retained_rss(data, out_dir, written))]
    for w in data.workloads():
        jobs += [(f"latency_{w}", lambda w=w: latency_by_percentile(data, loaded, w, out_dir,
                                                                     written)),
                 (f"latency_cdf/hist_{w}", lambda w=w: latency_cdf_and_histogram(
                     data, loaded, w, out_dir, written)),
                 (f"rss_{w}", lambda w=w: rss_over_time(data, w, out_dir, written)),
                 (f"mmu_{w}", lambda w=w: mmu_curves(data, w, out_dir, written))]
    for name, job in jobs:
        try:
            job()
        except Exception as e:  # noqa: BLE001 - one bad figure must not cost the others
            problems.append(f"plot {name}: {type(e).__name__}: {e}")
            plt.close("all")
    return written, problems
