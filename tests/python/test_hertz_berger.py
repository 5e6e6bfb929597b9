"""The Hertz–Berger number (experiments/hertz_berger.py) of the hand-made sweep in
tests/fixtures/sweep/sweep.json, every answer worked out by hand below.

The fixture: best manual is mimalloc on binary_trees and glibc on lru_cache;
time_vs_best_manual per point (limit 1 + 10% = 1.10):

  binary_trees boehm   1.25× oom, 1.5× 1.80, 2× 1.40, 3× 1.15, 4× 1.05, 6× 1.02
               rss × live at 3× 5.96, at 4× 7.46
  binary_trees jvm-g1  2.50, 1.90, 1.60, 1.40, 1.30, 1.25 (never within 10%)
  binary_trees go      GOGC 50 1.60 (3.0× live RSS), 100 1.30 (4.1×), 200 1.08 (6.2×),
                       400 0.98 (10.5×)
  lru_cache boehm      1.30, 1.12, 2× 1.06, 1.00, 0.99, 0.98 (rss × live 1.5× 2.06, 2× 2.68)
  lru_cache jvm-g1     1.25× 1.08 (already within at the first point), 1.04, ...
  lru_cache go         1.50, 1.20, 1.12, 1.11 (never within)
"""

import json

import pytest

from conftest import REPO
from mmbench.experiments import hertz_berger

FIXTURE = REPO / "tests" / "fixtures" / "sweep" / "sweep.json"


@pytest.fixture(scope="module")
def result():
    return json.loads(FIXTURE.read_text())


@pytest.fixture(scope="module")
def rows(result):
    return {(r["workload"], r["strategy"]): r for r in hertz_berger.table(result)}


def test_one_row_per_workload_and_collector_in_order(result):
    keys = [(r["workload"], r["strategy"]) for r in hertz_berger.table(result)]
    assert keys == [("binary_trees", "boehm"), ("binary_trees", "jvm-g1"),
                    ("binary_trees", "go"), ("lru_cache", "boehm"), ("lru_cache", "jvm-g1"),
                    ("lru_cache", "go")]


def test_crossing_with_an_oom_point_below(rows):
    row = rows[("binary_trees", "boehm")]
    # First ratio <= 1.10 is 1.05 at 4×. Between 3× (1.15) and 4× (1.05):
    # 3 + (1.10 - 1.15) * (4 - 3) / (1.05 - 1.15) = 3 + 0.05 / 0.10 = 3.5.
    assert row["crossing_multiple"] == 4.0
    assert row["interpolated_multiple"] == pytest.approx(3.5)
    # Read as peak RSS over live: 5.96 + 0.5 * (7.46 - 5.96) = 6.71.
    assert row["crossing_rss_multiple"] == 7.46
    assert row["interpolated_rss_multiple"] == pytest.approx(6.71)
    # The 1.25× point is oom: no ratio, listed as failed, never a crossing.
    assert row["at_multiples"][1.25] is None and row["failed"] == {1.25: "oom"}
    assert row["at_multiples"][3.0] == 1.15 and row["ok_points"] == 5
    assert row["first_point_within"] is False


def test_collector_never_within(rows):
    row = rows[("binary_trees", "jvm-g1")]
    # Its best ratio is 1.25 at 6×: above 1.10 everywhere.
    assert row["crossing_multiple"] is None and row["interpolated_multiple"] is None
    assert row["ok_points"] == 6 and row["failed"] == {}


def test_crossing_between_the_first_grid_points(rows):
    row = rows[("lru_cache", "boehm")]
    # 1.5× 1.12 > 1.10, 2× 1.06 <= 1.10: 1.5 + (1.10 - 1.12) * 0.5 / (1.06 - 1.12)
    # = 1.5 + (1/3) * 0.5 = 1.6667.
    assert row["crossing_multiple"] == 2.0
    assert row["interpolated_multiple"] == pytest.approx(1.5 + 0.5 / 3)
    # RSS: 2.06 + (1/3) * (2.68 - 2.06) = 2.2667.
    assert row["interpolated_rss_multiple"] == pytest.approx(2.06 + 0.62 / 3)


def test_within_at_the_first_point_has_no_interpolation(rows):
    row = rows[("lru_cache", "jvm-g1")]
    # 1.08 <= 1.10 already at 1.25×: the crossing lies at or below the grid.
    assert row["crossing_multiple"] == 1.25
    assert row["interpolated_multiple"] is None
    assert row["first_point_within"] is True


def test_go_is_read_in_gogc_and_peak_rss(rows):
    row = rows[("binary_trees", "go")]
    # GOGC 100 1.30 > 1.10, GOGC 200 1.08 <= 1.10: crossing GOGC=200 at 6.2× live RSS;
    # in RSS: 4.1 + (1.10 - 1.30) * (6.2 - 4.1) / (1.08 - 1.30) = 4.1 + 2.1 * 0.2 / 0.22
    # = 6.00909.
    assert row["series"] == "gogc" and row["crossing_multiple"] is None
    assert row["crossing_gogc"] == 200 and row["crossing_rss_multiple"] == 6.2
    assert row["interpolated_rss_multiple"] == pytest.approx(4.1 + 2.1 * 0.2 / 0.22)
    assert row["at_gogc"] == {50: 1.6, 100: 1.3, 200: 1.08, 400: 0.98}
    never = rows[("lru_cache", "go")]  # 1.11 at GOGC 400 is still above 1.10
    assert never["crossing_gogc"] is None and never["interpolated_rss_multiple"] is None


def test_margin_is_a_parameter(result):
    rows = {(r["workload"], r["strategy"]): r for r in hertz_berger.table(result, within=0.20)}
    row = rows[("binary_trees", "boehm")]
    # Limit 1.20: first at 3× (1.15); 2 + (1.20 - 1.40) * 1 / (1.15 - 1.40) = 2.8.
    assert row["crossing_multiple"] == 3.0
    assert row["interpolated_multiple"] == pytest.approx(2.8)
    # Go on lru_cache: GOGC 50 1.50 > 1.20, GOGC 100 1.20 <= 1.20.
    assert rows[("lru_cache", "go")]["crossing_gogc"] == 100


def test_crossing_takes_the_first_point_within_even_on_a_bumpy_curve():
    # 1.5 -> 1.09 (within), then 1.12 at 3: the first crossing, between 1 and 2:
    # 1 + (1.10 - 1.30) * (2 - 1) / (1.09 - 1.30) = 1 + 0.2 / 0.21.
    grid, interpolated = hertz_berger.crossing([(1, 1.30), (2, 1.09), (3, 1.12)], 1.10)
    assert grid == 2 and interpolated == pytest.approx(1 + 0.2 / 0.21)
    assert hertz_berger.crossing([(1, 1.2), (2, 1.15)], 1.10) == (None, None)
    assert hertz_berger.crossing([], 1.10) == (None, None)


def test_published_figures_by_the_same_rule():
    # 3× 1.17, 5× 1.00: 3 + (1.10 - 1.17) * 2 / (1.00 - 1.17) = 3 + 0.14 / 0.17 = 3.8235.
    assert hertz_berger.HERTZ_BERGER_2005 == ((2.0, 1.70), (3.0, 1.17), (5.0, 1.00))
    grid, interpolated = hertz_berger.published_crossing()
    assert grid == 5.0 and interpolated == pytest.approx(3 + 0.14 / 0.17)
    assert "OOPSLA 2005" in hertz_berger.HERTZ_BERGER_2005_CITATION


def test_largest_multiple_and_an_empty_sweep(result):
    assert hertz_berger.largest_multiple(result) == 6
    empty = {"experiment": "sweep", "points": [], "collectors": ["boehm"], "multiples": []}
    assert hertz_berger.table(empty) == [] and hertz_berger.largest_multiple(empty) is None
