"""mmbench report on a run folder written by hand, against hand-computed figures.

Unlike tests/fixtures/runs/small (made by make_fixture.py with the code under
test), every input here is a literal and every expected figure is worked out
by hand in the comments: unit conversions (KiB -> MiB is /1024), which summary
key lands in which percentile column (each percentile has a distinct value, so
a swapped or shifted column shows), and the throughput ratio to glibc.
"""

import csv
import io
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

from mmbench.reporting.generate import generate  # noqa: E402


def _row(strategy, peak_kib, latencies_ns, throughputs, gc=None):
    p50, p90, p99, p999, mx = latencies_ns
    row = {
        "workload": "w", "strategy": strategy, "size": "quick", "reps": 3, "status": "ok",
        "throughput_per_s": sorted(throughputs)[1], "wall_s": 0.5, "peak_rss_kib": peak_kib,
        "live_kib": 1024, "lat_p50_ns": p50, "lat_p90_ns": p90, "lat_p99_ns": p99,
        "lat_p999_ns": p999, "lat_max_ns": mx, "gc_pauses": None, "gc_pause_p99_ns": None,
        "gc_pause_max_ns": None, "throughput_samples": throughputs, "rep_status": ["ok"] * 3,
        "deliberate_leak": False, "unit": "op", "counters": {},
    }
    if gc:
        row.update(gc)
    return row


ROWS = [
    # peak 5120 KiB = 5 MiB exactly (5.12 if divided by 1000); live 1024 KiB = 1 MiB.
    _row("glibc", 5120, [1500, 2500, 7000, 12000, 40000], [100.0, 110.0, 90.0],
         gc={"cv_wall": 0.125}),
    # 1536 KiB = 1.5 MiB; throughput mean 200 vs glibc's mean 100: ratio 2.
    _row("arena", 1536, [1000, 3000, 5000, 9000, 20000], [200.0, 220.0, 180.0]),
    # 3 pauses, p99 250 us, max 0.75 ms.
    _row("boehm", 10240, [800, 900, 6000, 15000, 90000], [50.0, 55.0, 45.0],
         gc={"gc_pauses": 3, "gc_pause_p99_ns": 250000, "gc_pause_max_ns": 750000}),
]

# Hand-computed: ns / 1000 = us; KiB / 1024 = MiB.
EXPECTED = {
    "glibc": {"peak_rss_mib": 5.0, "live_mib": 1.0, "rss_per_live": 5.0, "lat_p50_us": 1.5,
              "lat_p90_us": 2.5, "lat_p99_us": 7.0, "lat_p999_us": 12.0, "lat_max_us": 40.0,
              "throughput_per_s": 100.0, "rel_throughput": 1.0},
    "arena": {"peak_rss_mib": 1.5, "live_mib": 1.0, "rss_per_live": 1.5, "lat_p50_us": 1.0,
              "lat_p90_us": 3.0, "lat_p99_us": 5.0, "lat_p999_us": 9.0, "lat_max_us": 20.0,
              "throughput_per_s": 200.0, "rel_throughput": 2.0},
    "boehm": {"peak_rss_mib": 10.0, "rss_per_live": 10.0, "lat_p50_us": 0.8,
              "lat_p90_us": 0.9, "lat_p99_us": 6.0, "lat_p999_us": 15.0, "lat_max_us": 90.0,
              "throughput_per_s": 50.0, "rel_throughput": 0.5, "gc_pauses": 3.0,
              "gc_pause_p99_us": 250.0, "gc_pause_max_us": 750.0},
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = tmp_path_factory.mktemp("known") / "run"
    (run / "raw").mkdir(parents=True)
    (run / "summary.json").write_text(json.dumps({"rows": ROWS}))
    (run / "manifest.json").write_text("{}")
    for r in ROWS:
        for rep in (1, 2, 3):
            detail = {"workload": "w", "strategy": r["strategy"]}
            (run / "raw" / f"w.{r['strategy']}.r{rep}.detail.json").write_text(json.dumps(detail))
    result = generate(run, quiet=True)
    assert result.ok, result.problems
    records = list(csv.DictReader(io.StringIO((run / "report.csv").read_text())))
    return {r["strategy"]: r for r in records}, (run / "report.md").read_text()


@pytest.mark.parametrize("strategy", sorted(EXPECTED))
def test_csv_figures_are_the_hand_computed_ones(report, strategy):
    records, _ = report
    for column, expected in EXPECTED[strategy].items():
        assert float(records[strategy][column]) == pytest.approx(expected, rel=1e-9), column


def test_markdown_table_shows_the_hand_computed_figures(report):
    _, md = report
    lines = {line.split("|")[1].strip(): line for line in md.splitlines()
             if line.startswith("| ") and line.split("|")[2].strip() == "ok"}
    cells = lambda s: [c.strip().strip("*") for c in lines[s].split("|")[1:-1]]  # noqa: E731
    # strategy, status, throughput, vs glibc, CV, wall ms, peak MiB, RSS/live, p50..max (us)
    assert cells("glibc")[6:13] == ["5.00", "5.00", "1.50", "2.50", "7.00", "12.0", "40.0"]
    assert cells("arena")[6:13] == ["1.50", "1.50", "1.00", "3.00", "5.00", "9.00", "20.0"]
    assert cells("arena")[3].startswith("2.00×")
    assert cells("glibc")[4] == "12.5%"  # cv_wall 0.125
    assert cells("glibc")[5] == "500"  # wall 0.5 s in ms
