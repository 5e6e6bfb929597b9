"""Summary rows of a run folder: one per (workload, strategy), per docs/run-folder.md.

Built only from the files in the folder (run records, detail files), so it can
be recomputed at any time, e.g. after `run --resume`.
"""

from __future__ import annotations

import collections
import csv
import io

from mmbench import fmt, hgrm, lbo, mmu
from mmbench.stats import ci95_half_width, cv, median, paired_ratio
from mmbench.contract import EXIT_UNSUPPORTED
from mmbench.runfolder import RunFolder, write_json_atomic, write_text_atomic

COLUMNS = [
    "workload", "strategy", "size", "reps", "status", "throughput_per_s", "throughput_ci95",
    "wall_s", "peak_rss_kib", "live_kib", "lat_p50_ns", "lat_p90_ns", "lat_p99_ns",
    "lat_p999_ns", "lat_max_ns", "gc_pauses", "gc_pause_p99_ns", "gc_pause_max_ns", "checksum",
    # Beyond the columns the issue asked for: the rest of the pause picture and CPU time.
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


# Worker exit code of a combination the strategy refuses (pmr under threads).


def _status_of_record(record: dict | None) -> str:
    if not record:
        return "missing"
    status = record.get("status", "error")
    if status == "error" and record.get("exit_code") == EXIT_UNSUPPORTED:
        return "unsupported"  # written by a runner from before that status existed
    return status


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

    # Checksums: every clean run of a workload, all strategies, all reps.
    agree: dict[tuple, bool] = {}
    for w in workloads:
        sums = {(s, r): details[(w, s, r)]["checksum"] for (w2, s) in pairs if w2 == w
                for r in range(1, reps_of(plan, w) + 1) if details.get((w, s, r))}
        for (s, r), ok in checksum_verdicts(sums).items():
            agree[(w, s, r)] = ok

    rows = []
    every_rep = {}  # (w, s) -> {rep: throughput} of every ok repetition
    for w, s in pairs:
        reps = reps_of(plan, w)
        rep_status = []
        for r in range(1, reps + 1):
            st = _status_of_record(records[(w, s, r)])
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


def _row(w, s, plan, reps, rep_status, dets, recs) -> dict:
    throughput = [_throughput(d) for d in dets if d.get("wall_ns")]
    wall = [d["wall_ns"] / 1e9 for d in dets if d.get("wall_ns") is not None]
    rss = [rec.get("peak_rss_kib") for rec in recs]
    cpu = [(rec.get("user_s") or 0) + (rec.get("sys_s") or 0) for rec in recs]
    failures = [st for st in rep_status if st != "ok"]
    lat = hgrm.merge_details(dets, hgrm.latency_of)
    gc_dets = [d["gc"] for d in dets if d.get("gc")]
    gc = hgrm.merge_details(dets, hgrm.gc_pauses_of)
    checksums = collections.Counter(d["checksum"] for d in dets)
    live = median(d.get("live_bytes") for d in dets)
    counters: dict[str, list] = collections.defaultdict(list)
    for d in dets:
        for k, v in (d.get("counters") or {}).items():
            counters[k].append(v)
    entry_leak = plan.get("deliberate_leak", {}).get(f"{w}/{s}", False)
    iterations = [max(len(d.get("iterations") or [None]), 1) for d in dets]
    row = {
        "workload": w,
        "strategy": s,
        "size": plan.get("size"),
        "reps": reps,
        "status": failures[0] if failures else "ok",
        "throughput_per_s": median(throughput),
        "throughput_ci95": ci95_half_width(throughput),
        "wall_s": median(wall),
        "peak_rss_kib": median(rss),
        "live_kib": live / 1024 if live is not None else None,
        "lat_p50_ns": lat.value_at_percentile(50) if lat.count else None,
        "lat_p90_ns": lat.value_at_percentile(90) if lat.count else None,
        "lat_p99_ns": lat.value_at_percentile(99) if lat.count else None,
        "lat_p999_ns": lat.value_at_percentile(99.9) if lat.count else None,
        "lat_max_ns": lat.max if lat.count else None,
        # Collector figures per iteration of the workload (a process may run several).
        "gc_pauses": median(d["gc"]["pauses"]["count"] / n for d, n in zip(dets, iterations)
                            if d.get("gc")) if gc_dets else None,
        "gc_pause_p99_ns": gc.value_at_percentile(99) if gc.count else None,
        "gc_pause_max_ns": gc.max if gc.count else None,
        "checksum": checksums.most_common(1)[0][0] if checksums else None,
        "gc_pause_p50_ns": gc.value_at_percentile(50) if gc.count else None,
        # Stop-the-world time per run (sum of its pauses), median over repetitions.
        "gc_pause_total_ns": median(d["gc"]["pauses"]["mean"] * d["gc"]["pauses"]["count"] / n
                                    for d, n in zip(dets, iterations)
                                    if d.get("gc")) if gc_dets else None,
        "process_cpu_s": median(cpu),
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
        # Beyond the table's columns.
        "unit": dets[0].get("unit") if dets else plan.get("units", {}).get(w),
        "headline": (plan.get("headline") or {}).get(w, "throughput"),
        "deliberate_leak": bool(dets[0].get("deliberate_leak")) if dets else bool(entry_leak),
        "rep_status": rep_status,
        "throughput_samples": throughput,
        "wall_samples": wall,
        "process_wall_samples": [rec.get("wall_s") for rec in recs],
        "peak_rss_samples_kib": rss,
        "sampled_peak_rss_samples_kib": [rec.get("sampled_peak_rss_kib") for rec in recs],
        "cpu_samples": cpu,
        "lat_count": lat.count,
        "gc_collections": median(g.get("collections") for g in gc_dets) if gc_dets else None,
        "counters": {k: median(v) for k, v in sorted(counters.items())},
        "checksums": sorted(checksums),
    }
    row.update(mmu.row_mmu(dets))
    drains = [d["drain"] for d in dets if isinstance(d.get("drain"), dict)]
    for key in ("rss_start_kib", "rss_100ms_kib", "rss_1s_kib", "rss_released_kib"):
        row["drain_" + key] = median(dr.get(key) for dr in drains) if drains else None
    row["drain_release_call"] = next((dr.get("release_call") for dr in drains), None)
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


def _si(v: float | None) -> str:
    return fmt.si(v, missing="-")


def format_ns(ns: float | None) -> str:
    return fmt.format_duration(ns, missing="-")


def format_kib(kib: float | None) -> str:
    return fmt.format_kib(kib, missing="-")


def format_ratio(row: dict) -> str:
    """The paired ratio to the reference with its 95% interval, where the row's
    headline is throughput; footprint and fixed-rate rows have no speed ratio."""
    if row.get("headline", "throughput") != "throughput":
        return "n/a"
    if row.get("strategy") == REFERENCE_STRATEGY:
        return "reference"
    ratio = row.get("ratio_vs_ref")
    if ratio is None:
        return "-"
    if row.get("ratio_ci95_lo") is None:
        return f"{ratio:.3g}x"
    return f'{ratio:.3g}x [{row["ratio_ci95_lo"]:.3g}, {row["ratio_ci95_hi"]:.3g}]'


def table_cells(rows: list[dict]):
    header = ["workload", "strategy", "status", "throughput", f"x {REFERENCE_STRATEGY} [95% CI]",
              "CV", "wall", "peak RSS", "live", "p50", "p99", "p99.9", "max", "GC pauses",
              "GC p99", "GC max"]
    body = []
    for r in rows:
        strategy = r["strategy"] + (" (leaks)" if r.get("deliberate_leak") else "")
        unit = r.get("unit") or "unit"
        tp = r.get("throughput_per_s")
        headline = r.get("headline", "throughput")
        if headline == "footprint":
            throughput = "(footprint)"
        elif headline == "frame_time":
            throughput = "(fixed rate)"
        else:
            throughput = f"{_si(tp)} {unit}/s" if tp is not None else "-"
        body.append([
            r["workload"], strategy, r["status"], throughput, format_ratio(r),
            (f'{100 * r["cv_wall"]:.1f}%') if r.get("cv_wall") is not None else "-",
            (f'{r["wall_s"]:.3f} s') if r.get("wall_s") is not None else "-",
            format_kib(r.get("peak_rss_kib")), format_kib(r.get("live_kib")),
            format_ns(r.get("lat_p50_ns")), format_ns(r.get("lat_p99_ns")),
            format_ns(r.get("lat_p999_ns")), format_ns(r.get("lat_max_ns")),
            _si(r.get("gc_pauses")) if r.get("gc_pauses") is not None else "-",
            format_ns(r.get("gc_pause_p99_ns")), format_ns(r.get("gc_pause_max_ns")),
        ])
    return header, body


def markdown_table(rows: list[dict]) -> str:
    """A padded Markdown table: readable as plain text in a terminal too."""
    header, body = table_cells(rows)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)] if body else [
        len(h) for h in header]
    numeric = set(range(3, len(header)))

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(str(c).rjust(widths[i]) if i in numeric else str(c).ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in numeric else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), sep] + [line(b) for b in body]) + "\n"


def to_markdown(rows: list[dict], manifest: dict | None) -> str:
    parts = ["# mmbench run summary\n"]
    if manifest:
        opts = manifest.get("options", {})
        mach = manifest.get("machine", {})
        git = manifest.get("git", {})
        dirty = " (dirty)" if git.get("dirty") else ""
        parts.append(f'size `{opts.get("size")}`, {opts.get("reps")} repetition(s), threads '
                     f'{opts.get("threads")}, seed {opts.get("seed")}; {mach.get("cpu_model")}, '
                     f'{mach.get("cores")} cores, kernel {mach.get("kernel")}; '
                     f'git {(git.get("revision") or "?")[:12]}{dirty}\n')
    parts.append(markdown_table(rows))
    parts.append(
        "\nthroughput: median over repetitions of units / wall time of one steady-state "
        "iteration (per-unit clock off; the median of the process's repeated iterations); "
        "x glibc: median of the per-round ratios to glibc, with an order-statistics interval "
        "(95% coverage from 6 rounds; with 5, min-max at 94%); "
        "CV: coefficient of variation of the time over repetitions; "
        "baseline is the harness's footprint (no speed ratio) and real_time_loop runs at a fixed "
        "rate (read its frame-time percentiles); "
        "peak RSS: median of the worker's wait4 ru_maxrss; "
        "live: the workload's peak reachable data; latencies: per unit of work, all "
        "repetitions merged; `(leaks)`: the workload leaks on purpose under this strategy.\n")
    kept = [r for r in rows if (r.get("disturbed_reps") or 0) > (r.get("excluded_reps") or 0)]
    if kept:
        parts.append("\nWARNING: disturbed repetitions in the figures (a slow host, steal, "
                     "CPU or memory pressure or migrations beyond the limits even after "
                     "re-runs, and fewer than 3 undisturbed ones: the figures rest on the 3 "
                     "the host probe found least slowed down; see each run.json's noise): "
                     + ", ".join(f'{r["workload"]}/{r["strategy"]}: '
                                 f'{r["disturbed_reps"] - r["excluded_reps"]}'
                                 for r in kept) + "\n")
    left_out = sum(r.get("excluded_reps") or 0 for r in rows)
    if left_out:
        parts.append(f"\nNote: {left_out} repetition(s) still disturbed after their re-runs "
                     "are left out of their cells' figures (Measurement table: left out).\n")
    noisy = [r for r in rows if (r.get("cv_wall") or 0) > 0.05
             and r.get("headline", "throughput") == "throughput"]
    if noisy:
        cells = ", ".join(f'{r["workload"]}/{r["strategy"]} {100 * r["cv_wall"]:.1f}%'
                          for r in noisy)
        parts.append(f"\nWARNING: cells whose time varies by more than 5% over repetitions "
                     f"(CV): {cells}\n")
    refused = [r for r in rows if r["status"] == "unsupported"]
    if refused:
        parts.append("\nUnsupported (the strategy refuses the combination, e.g. a "
                     "single-threaded pmr resource under threads): "
                     + ", ".join(f'{r["workload"]}/{r["strategy"]}' for r in refused)
                     + "\n")
    bad = [r for r in rows if r["status"] not in ("ok", "unsupported")]
    if bad:
        parts.append("\nNot ok: " + "; ".join(
            f'{r["workload"]}/{r["strategy"]}: {r["status"]} (reps: {", ".join(r["rep_status"])})'
            for r in bad) + "\n")
    return "".join(parts)


def warnings(rows: list[dict]) -> list[str]:
    """One line per cell whose figure should not be trusted as it is."""
    out = []
    for r in rows:
        kept = (r.get("disturbed_reps") or 0) - (r.get("excluded_reps") or 0)
        if kept > 0:
            out.append(f'warning: {r["workload"]}/{r["strategy"]}: {kept} '
                       "repetition(s) disturbed and kept in the figures (slow host, steal, "
                       "pressure or migrations; see run.json noise)")
        if (r.get("cv_wall") or 0) > 0.05 and r.get("headline", "throughput") == "throughput":
            out.append(f'warning: {r["workload"]}/{r["strategy"]} varies by '
                       f'{100 * r["cv_wall"]:.1f}% (CV) over its repetitions')
    return out


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
    write_text_atomic(folder.root / "summary.md", to_markdown(rows, manifest))
    return rows
