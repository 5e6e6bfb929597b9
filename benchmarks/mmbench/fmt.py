"""How numbers, durations, sizes and nested settings are written, everywhere:
the terminal table, summary.md, the report, the experiments' tables, compare
and the plots.

Two marks for a cell without a number, never mixed up: DASH where a figure
could exist but was not measured or could not be read, NA where no figure
makes sense (a speed ratio of a row whose time is not its point, a ratio over
no live data). Ratios carry TIMES.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

DASH = "—"
NA = "n/a"
TIMES = "×"
DURATION_UNITS = [("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]


def sig3(x: float | None, missing: str = DASH) -> str:
    """x with 3 significant digits, in plain notation (1.23, 12.3, 123, 1230)."""
    if x is None:
        return missing
    if x == 0:
        return "0"
    digits = 2 - int(math.floor(math.log10(abs(x))))
    rounded = round(x, digits)
    return f"{rounded:.{max(digits, 0)}f}"


def ratio(x: float | None, missing: str = DASH) -> str:
    """A ratio with 3 significant digits and its mark: 1.30×."""
    return missing if x is None else sig3(x) + TIMES


def percent(share: float | None, digits: int = 1, missing: str = DASH) -> str:
    """A share (0.091) as a percentage: 9.1%."""
    return missing if share is None else f"{100 * share:.{digits}f}%"


def not_applicable(why: str = "") -> str:
    """NA, with its reason in parentheses where one is given: n/a (footprint)."""
    return f"{NA} ({why})" if why else NA


def round3(x: float | None) -> float | None:
    """x rounded to 3 significant digits (for CSV), None stays None."""
    if x is None or x == 0:
        return x
    return round(x, 2 - int(math.floor(math.log10(abs(x)))))


def si(x: float | None, missing: str = DASH) -> str:
    """3 significant digits with a k/M/G suffix: 12.3k, 4.56M."""
    if x is None:
        return missing
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return sig3(x / scale) + suffix
    return sig3(x)


def unit_for(largest_ns: float) -> tuple[str, float]:
    """The largest duration unit (name, ns per unit) that largest_ns reaches."""
    chosen = DURATION_UNITS[0]
    for name, scale in DURATION_UNITS:
        if largest_ns >= scale:
            chosen = (name, scale)
    return chosen


def duration_unit(values_ns: list[float | None]) -> tuple[str, float]:
    """The unit (name, ns per unit) in which the column's median is at least 1."""
    present = [v for v in values_ns if v is not None and v > 0]
    if not present:
        return "µs", 1e3
    return unit_for(statistics.median(present))


def format_duration(ns: float | None, missing: str = DASH) -> str:
    """A single duration with its own unit: 850 µs, 1.20 ms."""
    if ns is None:
        return missing
    name, scale = duration_unit([ns])
    return f"{sig3(ns / scale)} {name}"


def format_kib(kib: float | None, missing: str = DASH) -> str:
    """A size given in KiB, in KiB, MiB or GiB."""
    if kib is None:
        return missing
    if kib >= 1024 * 1024:
        return f"{kib / 1024 / 1024:.2f} GiB"
    if kib >= 1024:
        return f"{kib / 1024:.1f} MiB"
    return f"{kib:.0f} KiB"


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts as (dotted key, leaf) pairs: {"a": {"b": 1}} -> [("a.b", 1)].
    An empty dict is a leaf; a key that repeats its parent's name with a dot
    (jemalloc's {"opt": {"opt.narenas": 4}}) reads opt.narenas, not opt.opt.narenas."""
    if not isinstance(value, dict) or (not value and prefix):
        return [(prefix, value)]
    out = []
    last = prefix.rsplit(".", 1)[-1]
    for k, v in value.items():
        k = str(k)
        if not prefix:
            name = k
        elif k.startswith(last + "."):
            name = prefix[:len(prefix) - len(last)] + k
        else:
            name = f"{prefix}.{k}"
        out += flatten(v, name)
    return out
