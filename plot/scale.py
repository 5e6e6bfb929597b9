"""Figure of a thread-scaling experiment (`mmbench scale`), from its scale.json only.

    ./mmbench plot SCALE_DIR

One figure per workload, plots/scale_<workload>.png: throughput per
strategy against threads (log2 x), and the speedup over the first thread count
with the ideal (linear) line. Failed or unsupported points are left out and
named in the legend.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from mmbench.runfolder import read_json
from plot.style import save_figure, style


def plot_workload(workload: str, data: dict, scale: dict, out_dir: Path) -> list:
    threads = scale["threads"]
    fig, (ax_t, ax_s) = plt.subplots(1, 2, figsize=(10, 4))
    strategies = list(dict.fromkeys(r["strategy"] for r in data["rows"]))
    for s in strategies:
        rows = [r for r in data["rows"] if r["strategy"] == s]
        ok = [r for r in rows if r["status"] == "ok" and r["throughput_per_s"]]
        bad = sorted({r["status"] for r in rows if r["status"] != "ok"})
        name = s + (f' ({", ".join(bad)} at some counts)' if bad and ok else
                    f' ({", ".join(bad)})' if bad else "")
        if not ok:
            ax_t.plot([], [], label=name, **style(s))
            continue
        ax_t.plot([r["threads"] for r in ok], [r["throughput_per_s"] for r in ok], label=name,
                  **style(s))
        sp = [r for r in ok if r.get("speedup")]
        ax_s.plot([r["threads"] for r in sp], [r["speedup"] for r in sp], label=s, **style(s))
    ax_s.plot(threads, [t / threads[0] for t in threads], color="grey", linewidth=0.8,
              linestyle=":", label="linear")
    for ax in (ax_t, ax_s):
        ax.set_xscale("log", base=2)
        ax.set_xticks(threads)
        ax.set_xticklabels([str(t) for t in threads])
        ax.set_xlabel("threads")
        ax.legend(fontsize=7)
    ax_t.set_ylabel(f'throughput ({data.get("unit") or "unit"}/s)')
    ax_t.set_ylim(bottom=0)
    ax_t.set_title(f"{workload}: throughput")
    ax_s.set_ylabel(f"speedup over {threads[0]} thread(s)")
    ax_s.set_title(f'{workload}: speedup ({scale.get("cores")} cores)')
    return save_figure(fig, out_dir, f"scale_{workload}")


def plot_scale(scale_dir) -> list:
    scale_dir = Path(scale_dir)
    scale = read_json(scale_dir / "scale.json")
    written = []
    for workload, data in scale["workloads"].items():
        written += plot_workload(workload, data, scale, scale_dir / "plots")
    return written
