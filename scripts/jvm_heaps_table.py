#!/usr/bin/env python3
"""Prints benchmarks/jvm/heaps.table from minheap.json files of `mmbench minheap
--strategies jvm-g1` (one per size): every row whose search found G1's minimum
heap, as 'workload | size | MiB'. Usage: jvm_heaps_table.py MINHEAP_JSON..."""

import json
import math
import sys

MULTIPLE = 3     # the default heap, as a multiple of G1's minimum heap
FLOOR_MIB = 64   # at least this: Shenandoah needs 42 MiB of regions in request_server

HEADER = f"""\
# The JVM worker's default heap per (workload, size), the same for every
# collector (equal memory): max(floor_mib, multiple x G1's minimum heap), the
# minimum found by `mmbench minheap --strategies jvm-g1` (bisection, 2 trials
# at the minimum). A heap near the minimum makes every pass collect, as a
# long-running program does; 1 GiB let whole passes run without a collection
# and their timings measure first-touch page faults (docs/jvm-worker.md).
# MMBENCH_JVM_HEAP overrides it; a (workload, size) not listed gets the
# default heap of the build (MMBENCH_JVM_DEFAULT_HEAP). Made by
# scripts/jvm_heaps_table.py from {{sources}}.
multiple | {MULTIPLE}
floor_mib | {FLOOR_MIB}
# workload | size | G1 minimum heap, MiB"""


def rows(path: str):
    doc = json.load(open(path, encoding="utf-8"))
    size = doc.get("size") or (doc.get("options") or {}).get("size")
    for row in doc["rows"]:
        if row.get("strategy") == "jvm-g1" and row.get("status") == "ok" and \
                row.get("min_heap_bytes"):
            yield row["workload"], size or row.get("size"), row["min_heap_bytes"] / 2**20


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    found = [r for p in paths for r in rows(p)]
    if any(size is None for _, size, _ in found):
        print("jvm_heaps_table: a minheap.json names no size", file=sys.stderr)
        return 1
    sizes = ", ".join(dict.fromkeys(size for _, size, _ in found))
    print(HEADER.replace("{sources}", f"the searches at sizes {sizes}"))
    for workload, size, mib in sorted(found, key=lambda r: (r[1], r[0])):
        print(f"{workload} | {size} | {math.ceil(mib * 10) / 10:.1f}")  # not below it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
