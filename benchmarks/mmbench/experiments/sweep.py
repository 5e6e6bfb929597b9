"""Time-space sweep: every collector's time as a function of the heap it may
use, with the manual strategies on the same axes (after Hertz & Berger,
OOPSLA 2005, and Cai et al., ISPASS 2022).

Each collector with a hard heap cap (Boehm's --gc-max-heap-bytes, the JVM's
-Xms=-Xmx) runs at multiples of its minimum heap for the workload (minheap.json,
experiments/minheap.py); Go, whose only limit is soft, runs at a range of GOGC
values instead and its x is the peak RSS it reached. The manual strategies run
as they are. Every point is a configured strategy (workers.Catalog.add_configured:
a label such as jvm-g1@2x for the base strategy with the point's worker
arguments and environment), so the whole sweep is one ordinary run: interleaved
rounds, steady-state passes, re-runs of disturbed processes, adaptive rounds,
and paired per-round ratios against the best manual strategy of the workload.
A point that exceeds its heap is a data point with status oom; the sweep goes on.

This module plans the points and turns the run's summary rows into sweep.json
(the schema in docs/experiments.md); commands/sweep.py runs them.
"""

from __future__ import annotations

import dataclasses
import math
import os
import statistics

from mmbench import workers
from mmbench.stats import paired_ratio

DEFAULT_COLLECTORS = ("boehm", "jvm-serial", "jvm-parallel", "jvm-g1", "jvm-zgc",
                      "jvm-shenandoah", "jvm-epsilon", "go")
DEFAULT_WORKLOADS = ("binary_trees", "lru_cache", "message_ring", "request_server", "teardown")
DEFAULT_REFERENCES = ("glibc", "mimalloc", "jemalloc", "arena", "shared_ptr", "epsilon")
# What a collector's time is compared with: the fastest explicit malloc/free, as
# Hertz & Berger compare with explicit management. The other references (an
# arena, reference counting, never freeing) are points on the same axes, not the
# yardstick: an arena or epsilon does not free objects one by one at all.
EXPLICIT_FREE = ("glibc", "mimalloc", "jemalloc")
DEFAULT_MULTIPLES = "1.25,1.5,2,3,4,6"
DEFAULT_GOGC = "25,50,100,200,400,800"
# The workload whose peak RSS is the harness's own footprint per strategy.
FOOTPRINT_WORKLOAD = "baseline"
FOOTPRINT_LABEL = "footprint"


def parse_multiples(text: str) -> list[float]:
    """'1.25,2,6' -> [1.25, 2.0, 6.0]: multiples of the minimum heap, sorted, unique, > 1
    is not required (below 1 is a heap known to fail, still a data point)."""
    out = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"multiple '{item}' is not a number") from None
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"multiples must be finite and > 0 (got {item})")
        out.add(value)
    if not out:
        raise ValueError("no multiples given")
    return sorted(out)


def parse_gogc(text: str) -> list[int]:
    """'25,100' -> [25, 100] (sorted, unique); 'none' or '' -> [] (no Go series)."""
    if text.strip().lower() in ("", "none"):
        return []
    out = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if not item.isdigit() or int(item) < 1:
            raise ValueError(f"GOGC '{item}' is not a whole number >= 1")
        out.add(int(item))
    return sorted(out)


@dataclasses.dataclass(frozen=True)
class Point:
    """One planned point: a configured strategy (label) of one workload."""
    workload: str
    strategy: str           # the base strategy
    label: str              # the strategy name in the run folder
    runtime: str
    series: str             # heap | gogc | manual
    multiple: float | None = None
    gogc: int | None = None
    heap_bytes: int | None = None
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def point_from_json(d: dict) -> Point:
    """A Point from its dataclasses.asdict() form as JSON keeps it (the manifest's)."""
    return Point(**dict(d, args=tuple(d.get("args") or ()),
                        env=tuple(tuple(kv) for kv in d.get("env") or ())))


def multiple_label(strategy: str, multiple: float) -> str:
    return f"{strategy}@{multiple:g}x"


def runtime_of(catalog: workers.Catalog, strategy: str) -> str:
    return workers.runtime_of(catalog.strategies.get(strategy))


def minheap_rows(doc: dict) -> dict[tuple, dict]:
    """minheap.json's rows by (workload, strategy)."""
    return {(r["workload"], r["strategy"]): r for r in doc.get("rows") or []}


def machine_heap_limit() -> int:
    """The largest heap a point may impose: 3/4 of this machine's memory (a JVM
    commits its whole -Xms at start, and a larger heap could only swap)."""
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * 3 // 4


def plan_points(catalog: workers.Catalog, workloads: list[str], collectors: list[str],
                references: list[str], multiples: list[float], gogc: list[int],
                minheap: dict, knob_for, heap_limit: int | None = None,
                ) -> tuple[list[Point], list[str]]:
    """The sweep's points, and a note for each (workload, collector) or point left
    out; knob_for(catalog, strategy) -> Knob | None (experiments.minheap.knob_for);
    no point imposes a heap above heap_limit bytes."""
    rows = minheap_rows(minheap)
    planned: list[Point] = []
    notes: list[str] = []
    for w in workloads:
        planned += [Point(w, s, s, runtime_of(catalog, s), "manual") for s in references
                    if (w, s) in catalog.entries]
        for c in collectors:
            if (w, c) not in catalog.entries:
                notes.append(f"{w}/{c}: not built; left out")
                continue
            knob = knob_for(catalog, c)
            runtime = runtime_of(catalog, c)
            if knob is not None and not knob.hard:
                # A soft limit cannot make a heap size: GOGC traces the curve.
                planned += [Point(w, c, f"{c}@gogc{g}", runtime, "gogc", gogc=g,
                                  args=("--gogc", str(g))) for g in gogc]
                continue
            row = rows.get((w, c)) or {}
            minimum = row.get("min_heap_bytes")
            if knob is None or not minimum:
                why = ("no heap knob" if knob is None else
                       f'no minimum heap in minheap.json ({row.get("status") or "no row"})')
                notes.append(f"{w}/{c}: {why}; left out")
                continue
            for m in multiples:
                heap = int(math.ceil(m * minimum))
                # The size the knob imposes (rounded to what the runtime takes).
                heap = knob.round(heap)
                if heap_limit is not None and heap > heap_limit:
                    notes.append(f"{w}/{multiple_label(c, m)}: a {heap / 2**30:.1f} GiB heap "
                                 f"is above {heap_limit / 2**30:.1f} GiB (3/4 of this "
                                 "machine's memory); left out")
                    continue
                args, env = knob.apply(heap)
                planned.append(Point(w, c, multiple_label(c, m), runtime, "heap", multiple=m,
                                     heap_bytes=heap, args=tuple(args),
                                     env=tuple(sorted(env.items()))))
    return planned, notes


def footprint_points(catalog: workers.Catalog, planned: list[Point]) -> list[Point]:
    """The baseline workload under every base strategy of the sweep (the harness
    and runtime's own footprint), uncapped; none where baseline is not built."""
    bases = dict.fromkeys(p.strategy for p in planned)
    out = []
    for s in bases:
        if (FOOTPRINT_WORKLOAD, s) not in catalog.entries:
            continue
        manual = any(p.strategy == s and p.series == "manual" for p in planned)
        label = s if manual else f"{s}@{FOOTPRINT_LABEL}"
        out.append(Point(FOOTPRINT_WORKLOAD, s, label, runtime_of(catalog, s), "footprint"))
    return out


def configured_strategies(points: list[Point]) -> dict[str, dict]:
    """The labels of the points as workers.Catalog.add_configured specs."""
    configured: dict[str, dict] = {}
    for p in points:
        if p.label == p.strategy:
            continue
        spec = configured.setdefault(p.label, {"strategy": p.strategy, "workloads": {}})
        spec["workloads"][p.workload] = {"args": list(p.args), "env": dict(p.env)}
    return configured


def estimate_seconds(points: list[Point], minheap: dict, rounds: int) -> tuple[float, int]:
    """A rough duration of `rounds` rounds: each point's process time is the
    median over minheap.json's completed trials of its (workload, strategy), a
    point without any at the median of those; (seconds, points without a
    measured time). 0 seconds when minheap.json holds no times."""
    rows = minheap_rows(minheap)
    known: dict[tuple, float] = {}
    for key, row in rows.items():
        times = [t.get("process_wall_s") or t.get("wall_s") for probe in row.get("probes") or []
                 for t in probe.get("trials") or [] if t.get("status") == "ok"]
        times = [t for t in times if t]
        if times:
            known[key] = statistics.median(times)
    if not known:
        return 0.0, len(points)
    fallback = statistics.median(known.values())
    total = sum(known.get((p.workload, p.strategy), fallback) for p in points)
    return total * rounds, sum(1 for p in points if (p.workload, p.strategy) not in known)


def _wall_by_round(row: dict) -> dict[int, float]:
    """A summary row's steady-state pass time per round, over the rounds its figures
    rest on (summary.build_rows' lbo_samples: {round: [wall_s, cpu_s, explicit_s]})."""
    return {int(r): v[0] for r, v in (row.get("lbo_samples") or {}).items() if v and v[0]}


def best_manual(rows: dict[tuple, dict], points: list[Point]) -> dict[str, dict]:
    """Per workload, the explicit malloc/free strategy (EXPLICIT_FREE) with the
    lowest median pass time."""
    best: dict[str, dict] = {}
    for p in points:
        row = rows.get((p.workload, p.label))
        if p.series != "manual" or p.label not in EXPLICIT_FREE or not row or \
                row["status"] != "ok" or not row.get("wall_s"):
            continue
        if p.workload not in best or row["wall_s"] < best[p.workload]["wall_s"]:
            best[p.workload] = {"strategy": p.label, "wall_s": row["wall_s"]}
    return best


def _point(p: Point, row: dict, best: dict | None, best_row: dict | None,
           footprint: dict | None, live_bytes: float | None) -> dict:
    ratio = lo = hi = None
    if best_row is not None and row["status"] == "ok":
        ratio, lo, hi, _, _ = paired_ratio(_wall_by_round(row), _wall_by_round(best_row))
    live_kib = row.get("live_kib") or (live_bytes / 1024 if live_bytes else None)
    peak = row.get("peak_rss_kib")
    return {
        "workload": p.workload, "strategy": p.strategy, "label": p.label,
        "runtime": row.get("runtime") or p.runtime, "series": p.series,
        "multiple": p.multiple, "gogc": p.gogc, "heap_bytes": p.heap_bytes,
        "status": row["status"], "rep_status": row.get("rep_status"),
        "reps": len(row.get("wall_samples") or []),
        "wall_s": row.get("wall_s"), "throughput_per_s": row.get("throughput_per_s"),
        "time_vs_best_manual": ratio,
        "time_vs_best_manual_ci95": [lo, hi] if lo is not None else None,
        "best_manual": (best or {}).get("strategy"),
        "peak_rss_kib": peak, "live_kib": live_kib,
        "rss_multiple": peak / live_kib if peak and live_kib else None,
        "lbo_wall": row.get("lbo_wall"), "lbo_cpu": row.get("lbo_cpu"),
        "cpu_s": row.get("cpu_s"), "gc_pause_p99_ns": row.get("gc_pause_p99_ns"),
        "gc_pause_max_ns": row.get("gc_pause_max_ns"),
        "gc_collections": row.get("gc_collections"),
        "footprint_kib": (footprint or {}).get("peak_rss_kib"),
    }


def build_result(summary_rows: list[dict], points: list[Point], footprints: list[Point],
                 minheap: dict, settings: dict) -> dict:
    """sweep.json: the settings (size, seed, multiples, gogc, collectors, references,
    notes, ...), the minimum heaps used, each workload's best manual strategy and
    one entry per point (docs/experiments.md)."""
    rows = {(r["workload"], r["strategy"]): r for r in summary_rows}
    best = best_manual(rows, points)
    heaps = minheap_rows(minheap)
    foot = {p.strategy: rows.get((p.workload, p.label)) for p in footprints}
    out = []
    for p in points:
        row = rows.get((p.workload, p.label))
        if row is None:
            continue
        b = best.get(p.workload)
        out.append(_point(p, row, b, rows.get((p.workload, b["strategy"])) if b else None,
                          foot.get(p.strategy),
                          (heaps.get((p.workload, p.strategy)) or {}).get("live_bytes")))
    used = {}
    for (w, s), r in heaps.items():
        if any(p.workload == w and p.strategy == s for p in points):
            used.setdefault(w, {})[s] = {k: r.get(k) for k in (
                "min_heap_bytes", "status", "live_bytes", "min_multiple", "knob", "hard_cap")}
    return dict({"experiment": "sweep"}, **settings, minheap=used, best_manual=best,
                points=out)
