"""Minimum mutator utilization (Cheng & Blelloch, PLDI 2001), exactly, from
stop-the-world windows; the summary columns in docs/run-folder.md.

MMU(w) = min over windows [t, t + w] inside the run [0, T] of
(w - time paused within the window) / w.

The paused time P(t) = pause(t, t + w) is piecewise linear in t, with slope
changes only where the window's start or end crosses a pause boundary, so its
maximum is reached at a window that starts at a pause start or ends at a pause
end, or at a window flush with either end of the run. We evaluate those
O(n) candidates exactly, each with a cumulative pause function (binary search):
O(n log n) per w, no sampling.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

# The window sizes the tables report, and the curve the plots draw (1 ms .. 1 s).
TABLE_WINDOWS_NS = {"mmu_1ms": 1_000_000, "mmu_10ms": 10_000_000, "mmu_100ms": 100_000_000}


def curve_windows_ns(points_per_decade: int = 8) -> list[float]:
    """Log-spaced window sizes from 1 ms to 1 s."""
    n = 3 * points_per_decade
    return [1e6 * 10 ** (3 * i / n) for i in range(n + 1)]


def normalize(pauses: Iterable[Sequence[float]], span: float) -> list[tuple[float, float]]:
    """[[start, duration], ...] -> sorted, merged [start, end) intervals clipped to [0, span]."""
    iv = sorted((max(0.0, float(s)), min(float(span), float(s) + float(d)))
                for s, d in pauses if d > 0)
    merged: list[tuple[float, float]] = []
    for s, e in iv:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


class Timeline:
    """Pause intervals over a run [0, span]; paused(a, b) in O(log n)."""

    def __init__(self, pauses: Iterable[Sequence[float]], span: float):
        self.span = float(span)
        self.iv = normalize(pauses, span)
        self.starts = [s for s, _ in self.iv]
        self.ends = [e for _, e in self.iv]
        self.cum = [0.0]  # cum[i]: paused time of the first i intervals
        for s, e in self.iv:
            self.cum.append(self.cum[-1] + (e - s))

    def paused_before(self, x: float) -> float:
        """Paused time in [0, x]."""
        i = bisect.bisect_right(self.starts, x)  # intervals starting at or before x
        if i == 0:
            return 0.0
        s, e = self.iv[i - 1]
        return self.cum[i - 1] + (min(x, e) - s)

    def paused(self, a: float, b: float) -> float:
        return self.paused_before(b) - self.paused_before(a)

    @property
    def longest(self) -> float:
        return max((e - s for s, e in self.iv), default=0.0)

    def mmu(self, w: float) -> float | None:
        """Exact MMU for window w; None where w does not fit in the run (w > span or span <= 0)."""
        if w <= 0 or self.span <= 0 or w > self.span:
            return None
        if not self.iv:
            return 1.0
        hi = self.span - w
        candidates = {0.0, hi}
        for s, e in self.iv:
            candidates.add(min(max(s, 0.0), hi))      # window starts at a pause start
            candidates.add(min(max(e - w, 0.0), hi))  # window ends at a pause end
        worst = max(self.paused(t, t + w) for t in candidates)
        return max(0.0, (w - worst) / w)


def mmu(pauses: Iterable[Sequence[float]], span: float, w: float) -> float | None:
    return Timeline(pauses, span).mmu(w)


def mmu_curve(pauses, span: float, windows: Sequence[float]) -> list[float | None]:
    tl = Timeline(pauses, span)
    return [tl.mmu(w) for w in windows]


def detail_timeline(detail: dict) -> Timeline | None:
    """A worker detail file's stop-the-world timeline over all its passes, or
    None where it has no recorded events (not a collector) or no run span."""
    gc = detail.get("gc")
    if not gc or gc.get("events") is None:
        return None
    start, end = detail.get("start_monotonic_ns"), detail.get("end_monotonic_ns")
    if start is None or end is None or end <= start:
        return None
    return Timeline(gc["events"], end - start)


def row_mmu(details: Sequence[dict]) -> dict:
    """mmu_1ms / mmu_10ms / mmu_100ms of one (workload, strategy): per repetition,
    then the minimum over repetitions. MMU is itself a worst case (the worst
    window of a run), so the worst repetition keeps that meaning: no repetition
    had a window of that size with less mutator time. None where no repetition
    recorded collector events or none ran as long as the window."""
    timelines = [t for t in (detail_timeline(d) for d in details) if t is not None]
    out = {}
    for key, w in TABLE_WINDOWS_NS.items():
        values = [v for v in (t.mmu(w) for t in timelines) if v is not None]
        out[key] = min(values) if values else None
    return out
