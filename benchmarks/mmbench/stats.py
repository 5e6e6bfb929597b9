"""Statistics over repetitions: spread (cv), the median of paired per-round
ratios with its order-statistics interval, t quantiles and mean intervals,
ratio-of-means confidence intervals, and the Welch test on logs with Holm's
correction used by `mmbench compare` (a rank test cannot reach 0.05 with 3
repetitions a side).

scipy is used when importable (Debian's /usr/bin/python3 has it); the t
quantile falls back to a table so that reports never depend on it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from collections.abc import Iterable, Sequence


def cv(samples: Sequence[float]) -> float:
    """Coefficient of variation (sample stdev / mean); 0 below 2 samples."""
    samples = [x for x in samples if x is not None]
    if len(samples) < 2 or not statistics.mean(samples):
        return 0.0
    return statistics.stdev(samples) / statistics.mean(samples)


def median_interval(n: int, level: float = 0.95):
    """Distribution-free interval for a median from order statistics: the
    narrowest (k-th smallest, k-th largest) pair covering it with probability
    >= level (binomial, p = 1/2), or (1st, n-th) with its own, lower coverage
    when n is too small for level. Returns (k, coverage), k 1-based."""
    def below(k):  # P(Binomial(n, 1/2) <= k - 1)
        return sum(math.comb(n, i) for i in range(k)) / 2 ** n
    k = 1
    while k + 1 <= n // 2 and 1 - 2 * below(k + 1) >= level:
        k += 1
    return k, 1 - 2 * below(k)


def paired_ratio(a: dict[int, float], b: dict[int, float]):
    """The median of the per-round ratios a[r] / b[r] over the rounds both have,
    with a distribution-free interval from order statistics: (ratio, lo, hi, n,
    coverage); lo/hi are None below 2 pairs. A median, not a mean: one round
    that fell into host contention (docs/reproducibility.md) moves a geometric
    mean of a few rounds, the median hardly."""
    logs = sorted(math.log(a[r] / b[r]) for r in sorted(set(a) & set(b))
                  if a[r] > 0 and b[r] > 0)
    n = len(logs)
    if not logs:
        return None, None, None, 0, None
    ratio = math.exp(statistics.median(logs))
    if n < 2:
        return ratio, None, None, n, None
    k, coverage = median_interval(n)
    return ratio, math.exp(logs[k - 1]), math.exp(logs[n - k]), n, coverage


# Two-sided 95% Student t quantiles (t_{0.975, df}) for df = 1..30.
_T975 = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423]
_Z975 = 1.959963984540054


def t_quantile_975(df: float) -> float:
    """t_{0.975} with df degrees of freedom (non-integer for Welch): scipy when
    importable, else a table for df <= 30 (df rounded) and the Cornish-Fisher
    expansion around the normal quantile beyond."""
    if df < 1:
        raise ValueError("df must be >= 1")
    try:
        from scipy import stats  # type: ignore
        return float(stats.t.ppf(0.975, df))
    except ImportError:
        pass
    if df <= len(_T975):
        return _T975[int(round(df)) - 1]
    z = _Z975
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))


def ci95_half_width(samples: Sequence[float]) -> float | None:
    """Half-width of the 95% confidence interval of the mean (Student t); None below 2 samples."""
    n = len(samples)
    if n < 2:
        return None
    return t_quantile_975(n - 1) * statistics.stdev(samples) / math.sqrt(n)


def median(values: Iterable) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


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
