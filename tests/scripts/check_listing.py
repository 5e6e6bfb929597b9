#!/usr/bin/python3
"""The worker's --list contract, which the runner and the generated smoke
tests read: top-level sizes, exit_codes and strategies beside the entries,
each entry's strategy listed, its "refuses" null or a one-line reason.

Usage: check_listing.py WORKER
"""
import json
import subprocess
import sys

EXIT_CODES = {"ok": 0, "usage": 2, "allocator_mismatch": 3, "oom": 4, "unsupported": 6}
RECLAIM = {"explicit", "refcount", "region", "tracing", "never"}
HOOKS = {"init_process", "heap_options", "fixed_heap", "config", "pauses", "gc_version", "end_pass",
         "release_memory", "single_threaded"}


def main(worker):
    listing = json.loads(subprocess.run([worker, "--list"], check=True, capture_output=True,
                                        text=True).stdout)
    failures = []
    if listing.get("sizes") != ["quick", "default", "large"]:
        failures.append(f"sizes: {listing.get('sizes')}")
    codes = listing.get("exit_codes", {})
    for name, code in EXIT_CODES.items():
        if codes.get(name) != code:
            failures.append(f"exit_codes.{name}: {codes.get(name)}, expected {code}")
    strategies = listing.get("strategies", [])
    names = [s["name"] for s in strategies]
    if not names or len(set(names)) != len(names):
        failures.append(f"strategies: {names}")
    for s in strategies:
        if s["family"] != listing["family"] or s["reclaim"] not in RECLAIM:
            failures.append(f"strategy {s}")
        if not set(s["hooks"]) <= HOOKS:
            failures.append(f"{s['name']}: unknown hooks {set(s['hooks']) - HOOKS}")
    if set(names) != set(listing.get("config", {})):
        failures.append(f"config keys {sorted(listing.get('config', {}))} != strategies {names}")
    by_name = {s["name"]: s for s in strategies}
    for e in listing.get("entries", []):
        where = f"{e['workload']}.{e['strategy']}"
        if e["strategy"] not in by_name:
            failures.append(f"{where}: strategy not in 'strategies'")
            continue
        refuses = e.get("refuses", "missing")
        if refuses is not None and not (isinstance(refuses, str) and refuses
                                        and "\n" not in refuses):
            failures.append(f"{where}: refuses {refuses!r}")
        # Today's only refusal: a single-threaded strategy under a threaded workload.
        expect = e["multithreaded"] and "single_threaded" in by_name[e["strategy"]]["hooks"]
        if (refuses is not None) != expect:
            failures.append(f"{where}: refuses {refuses!r}, expected a refusal: {expect}")
    for f in failures:
        print("FAIL:", f)
    print(f"{worker}: {len(strategies)} strategies, {len(listing.get('entries', []))} entries, "
          f"{sum(e.get('refuses') is not None for e in listing.get('entries', []))} refusals")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
