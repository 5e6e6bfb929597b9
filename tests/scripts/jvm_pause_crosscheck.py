#!/usr/bin/python3
"""Cross-checks the JVM worker's pause events against the JVM's own records.

Runs binary_trees under each stop-the-world-pausing collector with a small
heap (many collections) and the safepoint log kept (--gc-log), then checks:

- against the log: the worker's events (detail gc.events) are exactly the
  log's safepoints of the collector's pause operations inside the passes
  (gc.pass_windows), parsed here independently: same count, same durations (Total: N ns),
  same start offsets (timenanos is System.nanoTime's clock), in order and
  not overlapping;
- against the GarbageCollectorMXBeans (gc.mxbeans, over the same span): the
  pause beans' count lies between the number of safepoints they count and
  twice it (a Serial or Parallel safepoint may run a young and a full
  collection); their time (whole milliseconds) is at most the safepoints'
  summed Total plus 1 ms; for the stop-the-world collectors (all their beans
  count pauses) the safepoints' summed "At safepoint" time is at most
  1.5 x the beans' time + 2 ms per pause (the collection is the safepoint's
  operation; reaching the safepoint is outside both);
- the same for three passes of jvm-parallel and jvm-g1, with the worker's
  collections between passes (System.gc, gc.forced_between_passes) left out
  of the events and of the beans' counts;
- a planted fault: with MMBENCH_JVM_TEST_PAUSE_SCALE=0.75 (the worker
  shortens every parsed pause by a quarter) the log check must fail, and with
  0.5 (halved), for the stop-the-world collectors, the MXBean time check too
  (the beans' time is 0.73-0.98 x the summed Total from run to run, too loose
  an instrument for a quarter).

Usage: jvm_pause_crosscheck.py WORKER [SIZE]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"^\[(\d+)ns\]\[\d+ns\]\[info\s*\]\[safepoint\s*\] Safepoint \"([^\"]+)\".*"
                  r"At safepoint: (\d+) ns, Total: (\d+) ns")
COLLECTORS = ("jvm-serial", "jvm-parallel", "jvm-g1", "jvm-shenandoah", "jvm-zgc")
PLANTED = ("jvm-serial", "jvm-g1")
MULTI_PASS = ("jvm-parallel", "jvm-g1")
HEAP = "48m"


def matches(patterns, op):
    return any(op.startswith(p[:-1]) if p.endswith("*") else op == p for p in patterns)


def run(worker, strategy, size, tmp, scale=None, passes=1):
    detail_path = os.path.join(tmp, f"{strategy}.detail.json")
    log = os.path.join(tmp, f"{strategy}.gc.log")
    env = dict(os.environ, MMBENCH_JVM_HEAP=HEAP)
    if scale is not None:
        env["MMBENCH_JVM_TEST_PAUSE_SCALE"] = str(scale)
    more = ["--min-time", "0.000001", "--min-iterations", str(passes - 1),
            "--max-iterations", str(passes)] if passes > 1 else []
    subprocess.run([worker, "--workload", "binary_trees", "--strategy", strategy, "--size", size,
                    "--detail-out", detail_path, "--gc-log", log] + more, check=True, env=env,
                   stdout=subprocess.DEVNULL)
    with open(detail_path) as f:
        detail = json.load(f)
    with open(log) as f:
        lines = f.read().splitlines()
    return detail, lines


def log_pauses(detail, lines):
    """[(op, start_offset_ns, total_ns, at_safepoint_ns)] of the collector's pauses in the span."""
    cfg = detail["config"]
    ops = cfg["pause_operations"] + cfg["pause_operations_not_in_beans"]
    start = detail["start_monotonic_ns"]
    # The passes' spans (the collections between passes are left out).
    windows = [(start + s, start + s + d) for s, d in detail["gc"]["pass_windows"]]
    out = []
    for line in lines:
        m = LINE.search(line)
        if not m:
            continue
        t_end, op, at, total = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        in_a_pass = any(t_end >= a and t_end - total <= b for a, b in windows)
        if matches(ops, op) and in_a_pass:
            out.append((op, t_end - total - start, total, at))
    return out


def check_log(detail, lines):
    events = detail["gc"]["events"]
    logged = log_pauses(detail, lines)
    failures = []
    if [[s, d] for _, s, d, _ in logged] != events:
        failures.append(f"events differ from the log: {len(events)} events, {len(logged)} logged; "
                        f"first {events[:2]} vs {[[s, d] for _, s, d, _ in logged[:2]]}")
    for a, b in zip(events, events[1:]):
        if b[0] < a[0] + a[1]:
            failures.append(f"events overlap or are out of order: {a} {b}")
            break
    counted = [p for p in logged if matches(detail["config"]["pause_operations"], p[0])]
    reported = detail["gc"]["bean_counted_pauses"]
    expected = {"count": len(counted), "total_ns": sum(p[2] for p in counted),
                "at_safepoint_ns": sum(p[3] for p in counted)}
    if reported != expected:
        failures.append(f"bean_counted_pauses {reported}, the log's {expected}")
    return failures


def check_beans(detail):
    """The worker's pauses (those the pause beans count) against the beans."""
    cfg, gc = detail["config"], detail["gc"]
    counted = gc["bean_counted_pauses"]
    beans = [gc["mxbeans"].get(name, {"count": 0, "time_ms": 0}) for name in cfg["pause_beans"]]
    n_beans = sum(b["count"] for b in beans)
    ms_beans = sum(b["time_ms"] for b in beans)
    n, total_ns, at_ns = counted["count"], counted["total_ns"], counted["at_safepoint_ns"]
    failures = []
    if not n <= n_beans <= 2 * n:
        failures.append(f"pause beans count {n_beans} collections, the worker {n} pauses")
    if ms_beans * 1_000_000 > total_ns + 1_000_000:
        failures.append(f"pause beans' time {ms_beans} ms above the worker's "
                        f"{total_ns / 1e6:.3f} ms")
    stw = set(cfg["pause_beans"]) == set(cfg["gc_beans"])
    if stw and at_ns > 1.5 * ms_beans * 1_000_000 + 2_000_000 * n:
        failures.append(f"time at safepoint {at_ns / 1e6:.3f} ms far above the beans' "
                        f"{ms_beans} ms")
    print(f"  {detail['strategy']:<15} pauses {len(gc['events']):>4} ({n:>4} counted, beans "
          f"{n_beans:>4}), Total {total_ns / 1e6:9.3f} ms, at safepoint {at_ns / 1e6:9.3f} ms, "
          f"beans {ms_beans:>5} ms")
    return failures, stw


def main(worker, size="default"):
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for strategy in COLLECTORS:
            detail, lines = run(worker, strategy, size, tmp)
            found = check_log(detail, lines)
            more, _ = check_beans(detail)
            if not detail["gc"]["events"]:
                found.append("no pause in the run: the check would test nothing")
            failures += [f"{strategy}: {f}" for f in found + more]
        print("three passes: the collections between them left out of both sides")
        for strategy in MULTI_PASS:
            detail, lines = run(worker, strategy, size, tmp, passes=3)
            found = check_log(detail, lines)
            more, _ = check_beans(detail)
            if detail["gc"]["forced_between_passes"]["collections"] < 1:
                found.append("no collection between the passes: nothing left out to check")
            failures += [f"{strategy} (3 passes): {f}" for f in found + more]
        print("planted fault: every parsed pause 25% short (the log check), then half as long "
              "(the MXBean check)")
        for strategy in PLANTED:
            detail, lines = run(worker, strategy, size, tmp, scale=0.75)
            if not check_log(detail, lines):
                failures.append(f"{strategy}: the log check missed the shortened pauses")
            # The beans' time runs 0.73-0.98 x the safepoints' Total from run to run, so
            # only a larger shortening is sure to cross their bound.
            detail, lines = run(worker, strategy, size, tmp, scale=0.5)
            more, stw = check_beans(detail)
            if stw and not more:
                failures.append(f"{strategy}: the MXBean check missed the halved pauses")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK: pause events equal the safepoint log, agree with the GarbageCollectorMXBeans, "
              "and a planted shortening is caught by both")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
