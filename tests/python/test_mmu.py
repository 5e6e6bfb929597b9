"""Minimum mutator utilization (mmbench/mmu.py) against hand-computed answers
and a brute-force scan (Cheng & Blelloch, PLDI 2001; /work/shared/METHODS.md)."""

import random

import pytest

from mmbench import mmu

MS = 1_000_000
# Run [0, 100 ms], pauses [10, 12) and [20, 25) ms: 7 ms paused in all.
PAUSES = [[10 * MS, 2 * MS], [20 * MS, 5 * MS]]
SPAN = 100 * MS


@pytest.mark.parametrize("w_ms, expected", [
    # w <= the longest pause (5 ms): a window fits inside [20, 25): MMU 0.
    (1, 0.0), (5, 0.0),
    # w = 10: a window [x, x+10] meets both pauses only for x in [10, 12], and
    # then holds (12 - x) + (x + 10 - 20) = 2 ms; for x in [15, 20] it holds all
    # of [20, 25) = 5 ms, and nothing holds more. MMU = (10 - 5) / 10 = 0.5.
    (10, 0.5),
    # w = 15: [10, 25] holds both pauses whole, 7 ms: (15 - 7) / 15 = 8/15.
    (15, 8 / 15),
    # w = 20: e.g. [5, 25] holds 7 ms: 13/20 = 0.65.
    (20, 0.65),
    # w = 50: every window that holds [10, 25] holds 7 ms: 43/50.
    (50, 0.86),
    # w = the whole run: 1 - 7/100.
    (100, 0.93),
])
def test_mmu_hand_computed(w_ms, expected):
    assert mmu.mmu(PAUSES, SPAN, w_ms * MS) == pytest.approx(expected, abs=1e-12)


def test_mmu_edge_cases():
    assert mmu.mmu([], SPAN, 10 * MS) == 1.0          # no pause: full utilization
    assert mmu.mmu(PAUSES, SPAN, 101 * MS) is None    # the window does not fit in the run
    # A pause cut by the end of the run counts only inside it; overlapping
    # events merge instead of counting twice.
    assert mmu.mmu([[95 * MS, 10 * MS]], SPAN, 10 * MS) == pytest.approx(0.5)
    assert mmu.mmu([[10 * MS, 4 * MS], [12 * MS, 4 * MS]], SPAN, 12 * MS) == pytest.approx(0.5)
    tl = mmu.Timeline(PAUSES, SPAN)
    assert tl.longest == 5 * MS and tl.cum[-1] == 7 * MS


def _brute(pauses, span, w, step):
    """Slide the window over every start on a fine grid that holds every
    candidate start (all pause boundaries are multiples of step)."""
    iv = mmu.normalize(pauses, span)
    worst = 0
    t = 0
    while t + w <= span:
        paused = sum(max(0, min(e, t + w) - max(s, t)) for s, e in iv)
        worst = max(worst, paused)
        t += step
    return (w - worst) / w


def test_mmu_matches_brute_force_on_random_pauses():
    rng = random.Random(7)
    for _ in range(60):
        span = rng.randint(50, 200)
        pauses = [[rng.randint(0, span), rng.randint(1, 8)] for _ in range(rng.randint(0, 12))]
        for w in (1, 3, 7, 10, 25, span // 2, span):
            assert mmu.mmu(pauses, span, w) == pytest.approx(_brute(pauses, span, w, 1),
                                                             abs=1e-12), (pauses, span, w)


def test_mmu_is_zero_up_to_the_longest_pause_and_tends_to_the_mean_utilization():
    rng = random.Random(3)
    pauses = [[rng.randint(0, 900) * MS, rng.randint(1, 6) * MS] for _ in range(30)]
    tl = mmu.Timeline(pauses, 1000 * MS)
    assert tl.mmu(tl.longest) == 0.0
    assert tl.mmu(tl.longest + MS) > 0.0
    assert tl.mmu(1000 * MS) == pytest.approx(1 - tl.cum[-1] / (1000 * MS))
    curve = mmu.mmu_curve(pauses, 1000 * MS, mmu.curve_windows_ns())
    assert len(curve) == 25 and curve[0] == 0.0


def test_row_mmu_takes_the_worst_repetition_and_skips_rows_without_events():
    def det(pauses):
        return {"start_monotonic_ns": 5, "end_monotonic_ns": 5 + SPAN, "gc": {"events": pauses}}
    # Rep 2 has one 10 ms pause: its MMU(10 ms) is 0, the row's too.
    row = mmu.row_mmu([det(PAUSES), det([[50 * MS, 10 * MS]])])
    assert row["mmu_10ms"] == 0.0
    assert row["mmu_1ms"] == 0.0
    assert row["mmu_100ms"] == pytest.approx(0.9)  # min(0.93, 0.90)
    assert mmu.row_mmu([{"start_monotonic_ns": 0, "end_monotonic_ns": SPAN}]) == {
        "mmu_1ms": None, "mmu_10ms": None, "mmu_100ms": None}
