"""mmbench compare RUN_A RUN_B: what changed from A to B, and is it a regression?"""

from __future__ import annotations

import sys
from pathlib import Path

from mmbench import runfolder
from mmbench.fmt import format_duration, si, sig3
from mmbench import stats

# (label, summary key, higher is better, kind)
FIGURES = [("throughput", "throughput_per_s", True, "rate"),
           ("wall", "wall_s", False, "seconds"),
           ("peak RSS", "peak_rss_kib", False, "kib"),
           ("p99", "lat_p99_ns", False, "ns"),
           ("max", "lat_max_ns", False, "ns"),
           ("gc pause p99", "gc_pause_p99_ns", False, "ns")]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help="compare two run folders and flag regressions",
        description="Line up the (workload, strategy) rows of two run folders and print the "
                    "change of throughput, wall time, peak RSS, p99 and max latency and GC "
                    "pause p99 from RUN_A to RUN_B. Throughput and peak RSS are tested with "
                    "Welch's t-test on the logs of the repetitions' values (effect size: the "
                    "ratio of geometric means with a 95%% interval), Holm-corrected over every "
                    "test of the comparison. A regression is: throughput lower or peak RSS "
                    "higher by more than --threshold percent AND significant at --alpha after "
                    "the correction, or a row that was ok in A and failed in B. Exit status: 0 no "
                    "regression, 1 regression flagged, 2 bad input.")
    p.add_argument("run_a", metavar="RUN_A", type=Path, help="baseline run folder")
    p.add_argument("run_b", metavar="RUN_B", type=Path, help="run folder to judge")
    p.add_argument("--threshold", metavar="PCT", type=float, default=10.0,
                   help="change, in percent, that counts as a regression when it is also "
                        "significant (default 10: two runs of one build on a shared VM drift "
                        "by a few percent as a whole; docs/reproducibility.md)")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="family-wise significance level, Holm-corrected (default 0.05)")
    p.set_defaults(func=run_compare)


def _value(row: dict, key: str) -> float | None:
    return runfolder.number(row.get(key)) if row.get("status") == "ok" else None


def _fmt(kind: str, v: float | None) -> str:
    if v is None:
        return "—"
    if kind == "ns":
        return format_duration(v)
    if kind == "seconds":
        return format_duration(v * 1e9)
    if kind == "kib":
        return f"{sig3(v / 1024)} MiB"
    return f"{si(v)}/s"


def _change(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or a == 0:
        return None
    return (b - a) / a * 100.0


def compare_rows(row_a: dict, row_b: dict) -> dict:
    """Changes and tests for one (workload, strategy) present in both runs; the
    verdict waits for the multiple-testing correction over all rows."""
    out = {"workload": row_a["workload"], "strategy": row_a["strategy"],
           "status_a": row_a.get("status"), "status_b": row_b.get("status"),
           "changes": [], "regressions": [], "warning": None, "tests": {}}
    if row_a.get("status") == "ok" and row_b.get("status") != "ok":
        out["regressions"].append(f"status ok -> {row_b.get('status')}")
    for label, key, higher, kind in FIGURES:
        a, b = _value(row_a, key), _value(row_b, key)
        if a is None and b is None:
            continue
        out["changes"].append((label, _fmt(kind, a), _fmt(kind, b), _change(a, b), higher))
    if row_a.get("status") != "ok" or row_b.get("status") != "ok":
        return out
    if row_a.get("headline", "throughput") == "throughput":
        test = stats.welch_log_ratio(runfolder.numbers(row_a.get("throughput_samples")),
                                     runfolder.numbers(row_b.get("throughput_samples")))
        if test.p_value is None:
            out["warning"] = f"throughput not tested: {test.reason}"
        out["tests"]["throughput"] = test
    rss_a = runfolder.numbers(row_a.get("peak_rss_samples_kib"))
    rss_b = runfolder.numbers(row_b.get("peak_rss_samples_kib"))
    if len(rss_a) >= 2 and len(rss_b) >= 2:
        out["tests"]["peak RSS"] = stats.welch_log_ratio(rss_a, rss_b)
    else:  # no repetitions to test: the medians against the threshold alone
        out["rss_change"] = _change(_value(row_a, "peak_rss_kib"), _value(row_b, "peak_rss_kib"))
    return out


def compare_runs(a: runfolder.RunData, b: runfolder.RunData, threshold: float, alpha: float):
    """Every common row compared; a regression is a change beyond the threshold
    (throughput lower, peak RSS higher) that is significant after Holm's
    correction over every test of the comparison, or a row that failed in B."""
    results, only_a, only_b = [], [], []
    for row in a.rows:
        other = b.find(row["workload"], row["strategy"])
        if other is None:
            only_a.append(f"{row['workload']}/{row['strategy']}")
        else:
            results.append(compare_rows(row, other))
    only_b = [f"{r['workload']}/{r['strategy']}" for r in b.rows
              if a.find(r["workload"], r["strategy"]) is None]
    tests = [(r, name, t) for r in results for name, t in r["tests"].items()]
    rejected = stats.holm([t.p_value for _r, _n, t in tests], alpha)
    for (r, name, t), significant in zip(tests, rejected):
        t.significant = significant
        worse = (t.ratio is not None and
                 (t.ratio < 1 - threshold / 100 if name == "throughput"
                  else t.ratio > 1 + threshold / 100))
        if significant and worse:
            r["regressions"].append(
                f"{name} x{t.ratio:.3f} [{t.low:.3f}, {t.high:.3f}] (Welch p={t.p_value:.2g}, "
                f"significant after Holm over {len(tests)} tests)")
    for r in results:
        if r.get("rss_change") is not None and r["rss_change"] > threshold:
            r["regressions"].append(f"peak RSS {r['rss_change']:+.1f}% (no repetitions to test)")
    return results, only_a, only_b


def render(results, only_a, only_b, threshold: float, alpha: float) -> str:
    lines = ["| workload | strategy | figure | A | B | change | note |",
             "|---|---|---|---:|---:|---:|---|"]
    for r in results:
        first = True
        if r["status_a"] != "ok" or r["status_b"] != "ok":
            lines.append(f"| {r['workload']} | {r['strategy']} | status | {r['status_a']} | "
                         f"{r['status_b']} | | |")
            first = False
        for label, a, b, change, higher in r["changes"]:
            note = ""
            test = r["tests"].get(label)
            if test is not None and test.p_value is not None:
                note = (f"x{test.ratio:.3f} [{test.low:.3f}, {test.high:.3f}], "
                        + ("significant" if getattr(test, "significant", False)
                           else "not significant") + f" (Welch p={test.p_value:.2g})")
            elif change is not None and label != "throughput" and abs(change) > threshold:
                note = "better" if (change > 0) == higher else "worse"
            ch = f"{change:+.1f}%" if change is not None else ""
            w, s = (r["workload"], r["strategy"]) if first else ("", "")
            first = False
            lines.append(f"| {w} | {s} | {label} | {a} | {b} | {ch} | {note} |")
        for reg in r["regressions"]:
            lines.append(f"| | | **REGRESSION** | | | | {reg} |")
    out = "\n".join(lines) + "\n"
    if only_a:
        out += "\nOnly in A: " + ", ".join(only_a) + "\n"
    if only_b:
        out += "\nOnly in B: " + ", ".join(only_b) + "\n"
    warnings = sorted({r["warning"] for r in results if r["warning"]})
    for w in warnings:
        out += f"\nWARNING: {w}\n"
    regressions = [f"{r['workload']}/{r['strategy']}: {'; '.join(r['regressions'])}"
                   for r in results if r["regressions"]]
    out += (f"\nRegressions (threshold {threshold:g}%, alpha {alpha:g}): "
            + ("\n  " + "\n  ".join(regressions) if regressions else "none") + "\n")
    return out


def run_compare(args) -> int:
    if args.threshold < 0 or not 0 < args.alpha < 1:
        print("mmbench compare: --threshold must be >= 0 and --alpha in (0, 1)", file=sys.stderr)
        return 2
    runs = []
    for path in (args.run_a, args.run_b):
        data = runfolder.load(path)
        if not data.rows:
            for p in data.problems:
                print(f"mmbench compare: {p}", file=sys.stderr)
            print(f"mmbench compare: {path}: no result rows; cannot compare", file=sys.stderr)
            return 2
        for p in data.problems:
            print(f"mmbench compare: warning: {p}", file=sys.stderr)
        runs.append(data)
    results, only_a, only_b = compare_runs(runs[0], runs[1], args.threshold, args.alpha)
    if not results:
        print("mmbench compare: the two runs have no (workload, strategy) in common",
              file=sys.stderr)
        return 2
    print(f"A: {args.run_a}\nB: {args.run_b}\n")
    print(render(results, only_a, only_b, args.threshold, args.alpha))
    return 1 if any(r["regressions"] for r in results) else 0
