"""The targets that decide whether a workload gets another round: the standard
error of its per-round ratios to the reference strategy (--target-se) and the
spread of its cells' times (--target-cv), over the runs kept so far."""

from __future__ import annotations

import math
import statistics

from mmbench import summary

# kept: (workload, strategy) -> rep -> the ok record of that repetition, with a figure.


def figures(kept: dict, w: str, s: str) -> dict[int, float]:
    """rep -> figure wall time of the kept runs of (w, s)."""
    return {r: rec["figure_wall_s"] for r, rec in kept.get((w, s), {}).items()}


def ratio_se(plan: dict, kept: dict, w: str) -> float:
    """The largest standard error, over workload w's strategies, of the mean of
    their per-round log ratios to the reference strategy, over every round in
    which both ran ok (the rounds the summary pairs when too few are kept in both
    cells' figures); inf with 1 pair, 0 without any."""
    ref = figures(kept, w, summary.REFERENCE_STRATEGY)
    worst = 0.0
    for w2, s in plan["pairs"]:
        if w2 != w or s == summary.REFERENCE_STRATEGY:
            continue
        mine = figures(kept, w, s)
        logs = [math.log(ref[r] / mine[r]) for r in set(ref) & set(mine)]
        if not logs:
            continue  # no round in which both ran ok: no ratio to tighten
        if len(logs) < 2:
            return math.inf
        worst = max(worst, statistics.stdev(logs) / math.sqrt(len(logs)))
    return worst


def need(plan: dict, kept: dict, opts: dict, w: str) -> float:
    """How far workload w is from its targets, 1 = just met: the standard error of
    its ratios over --target-se, and the spread of its cells' times over the
    repetitions their figures rest on (summary.figure_reps) over --target-cv.
    Time-headline workloads only: a fixed-rate loop's or the empty workload's
    time is not their figure."""
    if (plan.get("headline") or {}).get(w, "throughput") != "throughput":
        return 0.0
    worst = ratio_se(plan, kept, w) / opts["target_se"]
    for w2, s in plan["pairs"]:
        if w2 == w:
            runs = kept.get((w, s), {})
            chosen = summary.figure_reps(sorted(runs), runs)[0]
            spread = summary.cv([runs[r]["figure_wall_s"] for r in chosen])
            worst = max(worst, spread / opts["target_cv"])
    return worst
