"""minheap.md and minheap.csv: the minimum heap per collector, Go's soft-limit
probes, and the smallest memory that does the job per strategy, with the
report's conventions (mmbench.fmt: DASH where a figure could exist but was not
measured, NA where none makes sense)."""

from __future__ import annotations

import csv
import io
import statistics

from mmbench import fmt
from mmbench.fmt import DASH, TIMES
from mmbench.reporting.markdown import pipe_table

KNOB_TEXT = {"boehm-cap": "--gc-max-heap-bytes", "jvm-heap": "-Xms = -Xmx",
             "go-memlimit": "GOMEMLIMIT, GOGC off (soft)"}


def _bytes(n) -> str:
    return fmt.format_kib(n / 1024 if n is not None else None)


def _multiple(x) -> str:
    return f"{x:.2f}{TIMES}" if x else DASH


def _seconds(s) -> str:
    return fmt.format_duration(s * 1e9 if s is not None else None)


def _throughput(x, unit) -> str:
    return f"{fmt.si(x)} {unit or 'units'}/s" if x is not None else DASH


def _wanted(result: dict, rows: list[dict]) -> list[dict]:
    workloads = result.get("workloads")
    return [r for r in rows if workloads is None or r["workload"] in workloads]


def _min_heap_rows(result: dict) -> list[list[str]]:
    out = []
    for r in _wanted(result, result["rows"]):
        soft = r["status"] == "soft knob"
        out.append([r["workload"], r["strategy"], KNOB_TEXT.get(r["knob"], r["knob"]),
                    _bytes(r["live_bytes"]),
                    fmt.not_applicable("soft knob") if soft else _bytes(r["min_heap_bytes"]),
                    fmt.NA if soft else _multiple(r["min_multiple"]),
                    fmt.NA if soft else _bytes(r["fails_at_bytes"]),
                    fmt.format_kib(r["peak_rss_kib_at_min"]), _seconds(r["wall_s_at_min"]),
                    str(len(r["probes"])), r["status"] + (f' ({r["problem"]})'
                                                          if r.get("problem") else "")])
    return out


def _soft_rows(result: dict) -> list[list[str]]:
    out = []
    for r in _wanted(result, result["rows"]):
        if r["status"] != "soft knob":
            continue
        for p in r["probes"]:
            rss = [t["peak_rss_kib"] for t in p["trials"] if t["peak_rss_kib"] is not None]
            peak = statistics.median(rss) if rss else None
            out.append([r["workload"], r["strategy"], _bytes(p["heap_bytes"]),
                        _multiple(p.get("multiple")), p["status"], fmt.format_kib(peak),
                        _multiple(peak * 1024 / r["live_bytes"] if peak else None)])
    return out


def _smallest_rows(result: dict) -> list[list[str]]:
    units = result.get("units") or {}
    out = []
    for e in result.get("smallest") or []:
        out.append([e["workload"], e["strategy"], e["kind"], fmt.format_kib(e["memory_kib"]),
                    e["basis"], fmt.format_kib(e["footprint_kib"]),
                    _throughput(e["throughput_per_s"], units.get(e["workload"])),
                    e["status"]])
    return out


def minheap_markdown(result: dict) -> str:
    lines = ["# Minimum heap", "",
             f'Size {result["size"]}, seed {result["seed"]}. A heap passes when every '
             f'trial ({result["trials"]} at the minimum, one per bisection probe) completes '
             f'with status ok and the uncapped run\'s checksum; bisection to hi/lo <= '
             f'{1 + result["precision"]:g}.', "",
             "## Minimum heap per collector", "",
             "The smallest heap that passed, its multiple of the live data, the largest "
             "that failed, and peak RSS and time of the measured region at the minimum. "
             "Boehm's heap is a fixed heap (--gc-fixed-heap: filled before it is collected, "
             "as the JVM's -Xms = -Xmx heap), except boehm-incremental's, whose marking "
             "starts at libgc's own trigger.", ""]
    lines += pipe_table(["workload", "strategy", "knob", "live", "min heap", f"{TIMES} live",
                        "fails at", "peak RSS at min", "time at min", "probes", "status"],
                        _min_heap_rows(result))
    soft = _soft_rows(result)
    if soft:
        lines += ["## Soft limits (Go)", "",
                  "GOMEMLIMIT is soft: the runtime goes past it rather than fail, so there is "
                  "no minimum to bisect for. Each limit below ran with GOGC off; the figure is "
                  "the peak RSS it reached (median over the trials).", ""]
        lines += pipe_table(["workload", "strategy", "GOMEMLIMIT", f"{TIMES} live", "status",
                            "peak RSS", f"RSS {TIMES} live"], soft)
    lines += ["## The smallest memory that does the job", "",
              "What a device with little memory can run, and how fast. A collector: its "
              "minimum heap plus its runtime's footprint (the baseline workload's peak RSS "
              "under that strategy); Go: the lowest peak RSS a soft limit reached with status "
              "ok; a manual strategy: its uncapped peak RSS less its own baseline's. The "
              "throughput is that of the runs at that point.", ""]
    lines += pipe_table(["workload", "strategy", "kind", "memory", "basis", "footprint",
                        "throughput", "status"], _smallest_rows(result))
    return "\n".join(lines)


CSV_COLUMNS = ["workload", "strategy", "runtime", "knob", "hard_cap", "status", "live_bytes",
               "min_heap_bytes", "fails_at_bytes", "min_multiple", "soft_limit_bytes_at_min",
               "peak_rss_kib_at_min", "wall_s_at_min", "throughput_at_min", "probes",
               "smallest_memory_kib", "footprint_kib"]


def to_csv(result: dict) -> str:
    """One row per (workload, collector) and per (workload, manual strategy)."""
    smallest = {(e["workload"], e["strategy"]): e for e in result.get("smallest") or []}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = [dict(r, probes=len(r["probes"])) for r in _wanted(result, result["rows"])]
    rows += [{"workload": r["workload"], "strategy": r["strategy"], "runtime": r["runtime"],
              "knob": "none", "status": r["status"], "live_bytes": r["live_bytes"],
              "peak_rss_kib_at_min": r["peak_rss_kib"], "wall_s_at_min": r["wall_s"],
              "throughput_at_min": r["throughput_per_s"]}
             for r in _wanted(result, result.get("manual") or [])]
    for r in rows:
        e = smallest.get((r["workload"], r["strategy"])) or {}
        r = dict(r, smallest_memory_kib=e.get("memory_kib"), footprint_kib=e.get("footprint_kib"))
        writer.writerow(["" if r.get(c) is None else r[c] for c in CSV_COLUMNS])
    return out.getvalue()
