"""HDR latency histograms as the worker writes them, merged, and as .hgrm text.

A histogram here is a `Histogram`: the non-empty buckets of an HdrHistogram
layout as [lowest_ns, highest_ns, count] triples (what the worker's detail JSON
holds), plus the exact count/min/max/sum where they are known. That is enough
to merge repetitions and to compute any percentile exactly as HdrHistogram
does, without knowing the bucket layout.

The .hgrm text is HdrHistogram's `outputPercentileDistribution` (Java) with 5
percentile ticks per half-distance and values in microseconds:

           Value     Percentile TotalCount 1/(1-Percentile)

           0.430 0.000000000000          1           1.00
           ...
#[Mean    =       13.013, StdDeviation   =      245.672]
#[Max     =     8110.734, Total count    =         1360]
#[Buckets =           32, SubBuckets     =         2048]

One deliberate difference: every value is capped at the exact maximum (as the
worker's own percentiles are), so the 100% line and the footer's Max agree with
the summary's lat_max_ns instead of showing the top of the max's bucket.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable

# The worker's layout (base/histogram.hpp): 1 ns .. 2^41 ns.
WORKER_HIGHEST_TRACKABLE_NS = 1 << 41
NS_PER_US = 1000.0


@dataclasses.dataclass
class Histogram:
    buckets: list  # [[lowest, highest, count], ...] sorted by lowest, counts > 0
    exact_min: int | None = None
    exact_max: int | None = None
    exact_sum: float | None = None  # sum of recorded values (mean * count)
    significant_digits: int = 3
    saturated: int = 0

    @property
    def count(self) -> int:
        return sum(b[2] for b in self.buckets)

    @property
    def max(self) -> int:
        if self.exact_max is not None:
            return self.exact_max
        return self.buckets[-1][1] if self.buckets else 0

    @property
    def min(self) -> int:
        if self.exact_min is not None:
            return self.exact_min
        return self.buckets[0][0] if self.buckets else 0

    @property
    def mean(self) -> float:
        n = self.count
        if n == 0:
            return 0.0
        if self.exact_sum is not None:
            return self.exact_sum / n
        return sum(_median_equivalent(lo, hi) * c for lo, hi, c in self.buckets) / n

    @property
    def stddev(self) -> float:
        # As HdrHistogram: deviations of each bucket's median-equivalent value.
        n = self.count
        if n == 0:
            return 0.0
        mids = [(_median_equivalent(lo, hi), c) for lo, hi, c in self.buckets]
        mean = sum(v * c for v, c in mids) / n
        return math.sqrt(sum((v - mean) ** 2 * c for v, c in mids) / n)

    def value_at_percentile(self, percentile: float) -> int:
        """Highest value equivalent to the bucket holding the ceil(p% * N)-th
        smallest sample, capped at the maximum (the worker's definition)."""
        n = self.count
        if n == 0:
            return 0
        target = rank_at_percentile(percentile, n)
        running = 0
        for _lo, hi, c in self.buckets:
            running += c
            if running >= target:
                return min(hi, self.max)
        return self.max

    def value_at(self, percentile: float) -> int | None:
        """value_at_percentile, or None for an empty histogram."""
        return self.value_at_percentile(percentile) if self.count else None

    def percentile_curve(self) -> tuple[list, list]:
        """(p in [0,1), value_ns) per bucket, for a latency-by-percentile plot.

        Each bucket is placed at the plotting position (k - 1/2)/N of its last
        (k-th) sample, so the maximum lands at 1/(1-p) = 2N instead of infinity.
        """
        n, top = self.count, self.max
        ps, vs, seen = [], [], 0
        for _lo, hi, c in self.buckets:
            seen += c
            ps.append((seen - 0.5) / n)
            vs.append(min(hi, top))
        return ps, vs

    def cdf(self) -> tuple[list, list]:
        """(value_ns, fraction of samples <= value) at each bucket's top."""
        n, top = self.count, self.max
        xs, ys, seen = [], [], 0
        for _lo, hi, c in self.buckets:
            seen += c
            xs.append(min(hi, top))
            ys.append(seen / n)
        return xs, ys

    def to_json(self) -> dict:
        """The worker's HIST shape (without the percentile block's extra keys)."""
        return {"count": self.count, "min": self.min, "max": self.max, "mean": self.mean,
                "saturated": self.saturated, "significant_digits": self.significant_digits,
                "percentiles": {key: self.value_at_percentile(p)
                                for key, p in REPORTED_PERCENTILES},
                "buckets": [list(b) for b in self.buckets]}


# Keys used in the worker's "percentiles" block and in summary column names.
REPORTED_PERCENTILES = (("50", 50.0), ("90", 90.0), ("99", 99.0), ("999", 99.9), ("9999", 99.99))


def rank_at_percentile(percentile: float, count: int) -> int:
    """1-based rank of the sample at `percentile` (0..100) of `count` samples.

    One ulp below p, as HdrHistogram (and the worker) do: 99.9% of 1000
    samples is the 999th, not the 1000th, despite floating point."""
    p = min(max(math.nextafter(percentile, -math.inf), 0.0), 100.0)
    return max(int(math.ceil(p / 100.0 * count)), 1)


def _median_equivalent(lowest: int, highest: int) -> int:
    return lowest + ((highest - lowest + 1) >> 1)


def from_json(hist: dict) -> Histogram:
    """A Histogram from the worker's HIST JSON object."""
    buckets = sorted(([int(lo), int(hi), int(c)] for lo, hi, c in hist.get("buckets", []) if c),
                     key=lambda b: b[0])
    count = int(hist.get("count", sum(b[2] for b in buckets)))
    mean = hist.get("mean")
    return Histogram(
        buckets=buckets,
        exact_min=int(hist["min"]) if count and "min" in hist else None,
        exact_max=int(hist["max"]) if count and "max" in hist else None,
        exact_sum=float(mean) * count if mean is not None else None,
        significant_digits=int(hist.get("significant_digits", 3)),
        saturated=int(hist.get("saturated", 0)),
    )


def merge(histograms: Iterable[Histogram]) -> Histogram:
    """All samples of several histograms of the same layout in one (buckets merged by lowest)."""
    by_lowest: dict = {}
    mins, maxs, sums = [], [], []
    sums_known = True
    digits = 3
    saturated = 0
    for h in histograms:
        digits = h.significant_digits
        saturated += h.saturated
        for lo, hi, c in h.buckets:
            if lo in by_lowest:
                by_lowest[lo][2] += c
                by_lowest[lo][1] = max(by_lowest[lo][1], hi)
            else:
                by_lowest[lo] = [lo, hi, c]
        if h.count:
            mins.append(h.min)
            maxs.append(h.max)
            if h.exact_sum is None:
                sums_known = False
            else:
                sums.append(h.exact_sum)
    buckets = [by_lowest[k] for k in sorted(by_lowest)]
    return Histogram(
        buckets=buckets,
        exact_min=min(mins) if mins else None,
        exact_max=max(maxs) if maxs else None,
        exact_sum=sum(sums) if sums_known and buckets else None,
        significant_digits=digits,
        saturated=saturated,
    )


def _valid_bucket(b) -> bool:
    return (isinstance(b, (list, tuple)) and len(b) == 3
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                    for x in b) and b[2] > 0)


def merge_json(hists: Iterable) -> Histogram:
    """One Histogram of the worker's HIST objects (repetitions of one cell), for
    reports: None, non-objects and malformed buckets are skipped, not raised."""
    parts = []
    for h in hists:
        if not isinstance(h, dict):
            continue
        clean = dict(h, buckets=[b for b in h.get("buckets") or [] if _valid_bucket(b)])
        for key in ("min", "max", "mean", "count"):
            if not isinstance(clean.get(key), (int, float)) or isinstance(clean.get(key), bool):
                clean.pop(key, None)
        parts.append(from_json(clean))
    return merge(parts)


# Where a worker's detail JSON keeps each histogram (docs/run-folder.md).
def latency_of(detail: dict):
    return detail.get("latency")


def corrected_latency_of(detail: dict):
    return detail.get("corrected_latency")


def gc_pauses_of(detail: dict):
    gc = detail.get("gc")
    return gc.get("pauses") if isinstance(gc, dict) else None


def merge_details(details: Iterable[dict], pick=latency_of) -> Histogram:
    """pick(d)'s histogram over details the runner has verified (their digests
    match), merged; a malformed one raises."""
    return merge(from_json(h) for h in map(pick, details) if h)


def merged_latency(details: dict, pick=latency_of) -> Histogram:
    """pick(d)'s histogram over a report's {rep: detail JSON}, merged leniently
    (merge_json: what is malformed is skipped)."""
    return merge_json(pick(d) for d in details.values())


def merged_gc_pauses(details: dict) -> Histogram:
    """The collector's pause histogram of a report's {rep: detail JSON}, merged."""
    return merged_latency(details, gc_pauses_of)


def layout(significant_digits: int = 3, highest_trackable: int = WORKER_HIGHEST_TRACKABLE_NS):
    """(bucket_count, sub_bucket_count) of the HdrHistogram layout, as histogram.hpp computes it."""
    largest_single_unit = 2 * 10**significant_digits
    magnitude = int(math.ceil(math.log2(largest_single_unit)))
    half_magnitude = max(magnitude, 1) - 1
    sub_bucket_count = 1 << (half_magnitude + 1)
    smallest_untrackable = sub_bucket_count
    bucket_count = 1
    while smallest_untrackable <= highest_trackable:
        smallest_untrackable <<= 1
        bucket_count += 1
    return bucket_count, sub_bucket_count


def bucket_bounds(value: int, significant_digits: int = 3):
    """(lowest, highest) equivalent values of the bucket that holds `value`, in the
    worker's layout (HdrHistogram's, unit magnitude 0)."""
    largest_single_unit = 2 * 10**significant_digits
    half_magnitude = max(int(math.ceil(math.log2(largest_single_unit))), 1) - 1
    sub_bucket_count = 1 << (half_magnitude + 1)
    value = max(int(value), 0)
    bucket = (value | (sub_bucket_count - 1)).bit_length() - (half_magnitude + 1)
    sub = value >> bucket
    lowest = sub << bucket
    width = 1 << (bucket + 1 if sub >= sub_bucket_count else bucket)
    return lowest, lowest + width - 1


def from_values(values: Iterable[int], significant_digits: int = 3) -> Histogram:
    """A Histogram of exact values (for tests and for tools that have raw samples)."""
    by_lowest: dict = {}
    values = [max(int(v), 0) for v in values]
    for v in values:
        lo, hi = bucket_bounds(v, significant_digits)
        by_lowest.setdefault(lo, [lo, hi, 0])[2] += 1
    return Histogram(buckets=[by_lowest[k] for k in sorted(by_lowest)],
                     exact_min=min(values) if values else None,
                     exact_max=max(values) if values else None,
                     exact_sum=float(sum(values)), significant_digits=significant_digits)


def percentile_rows(hist: Histogram, ticks_per_half_distance: int = 5):
    """(value_ns, percentile_level, total_count) rows as HdrHistogram's PercentileIterator
    yields them: the level grows in fixed ticks that halve with each half-distance to 100%,
    a row is due when the cumulative percentile reaches the level, and a last row at 100%."""
    total = hist.count
    if total == 0:
        return []
    cap = hist.max
    rows = []
    level = 0.0
    cumulative = 0
    for _lo, hi, c in hist.buckets:
        cumulative += c
        value = min(hi, cap)
        while 100.0 * cumulative / total >= level:
            rows.append((value, level, cumulative))
            ticks = ticks_per_half_distance * int(
                math.pow(2, int(math.log(100.0 / (100.0 - level)) / math.log(2)) + 1))
            level += 100.0 / ticks
            if cumulative == total:
                break  # the iterator's hasNext ends here; one last step to 100% follows
    rows.append((min(hist.buckets[-1][1], cap), 100.0, total))
    return rows


def format_hgrm(hist: Histogram, ticks_per_half_distance: int = 5,
                unit_ratio: float = NS_PER_US) -> str:
    """HdrHistogram's percentile-distribution text (values in ns / unit_ratio, i.e. µs)."""
    digits = hist.significant_digits
    out = [f'{"Value":>12} {"Percentile":>14} {"TotalCount":>10} {"1/(1-Percentile)":>14}\n\n']
    for value, level, cumulative in percentile_rows(hist, ticks_per_half_distance):
        p = level / 100.0
        if level != 100.0:
            out.append(f"{value / unit_ratio:12.{digits}f} {p:2.12f} {cumulative:10d} "
                       f"{1.0 / (1.0 - p):14.2f}\n")
        else:
            out.append(f"{value / unit_ratio:12.{digits}f} {p:2.12f} {cumulative:10d}\n")
    bucket_count, sub_bucket_count = layout(digits)
    out.append(f"#[Mean    = {hist.mean / unit_ratio:12.{digits}f}, "
               f"StdDeviation   = {hist.stddev / unit_ratio:12.{digits}f}]\n")
    out.append(f"#[Max     = {hist.max / unit_ratio:12.{digits}f}, "
               f"Total count    = {hist.count:12d}]\n")
    out.append(f"#[Buckets = {bucket_count:12d}, SubBuckets     = {sub_bucket_count:12d}]\n")
    return "".join(out)


@dataclasses.dataclass
class HgrmFile:
    """A parsed .hgrm file. Values are in the file's unit (µs for mmbench files)."""
    values: list          # Value column
    percentiles: list     # Percentile column, 0..1
    total_counts: list    # TotalCount column (cumulative)
    mean: float | None = None
    stddev: float | None = None
    max: float | None = None
    total_count: int | None = None
    bucket_count: int | None = None
    sub_bucket_count: int | None = None

    @property
    def inverted(self) -> list:
        """1/(1-percentile) per row (inf on the 100% row): the x axis of HdrHistogram plots."""
        return [math.inf if p >= 1.0 else 1.0 / (1.0 - p) for p in self.percentiles]

    def value_at_percentile(self, percentile: float) -> float:
        """Smallest listed value whose row reaches `percentile` (0..100)."""
        for v, p in zip(self.values, self.percentiles):
            if p * 100.0 >= percentile:
                return v
        return self.values[-1] if self.values else 0.0


_FOOTER_NUMBER = r"\s*([-+0-9.eEinfa]+)"
_MEAN_RE = re.compile(r"#\[Mean\s*=" + _FOOTER_NUMBER + r",\s*StdDeviation\s*=" + _FOOTER_NUMBER)
_MAX_RE = re.compile(r"#\[Max\s*=" + _FOOTER_NUMBER + r",\s*Total count\s*=" + _FOOTER_NUMBER)
_BUCKETS_RE = re.compile(r"#\[Buckets\s*=" + _FOOTER_NUMBER + r",\s*SubBuckets\s*="
                         + _FOOTER_NUMBER)


def parse_hgrm(text: str) -> HgrmFile:
    """Parse HdrHistogram percentile-distribution text (this module's or HdrHistogram's own)."""
    parsed = HgrmFile(values=[], percentiles=[], total_counts=[])
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("Value"):
            continue
        if stripped.startswith("#"):
            for regex, names, kinds in ((_MEAN_RE, ("mean", "stddev"), (float, float)),
                                        (_MAX_RE, ("max", "total_count"), (float, int)),
                                        (_BUCKETS_RE, ("bucket_count", "sub_bucket_count"),
                                         (int, int))):
                m = regex.match(stripped)
                if m:
                    for name, kind, raw in zip(names, kinds, m.groups()):
                        setattr(parsed, name, kind(float(raw)) if kind is int else kind(raw))
            continue
        fields = stripped.split()
        if len(fields) < 3:
            raise ValueError(f"not an hgrm row: {line!r}")
        parsed.values.append(float(fields[0]))
        parsed.percentiles.append(float(fields[1]))
        parsed.total_counts.append(int(fields[2]))
    return parsed


def read_hgrm(path) -> HgrmFile:
    with open(path, encoding="utf-8") as f:
        return parse_hgrm(f.read())
