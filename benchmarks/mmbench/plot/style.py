"""One look per strategy, fixed by name, so every figure agrees and each line is
told apart by marker, line style and hatch as well as colour (greyscale prints)."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

from mmbench.runfolder import FILE_MODE


# name: (colour, marker, line style, bar hatch)
STRATEGY_STYLES = {
    "glibc": ("#000000", "o", "-", ""),
    "mimalloc": ("#1f77b4", "s", "-", "//"),
    "jemalloc": ("#d62728", "^", "-.", "\\\\"),
    "arena": ("#2ca02c", "D", ":", ".."),
    "shared_ptr": ("#9467bd", "v", (0, (5, 1, 1, 1, 1, 1)), "xx"),
    "boehm": ("#ff7f0e", "X", (0, (1, 1)), "oo"),
    "pmr": ("#8c564b", "P", (0, (3, 1, 1, 1)), "--"),
    "epsilon": ("#e6ab02", "d", (0, (1, 2)), "\\\\.."),
}
# Any other strategy gets a look of its own on first use, unlike every look
# given so far: a variant (boehm-free, pmr-pool: NAME-...) in its family's
# colour, anything else (tcmalloc, a new strategy) in one of these; marker,
# line style and hatch from these lists. No table entry is needed.
_COLOURS = ["#17becf", "#7f7f7f", "#bcbd22", "#e377c2", "#393b79"]
_MARKERS = ["*", "h", "<", ">", "p", "8", "H", "1"]
_LINESTYLES = [(0, (4, 2, 1, 2)), (0, (8, 2)), (0, (2, 2, 6, 2)), (0, (1, 3)),
               (0, (6, 1, 1, 1, 1, 1, 1, 1))]
_HATCHES = ["++", "||", "**", "O.", "-\\"]
_assigned: dict[str, tuple] = {}


# Boehm's stop-the-world pauses are drawn dashed, beside the strategies' latency.
PAUSE_LINESTYLE = (0, (6, 3))


def style(strategy: str) -> dict:
    """matplotlib keyword arguments for a line of this strategy."""
    colour, marker, linestyle, _ = _look(strategy)
    return {"color": colour, "marker": marker, "linestyle": linestyle, "markersize": 5}


def bar_style(strategy: str) -> dict:
    colour, _, _, hatch = _look(strategy)
    return {"color": colour, "hatch": hatch, "edgecolor": "black", "linewidth": 0.6}


def _look(strategy: str) -> tuple:
    if strategy in STRATEGY_STYLES:
        return STRATEGY_STYLES[strategy]
    if strategy not in _assigned:
        family = STRATEGY_STYLES.get(strategy.split("-")[0])
        colours = [family[0]] if family else _COLOURS
        used = {(c, m, str(ls)) for c, m, ls, _ in
                list(STRATEGY_STYLES.values()) + list(_assigned.values())}
        n = len(_assigned)
        # Marker, line style and colour all change from one look to the next (8 and
        # 5 are coprime: 40 looks before marker and line style pair up again).
        for k in itertools.count():
            colour = colours[k % len(colours)]
            marker, linestyle = _MARKERS[k % len(_MARKERS)], _LINESTYLES[k % len(_LINESTYLES)]
            if (colour, marker, str(linestyle)) not in used:
                break
        _assigned[strategy] = (colour, marker, linestyle, _HATCHES[n % len(_HATCHES)])
    return _assigned[strategy]


def save_figure(fig, out_dir: Path, name: str) -> list[Path]:
    """Write fig as out_dir/NAME.png and NAME.svg, close it, return the two paths.

    Each file is written beside its final name and renamed into place, so a reader
    never sees half a figure."""
    import matplotlib.pyplot as plt  # here, so importing style does not pick a backend

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ext in ("png", "svg"):
        path = out_dir / f"{name}.{ext}"
        # A unique temporary name (two reports on one folder do not collide), removed
        # if the write fails (e.g. a full disk leaves no partial file behind).
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=f".tmp.{ext}", dir=out_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            os.chmod(tmp, FILE_MODE)
            fig.savefig(tmp, format=ext)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            plt.close(fig)
            raise
        written.append(path)
    plt.close(fig)
    return written
