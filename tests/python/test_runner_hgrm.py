"""Unit tests of mmbench.hgrm (histogram merge, percentiles, .hgrm text) and of the
summary statistics. No worker binaries needed."""

import math
from fractions import Fraction
import random

import pytest

from mmbench import hgrm, stats


def _expected_percentile(values, p):
    """HdrHistogram's definition, computed directly from the sorted samples."""
    ordered = sorted(values)
    rank = _exact_rank(p, len(ordered))
    return min(hgrm.bucket_bounds(ordered[rank - 1])[1], ordered[-1])


def _exact_rank(p, n):
    """Nearest rank in exact decimal arithmetic (p as written, not as a double)."""
    return max(math.ceil(Fraction(str(p)) / 100 * n), 1)


def test_percentiles_of_1_to_1000_are_exact():
    h = hgrm.from_values(range(1, 1001))
    assert h.count == 1000
    assert h.value_at_percentile(50) == 500
    assert h.value_at_percentile(90) == 900
    assert h.value_at_percentile(99) == 990
    assert h.value_at_percentile(99.5) == 995
    # 99.9% of 1000 is 999.0000000000001 in doubles; like HdrHistogram (and the C++
    # histogram) the rank is taken one ulp below p, so it is the exact 999th value.
    assert h.value_at_percentile(99.9) == 999
    assert h.value_at_percentile(100) == 1000
    assert h.value_at_percentile(0) == 1
    assert h.mean == pytest.approx(500.5)


def test_percentiles_of_spread_values_follow_bucket_rounding():
    rng = random.Random(7)
    values = [int(rng.lognormvariate(10, 2)) for _ in range(5000)]
    h = hgrm.from_values(values)
    for p in (1, 25, 50, 75, 90, 99, 99.9, 99.99, 100):
        expected = _expected_percentile(values, p)
        got = h.value_at_percentile(p)
        assert got == expected, p
        # 3 significant digits: within 0.1% of the true order statistic.
        true = sorted(values)[_exact_rank(p, len(values)) - 1]
        assert true <= got <= true * 1.001 + 1
    assert h.max == max(values) and h.min == min(values)


def test_bucket_bounds_match_hdr_layout():
    assert hgrm.bucket_bounds(0) == (0, 0)
    assert hgrm.bucket_bounds(2047) == (2047, 2047)  # below 2048: exact
    assert hgrm.bucket_bounds(2048) == (2048, 2049)  # then 2 per bucket
    assert hgrm.bucket_bounds(10003) == (10000, 10007)
    lo, hi = hgrm.bucket_bounds(123456789)
    assert lo <= 123456789 <= hi and (hi - lo + 1) / lo < 0.001
    assert hgrm.layout(3) == (32, 2048)


def test_merge_equals_histogram_of_all_values():
    rng = random.Random(3)
    a = [rng.randrange(1, 10**7) for _ in range(3000)]
    b = [rng.randrange(1, 10**5) for _ in range(2000)]
    merged = hgrm.merge([hgrm.from_values(a), hgrm.from_values(b)])
    whole = hgrm.from_values(a + b)
    assert merged.buckets == whole.buckets
    assert merged.count == 5000 and merged.max == max(a + b) and merged.min == min(a + b)
    assert merged.mean == pytest.approx(whole.mean)
    for p in (50, 99, 99.9):
        assert merged.value_at_percentile(p) == whole.value_at_percentile(p)


def test_from_json_round_trip():
    h = hgrm.from_values([5, 5, 7, 3000, 40000])
    back = hgrm.from_json(h.to_json())
    assert back.buckets == h.buckets and back.count == 5 and back.max == 40000
    assert back.to_json()["percentiles"]["50"] == 7


def test_hgrm_text_has_hdr_percentile_ticks_and_footer():
    h = hgrm.from_values(range(1, 1001))  # ns; the file is in µs
    text = hgrm.format_hgrm(h)
    lines = text.splitlines()
    assert lines[0].split() == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"]
    assert lines[1] == ""
    parsed = hgrm.parse_hgrm(text)
    # 5 ticks per half-distance: 10% steps to 50%, 5% to 75%, 2.5% to 87.5%, ...
    assert parsed.percentiles[:18] == pytest.approx(
        [0, .1, .2, .3, .4, .5, .55, .6, .65, .7, .75, .775, .8, .825, .85, .875, .8875, .9])
    # Row at level L: the first value whose cumulative share reaches L.
    for v, p, n in zip(parsed.values, parsed.percentiles, parsed.total_counts):
        assert n == max(math.ceil(p * 1000 - 1e-9), 1)
        assert v == pytest.approx(n / 1000.0)
    assert parsed.percentiles[-1] == 1.0 and parsed.total_counts[-1] == 1000
    assert parsed.values[-1] == pytest.approx(1.0)
    assert parsed.total_count == 1000 and parsed.max == pytest.approx(1.0)
    assert parsed.mean == pytest.approx(0.5005, abs=0.0006)
    assert parsed.stddev == pytest.approx(0.289, abs=0.001)
    assert (parsed.bucket_count, parsed.sub_bucket_count) == (32, 2048)
    # Same column formats as HdrHistogram: %12.3f %2.12f %10d %14.2f.
    assert lines[2] == "       0.001 0.000000000000          1           1.00"
    assert lines[-4] == "       1.000 1.000000000000       1000"
    assert lines[-3] == "#[Mean    =        0.500, StdDeviation   =        0.289]"
    assert lines[-2] == "#[Max     =        1.000, Total count    =         1000]"
    assert lines[-1] == "#[Buckets =           32, SubBuckets     =         2048]"


def test_hgrm_parse_recovers_counts_of_a_skewed_histogram():
    rng = random.Random(11)
    values = [rng.randrange(100, 2000) for _ in range(990)] + [rng.randrange(10**6, 10**8)
                                                                for _ in range(10)]
    h = hgrm.from_values(values)
    parsed = hgrm.parse_hgrm(hgrm.format_hgrm(h))
    assert parsed.total_count == 1000 and parsed.total_counts[-1] == 1000
    assert parsed.values[-1] == pytest.approx(max(values) / 1000, abs=0.0005)
    assert parsed.total_counts == sorted(parsed.total_counts)
    assert parsed.value_at_percentile(50) == pytest.approx(
        h.value_at_percentile(50) / 1000, abs=0.0005)
    assert parsed.inverted[-1] == math.inf


def test_empty_histogram():
    h = hgrm.from_values([])
    assert h.count == 0 and h.value_at_percentile(99) == 0
    assert hgrm.percentile_rows(h) == []
    parsed = hgrm.parse_hgrm(hgrm.format_hgrm(h))
    assert parsed.total_count == 0 and parsed.values == []


def test_t_quantiles_and_ci():
    assert stats.t_quantile_975(1) == pytest.approx(12.706, abs=1e-3)
    assert stats.t_quantile_975(10) == pytest.approx(2.228, abs=1e-3)
    assert stats.ci95_half_width([1.0, 2.0, 3.0]) == pytest.approx(4.3027 / math.sqrt(3),
                                                                     rel=1e-4)
    assert stats.ci95_half_width([5.0]) is None


def test_t_fallback_matches_scipy(monkeypatch):
    sps = pytest.importorskip("scipy.stats")
    import builtins
    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError("hidden for this test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    for df in list(range(1, 31)) + [31, 40, 60, 120, 1000]:
        assert stats.t_quantile_975(df) == pytest.approx(sps.t.ppf(0.975, df), abs=2e-4), df
