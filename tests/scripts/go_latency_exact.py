#!/usr/bin/python3
"""A Go row's latency percentiles agree with the exact percentiles of the
same samples: the worker (MMBENCH_GO_TEST_LATENCY_SAMPLES) writes every
latency sample of its timed pass raw; the detail's percentiles must be
HdrHistogram's, i.e. at or above the exact sample of rank ceil(p N) and
within its bucket (3 significant digits: 1/1024 of it), and count, min and
max exact. Run for a closed-loop, a batched and an open-loop workload.

Usage: go_latency_exact.py WORKER
"""
import json
import math
import os
import subprocess
import sys
import tempfile

RUNS = [("binary_trees", "quick"), ("lru_cache", "quick"), ("real_time_loop", "quick")]
PERCENTILES = {"50": 50, "90": 90, "99": 99, "999": 99.9, "9999": 99.99}


def exact_percentile(sorted_values, p):
    rank = max(1, math.ceil(math.nextafter(p, -math.inf) / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def check(worker, workload, size, folder):
    detail_path, samples_path = os.path.join(folder, "d.json"), os.path.join(folder, "s.txt")
    env = dict(os.environ, MMBENCH_GO_TEST_LATENCY_SAMPLES=samples_path)
    env.pop("GOGC", None)
    subprocess.run([worker, "--workload", workload, "--strategy", "go", "--size", size,
                    "--detail-out", detail_path], check=True, env=env, stdout=subprocess.DEVNULL)
    with open(detail_path) as f:
        lat = json.load(f)["latency"]
    with open(samples_path) as f:
        values = sorted(int(line) for line in f)
    fails = []
    if not values:
        return [f"{workload}: no samples written"]
    if (lat["count"], lat["min"], lat["max"]) != (len(values), values[0], values[-1]):
        fails.append(f"count/min/max {lat['count']}/{lat['min']}/{lat['max']}, samples "
                     f"{len(values)}/{values[0]}/{values[-1]}")
    for key, p in PERCENTILES.items():
        exact, got = exact_percentile(values, p), lat["percentiles"][key]
        ok = exact <= got <= exact + exact // 1024 + 1
        print(f"{workload:15} p{key:5} row {got:>10} exact {exact:>10} {'ok' if ok else 'FAIL'}")
        if not ok:
            fails.append(f"p{key}: row {got}, exact {exact}")
    return [f"{workload}: {f}" for f in fails]


def main():
    fails = []
    with tempfile.TemporaryDirectory() as folder:
        for workload, size in RUNS:
            fails += check(sys.argv[1], workload, size, folder)
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
