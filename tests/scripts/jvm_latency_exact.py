#!/usr/bin/python3
"""A JVM row's latency percentiles agree with the exact percentiles of the same
samples. The worker runs with MMBENCH_JVM_TEST_RAW_LATENCY=FILE, which makes it
also write every latency value of its timed pass as recorded; for each
reported percentile p the exact value is the ceil(p/100 * N)-th smallest
sample s, and the reported one must be s's bucket's highest equivalent value
capped at the exact maximum: at least s, and above it by less than the
bucket's width (3 significant digits: 2^(bits(s) - 11), 1 below 2048 ns). The
histogram's count, minimum and maximum must be the samples' own.

Usage: jvm_latency_exact.py WORKER [WORKLOAD] [STRATEGY] [SIZE]
"""
import json
import math
import os
import subprocess
import sys
import tempfile

PERCENTILES = {"50": 50.0, "90": 90.0, "99": 99.0, "999": 99.9, "9999": 99.99}


def exact(sorted_values, p):
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values) - 1e-9))
    return sorted_values[rank - 1]


def check(detail, values):
    failures = []
    lat = detail["latency"]
    values.sort()
    if lat["count"] != len(values):
        failures.append(f"count {lat['count']} != {len(values)} samples")
    if values and (lat["min"] != max(0, values[0]) or lat["max"] != values[-1]):
        failures.append(f"min/max {lat['min']}/{lat['max']} != {values[0]}/{values[-1]}")
    for key, p in PERCENTILES.items():
        s = exact(values, p)
        got = lat["percentiles"][key]
        width = 1 << max(0, s.bit_length() - 11)  # 2048 sub-buckets per power of two
        ok = s <= got < s + width or got == values[-1] >= s
        print(f"p{key:<5} exact {s:>12} reported {got:>12} {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(f"p{key}: reported {got}, exact {s} (bucket width {width})")
    return failures


def main(worker, workload="binary_trees", strategy="jvm-g1", size="quick"):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.txt")
        detail_path = os.path.join(tmp, "detail.json")
        env = dict(os.environ, MMBENCH_JVM_TEST_RAW_LATENCY=raw)
        subprocess.run([worker, "--workload", workload, "--strategy", strategy, "--size", size,
                        "--detail-out", detail_path], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        with open(detail_path) as f:
            detail = json.load(f)
        with open(raw) as f:
            values = [int(line) for line in f if line.strip()]
    tap = detail.get("test_raw_latency") or {}
    failures = []
    if tap.get("count") != len(values) or len(values) >= tap.get("capacity", 0):
        failures.append(f"raw samples {len(values)}, tap {tap}: not every sample kept")
    if not values:
        failures.append("no samples")
    failures += check(detail, values)
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print(f"OK: {workload}/{strategy}: {len(values)} samples, every reported percentile "
              "is its exact percentile's bucket")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
