"""The verdict table (reporting/tables.py) on the small fixture run folder,
with LBO, MMU and drain figures planted in its summary rows."""

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

from mmbench.reporting.generate import generate  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"


@pytest.fixture
def run(tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)
    summary = json.loads((dst / "summary.json").read_text())
    planted = {
        "glibc": dict(lbo_wall=0.5, lbo_wall_lo=0.4, lbo_wall_hi=0.6, lbo_cpu=0.7,
                      lbo_cpu_lo=0.6, lbo_cpu_hi=0.8,
                      drain_rss_start_kib=4096.0, drain_rss_1s_kib=2048.0),
        "arena": dict(lbo_wall=0.0, lbo_wall_lo=0.0, lbo_wall_hi=0.1, lbo_cpu=0.1,
                      lbo_cpu_lo=None, lbo_cpu_hi=None),
        "boehm": dict(lbo_wall=1.25, lbo_wall_lo=1.0, lbo_wall_hi=1.5, lbo_cpu=0.05,
                      lbo_cpu_lo=0.0, lbo_cpu_hi=0.1, mmu_10ms=0.42),
    }
    for row in summary["rows"]:
        row["headline"] = "footprint" if row["workload"] == "baseline" else "throughput"
        if row["workload"] == "binary_trees":
            row.update(planted.get(row["strategy"], {}))
    (dst / "summary.json").write_text(json.dumps(summary))
    return dst


def _verdict_rows(md):
    section = md.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return header, {tuple(c.strip() for c in line.strip("|").split("|"))[:2]:
                    dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
                    for line in lines[1:]}


def test_verdict_table_follows_the_overview_with_every_column(run):
    result = generate(run, quiet=True)
    assert result.ok, result.problems
    md = (run / "report.md").read_text()
    assert md.index("## Overview") < md.index("## Verdict") < md.index("## binary_trees")
    header, rows = _verdict_rows(md)
    assert header == ["workload", "strategy", "LBO wall [95% CI]", "LBO CPU [95% CI]",
                      "RSS/live", "retained after drain", "worst stall", "MMU@10ms"]
    assert ("binary_trees", "shared_ptr") not in rows  # crashed: no verdict claimed
    glibc, arena, boehm = (rows[("binary_trees", s)] for s in ("glibc", "arena", "boehm"))
    assert glibc["LBO wall [95% CI]"] == "0.500 [0.400, 0.600]"
    assert arena["LBO wall [95% CI]"] == "**0 [0, 0.100]**"          # lowest: best
    assert arena["LBO CPU [95% CI]"] == "0.100 [CI n/a]"
    assert boehm["LBO CPU [95% CI]"] == "**0.0500 [0, 0.100]**"
    peak = {r["strategy"]: r["peak_rss_kib"] for r in json.loads(
        (run / "summary.json").read_text())["rows"] if r["workload"] == "binary_trees"}
    share = round(100 * 2048 / peak["glibc"])  # retained at 1 s over peak RSS
    assert glibc["retained after drain"] == f"2.00 MiB ({share}%)"  # alone: no mark
    assert arena["retained after drain"] == "not measured"
    # Worst stall: the longer of the slowest unit (3.81 ms) and the GC max (5.21 ms).
    assert boehm["worst stall"] == "5.21 ms"
    assert boehm["MMU@10ms"] == "0.420" and glibc["MMU@10ms"] == "—"
    base = rows[("baseline", "glibc")]
    assert base["LBO wall [95% CI]"] == "n/a (footprint)"
    assert "does not say" in md or "What it does not say" in md
    assert "What the bound says" in md
