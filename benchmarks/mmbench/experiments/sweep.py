"""Heap-size sweep: a tracing collector's time and pauses as a function of how
much heap it may use, in multiples of the workload's live data (after Hertz &
Berger, OOPSLA 2005). Boehm runs with --gc-max-heap-bytes = multiple x
live_bytes; the manual strategies run uncapped as references. A run that hits
the cap (exit 4) is a data point, status "oom". The smallest multiple that
completes is found by bisection on a geometric scale.

What the cap means: GC_set_max_heap_size bounds the collector's whole heap
(GC_get_heap_size): live objects plus Boehm's size-class rounding and block
fragmentation, free space kept between collections, conservatively retained
garbage, and the heap the worker had before the workload started (GC_INIT's
initial heap, ~256 KiB). live_bytes is the workload's logical live data (its
own count of bytes reachable at the peak). So multiple 1.0 can never
complete, and the minimum multiple measures Boehm's space overhead on top of
the live data.

What the cap does not do: raise the heap above the collector's own choice.
libgc collects once about (live + roots) / free-space-divisor bytes have been
allocated since the last collection, whatever the cap, so a cap above the
uncapped ("natural") heap changes nothing: those points repeat the uncapped
configuration ("cap not binding"). To trace time against a *larger* heap
(Hertz & Berger's curve), the second series runs the collector uncapped at a
range of free-space divisors (--gc-free-space-divisor D; libgc's default is 3):
a lower divisor lets more garbage accumulate between collections, so the heap
grows and collections become rarer. Each divisor point's x is its *measured*
heap (GC_get_heap_size at the end of the run) over live_bytes."""

from __future__ import annotations

import csv
import io
import math
import pathlib

from mmbench import workers
from mmbench.experiments import points

DEFAULT_MULTIPLES = "1.25,1.5,2,3,4,6,uncapped"
DEFAULT_DIVISORS = "1,2,3,4,6,8,12"
LIBGC_DEFAULT_DIVISOR = 3
DEFAULT_REFERENCES = ("glibc", "mimalloc", "jemalloc")
PRECISION = 0.05      # bisection stops when hi/lo <= 1 + PRECISION
LOWEST_PROBE = 1.0    # below the live data nothing can complete
FAILED = ("oom", "timeout", "crash", "error")


def parse_multiples(text: str) -> list[float | None]:
    """'1.5,2,uncapped' -> [1.5, 2.0, None] (None = uncapped), sorted, uncapped last."""
    out: list[float | None] = []
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            continue
        if item in ("uncapped", "inf", "none"):
            out.append(None)
            continue
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"multiple '{item}' is not a number or 'uncapped'") from None
        if not value > 0:
            raise ValueError(f"multiples must be > 0 (got {item})")
        out.append(value)
    if not out:
        raise ValueError("no multiples given")
    capped = sorted({m for m in out if m is not None})
    return capped + ([None] if None in out else [])


def parse_divisors(text: str) -> list[int]:
    """'1,3,12' -> [1, 3, 12] (sorted, unique); 'none' or '' -> [] (no divisor series)."""
    if text.strip().lower() in ("", "none"):
        return []
    out = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = int(item)
        except ValueError:
            raise ValueError(f"divisor '{item}' is not a whole number") from None
        if value < 1:
            raise ValueError(f"divisors must be >= 1 (got {item})")
        out.add(value)
    return sorted(out)


def label(multiple: float | None) -> str:
    return "uncapped" if multiple is None else f"m{multiple:.4g}"


def cap_bytes(multiple: float, live_bytes: float) -> int:
    return int(math.ceil(multiple * live_bytes))


def run_sweep(root: pathlib.Path, catalog: workers.Catalog, opts: dict, workloads: list[str],
              strategy: str, references: list[str], multiples: list[float | None], reps: int,
              bisect: bool = True, progress=None, divisors: list[int] | None = None) -> dict:
    divisors = list(divisors or [])
    result = {"strategy": strategy, "references": references, "reps": reps,
              "size": opts["size"], "precision": PRECISION, "divisors": divisors,
              "workloads": {}}
    for w in workloads:
        result["workloads"][w] = sweep_workload(root, catalog, opts, w, strategy, references,
                                                multiples, reps, bisect, progress, divisors)
    return result


def _bisect(grid: dict, at, live: float) -> tuple[list, dict | None]:
    """Bisection between the grid's largest failing multiple and its smallest
    completing one, on a geometric scale: (the probes, the minimum found)."""
    ok = sorted(m for m, p in grid.items() if p.status == "ok")
    if not ok:
        return [], None
    hi = ok[0]
    failed = sorted(m for m, p in grid.items() if p.status != "ok" and m < hi)
    lo = failed[-1] if failed else None
    if lo is None and hi > LOWEST_PROBE:
        lo = LOWEST_PROBE if at(LOWEST_PROBE, 1).status != "ok" else None
        if lo is None:
            hi = LOWEST_PROBE
    bisection = []
    while lo is not None and hi / lo > 1 + PRECISION:
        mid = math.sqrt(lo * hi)
        p = at(mid, 1)  # ok/oom is deterministic enough for one process to decide
        bisection.append({"multiple": mid, "status": p.status})
        if p.status == "ok":
            hi = mid
        else:
            lo = mid
    return bisection, {"multiple": hi, "cap_bytes": cap_bytes(hi, live),
                       "largest_failing_multiple": lo}


def _references(root, catalog, opts, workload, references, reps, progress):
    """The manual strategies run uncapped: (points, the fastest, its wall time)."""
    refs = {}
    for s in references:
        if (workload, s) in catalog.entries:
            refs[s] = points.measure(root / "reference" / workload, catalog, opts, workload, s,
                                     reps, progress=progress)
    ok_refs = {s: p for s, p in refs.items() if p.status == "ok" and p.wall_s}
    best = min(ok_refs, key=lambda s: ok_refs[s].wall_s) if ok_refs else None
    return refs, best, ok_refs[best].wall_s if best else None


def sweep_workload(root, catalog, opts, workload, strategy, references, multiples, reps, bisect,
                   progress, divisors=()) -> dict:
    base = root / "points" / workload
    # 1. The collector uncapped: its live_bytes sizes every cap.
    uncapped = points.measure(base / "uncapped", catalog, opts, workload, strategy, reps,
                              progress=progress)
    if uncapped.status != "ok" or not uncapped.live_bytes:
        return {"error": f"the uncapped {strategy} run failed ({uncapped.status}): "
                         f"{uncapped.problem}",
                "uncapped": uncapped.as_dict()}
    live = uncapped.live_bytes
    # 2. The manual references, uncapped.
    refs, best, best_wall = _references(root, catalog, opts, workload, references, reps,
                                        progress)

    # 3. The grid, then bisection between the largest failure and the smallest success.
    grid: dict[float, points.Point] = {}

    def at(multiple: float, n: int) -> points.Point:
        if multiple not in grid:
            grid[multiple] = points.measure(
                base / label(multiple), catalog, opts, workload, strategy, n,
                ["--gc-max-heap-bytes", str(cap_bytes(multiple, live))], progress)
        return grid[multiple]

    for m in multiples:
        if m is not None:
            at(m, reps)
    bisection, minimum = _bisect(grid, at, live) if bisect else ([], None)
    natural_heap = uncapped.gc_heap_bytes
    rows = []
    for m in sorted(grid):
        rows.append(_row(workload, m, grid[m], live, best_wall, in_grid=m in multiples,
                         natural_heap=natural_heap))
    if None in multiples:
        rows.append(_row(workload, None, uncapped, live, best_wall, in_grid=True,
                         natural_heap=natural_heap))

    # 4. The divisor series: uncapped, more or less garbage allowed between collections.
    divisor_rows = []
    for d in divisors:
        p = points.measure(base / (f"d{d}"), catalog, opts, workload, strategy, reps,
                           ["--gc-free-space-divisor", str(d)], progress)
        divisor_rows.append(_row(workload, None, p, live, best_wall, in_grid=True,
                                 series="divisor", divisor=d))
    return {
        "live_bytes": live,
        "uncapped_heap_bytes": uncapped.gc_heap_bytes,
        "best_reference": best,
        "best_reference_wall_s": best_wall,
        "references": {s: dict(p.as_dict(), relative_time=(p.wall_s / best_wall
                                                           if p.wall_s and best_wall else None))
                       for s, p in refs.items()},
        "uncapped": dict(uncapped.as_dict(), relative_time=(uncapped.wall_s / best_wall
                                                            if best_wall else None)),
        "points": rows,
        "divisor_points": divisor_rows,
        "bisection": bisection,
        "minimum": minimum,
    }


def _cap_binding(multiple, live, natural_heap) -> bool | None:
    """A cap binds when it is below the heap the collector reaches uncapped at its default
    divisor; at or above it the run repeats the uncapped configuration. None: unknown."""
    if multiple is None:
        return False
    if not natural_heap:
        return None
    return cap_bytes(multiple, live) < natural_heap


def _row(workload, multiple, p: points.Point, live, best_wall, in_grid, natural_heap=None,
         series="cap", divisor=None) -> dict:
    return {
        "workload": workload,
        "series": series,
        "multiple": multiple,
        "divisor": divisor,
        "cap_bytes": cap_bytes(multiple, live) if multiple is not None else None,
        "cap_binding": _cap_binding(multiple, live, natural_heap) if series == "cap" else None,
        "in_grid": in_grid,
        "status": p.status,
        "rep_status": p.rep_status,
        "wall_s": p.wall_s,
        "relative_time": p.wall_s / best_wall if p.wall_s and best_wall else None,
        "peak_rss_kib": p.peak_rss_kib,
        "gc_heap_bytes": p.gc_heap_bytes,
        "heap_over_live": p.gc_heap_bytes / live if p.gc_heap_bytes else None,
        "rss_over_live": p.peak_rss_kib * 1024 / live if p.peak_rss_kib else None,
        "gc_collections": p.gc_collections,
        "pause_p50_ns": p.pause.get("p50"),
        "pause_p99_ns": p.pause.get("p99"),
        "pause_max_ns": p.pause.get("max"),
        "lat_p50_ns": p.lat.get("p50"),
        "lat_p99_ns": p.lat.get("p99"),
        "lat_max_ns": p.lat.get("max"),
        "checksum": p.checksum,
        "folder": p.folder,
        "problem": p.problem,
    }


CSV_COLUMNS = ["workload", "series", "multiple", "divisor", "cap_bytes", "cap_binding", "status",
               "wall_s", "relative_time", "peak_rss_kib", "gc_heap_bytes", "heap_over_live",
               "rss_over_live", "gc_collections",
               "pause_p50_ns", "pause_p99_ns", "pause_max_ns", "lat_p50_ns", "lat_p99_ns",
               "lat_max_ns", "checksum"]


def to_csv(sweep: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for w, data in sweep["workloads"].items():
        for row in data.get("points", []) + data.get("divisor_points", []):
            writer.writerow([("uncapped" if c == "multiple" else "") if row.get(c) is None
                             else row[c] for c in CSV_COLUMNS])
    return out.getvalue()
