"""The Hertz–Berger number of a sweep (sweep.json): per (workload, collector),
the smallest heap, in multiples of the collector's minimum heap, at which its
time comes within a margin (10%) of the best manual strategy's.

Pure functions of sweep.json. A heap series is read in heap multiples; Go has
no hard heap, so its GOGC series is read in GOGC steps and its crossing is
given as the GOGC value and the peak RSS (× live) it reached there.
"""

from __future__ import annotations

# Hertz & Berger, "Quantifying the Performance of Garbage Collection vs. Explicit
# Memory Management", OOPSLA 2005: a generational collector (GenMS, Java, with
# oracle-placed frees in a simulator) against the best explicit manager, at heap
# sizes in multiples of the smallest heap the program runs in (our multiples are
# of the measured minimum heap too). (multiple, time relative to explicit).
HERTZ_BERGER_2005 = ((2.0, 1.70), (3.0, 1.17), (5.0, 1.00))
HERTZ_BERGER_2005_CITATION = (
    "M. Hertz and E. D. Berger, Quantifying the Performance of Garbage Collection vs. "
    "Explicit Memory Management, OOPSLA 2005")
WITHIN = 0.10


def _ok(point: dict) -> bool:
    return point.get("status") == "ok" and point.get("time_vs_best_manual") is not None


def crossing(xs_ratios: list[tuple[float, float]], limit: float):
    """(grid x, interpolated x) of the first (x, ratio) with ratio <= limit, in
    the order given (x ascending); (None, None) when none comes within.

    The interpolated x is linear between the point before it (above the limit)
    and the crossing point; None when the first point is already within, since
    the curve below the grid is not known."""
    for i, (x, r) in enumerate(xs_ratios):
        if r <= limit:
            if i == 0:
                return x, None
            x0, r0 = xs_ratios[i - 1]
            return x, x0 + (limit - r0) * (x - x0) / (r - r0)
    return None, None


def _series_points(points: list[dict], workload: str, strategy: str) -> tuple[str, list]:
    # A point off the grid (no multiple, no GOGC value) has no place on its x axis.
    mine = [p for p in points if p["workload"] == workload and p["strategy"] == strategy
            and (p.get("series") == "heap" and p.get("multiple") is not None
                 or p.get("series") == "gogc" and p.get("gogc") is not None)]
    if any(p["series"] == "heap" for p in mine):
        return "heap", sorted((p for p in mine if p["series"] == "heap"),
                              key=lambda p: p["multiple"])
    return "gogc", sorted(mine, key=lambda p: p["gogc"])


def _row(workload: str, strategy: str, series: str, pts: list[dict], limit: float) -> dict:
    ok = [p for p in pts if _ok(p)]
    key = "multiple" if series == "heap" else "gogc"
    grid, interpolated = crossing([(p[key], p["time_vs_best_manual"]) for p in ok], limit)
    at = next((p for p in ok if p[key] == grid), None) if grid is not None else None
    rss_pts = [(p["rss_multiple"], p["time_vs_best_manual"]) for p in ok
               if p.get("rss_multiple") is not None]
    _, rss_interpolated = crossing(rss_pts, limit) if len(rss_pts) == len(ok) else (None, None)
    row = {"workload": workload, "strategy": strategy, "series": series,
           "runtime": pts[0].get("runtime"), "ok_points": len(ok),
           "first_point_within": grid is not None and interpolated is None,
           "crossing_multiple": grid if series == "heap" else None,
           "interpolated_multiple": interpolated if series == "heap" else None,
           "crossing_gogc": grid if series == "gogc" else None,
           "crossing_rss_multiple": at.get("rss_multiple") if at else None,
           "interpolated_rss_multiple": rss_interpolated,
           "at_multiples": {}, "at_gogc": {}, "failed": {}}
    for p in pts:
        target = row["at_multiples"] if series == "heap" else row["at_gogc"]
        target[p[key]] = p["time_vs_best_manual"] if _ok(p) else None
        if p.get("status") != "ok":
            row["failed"][p[key]] = p.get("status")
    return row


def _ordered(values) -> list:
    return list(dict.fromkeys(values))


def table(result: dict, within: float = WITHIN) -> list[dict]:
    """One row per (workload, collector) with sweep points, workloads in the
    order of the points, collectors in result["collectors"]' order:

    crossing_multiple: the smallest grid multiple whose time_vs_best_manual is
    <= 1 + within (failed points never are), else None; interpolated_multiple:
    linear in multiple between the last point above and that one (None when
    there is no crossing or no point above it); for a gogc series these are
    None and crossing_gogc holds the GOGC value instead. crossing_rss_multiple
    / interpolated_rss_multiple: the same crossing read as peak RSS over live
    data. first_point_within: the first completed point already is within, so
    the crossing lies at or below it. at_multiples (heap) or at_gogc (gogc):
    {x: ratio, None if failed}; failed: {x: status}."""
    points = result.get("points", [])
    limit = 1.0 + within
    rows = []
    for workload in _ordered(p["workload"] for p in points):
        for strategy in result.get("collectors", []):
            series, pts = _series_points(points, workload, strategy)
            if pts:
                rows.append(_row(workload, strategy, series, pts, limit))
    return rows


def published_crossing(within: float = WITHIN) -> tuple[float | None, float | None]:
    """(grid, interpolated) multiple of Hertz & Berger's figures by the same rule."""
    return crossing(list(HERTZ_BERGER_2005), 1.0 + within)


def largest_multiple(result: dict) -> float | None:
    """The sweep's largest heap multiple: 'not within this'."""
    grid = result.get("multiples") or [p["multiple"] for p in result.get("points", [])
                                       if p.get("multiple") is not None]
    return max(grid) if grid else None
