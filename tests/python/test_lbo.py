"""Lower-bound overhead (mmbench/lbo.py) against hand-computed values
(Cai, Blackburn, Bond, Maas, ISPASS 2022; /work/shared/METHODS.md)."""

import pytest

from mmbench import lbo, summary

# Three strategies, three repetitions each, (total, explicit) seconds:
#   malloc:  T = 10, 12, 11, E = 0          -> median T 11, median D 11
#   gc:      T =  8,  9, 10, E = 3, 3, 3    -> median T  9, D = 5, 6, 7 -> 6
#   epsilon: T =  7,  7,  7, E = 0          -> median T  7, median D 7
# MDC = min(11, 6, 7) = 6 (the collector's distilled cost, not epsilon's);
# LBO = T / MDC - 1: malloc 11/6 - 1 = 5/6, gc 9/6 - 1 = 1/2, epsilon 7/6 - 1 = 1/6.
FIXTURE = {"malloc": [(10, 0), (12, 0), (11, 0)],
           "gc": [(8, 3), (9, 3), (10, 3)],
           "epsilon": [(7, 0), (7, 0), (7, 0)]}


def test_lbo_hand_computed():
    out = lbo.lbo(FIXTURE)
    assert out["malloc"][0] == pytest.approx(5 / 6)
    assert out["gc"][0] == pytest.approx(0.5)
    assert out["epsilon"][0] == pytest.approx(1 / 6)
    for s, (v, lo, hi) in out.items():
        assert 0 <= lo <= v <= hi, s  # total >= distilled >= MDC in every resample


def test_lbo_interval_is_reproducible_and_collapses_without_spread():
    assert lbo.lbo(FIXTURE) == lbo.lbo(dict(reversed(list(FIXTURE.items()))))
    # Every repetition alike: every resample gives the point value.
    out = lbo.lbo({"a": [(4, 1)] * 3, "b": [(6, 0)] * 3})
    assert out["a"] == pytest.approx((4 / 3 - 1, 4 / 3 - 1, 4 / 3 - 1))
    assert out["b"] == pytest.approx((1.0, 1.0, 1.0))
    # One repetition: a point, no interval.
    assert lbo.lbo({"a": [(2, 0)], "b": [(3, 1)]}) == {"a": (0.0, None, None),
                                                       "b": (0.5, None, None)}


def test_summary_rows_get_lbo_of_throughput_rows_only():
    def row(s, wall, cpu, explicit, headline="throughput", status="ok", w="w"):
        return {"workload": w, "strategy": s, "status": status, "headline": headline,
                "lbo_samples": {r + 1: [wall[r], cpu[r], explicit[r]] for r in range(3)}}
    rows = [row("malloc", [10, 12, 11], [20, 24, 22], [0, 0, 0]),
            row("gc", [8, 9, 10], [16, 18, 20], [3, 3, 3]),
            row("epsilon", [7, 7, 7], [14, 14, 14], [0, 0, 0]),
            row("broken", [1, 1, 1], [1, 1, 1], [0, 0, 0], status="oom"),
            row("glibc", [1, 1, 1], [1, 1, 1], [0, 0, 0], headline="footprint", w="baseline")]
    lbo.add_lbo_columns(rows)
    assert rows[0]["lbo_wall"] == pytest.approx(5 / 6)
    # CPU: median D = malloc 22, gc (16-3, 18-3, 20-3) 15, epsilon 14: here
    # MDC = 14 is epsilon's. malloc 22/14 - 1 = 4/7, gc 18/14 - 1 = 2/7, epsilon 0.
    assert rows[0]["lbo_cpu"] == pytest.approx(4 / 7)
    assert rows[1]["lbo_cpu"] == pytest.approx(2 / 7)
    assert rows[2]["lbo_cpu"] == pytest.approx(0.0)
    assert rows[1]["lbo_wall_mdc_strategy"] == "gc"
    assert rows[1]["lbo_cpu_mdc_strategy"] == "epsilon"
    assert rows[3]["lbo_wall"] is None and rows[4]["lbo_wall"] is None


def test_lbo_sample_takes_the_per_pass_pause_total():
    # 4 passes, 8 pauses of mean 0.5 ms over the process: 1 ms per pass.
    d = {"wall_ns": 2e9, "cpu_ns": 3e9, "iterations": [{}, {}, {}, {}],
         "gc": {"pauses": {"count": 8, "mean": 5e5}}}
    assert summary._lbo_sample(d) == pytest.approx([2.0, 3.0, 1e-3])
    assert summary._lbo_sample({"wall_ns": 1e9}) == [1.0, None, 0.0]


def test_lbo_columns_are_appended():
    cols = summary.COLUMNS
    i = cols.index("lbo_wall")
    assert cols[i:i + 6] == ["lbo_wall", "lbo_wall_lo", "lbo_wall_hi", "lbo_cpu", "lbo_cpu_lo",
                         "lbo_cpu_hi"]
    assert cols.index("mmu_1ms") > cols.index("disturbed_reps")
