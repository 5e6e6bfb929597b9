#!/usr/bin/python3
"""Cross-checks the Go worker's pauses (gc.pauses, gc.events: parsed from
GODEBUG=gctrace=1) against the runtime's own counters over the same run:
runtime/metrics /gc/pauses:seconds and /gc/cycles/total, and MemStats
(PauseTotalNs, and the exact pause sum of each cycle its ring held). All
three read the same runtime timestamps; gctrace prints each phase truncated
to two significant digits (and to whole microseconds), so a parsed pause is
never longer than the exact one and at most 10% + 1 us shorter.

Checks, per run (the gctrace lines kept with --gctrace-keep and parsed here
too, independently of the worker):
- the cycles: gctrace = metrics = MemStats, at least MIN_CYCLES;
- the pauses: two per cycle in gctrace; the metrics histogram's count equals
  it once corrected for a cycle in flight at either end (recorded); the
  worker's pauses and events: two per cycle but for the ones it forced
  between passes (none in this single-pass run);
- the pause sum: the worker's = this script's parse of the kept lines; it is
  at most MemStats' exact sum and at least 90% of it less 1 us per pause;
  MemStats' sum lies within the metrics histogram's bucket bounds;
- per cycle (MemStats' ring): parsed <= exact, parsed >= 0.9 exact - 2 us;
- the events: two per cycle, in time order, inside the run's span (but for
  the last cycle, which may end after it).
A worker that reports pauses shortened by a quarter fails the sum and
per-cycle checks: --planted SCALE runs it with MMBENCH_GO_TEST_PAUSE_SCALE
(used by nothing else) and passes only if the checks then fail.

Usage: go_pause_crosscheck.py WORKER [--planted SCALE]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# Enough collections to mean something: binary_trees at default size runs
# about 50 cycles in about a second.
RUN = ["--workload", "binary_trees", "--size", "default", "--strategy", "go"]
MIN_CYCLES = 10
TRUNCATION = 0.10   # two significant digits, truncated
QUANTUM_NS = 1_000  # whole microseconds
LINE = re.compile(r"^gc (\d+) @[0-9.]+s \d+%: ([0-9.]+)\+[0-9.]+\+([0-9.]+) ms clock")


def parse_kept(path):
    """{cycle number: (sweep termination ns, mark termination ns)}"""
    out = {}
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                out[int(m.group(1))] = (round(float(m.group(2)) * 1e6),
                                        round(float(m.group(3)) * 1e6))
    return out


def run_worker(worker, folder, env):
    detail, kept = os.path.join(folder, "detail.json"), os.path.join(folder, "gctrace.txt")
    subprocess.run([worker] + RUN + ["--detail-out", detail, "--gctrace-keep", kept],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    with open(detail) as f:
        return json.load(f), parse_kept(kept)


def failures_of(detail, kept):
    gc, x = detail["gc"], detail["gc"]["crosscheck"]
    fails = []
    n = x["gctrace_cycles"]
    if not (n == x["metrics_cycles"] == x["memstats_cycles"] and n >= MIN_CYCLES):
        fails.append(f"cycles: gctrace {n}, metrics {x['metrics_cycles']}, "
                     f"MemStats {x['memstats_cycles']} (need >= {MIN_CYCLES})")
    corrected = x["metrics_pauses"] + x["metrics_in_flight_start"] - x["metrics_in_flight_end"]
    forced = x["gctrace_forced_cycles"]
    if not (x["gctrace_pauses"] == 2 * n == corrected
            and gc["pauses"]["count"] == 2 * (n - forced) == len(gc["events"])):
        fails.append(f"pauses: gctrace {x['gctrace_pauses']}, metrics {x['metrics_pauses']} "
                     f"(in flight {x['metrics_in_flight_start']}/{x['metrics_in_flight_end']})")
    total, exact = x["gctrace_pause_total_ns"], x["memstats_pause_total_ns"]
    cycles = range(x["first_cycle"], x["last_cycle"] + 1)
    reparsed = sum(sum(kept.get(c, (0, 0))) for c in cycles)
    if total != reparsed or any(c not in kept for c in cycles):
        fails.append(f"worker's pause sum {total} ns, the kept lines' {reparsed} ns "
                     f"({sum(c in kept for c in cycles)} of {len(cycles)} cycles there)")
    low = (1 - TRUNCATION) * exact - QUANTUM_NS * x["gctrace_pauses"]
    if not (low <= total <= exact):
        fails.append(f"pause sum {total} ns outside [{low:.0f}, {exact}] (MemStats {exact} ns)")
    lo, hi = x["metrics_pause_total_lo_ns"], x["metrics_pause_total_hi_ns"]
    if x["metrics_in_flight_start"] == x["metrics_in_flight_end"] == 0 and not (
            lo <= exact <= (hi if hi is not None else float("inf"))):
        fails.append(f"MemStats sum {exact} ns outside the metrics buckets [{lo}, {hi}]")
    bad = [(p, e) for p, e in x["memstats_per_cycle"]
           if not ((1 - TRUNCATION) * e - 2 * QUANTUM_NS <= p <= e)]
    if bad or not x["memstats_per_cycle"]:
        fails.append(f"{len(bad)} of {len(x['memstats_per_cycle'])} cycles off MemStats' "
                     f"exact pause: {bad[:5]}")
    # The last cycle may end after the run (the worker lets a cycle in flight
    # finish before its closing snapshot): only the others must end inside it.
    span = detail["end_monotonic_ns"] - detail["start_monotonic_ns"]
    events = gc["events"]
    starts = [s for s, _ in events]
    if starts != sorted(starts) or any(
            s < 0 or s + d > span for s, d in events[:-2]):
        fails.append(f"events: in order {starts == sorted(starts)}, inside the run's {span} ns")
    return fails


def main():
    worker = sys.argv[1]
    planted = sys.argv[sys.argv.index("--planted") + 1] if "--planted" in sys.argv else None
    env = dict(os.environ)
    env.pop("GOGC", None)
    if planted:
        env["MMBENCH_GO_TEST_PAUSE_SCALE"] = planted
    with tempfile.TemporaryDirectory() as folder:
        detail, kept = run_worker(worker, folder, env)
    x = detail["gc"]["crosscheck"]
    print(f"cycles {x['gctrace_cycles']}, pauses {x['gctrace_pauses']} "
          f"(metrics {x['metrics_pauses']}), sum: gctrace {x['gctrace_pause_total_ns']} ns, "
          f"MemStats {x['memstats_pause_total_ns']} ns, metrics "
          f"[{x['metrics_pause_total_lo_ns']:.0f}, {x['metrics_pause_total_hi_ns']:.0f}] ns, "
          f"per-cycle pairs {len(x['memstats_per_cycle'])}, events placed by MemStats "
          f"{x['events_placed_by_memstats']}")
    fails = failures_of(detail, kept)
    for f in fails:
        print("FAIL:" if not planted else "detected:", f)
    if planted:
        print("OK: the planted shortening was detected" if fails else
              "FAIL: pauses scaled by " + planted + " passed the cross-check")
        return 0 if fails else 1
    if not fails:
        print("OK: gctrace, runtime/metrics and MemStats agree")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
