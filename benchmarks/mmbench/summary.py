"""Summary rows of a run folder: one per (workload, strategy), per docs/run-folder.md.

Built only from the files in the folder (run records, detail files), so it can
be recomputed at any time, e.g. after `run --resume`. summary.md is rendered
by reporting/summary_md.py, with the report's conventions.
"""

from __future__ import annotations

import collections
import csv
import io

from mmbench import hgrm, lbo, mmu, workers
from mmbench.contract import EXIT_UNSUPPORTED
from mmbench.reporting import summary_md
from mmbench.runfolder import RunFolder, write_json_atomic, write_text_atomic
from mmbench.stats import ci95_half_width, cv, median, paired_ratio

COLUMNS = [
    "workload", "strategy", "size", "reps", "status", "throughput_per_s", "throughput_ci95",
    "wall_s", "peak_rss_kib", "live_kib", "lat_p50_ns", "lat_p90_ns", "lat_p99_ns",
    "lat_p999_ns", "lat_max_ns", "gc_pauses", "gc_pause_p99_ns", "gc_pause_max_ns", "checksum",
    # The rest of the pause picture and CPU time.
    "gc_pause_p50_ns", "gc_pause_total_ns", "process_cpu_s",
    # The measurement protocol (docs/reproducibility.md): the paired ratio to
    # the reference strategy, spread, steady-state CPU, first iteration apart,
    # the instrument's share and the disturbed repetitions.
    "ratio_vs_ref", "ratio_ci95_lo", "ratio_ci95_hi", "cv_wall", "cpu_s", "first_wall_s",
    "instrument_share", "timed_iteration_share", "disturbed_reps", "excluded_reps",
    # Minimum mutator utilization at 1, 10 and 100 ms windows (mmu.py), rows
    # with collector events only: the minimum over repetitions.
    "mmu_1ms", "mmu_10ms", "mmu_100ms",
    # Lower-bound overhead (lbo.py) of wall and process CPU time, with 95%
    # bootstrap intervals; throughput rows only.
    "lbo_wall", "lbo_wall_lo", "lbo_wall_hi", "lbo_cpu", "lbo_cpu_lo", "lbo_cpu_hi",
    # Memory given back (`run --drain`): RSS at the start of the drain phase
    # after the last pass, 100 ms and 1 s later, and after the strategy's own
    # release call; medians over repetitions, empty when the drain did not run.
    "drain_rss_start_kib", "drain_rss_100ms_kib", "drain_rss_1s_kib", "drain_rss_released_kib",
]

# The strategy every ratio is taken against, within each round.
REFERENCE_STRATEGY = "glibc"


def reps_of(plan: dict, workload: str) -> int:
    """Rounds run for a workload: the plan's reps, or more where it was extended."""
    return int((plan.get("reps_by_workload") or {}).get(workload, plan["reps"]))


def checksum_verdicts(checksums: dict[tuple, str]) -> dict[tuple, bool]:
    """checksums: (strategy, rep) -> checksum of one workload's clean runs.
    True where the run agrees with the majority of them; with no strict majority
    (e.g. two strategies disagreeing 1:1) every run is flagged."""
    counts = collections.Counter(checksums.values())
    if not counts:
        return {}
    value, n = counts.most_common(1)[0]
    majority = value if n * 2 > len(checksums) else None
    return {key: majority is not None and c == majority for key, c in checksums.items()}


def status_of_record(record: dict | None) -> str:
    """A run record's status; "missing" without one."""
    if not record:
        return "missing"
    status = record.get("status", "error")
    if status == "error" and record.get("exit_code") == EXIT_UNSUPPORTED:
        return "unsupported"  # a record from before the runner wrote that status
    return status


def _checksum_agreement(workloads, pairs, plan: dict, details: dict) -> dict[tuple, bool]:
    """(workload, strategy, rep) -> whether the run's checksum agrees with the other
    clean runs of the workload at the same thread count (the work a threaded
    workload does depends on it: `mmbench scale`), all strategies, all reps."""
    agree: dict[tuple, bool] = {}
    for w in workloads:
        groups: dict[int, dict] = {}
        for (w2, s) in pairs:
            for r in range(1, reps_of(plan, w) + 1):
                if w2 == w and details.get((w, s, r)):
                    d = details[(w, s, r)]
                    groups.setdefault(d.get("threads") or 1, {})[(s, r)] = d["checksum"]
        for sums in groups.values():
            for (s, r), ok in checksum_verdicts(sums).items():
                agree[(w, s, r)] = ok
    return agree


def build_rows(folder: RunFolder, plan: dict) -> list[dict]:
    """plan: {"workloads": [...], "strategies": [...], "reps": N, "size": ..., and
    optionally "pairs": [[w, s], ...] (the (workload, strategy) pairs that exist)}."""
    workloads, strategies = plan["workloads"], plan["strategies"]
    pairs = [tuple(p) for p in plan.get("pairs") or
             [(w, s) for w in workloads for s in strategies]]
    records, details = {}, {}
    corrupt = set()  # ok runs whose files differ from what the runner recorded
    for w, s in pairs:
        for r in range(1, reps_of(plan, w) + 1):
            records[(w, s, r)] = folder.load_record(w, s, r)
            rec = records[(w, s, r)]
            details[(w, s, r)] = None
            if rec and rec.get("status") == "ok":
                if folder.integrity(w, s, r, rec) == "corrupt":
                    corrupt.add((w, s, r))
                else:
                    details[(w, s, r)] = folder.load_detail(w, s, r, rec)

    agree = _checksum_agreement(workloads, pairs, plan, details)

    rows = []
    every_rep = {}  # (w, s) -> {rep: throughput} of every ok repetition
    for w, s in pairs:
        reps = reps_of(plan, w)
        rep_status = []
        for r in range(1, reps + 1):
            st = status_of_record(records[(w, s, r)])
            if st == "ok" and (w, s, r) in corrupt:
                st = "corrupt"
            if st == "ok" and details[(w, s, r)] is None:
                st = "missing"
            if st == "ok" and not agree.get((w, s, r), True):
                st = "checksum_mismatch"
            rep_status.append(st)
        all_ok = [r for r in range(1, reps + 1) if details[(w, s, r)] is not None]
        ok_reps, disturbed, excluded = figure_reps(all_ok, {r: records[(w, s, r)]
                                                            for r in all_ok})
        dets = [details[(w, s, r)] for r in ok_reps]
        recs = [records[(w, s, r)] for r in ok_reps]
        row = _row(w, s, plan, reps, rep_status, dets, recs)
        row["disturbed_reps"] = disturbed
        row["excluded_reps"] = excluded
        every_rep[(w, s)] = {r: _throughput(details[(w, s, r)]) for r in all_ok
                             if details[(w, s, r)].get("wall_ns")}
        row["throughput_by_rep"] = {r: t for r, t in every_rep[(w, s)].items() if r in ok_reps}
        row["lbo_samples"] = {r: _lbo_sample(d) for r, d in zip(ok_reps, dets)
                              if d.get("wall_ns")}
        rows.append(row)
    _add_paired_ratios(rows, every_rep)
    lbo.add_lbo_columns(rows)
    return rows


def _lbo_sample(d: dict) -> list:
    """[wall_s, cpu_s, explicit_s] of one repetition's steady pass (lbo.py):
    explicit = the strategy's stop-the-world time per pass (its pause
    histogram's sum over the process / its passes), 0 without a collector."""
    passes = max(len(d.get("iterations") or [None]), 1)
    pauses = (d.get("gc") or {}).get("pauses") or {}
    explicit = (pauses.get("mean") or 0) * (pauses.get("count") or 0) / passes / 1e9
    cpu = d["cpu_ns"] / 1e9 if d.get("cpu_ns") is not None else None
    return [d["wall_ns"] / 1e9, cpu, explicit]


def _throughput(detail: dict) -> float:
    """Units per second of a repetition's figure (its detail's wall_ns)."""
    return detail["units"] / (detail["wall_ns"] / 1e9)


def _add_paired_ratios(rows: list[dict], every_rep: dict) -> None:
    """Each row's throughput ratio to the reference strategy's, paired by round:
    over the rounds in which both cells' repetitions are in their figures, or,
    when fewer than MIN_FIGURE_REPS such rounds remain, over every round in
    which both ran ok (`every_rep`; a round runs a workload's strategies one
    after another, seconds apart, so a slow host slows both sides of its ratio)."""
    ref = {r["workload"]: r for r in rows if r["strategy"] == REFERENCE_STRATEGY}
    for row in rows:
        base = ref.get(row["workload"])
        ratio = lo = hi = coverage = None
        n = 0
        if base is not None and row["status"] == "ok" and base["status"] == "ok":
            mine, theirs = row["throughput_by_rep"], base["throughput_by_rep"]
            if len(set(mine) & set(theirs)) < MIN_FIGURE_REPS:
                mine = every_rep[(row["workload"], row["strategy"])]
                theirs = every_rep[(base["workload"], base["strategy"])]
            ratio, lo, hi, n, coverage = paired_ratio(mine, theirs)
        row.update(ratio_vs_ref=ratio, ratio_ci95_lo=lo, ratio_ci95_hi=hi, ratio_pairs=n,
                   ratio_ci_coverage=coverage,
                   ref_strategy=REFERENCE_STRATEGY if base is not None else None)


# The fewest repetitions a cell's figures rest on.
MIN_FIGURE_REPS = 3


def figure_reps(reps: list[int], records: dict[int, dict]) -> tuple[list[int], int, int]:
    """The repetitions a cell's figures rest on, the number of them still
    disturbed after their re-runs, and the number left out.

    Undisturbed repetitions only, while there are MIN_FIGURE_REPS of them; else
    the MIN_FIGURE_REPS the host probe found least slowed down (the choice is
    made on the probe's readings, never on the figures themselves), and the
    tables warn (docs/reproducibility.md, section 3)."""
    def slowdown(r):
        rec = records[r]
        ratio = (rec.get("noise") or {}).get("host_probe_ratio")
        return (bool(rec.get("disturbed")), ratio if ratio is not None else float("inf"))
    disturbed = sum(1 for r in reps if records[r].get("disturbed"))
    keep = max(len(reps) - disturbed, min(MIN_FIGURE_REPS, len(reps)))
    chosen = sorted(sorted(reps, key=lambda r: (slowdown(r), r))[:keep])
    return chosen, disturbed, len(reps) - len(chosen)


def _central(dets: list[dict], recs: list[dict]) -> dict:
    """The headline figures: medians over the repetitions."""
    throughput = [_throughput(d) for d in dets if d.get("wall_ns")]
    live = median(d.get("live_bytes") for d in dets)
    return {"throughput_per_s": median(throughput),
            "throughput_ci95": ci95_half_width(throughput),
            "wall_s": median(d["wall_ns"] / 1e9 for d in dets if d.get("wall_ns") is not None),
            "peak_rss_kib": median(rec.get("peak_rss_kib") for rec in recs),
            "live_kib": live / 1024 if live is not None else None}


def _latency(lat: hgrm.Histogram) -> dict:
    """Per-unit latency percentiles of the repetitions' merged histogram."""
    out = {f"lat_{name}_ns": lat.value_at_percentile(p) if lat.count else None
           for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9))}
    out["lat_max_ns"] = lat.max if lat.count else None
    return out


def _collector(dets: list[dict], iterations: list[int]) -> tuple[dict, dict]:
    """Collector figures per iteration of the workload (a process may run
    several): the pause count and tail; the median pause and the stop-the-world
    time per run (the sum of its pauses), medians over repetitions."""
    gc = hgrm.merge_details(dets, hgrm.gc_pauses_of)
    runs = [(d["gc"]["pauses"], n) for d, n in zip(dets, iterations) if d.get("gc")]
    tail = {"gc_pauses": median(p["count"] / n for p, n in runs) if runs else None,
            "gc_pause_p99_ns": gc.value_at_percentile(99) if gc.count else None,
            "gc_pause_max_ns": gc.max if gc.count else None}
    body = {"gc_pause_p50_ns": gc.value_at_percentile(50) if gc.count else None,
            "gc_pause_total_ns": median(p["mean"] * p["count"] / n for p, n in runs)
            if runs else None}
    return tail, body


def _protocol(dets: list[dict], recs: list[dict], iterations: list[int]) -> dict:
    """How the figures were obtained: CPU, spread, warm-up, the clock's share."""
    wall = [d["wall_ns"] / 1e9 for d in dets if d.get("wall_ns") is not None]
    return {
        "process_cpu_s": median(_process_cpu(rec) for rec in recs),
        "cv_wall": cv(wall) if len(wall) >= 2 else None,
        "cpu_s": median(d["cpu_ns"] / 1e9 for d in dets if d.get("cpu_ns") is not None),
        "first_wall_s": median(d["first_wall_ns"] / 1e9 for d in dets
                               if d.get("first_wall_ns") is not None),
        "instrument_share": median((d.get("unit_clock") or {}).get("figure_share")
                                   for d in dets),
        "timed_iteration_share": median((d.get("unit_clock") or {}).get("timed_iteration_share")
                                        for d in dets),
        "reruns": sum(len(rec.get("attempts") or []) for rec in recs),
        "steady_state": all(d.get("steady_state") for d in dets) if dets else None,
        "iterations_per_run": median(iterations) if iterations else None,
    }


def _process_cpu(rec: dict) -> float:
    return (rec.get("user_s") or 0) + (rec.get("sys_s") or 0)


def _samples(dets: list[dict], recs: list[dict]) -> dict:
    """Each repetition's figures, for intervals and plots."""
    return {
        "throughput_samples": [_throughput(d) for d in dets if d.get("wall_ns")],
        "wall_samples": [d["wall_ns"] / 1e9 for d in dets if d.get("wall_ns") is not None],
        "process_wall_samples": [rec.get("wall_s") for rec in recs],
        "peak_rss_samples_kib": [rec.get("peak_rss_kib") for rec in recs],
        "sampled_peak_rss_samples_kib": [rec.get("sampled_peak_rss_kib") for rec in recs],
        "cpu_samples": [_process_cpu(rec) for rec in recs],
    }


def _drain(dets: list[dict]) -> dict:
    """Memory given back (`run --drain`), medians; None where the drain did not run."""
    drains = [d["drain"] for d in dets if isinstance(d.get("drain"), dict)]
    out = {"drain_" + key: median(dr.get(key) for dr in drains) if drains else None
           for key in ("rss_start_kib", "rss_100ms_kib", "rss_1s_kib", "rss_released_kib")}
    out["drain_release_call"] = next((dr.get("release_call") for dr in drains), None)
    return out


def _row(w, s, plan, reps, rep_status, dets, recs) -> dict:
    failures = [st for st in rep_status if st != "ok"]
    lat = hgrm.merge_details(dets, hgrm.latency_of)
    gc_dets = [d["gc"] for d in dets if d.get("gc")]
    checksums = collections.Counter(d["checksum"] for d in dets)
    counters: dict[str, list] = collections.defaultdict(list)
    for d in dets:
        for k, v in (d.get("counters") or {}).items():
            counters[k].append(v)
    entry_leak = plan.get("deliberate_leak", {}).get(f"{w}/{s}", False)
    iterations = [max(len(d.get("iterations") or [None]), 1) for d in dets]
    gc_tail, gc_body = _collector(dets, iterations)
    family = recs[0].get("family") if recs else None
    row = {"workload": w, "strategy": s, "size": plan.get("size"), "reps": reps,
           "runtime": workers.runtime_of(family) if recs else None,
           "status": failures[0] if failures else "ok",
           **_central(dets, recs), **_latency(lat), **gc_tail,
           "checksum": checksums.most_common(1)[0][0] if checksums else None,
           **gc_body, **_protocol(dets, recs, iterations),
           "unit": dets[0].get("unit") if dets else plan.get("units", {}).get(w),
           "headline": (plan.get("headline") or {}).get(w, "throughput"),
           "deliberate_leak": bool(dets[0].get("deliberate_leak")) if dets else bool(entry_leak),
           "rep_status": rep_status, **_samples(dets, recs), "lat_count": lat.count,
           "gc_collections": median(g.get("collections") for g in gc_dets) if gc_dets else None,
           "counters": {k: median(v) for k, v in sorted(counters.items())},
           "checksums": sorted(checksums)}
    row.update(mmu.row_mmu(dets))
    row.update(_drain(dets))
    return row


def write_hgrms(folder: RunFolder, plan: dict) -> list[str]:
    """Merge every pair's histograms over its clean reps into hgrm/ files; returns their names."""
    written = []
    pairs = [tuple(p) for p in plan.get("pairs") or
             [(w, s) for w in plan["workloads"] for s in plan["strategies"]]]
    for w, s in pairs:
        dets = []
        for r in range(1, reps_of(plan, w) + 1):
            rec = folder.load_record(w, s, r)
            if rec and rec.get("status") == "ok":
                d = folder.load_detail(w, s, r)
                if d:
                    dets.append(d)
        for kind, pick in ((None, hgrm.latency_of), ("corrected", hgrm.corrected_latency_of),
                           ("gc", hgrm.gc_pauses_of)):
            if not any(map(pick, dets)):
                continue
            merged = hgrm.merge_details(dets, pick)
            if merged.count == 0 and kind is not None:
                continue
            path = folder.hgrm(w, s, kind)
            write_text_atomic(path, hgrm.format_hgrm(merged))
            written.append(path.name)
    return written


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.10g}"
    return str(v)


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in COLUMNS])
    return buf.getvalue()


def noise_summary(folder: RunFolder, plan: dict) -> dict:
    """The run's disturbances at a glance, for the manifest (per run: run.json noise)."""
    recs = [folder.load_record(w, s, r) for w, s in (tuple(p) for p in plan.get("pairs") or [])
            for r in range(1, reps_of(plan, w) + 1)]
    recs = [r for r in recs if r]
    noise = [r.get("noise") or {} for r in recs]

    def worst(key):
        values = [n[key] for n in noise if n.get(key) is not None]
        return max(values) if values else None

    def middle(key):
        return median(n.get(key) for n in noise)

    return {"runs": len(recs), "disturbed": sum(1 for r in recs if r.get("disturbed")),
            "reruns": sum(len(r.get("attempts") or []) for r in recs),
            "steal_share_max": worst("steal_share"), "steal_share_median": middle("steal_share"),
            "cpu_pressure_share_max": worst("cpu_pressure_share"),
            "cpu_pressure_share_median": middle("cpu_pressure_share"),
            "memory_pressure_share_max": worst("memory_pressure_share"),
            "migrations_max": worst("migrations"),
            "runnable_at_start_median": middle("runnable_at_start")}


def write_summary(folder: RunFolder, plan: dict, manifest: dict | None = None) -> list[dict]:
    rows = build_rows(folder, plan)
    write_json_atomic(folder.root / "summary.json", {"columns": COLUMNS, "rows": rows})
    write_text_atomic(folder.root / "summary.csv", to_csv(rows))
    write_text_atomic(folder.root / "summary.md", summary_md.summary_markdown(rows, manifest))
    return rows
