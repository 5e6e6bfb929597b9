"""Latency histograms merged from the workers' bucket lists.

A worker's HIST carries its non-empty buckets as [lowest_ns, highest_ns, count]
(docs/run-folder.md), so repetitions merge by adding counts per bucket without
knowing the bucket layout, and any percentile can be recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..hgrm import rank_at_percentile
from .rundata import number


@dataclass
class Merged:
    buckets: list[tuple[float, float, int]]  # (lowest_ns, highest_ns, count), ascending
    count: int
    min_ns: float | None
    max_ns: float | None

    def value_at(self, percentile: float) -> float | None:
        """HdrHistogram's value at a percentile (0-100): the highest equivalent value
        of the bucket holding the ceil(p·N)-th smallest sample, capped at the max."""
        if self.count == 0:
            return None
        rank = rank_at_percentile(percentile, self.count)
        seen = 0
        for lo, hi, c in self.buckets:
            seen += c
            if seen >= rank:
                return min(hi, self.max_ns) if self.max_ns is not None else hi
        return self.max_ns

    def percentile_curve(self) -> tuple[list[float], list[float]]:
        """(p in [0,1), value_ns) per bucket, for a latency-by-percentile plot.

        Each bucket is placed at the plotting position (k - 1/2)/N of its last
        (k-th) sample, so the maximum lands at 1/(1-p) = 2N instead of infinity.
        """
        ps, vs = [], []
        seen = 0
        for lo, hi, c in self.buckets:
            seen += c
            ps.append((seen - 0.5) / self.count)
            vs.append(min(hi, self.max_ns) if self.max_ns is not None else hi)
        return ps, vs

    def cdf(self) -> tuple[list[float], list[float]]:
        """(value_ns, fraction of samples <= value) at each bucket's top."""
        xs, ys = [], []
        seen = 0
        for lo, hi, c in self.buckets:
            seen += c
            xs.append(min(hi, self.max_ns) if self.max_ns is not None else hi)
            ys.append(seen / self.count)
        return xs, ys


def merge(hists: list[dict | None]) -> Merged:
    """Merge HIST objects (None and malformed entries are skipped)."""
    counts: dict[tuple[float, float], int] = {}
    lows, highs = [], []
    for h in hists:
        if not isinstance(h, dict):
            continue
        for b in h.get("buckets") or []:
            if not isinstance(b, list) or len(b) != 3:
                continue
            lo, hi, c = number(b[0]), number(b[1]), number(b[2])
            if lo is None or hi is None or c is None or c <= 0:
                continue
            counts[(lo, hi)] = counts.get((lo, hi), 0) + int(c)
        if number(h.get("count")):
            if number(h.get("min")) is not None:
                lows.append(number(h.get("min")))
            if number(h.get("max")) is not None:
                highs.append(number(h.get("max")))
    buckets = sorted((lo, hi, c) for (lo, hi), c in counts.items())
    total = sum(c for _, _, c in buckets)
    return Merged(buckets, total, min(lows) if lows else None, max(highs) if highs else None)


def merged_latency(details: dict[int, dict], key: str = "latency") -> Merged:
    return merge([d.get(key) for d in details.values()])


def merged_gc_pauses(details: dict[int, dict]) -> Merged:
    return merge([(d.get("gc") or {}).get("pauses") if isinstance(d.get("gc"), dict) else None
                  for d in details.values()])
