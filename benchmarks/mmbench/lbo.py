"""Lower-bound overhead (LBO) of memory management, after Cai, Blackburn, Bond
and Maas, "Distilling the Real Cost of Production Garbage Collectors"
(ISPASS 2022); the summary columns in docs/run-folder.md.

Per workload, for each strategy g and repetition r:

- total cost T: the steady pass's wall time (detail `wall_ns`), and separately
  its process CPU time of all threads (`cpu_ns`);
- explicit cost E: time inside the stop-the-world windows the strategy itself
  reports, per pass (Boehm: the pause histogram's sum over the process divided
  by its passes); 0 for every strategy without such windows (malloc, arena,
  shared_ptr, pmr, epsilon). For CPU, E is the same pause wall time counted
  once: during a stop-the-world window at least the collecting thread runs, so
  this is a lower estimate of the window's CPU (parallel markers may burn
  more); under-counting E can only raise the minimum distilled cost and so
  lower LBO, which keeps it a lower bound;
- distilled cost D = T - E; MDC = min over strategies of the median D;
- LBO_g = median T_g / MDC - 1.

The 95% interval is a percentile bootstrap over repetitions (each strategy's
repetitions resampled independently, T and E of a repetition kept together,
MDC recomputed in every resample) with a fixed seed, so a report is
reproducible. With 3 repetitions it is coarse: it shows the spread of the
repetitions, not a coverage guarantee.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20220301

Sample = tuple[float, float]  # (total, explicit) of one repetition


def distilled(samples: Sequence[Sample]) -> list[float]:
    return [t - e for t, e in samples]


def lbo(samples: dict[str, Sequence[Sample]], resamples: int = BOOTSTRAP_RESAMPLES,
        seed: int = BOOTSTRAP_SEED) -> dict[str, tuple[float, float | None, float | None]]:
    """{strategy: [(total, explicit), ...]} -> {strategy: (lbo, lo, hi)}; strategies
    without samples are left out. lo/hi are None where no strategy has 2 samples."""
    samples = {s: [(float(t), float(e)) for t, e in v] for s, v in samples.items() if v}
    if not samples:
        return {}
    mdc = min(statistics.median(distilled(v)) for v in samples.values())
    point = {s: statistics.median(t for t, _ in v) / mdc - 1 if mdc > 0 else None
             for s, v in samples.items()}
    if mdc <= 0 or all(len(v) < 2 for v in samples.values()):
        return {s: (point[s], None, None) for s in samples}
    import numpy as np

    rng = np.random.default_rng(seed)
    totals, dists = {}, {}
    for s in sorted(samples):  # sorted: the same draws whatever the dict order
        v = np.array(samples[s])
        idx = rng.integers(0, len(v), size=(resamples, len(v)))
        totals[s] = np.median(v[:, 0][idx], axis=1)
        dists[s] = np.median((v[:, 0] - v[:, 1])[idx], axis=1)
    mdc_b = np.min(np.stack([dists[s] for s in sorted(samples)]), axis=0)
    out = {}
    for s in samples:
        b = totals[s] / mdc_b - 1
        lo, hi = np.percentile(b, [2.5, 97.5])
        out[s] = (point[s], float(lo), float(hi))
    return out


def add_lbo_columns(rows: list[dict]) -> None:
    """lbo_wall(_lo/_hi) and lbo_cpu(_lo/_hi) of every ok throughput row, per
    workload and runtime over the ok throughput rows of at least two strategies
    (each row carries `lbo_samples`: {rep: [wall_s, cpu_s, explicit_s]}); None
    elsewhere."""
    keys = ("lbo_wall", "lbo_wall_lo", "lbo_wall_hi", "lbo_cpu", "lbo_cpu_lo", "lbo_cpu_hi")
    for row in rows:
        row.update({k: None for k in keys})
        row.setdefault("lbo_mdc_strategy", None)
        row["lbo_alone"] = None
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if (row.get("status") == "ok" and row.get("headline", "throughput") == "throughput"
                and row.get("lbo_samples")):
            groups.setdefault((row["workload"], row.get("runtime")), []).append(row)
    for group in groups.values():
        if len(group) < 2:  # its LBO would be 0 by construction
            group[0]["lbo_alone"] = f"only {group[0]['strategy']} in its runtime"
            continue
        for which, col in (("wall", 0), ("cpu", 1)):
            samples = {r["strategy"]: [(v[col], v[2]) for v in r["lbo_samples"].values()
                                       if v[col] is not None] for r in group}
            result = lbo(samples)
            mdc_of = {s: statistics.median(distilled(v)) for s, v in samples.items() if v}
            for r in group:
                if r["strategy"] in result:
                    v, lo, hi = result[r["strategy"]]
                    r.update({"lbo_" + which: v, f"lbo_{which}_lo": lo,
                              f"lbo_{which}_hi": hi})
                if mdc_of:
                    r[f"lbo_{which}_mdc_strategy"] = min(mdc_of, key=mdc_of.get)
