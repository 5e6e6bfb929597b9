"""mmbench report RUN_DIR: tables (Markdown, CSV), plots and a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

from mmbench.reporting.generate import Result, generate

__all__ = ["generate", "register", "run_report", "Result"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write report.md/.csv/.html and plots for a run folder",
        description="Read a run folder (docs/run-folder.md) and write report.md, report.csv, "
                    "plots/*.png and a self-contained report.html into it; print the "
                    "Markdown tables. Exit 0 when every input was usable, 1 when some file "
                    "was missing or malformed (named on stderr; the rest is still written), "
                    "2 when RUN_DIR is not a folder.")
    p.add_argument("run_dir", metavar="RUN_DIR", type=Path, help="the run folder")
    p.add_argument("--quiet", action="store_true", help="do not print the tables")
    p.set_defaults(func=run_report)


def run_report(args) -> int:
    import sys
    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        print(f"mmbench report: error: {args.run_dir}: not a run folder (no such directory)",
              file=sys.stderr)
        return 2
    if not (run_dir / "manifest.json").is_file() and not (run_dir / "summary.json").is_file():
        # Write nothing into a folder that holds no run.
        print(f"mmbench report: error: {args.run_dir}: not a run folder (no manifest.json or "
              "summary.json)", file=sys.stderr)
        return 2
    result = generate(args.run_dir, quiet=args.quiet)
    return 0 if result.ok else 1
