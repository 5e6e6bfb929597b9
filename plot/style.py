"""One look per strategy, fixed by name, so every figure agrees and each line is
told apart by marker, line style and hatch as well as colour (greyscale prints)."""

from __future__ import annotations

import io
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
    # The managed runtimes, seven curves on one sweep figure: a colour each.
    "jvm-serial": ("#17becf", "*", (0, (4, 2, 1, 2)), "++"),
    "jvm-parallel": ("#bcbd22", "h", (0, (8, 2)), "||"),
    "jvm-g1": ("#e377c2", "<", (0, (2, 2, 6, 2)), "**"),
    "jvm-zgc": ("#393b79", ">", (0, (1, 3)), "O."),
    "jvm-shenandoah": ("#a55194", "p", (0, (6, 1, 1, 1, 1, 1, 1, 1)), "-\\\\"),
    "jvm-epsilon": ("#637939", "8", (0, (3, 3)), "x."),
    "go": ("#7f7f7f", "H", (0, (5, 2, 1, 2, 1, 2)), "o."),
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


# The formats save_figure writes. PNG is what a reader opens (README, report.html
# embeds it); `mmbench plot --svg` adds a vector copy.
FORMATS = ["png"]


def footer(fig, data) -> None:
    """The run's machine line (runfolder.machine_line) at the figure's foot."""
    from mmbench.runfolder import machine_line

    fig.supxlabel(f"mmbench · {machine_line(data)}", fontsize=7, color="#444",
                  x=0.01, ha="left")


def _png_bytes(fig) -> bytes:
    """The figure as a 256-colour palette PNG without metadata: a third of the size
    of matplotlib's RGBA file, and the same bytes each time it is drawn."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    image = Image.open(buffer)
    opaque = Image.new("RGB", image.size, "white")
    opaque.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    out = io.BytesIO()
    opaque.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return out.getvalue()


def _svg_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})  # no date: the same bytes
    return buffer.getvalue()


def save_figure(fig, out_dir: Path, name: str) -> list[Path]:
    """Write fig as out_dir/NAME.<format> for each of FORMATS, close it, return the paths.

    Each file is written beside its final name and renamed into place, so a reader
    never sees half a figure."""
    import matplotlib.pyplot as plt  # here, so importing style does not pick a backend

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for ext in FORMATS:
            data = _png_bytes(fig) if ext == "png" else _svg_bytes(fig)
            path = out_dir / f"{name}.{ext}"
            write_bytes_atomic(path, data)
            written.append(path)
    finally:
        plt.close(fig)
    return written


def write_bytes_atomic(path: Path, data: bytes) -> None:
    # A unique temporary name (two reports on one folder do not collide), removed
    # if the write fails (e.g. a full disk leaves no partial file behind).
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
