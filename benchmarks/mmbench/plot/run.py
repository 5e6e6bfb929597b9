"""mmbench figures from a run folder (docs/run-folder.md), PNG and SVG in RUN_DIR/plots/.

    ./mmbench plot RUN_DIR

Also called by `mmbench report` / `mmbench run` through make_all(). See README.md here.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from mmbench import hgrm
from mmbench import runfolder
from mmbench.fmt import unit_for
from mmbench.plot.style import PAUSE_LINESTYLE, bar_style, save_figure, style
from mmbench.reporting.figures import REFERENCE, all_figures

PERCENTILE_TICKS = [(0.5, "50%"), (0.9, "90%"), (0.99, "99%"), (0.999, "99.9%"),
                    (0.9999, "99.99%"), (0.99999, "99.999%"), (0.999999, "99.9999%")]


def _footer(fig, data: runfolder.RunData) -> None:
    fig.supxlabel(f"mmbench · {runfolder.machine_line(data)}", fontsize=7, color="#444",
                  x=0.01, ha="left")


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
    _footer(fig, data)
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
    _footer(fig, data)
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
    _footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"latency_hist_{workload}"))


def _grouped_bars(ax, workloads, strategies, value_of, err_of=None):
    """Bars of value_of(w, s) grouped by workload; returns bar centre per (w, s)."""
    width = 0.8 / max(1, len(strategies))
    centres = {}
    for j, s in enumerate(strategies):
        xs, ys, errs = [], [], []
        for i, w in enumerate(workloads):
            v = value_of(w, s)
            if v is None:
                continue
            x = i - 0.4 + width * (j + 0.5)
            xs.append(x)
            ys.append(v)
            centres[(w, s)] = x
            errs.append(err_of(w, s) if err_of else None)
        if not xs:
            continue
        yerr = None
        if err_of and any(e is not None for e in errs):
            yerr = [[e[0] if e else 0 for e in errs], [e[1] if e else 0 for e in errs]]
        ax.bar(xs, ys, width, label=s, yerr=yerr, capsize=2, error_kw={"linewidth": 0.8},
               **bar_style(s))
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels(workloads, rotation=20, ha="right")
    ax.grid(axis="x", visible=False)
    return centres


# The empty workload measures the harness's footprint; its "live data" is a few
# bytes, so ratios against it (RSS/live, throughput) mean nothing and would
# dwarf the real workloads on a shared axis. It stays in the absolute RSS bars.
FOOTPRINT_WORKLOAD = "baseline"


def _figure_lookup(data, include_footprint=False):
    figs = {(f.workload, f.strategy): f for f in all_figures(data)}
    workloads = [w for w in data.workloads() if include_footprint or w != FOOTPRINT_WORKLOAD]
    return figs, workloads, data.strategies()


def _rel_err(f):
    if f is None or f.rel is None or f.rel_low is None or f.rel_high is None:
        return None
    return (f.rel - f.rel_low, f.rel_high - f.rel)


def draw_relative_throughput(ax, data):
    figs, workloads, strategies = _figure_lookup(data)
    _grouped_bars(ax, workloads, strategies,
                  lambda w, s: figs[(w, s)].rel if (w, s) in figs else None,
                  lambda w, s: _rel_err(figs.get((w, s))))
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")  # ratios: 2× faster and 2× slower are equally far from 1
    ax.set_ylabel(f"throughput relative to {REFERENCE} (×, log, 95% CI)")
    ax.set_title("Throughput relative to glibc (higher is better)")


def draw_peak_rss(ax, data, per_live=False):
    figs, workloads, strategies = _figure_lookup(data, include_footprint=not per_live)
    if per_live:
        _grouped_bars(ax, workloads, strategies,
                      lambda w, s: figs[(w, s)].rss_per_live if (w, s) in figs else None)
        ax.set_yscale("log")
        ax.set_ylabel("peak RSS / live data (×, log)")
        ax.set_title("Peak RSS over live data (lower is better)")
        return
    _grouped_bars(ax, workloads, strategies,
                  lambda w, s: figs[(w, s)].peak_rss_mib if (w, s) in figs else None)
    for i, w in enumerate(workloads):
        lives = [f.live_mib for (fw, _), f in figs.items() if fw == w and f.live_mib]
        if lives:
            ax.hlines(max(lives), i - 0.45, i + 0.45, colors="black", linestyles="--",
                      linewidth=1.2, label="live data" if i == 0 or "live data" not in [
                          t.get_label() for t in ax.collections] else None)
    ax.set_ylabel("peak RSS (MiB)")
    ax.set_title("Peak RSS, median over repetitions; dashed: live data")


def throughput_and_rss_bars(data, out_dir, written):
    if not data.rows:
        return
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(data.workloads()) + 3), 4.5))
    draw_relative_throughput(ax, data)
    ax.legend(fontsize=7, ncol=2)
    _footer(fig, data)
    written.extend(save_figure(fig, out_dir, "throughput_relative"))

    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(data.workloads()) + 3), 4.5))
    draw_peak_rss(ax, data)
    ax.legend(fontsize=7, ncol=2)
    _footer(fig, data)
    written.extend(save_figure(fig, out_dir, "peak_rss"))


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
    _footer(fig, data)
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
    _footer(fig, data)
    written.extend(save_figure(fig, out_dir, f"mmu_{workload}"))


DRAIN_BARS = [("peak (ru_maxrss)", "peak_rss_kib"), ("drain start", "drain_rss_start_kib"),
              ("+100 ms", "drain_rss_100ms_kib"), ("+1 s", "drain_rss_1s_kib"),
              ("after release call", "drain_rss_released_kib")]


def retained_rss(data, out_dir, written):
    """Memory given back (`run --drain`): per workload and strategy, peak RSS
    beside the RSS at the start of the drain phase, after 100 ms and 1 s, and
    after the strategy's own release call (medians over repetitions)."""
    workloads = [w for w in data.workloads()
                 if any(r.get("status") == "ok" and runfolder.number(r.get("drain_rss_start_kib"))
                        is not None for r in data.rows_of(w))]
    if not workloads:
        return
    fig, axes = plt.subplots(len(workloads), 1, figsize=(9, 3.2 * len(workloads)),
                             squeeze=False)
    for ax, w in zip(axes[:, 0], workloads):
        rows = [r for r in data.rows_of(w) if r.get("status") == "ok"
                and runfolder.number(r.get("drain_rss_start_kib")) is not None]
        width = 0.8 / len(DRAIN_BARS)
        for i, (label, key) in enumerate(DRAIN_BARS):
            xs, ys = [], []
            for j, r in enumerate(rows):
                v = runfolder.number(r.get(key))
                if v is not None:
                    xs.append(j + (i - (len(DRAIN_BARS) - 1) / 2) * width)
                    ys.append(v / 1024)
            ax.bar(xs, ys, width, label=label, color=plt.cm.viridis(i / len(DRAIN_BARS)),
                   edgecolor="black", linewidth=0.5)
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels([r["strategy"] for r in rows], fontsize=8)
        ax.set_ylabel("RSS (MiB)")
        ax.set_title(f"{w}: memory retained after the workload released everything")
    axes[0][0].legend(fontsize=7, ncol=len(DRAIN_BARS))
    _footer(fig, data)
    written.extend(save_figure(fig, out_dir, "retained_rss"))


def overview(data, loaded, out_dir, written):
    if not data.rows:
        return
    figs, workloads, strategies = _figure_lookup(data)
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    draw_relative_throughput(axes[0][0], data)
    draw_peak_rss(axes[0][1], data, per_live=True)

    def p99(w, s):
        f = figs.get((w, s))
        return f.latency_ns["p99"] / 1e6 if f and f.latency_ns["p99"] is not None else None

    def worst_unit(w, s):
        # The same figure for every strategy: the slowest unit of work, which
        # includes any GC pause, refcount cascade or allocator slow path in it.
        f = figs.get((w, s))
        if f is None or not f.ok:
            return None
        v = f.latency_ns["max"]
        return v / 1e6 if v is not None else None

    _grouped_bars(axes[1][0], workloads, strategies, p99)
    axes[1][0].set_yscale("log")
    axes[1][0].set_ylabel("p99 latency (ms, log)")
    axes[1][0].set_title("p99 latency of a unit of work (lower is better)")
    _grouped_bars(axes[1][1], workloads, strategies, worst_unit)
    axes[1][1].set_yscale("log")
    axes[1][1].set_ylabel("max latency (ms, log)")
    axes[1][1].set_title("Slowest unit of work, stalls included (lower is better)")
    axes[0][0].legend(fontsize=7, ncol=2)
    _footer(fig, data)
    written.extend(save_figure(fig, out_dir, "overview"))


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
    jobs = [("overview", lambda: overview(data, loaded, out_dir, written)),
            ("throughput/RSS bars", lambda: throughput_and_rss_bars(data, out_dir, written)),
            ("retained RSS", lambda: retained_rss(data, out_dir, written))]
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
