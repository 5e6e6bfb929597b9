"""Figures that would say something false read n/a in every table: the speed
of rows whose headline is not their speed, RSS over (next to) no live data.

Over the small fixture run folder: its baseline rows are footprint rows whose
live data is a few bytes; its binary_trees rows are timed, with live data, and
must keep their numbers. A fixed-rate row is planted to cover the other kind.
"""

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from mmbench.reporting import figures, generate as generate_module
from mmbench.reporting.summary_md import summary_markdown
from mmbench.runfolder import RunData

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"


def _md_table(md: str, heading: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the Markdown table under `## heading`, bold marks removed."""
    section = md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|") and "---" not in line]
    cells = [[c.strip().strip("*") for c in line.strip("|").split("|")] for line in lines]
    return cells[0], cells[1:]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The fixture's report, without plots (not what is tested here)."""
    run = tmp_path_factory.mktemp("na") / "run"
    shutil.copytree(FIXTURE, run)
    mp = pytest.MonkeyPatch()
    mp.setattr(generate_module, "load_plots_module", lambda: (None, "plots not under test"))
    try:
        result = generate_module.generate(run, quiet=True)
    finally:
        mp.undo()
    assert result.ok, result.problems
    return run


def test_fixture_has_the_degenerate_rows(report):
    rows = json.loads((report / "summary.json").read_text())["rows"]
    baseline = [r for r in rows if r["workload"] == "baseline"]
    assert baseline and all(r["headline"] == "footprint" for r in baseline)
    assert all(r["live_kib"] < figures.MIN_LIVE_KIB for r in baseline)
    # The summary still holds the arithmetic; the tables must not show it.
    assert any(r["ratio_vs_ref"] not in (None, 1.0) for r in baseline)


def test_verdict_rss_per_live_is_na_for_no_live_data(report):
    header, rows = _md_table((report / "report.md").read_text(), "Verdict")
    col = header.index("RSS/live")
    by_key = {(r[0], r[1]): r for r in rows}
    baseline = [r for (w, _), r in by_key.items() if w == "baseline"]
    assert len(baseline) == 6 and {r[col] for r in baseline} == {"n/a"}
    timed = [r for (w, _), r in by_key.items() if w == "binary_trees"]
    assert timed and all(float(r[col]) > 1 for r in timed)
    assert {r[header.index("LBO wall [95% CI]")] for r in baseline} == {"n/a (footprint)"}


def test_workload_tables_show_na_where_numbers_would_mislead(report):
    md = (report / "report.md").read_text()
    header, rows = _md_table(md, "baseline")
    thr = next(i for i, h in enumerate(header) if h.startswith("throughput"))
    for r in rows:
        assert (r[thr], r[header.index("vs glibc [95% CI]")], r[header.index("RSS/live")]) == (
            "n/a", "n/a (footprint)", "n/a")
        float(r[header.index("peak RSS (MiB)")])  # the footprint itself is a figure
    header, rows = _md_table(md, "binary_trees")
    ok = [r for r in rows if r[1] == "ok"]
    assert ok and all(re.fullmatch(r"[0-9.]+[kMG]?", r[thr]) for r in ok)
    assert all(float(r[header.index("RSS/live")]) > 1 for r in ok)
    assert any("×" in r[header.index("vs glibc [95% CI]")] for r in ok)


def test_overview_has_no_speed_row_for_the_footprint(report):
    header, rows = _md_table((report / "report.md").read_text(), "Overview")
    labels = [(r[0], r[1]) for r in rows]
    assert ("baseline (footprint)", "peak RSS MiB") in labels
    assert not any(w.startswith("baseline") and f.startswith("throughput") for w, f in labels)
    speed = rows[labels.index(("binary_trees", "throughput ×"))]
    assert all(float(c) > 0 for c in speed[2:] if c != "crash")


def test_csv_leaves_na_cells_empty_and_unranked(report):
    records = list(csv.DictReader(io.StringIO((report / "report.csv").read_text())))
    baseline = [r for r in records if r["workload"] == "baseline"]
    for r in baseline:
        assert (r["throughput_per_s"], r["rel_throughput"], r["rss_per_live"]) == ("", "", "")
        assert not {"throughput_per_s", "rss_per_live"} & set(r["best"].split(";"))
        assert float(r["peak_rss_mib"]) > 0
    timed = [r for r in records if r["workload"] == "binary_trees" and r["status"] == "ok"]
    for r in timed:
        assert float(r["throughput_per_s"]) > 0 and float(r["rss_per_live"]) > 1


def test_html_verdict_shows_na(report):
    page = (report / "report.html").read_text()
    table = page.split('id="table-verdict"', 1)[1].split("</table>", 1)[0]
    cells = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table)]
    baseline = [c for c in cells if c and c[0] == "baseline"]
    assert len(baseline) == 6 and {c[4] for c in baseline} == {"n/a"}
    assert all(float(c[4]) > 1 for c in cells if c and c[0] == "binary_trees")


def test_summary_md_shows_na_for_untimed_rows(report):
    md = summary_markdown(json.loads((report / "summary.json").read_text())["rows"], None)
    lines = [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines()
             if line.startswith("| baseline") or line.startswith("| binary_trees")]
    for cells in lines:
        if cells[0] == "baseline":
            assert cells[3:5] == ["n/a (footprint)", "n/a (footprint)"]
        elif cells[2] == "ok" and cells[1] != "glibc":
            assert cells[3].endswith("/s") and "×" in cells[4]


def _planted(headline: str, live_kib: float) -> dict:
    return {"workload": "w", "strategy": "mimalloc", "status": "ok", "headline": headline,
            "throughput_per_s": 1000.0, "ratio_vs_ref": 1.01, "ratio_ci95_lo": 1.0,
            "ratio_ci95_hi": 1.02, "peak_rss_kib": 6000.0, "live_kib": live_kib,
            "reps": 3, "unit": "frame"}


def test_fixed_rate_rows_have_no_speed_and_live_data_keeps_its_ratio():
    row = _planted("frame_time", 200.0)
    f = figures.row_figures(RunData(Path("."), rows=[row]), row)
    assert (f.throughput, f.rel) == (None, None) and f.na["throughput"] == "fixed rate"
    assert f.rss_per_live == pytest.approx(30.0)
    md = summary_markdown([row], None)
    assert "n/a (fixed rate)" in md and "1.01×" not in md


@pytest.mark.parametrize("live_kib, degenerate", [(0.0078125, True), (3.9, True),
                                                  (4.0, False), (64.0, False)])
def test_rss_per_live_threshold(live_kib, degenerate):
    row = _planted("throughput", live_kib)
    f = figures.row_figures(RunData(Path("."), rows=[row]), row)
    assert (f.rss_per_live is None) == degenerate
    assert ("rss_per_live" in f.na) == degenerate
    assert f.throughput == 1000.0 and f.rel == 1.01
