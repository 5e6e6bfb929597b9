"""The bar charts of a run folder: throughput relative to glibc, peak RSS, memory
retained after the drain phase, and the 2×2 overview a README shows."""

from __future__ import annotations

import matplotlib.pyplot as plt

from mmbench import runfolder
from mmbench.reporting.figures import REFERENCE, all_figures
from plot.style import bar_style, footer, save_figure


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
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, "throughput_relative"))

    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(data.workloads()) + 3), 4.5))
    draw_peak_rss(ax, data)
    ax.legend(fontsize=7, ncol=2)
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, "peak_rss"))


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
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, "retained_rss"))


def overview(data, out_dir, written):
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
    footer(fig, data)
    written.extend(save_figure(fig, out_dir, "overview"))
