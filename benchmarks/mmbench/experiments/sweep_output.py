"""A sweep's files beside its run folder: sweep.json, sweep.csv, sweep.md
(reporting.sweep_md) and the figures (plot.sweep)."""

from __future__ import annotations

import pathlib
import sys

from mmbench.reporting import sweep_md
from mmbench.runfolder import write_json_atomic, write_text_atomic


def write(root: pathlib.Path, result: dict) -> int:
    """Write the files, print the table and the figures drawn; 1 where the figures
    could not be drawn (the data is written all the same), else 0."""
    write_json_atomic(root / "sweep.json", result)
    write_text_atomic(root / "sweep.csv", sweep_md.to_csv(result))
    markdown = sweep_md.sweep_markdown(result)
    write_text_atomic(root / "sweep.md", markdown)
    print(markdown, end="")
    rc = 0
    try:
        from plot import sweep as plot_sweep
        for path in plot_sweep.plot_sweep(root):
            print(f"plot: {path}")
    except Exception as e:  # noqa: BLE001 - the data is on disk whatever the figures do
        print(f"mmbench sweep: no plots ({type(e).__name__}: {e}); the data is in {root}",
              file=sys.stderr)
        rc = 1
    print(f"sweep folder: {root}")
    return rc
