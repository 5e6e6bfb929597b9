"""sweep.md, sweep.csv, the sweep figures and the README's Hertz–Berger block, all
from the hand-made tests/fixtures/sweep/sweep.json (its figures are listed in
test_hertz_berger.py)."""

import csv
import io
import json
import shutil
import subprocess

import pytest

from conftest import MMBENCH, REPO
from mmbench.reporting import readme, sweep_md

FIXTURE = REPO / "tests" / "fixtures" / "sweep" / "sweep.json"


@pytest.fixture(scope="module")
def result():
    return json.loads(FIXTURE.read_text())


def _cells(md: str, first: str, second: str | None = None) -> list[str]:
    """The cells of the table row that starts with these cells (the first such)."""
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] == first and second in (None, cells[1]):
            return cells
    raise AssertionError(f"no row {first!r} {second!r}")


def _section(md: str, heading: str) -> str:
    start = md.index(heading + "\n")
    end = md.find("\n## ", start + len(heading))
    return md[start:end if end > 0 else len(md)]


def test_hertz_berger_table_cells(result):
    md = sweep_md.sweep_markdown(result)
    hb = _section(md, "## Hertz–Berger: the smallest heap within 10% of the best explicit "
                  "malloc/free strategy")
    assert _cells(hb, "binary_trees", "boehm") == [
        "binary_trees", "boehm", "4×", "3.50×", "7.46×", "oom", "1.80×", "1.40×", "1.15×",
        "1.05×", "1.02×"]
    assert _cells(hb, "binary_trees", "jvm-g1")[2:5] == ["not within 6×", "n/a", "n/a"]
    assert _cells(hb, "binary_trees", "go")[2:6] == ["GOGC=200", "6.01× live RSS", "6.20×",
                                                     "n/a"]
    assert _cells(hb, "lru_cache", "boehm")[2:5] == ["2×", "1.67×", "2.68×"]
    assert _cells(hb, "lru_cache", "jvm-g1")[2:6] == ["≤ 1.25×", "—", "4.12×", "1.08×"]
    assert _cells(hb, "lru_cache", "go")[2:4] == ["not within (GOGC up to 400)", "n/a"]
    # The published figures beside it, and the rule applied to them: 3.82× interpolated.
    assert "2× 1.70×, 3× 1.17×, 5× 1.00×; within 10% at 5× (3.82× interpolated)" in hb
    assert "OOPSLA 2005" in hb and "GOGC" in hb and "not an imposed heap" in hb


def test_per_workload_tables(result):
    md = sweep_md.sweep_markdown(result)
    bt = _section(md, "## binary_trees")
    assert "Live data: c++ 4.00 MiB, jvm 5.00 MiB, go 4.50 MiB." in bt
    assert "Best explicit malloc/free strategy: **mimalloc** (200 ms per pass)." in bt
    boehm = bt[bt.index("### boehm"):bt.index("### jvm-g1")]
    assert "Multiples of its minimum heap (6.00 MiB, ok). Each point caps libgc's heap" in boehm
    assert "--gc-min-bytes-allocd" not in bt[bt.index("### jvm-g1"):]
    assert _cells(boehm, "1.25×") == ["1.25×", "7.50 MiB", "oom", "—", "—", "—", "—", "—"]
    # 3×: 18 MiB cap, 24412 KiB = 23.8 MiB peak RSS, 5.96× its 4 MiB live, 1 ms worst pause.
    assert _cells(boehm, "3×") == ["3×", "18.0 MiB", "ok", "1.15× (1.11–1.18)", "23.8",
                                   "5.96×", "1.15×", "1.00"]
    go = bt[bt.index("### go"):bt.index("### Manual")]
    assert "Go has no hard heap cap" in go
    assert _cells(go, "GOGC=400")[:6] == ["GOGC=400", "n/a", "ok", "0.980× (0.951–1.01)",
                                          "47.2", "10.5×"]
    manual = bt[bt.index("### Manual"):]
    assert _cells(manual, "jvm-epsilon") == ["jvm-epsilon", "ok", "240 ms", "1.20× (1.16–1.24)",
                                             "200", "40.0×", "68.4"]


def test_csv_one_row_per_point_in_a_stable_order(result):
    rows = list(csv.reader(io.StringIO(sweep_md.to_csv(result))))
    assert rows[0] == sweep_md.CSV_COLUMNS
    assert len(rows) - 1 == len(result["points"]) == 38
    first = dict(zip(rows[0], rows[1]))
    assert (first["label"], first["status"], first["multiple"], first["heap_bytes"],
            first["wall_s"], first["footprint_kib"]) == ("boehm@1.25x", "oom", "1.25", "7864320",
                                                         "", "6000")
    go = next(dict(zip(rows[0], r)) for r in rows[1:] if r[2] == "go@gogc200")
    assert (go["series"], go["gogc"], go["multiple"], go["time_vs_best_manual"],
            go["time_vs_best_manual_ci95_low"], go["peak_rss_kib"]) == (
                "gogc", "200", "", "1.08", "1.048", "28570")


def test_plot_writes_the_sweep_figures(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "sweep.json")
    done = subprocess.run([str(MMBENCH), "plot", str(folder)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    names = {p.name for p in (folder / "plots").iterdir()}
    assert names == {"sweep_binary_trees.png", "sweep_lru_cache.png", "sweep_lbo.png"}
    for name in names:
        png = (folder / "plots" / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[25] == 3, name  # a palette PNG


def test_plot_refuses_an_older_sweep(tmp_path):
    # The shape of the first landing's sweep.json (one Boehm strategy, per-workload grids).
    old = {"strategy": "boehm", "size": "default", "reps": 3, "precision": 0.05,
           "workloads": {"binary_trees": {"live_bytes": 4194304, "grid": [], "references": []}}}
    (tmp_path / "sweep.json").write_text(json.dumps(old))
    done = subprocess.run([str(MMBENCH), "plot", str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "an older sweep format" in done.stderr and "Traceback" not in done.stderr


def test_readme_block_from_a_sweep_and_without_one(tmp_path):
    (tmp_path / "results" / "sweep").mkdir(parents=True)
    assert "(none)" in readme.sweep_hertz_berger(tmp_path)
    (tmp_path / "results" / "sweep" / "sweep.json").write_text('{"workloads": {}}')
    assert "No sweep of the current format" in readme.sweep_hertz_berger(tmp_path)
    shutil.copy(FIXTURE, tmp_path / "results" / "sweep" / "sweep.json")
    block = readme.sweep_hertz_berger(tmp_path)
    assert block.startswith("### Garbage collection against heap size (Hertz–Berger)\n")
    assert _cells(block, "binary_trees", "boehm")[2:4] == ["4×", "3.50×"]
    assert "## Hertz–Berger" not in block and block.endswith("\n")
