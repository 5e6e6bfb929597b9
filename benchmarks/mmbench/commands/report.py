"""mmbench report RUN_DIR: tables (Markdown, CSV), plots and a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

from mmbench.reporting.generate import Result, generate

__all__ = ["generate", "register", "run_report", "Result"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write report.md/.csv/.html and plots for a run folder",
        description="Read a run folder (docs/run-folder.md) and write report.md, report.csv, "
                    "plots/*.png|svg and a self-contained report.html into it; print the "
                    "Markdown tables. Exit 0 when every input was usable, 1 when some file "
                    "was missing or malformed (named on stderr; the rest is still written), "
                    "2 when RUN_DIR is not a folder.")
    p.add_argument("run_dir", metavar="RUN_DIR", type=Path, help="the run folder")
    p.add_argument("--quiet", action="store_true", help="do not print the tables")
    p.set_defaults(func=run_report)


def run_report(args) -> int:
    if not Path(args.run_dir).is_dir():
        print(f"mmbench report: {args.run_dir}: not a run folder (no such directory)")
        return 2
    result = generate(args.run_dir, quiet=args.quiet)
    return 0 if result.ok else 1
