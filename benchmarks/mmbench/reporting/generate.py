"""Everything a run folder publishes: report.md, report.csv, plots/, report.html.

Robust by design (the runner calls it at the end of `mmbench run`): a missing,
failed or malformed input is named in a message and everything else is still
written; without matplotlib the tables still come out.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from mmbench import runstate
from mmbench.reporting import csv_report, html, markdown, tables
from mmbench.runfolder import load, write_text_atomic


@dataclass
class Result:
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # inputs that could not be used
    notices: list[str] = field(default_factory=list)    # e.g. plots skipped, and why
    state: str = ""     # the line saying the run is partial, "" for a finished one
    markdown: str = ""
    terminal: str = ""  # what is printed: the result tables, overview last

    @property
    def ok(self) -> bool:
        return not self.problems


def load_plots_module():
    """plot.run (the top-level plot/ package), or (None, reason) if matplotlib is missing."""
    try:
        from plot import run as plots
    except ImportError as e:
        return None, (f"plots skipped: matplotlib is not importable in {sys.executable} ({e}); "
                      "run with /usr/bin/python3 (Debian's python3-matplotlib) to get them")
    return plots, ""


def generate(run_dir, quiet: bool = False) -> Result:
    run_dir = Path(run_dir)
    result = Result()
    data = load(run_dir)
    if not run_dir.is_dir():
        result.problems += data.problems
        _say(result, quiet)
        return result

    result.state = runstate.run_state(run_dir, data.manifest).describe()
    table_list = tables.build_tables(data)   # reads details lazily: problems land in data
    plots_module, why = load_plots_module()
    plot_problems = []
    if plots_module is None:
        result.notices.append(why)
    else:
        try:
            written, plot_problems = plots_module.make_all(run_dir, data)
            result.written += written
        except Exception as e:  # noqa: BLE001 - tables and HTML must still be written
            plot_problems.append(f"plots failed: {type(e).__name__}: {e}")
    result.problems = list(data.problems) + plot_problems

    result.markdown = markdown.report_markdown(data, table_list, result.state)
    # The terminal gets the result tables only, ending with the overview.
    result.terminal = markdown.results_markdown(table_list, overview_last=True)
    page = html.report_html(data, table_list, result.problems + result.notices, result.state)
    for name, text in (("report.md", result.markdown),
                       ("report.csv", csv_report.report_csv(data)), ("report.html", page)):
        try:
            write_text_atomic(run_dir / name, text)
            result.written.append(run_dir / name)
        except OSError as e:
            result.problems.append(f"{run_dir / name}: cannot write ({e})")
    _say(result, quiet)
    return result


def _say(result: Result, quiet: bool) -> None:
    if not quiet and result.terminal:
        print(result.terminal)
    if result.state:
        print(f"mmbench report: {result.state}", file=sys.stderr)
    for n in result.notices:
        print(f"mmbench report: {n}", file=sys.stderr)
    for p in result.problems:
        print(f"mmbench report: problem: {p}", file=sys.stderr)
    if result.written and not quiet:
        folder = result.written[-1].parent
        print(f"mmbench report: wrote {len(result.written)} files (report.md, report.csv, "
              f"report.html, plots/) in {folder}", file=sys.stderr)
