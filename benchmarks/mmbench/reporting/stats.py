"""Statistics over repetitions: ratio-of-means confidence intervals, and the
Welch test on logs with Holm's correction used by `mmbench compare` (which
replaced a Mann–Whitney U test that could not reach 0.05 at 3 vs 3 repetitions).

scipy is used when importable (Debian's /usr/bin/python3 has it); the t
quantile falls back to a table so that reports never depend on it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from ..summary import t_quantile_975  # one t quantile for runner and reports


@dataclass
class RatioCI:
    ratio: float
    low: float | None   # None: the interval is unbounded or could not be computed
    high: float | None


def ratio_of_means_ci(num: list[float], den: list[float]) -> RatioCI | None:
    """mean(num)/mean(den) with a 95% Fieller interval (independent samples).

    Fieller's theorem: the set of R with (m_a - R m_b)^2 <= t^2 (v_a + R^2 v_b),
    where m are the sample means and v = s^2/n their variances; t has the
    Welch–Satterthwaite degrees of freedom of v_a + R^2 v_b. When the
    denominator's mean is not clearly non-zero (g = t^2 v_b / m_b^2 >= 1) the
    interval is unbounded and low/high are None; with fewer than two samples on
    either side there is no interval either.
    """
    if not num or not den:
        return None
    ma, mb = statistics.fmean(num), statistics.fmean(den)
    if mb == 0:
        return None
    ratio = ma / mb
    if len(num) < 2 or len(den) < 2:
        return RatioCI(ratio, None, None)
    va = statistics.variance(num) / len(num)
    vb = statistics.variance(den) / len(den)
    a_term, b_term = va, ratio * ratio * vb
    if a_term + b_term == 0:
        return RatioCI(ratio, ratio, ratio)
    df = (a_term + b_term) ** 2 / (
        (a_term ** 2) / (len(num) - 1) + (b_term ** 2) / (len(den) - 1))
    t = t_quantile_975(df)
    g = t * t * vb / (mb * mb)
    if g >= 1:
        return RatioCI(ratio, None, None)
    # (mb^2 - t^2 vb) R^2 - 2 ma mb R + (ma^2 - t^2 va) = 0
    qa = mb * mb - t * t * vb
    qb = -2 * ma * mb
    qc = ma * ma - t * t * va
    disc = qb * qb - 4 * qa * qc
    if disc < 0:
        return RatioCI(ratio, None, None)
    root = math.sqrt(disc)
    lo, hi = sorted(((-qb - root) / (2 * qa), (-qb + root) / (2 * qa)))
    return RatioCI(ratio, lo, hi)


@dataclass
class LogRatioTest:
    """B against A on a log scale: the ratio of geometric means B/A, its 95%
    Welch interval, and the two-sided Welch t-test p-value (None: too few)."""
    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None
    reason: str | None = None
    significant: bool = False  # set by the caller after a multiple-testing correction


def _t_sf_two_sided(t: float, df: float) -> float:
    try:
        from scipy import stats as sps  # type: ignore
        return float(2 * sps.t.sf(abs(t), df))
    except ImportError:  # normal approximation: conservative enough at df >= 8
        return math.erfc(abs(t) / math.sqrt(2))


def welch_log_ratio(a: list[float], b: list[float]) -> LogRatioTest:
    """Welch's t-test on log values. Timings are positive and skewed, and a
    change is multiplicative, so logs make the ratio the effect size; unlike
    the U test, a p-value can reach any Holm-corrected level with 4+ samples
    per side when the spread is small."""
    la = [math.log(x) for x in a if x and x > 0]
    lb = [math.log(x) for x in b if x and x > 0]
    if len(la) < 2 or len(lb) < 2:
        return LogRatioTest(None, None, None, None, "fewer than 2 repetitions on a side")
    diff = statistics.fmean(lb) - statistics.fmean(la)
    va, vb = statistics.variance(la) / len(la), statistics.variance(lb) / len(lb)
    se = math.sqrt(va + vb)
    if se == 0:
        return LogRatioTest(math.exp(diff), math.exp(diff), math.exp(diff),
                            0.0 if diff else 1.0)
    df = (va + vb) ** 2 / (va * va / (len(la) - 1) + vb * vb / (len(lb) - 1))
    half = t_quantile_975(df) * se
    return LogRatioTest(math.exp(diff), math.exp(diff - half), math.exp(diff + half),
                        _t_sf_two_sided(diff / se, df))


def holm(p_values: list[float | None], alpha: float) -> list[bool]:
    """Holm–Bonferroni: which of the m hypotheses are rejected at family-wise
    level alpha (None: not tested, never rejected)."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    rejected = [False] * len(p_values)
    for rank, (p, i) in enumerate(tested):
        if p > alpha / (m - rank):
            break
        rejected[i] = True
    return rejected
