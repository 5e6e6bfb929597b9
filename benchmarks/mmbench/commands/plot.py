"""mmbench plot: draw the figures of a run, sweep or scale folder again."""

from __future__ import annotations

import pathlib
import sys

from mmbench.errors import UsageError
from mmbench.interpreter import require_matplotlib


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "plot", help="draw the figures of a run, sweep or scale folder into DIR/plots",
        description="Draw the figures of a folder written by `mmbench run` (manifest.json and "
                    "summary.json), `mmbench sweep` (sweep.json) or `mmbench scale` "
                    "(scale.json) into DIR/plots/, as PNG (what README and report.html show).")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--svg", action="store_true",
                   help="also write each figure as SVG (vector, for papers; not committed)")
    p.set_defaults(func=plot_command)


def plot_command(args) -> int:
    folder = pathlib.Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder")
    require_matplotlib("`mmbench plot`")
    from plot import run, scale, style, sweep
    if args.svg:
        style.FORMATS.append("svg")
    for name, draw in (("sweep.json", sweep.plot_sweep), ("scale.json", scale.plot_scale)):
        if (folder / name).is_file():
            for path in draw(folder):
                print(f"plot: {path}")
            return 0
    if not (folder / "summary.json").is_file() and not (folder / "summary.csv").is_file():
        raise UsageError(f"{folder}: not a run, sweep or scale folder (no summary.json, "
                         "sweep.json or scale.json)")
    written, problems = run.make_all(folder)
    for p in problems:
        print(f"mmbench plot: {p}", file=sys.stderr)
    print(f"mmbench plot: wrote {len(written)} files to {folder / 'plots'}")
    return 1 if problems else 0
