#!/usr/bin/python3
"""Runs a worker once and checks the allocator its detail JSON names.

The detail file is what the runner and the reports trust; a run that claims
one allocator while another served malloc would mislabel every figure.

Usage: check_detail_allocator.py WORKER STRATEGY FAMILY LIBRARY_SUBSTRING
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    worker, strategy, family, library = sys.argv[1:5]
    with tempfile.TemporaryDirectory(prefix="mmbench-alloc-") as tmp:
        detail_path = os.path.join(tmp, "detail.json")
        proc = subprocess.run(
            [worker, "--workload", "binary_trees", "--strategy", strategy, "--size", "quick",
             "--detail-out", detail_path, "--benchmark_format=json"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
        if proc.returncode != 0:
            print(proc.stderr[-4000:])
            print(f"FAIL: worker exited {proc.returncode}")
            return 1
        with open(detail_path) as f:
            detail = json.load(f)
    allocator = detail["allocator"]
    print(json.dumps(allocator, indent=1))
    failures = []
    if allocator["family"] != family:
        failures.append(f"family {allocator['family']!r}, expected {family!r}")
    if library not in allocator["malloc_from"]:
        failures.append(f"malloc_from {allocator['malloc_from']!r} does not name {library!r}")
    if detail["strategy"] != strategy:
        failures.append(f"strategy {detail['strategy']!r}, expected {strategy!r}")
    if not allocator["version"]:
        failures.append("no allocator version")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
