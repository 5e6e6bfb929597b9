"""The neutral table model every renderer (Markdown, HTML, the terminal) reads,
and the cell texts shared by the tables, written through mmbench.fmt."""

from __future__ import annotations

from dataclasses import dataclass, field

from mmbench import fmt
from mmbench.fmt import DASH
from mmbench.reporting.figures import REFERENCE, RowFigures


@dataclass
class Cell:
    text: str
    value: float | None = None
    best: bool = False


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    anchor: str = ""
    notes: list[str] = field(default_factory=list)


def mark_best(rows: list[list[Cell]], column: int, higher_is_better: bool,
              eligible: list[bool] | None = None) -> None:
    """Mark the best value of a column among the eligible rows (all by default),
    where at least two rows have one."""
    eligible = eligible if eligible is not None else [True] * len(rows)
    values = [(r[column].value, i) for i, r in enumerate(rows)
              if eligible[i] and r[column].value is not None]
    if len(values) < 2:
        return
    best = max(v for v, _ in values) if higher_is_better else min(v for v, _ in values)
    for v, i in values:
        if v == best:
            rows[i][column].best = True


def mark_best_in_row(row: list[Cell], first: int, higher_is_better: bool) -> None:
    """The same within one row, from column `first` on (strategies as columns)."""
    values = [c.value for c in row[first:] if c.value is not None]
    if len(values) >= 2:
        best = max(values) if higher_is_better else min(values)
        for c in row[first:]:
            c.best = c.value == best


def count_text(x: float | None) -> str:
    if x is None:
        return DASH
    return str(int(x)) if float(x).is_integer() else fmt.sig3(x)


def na_or(f: RowFigures, name: str, text: str) -> str:
    """text, or n/a where the figure does not apply to the row."""
    return fmt.NA if name in f.na else text


def ratio_text(f: RowFigures) -> str:
    """The row's throughput relative to the reference, with its 95% interval."""
    if "rel" in f.na:
        return fmt.not_applicable(f.na["rel"])
    if f.rel is None:
        return DASH
    if f.strategy == REFERENCE:
        return "1 (reference)"
    if f.rel_low is None or f.rel_high is None:
        return f"{fmt.ratio(f.rel)} [CI n/a]"
    return f"{fmt.ratio(f.rel)} [{fmt.sig3(f.rel_low)}, {fmt.sig3(f.rel_high)}]"


def interval_text(value: float | None, low: float | None, high: float | None) -> str:
    """A figure with its 95% interval: 0.500 [0.400, 0.600]."""
    if value is None:
        return DASH
    if low is None or high is None:
        return f"{fmt.sig3(value)} [CI n/a]"
    return f"{fmt.sig3(value)} [{fmt.sig3(low)}, {fmt.sig3(high)}]"


def duration_text(seconds: float | None) -> str:
    return fmt.format_duration(seconds * 1e9) if seconds else DASH
