#!/usr/bin/python3
"""Every strategy that runs a workload must compute the same checksum.

The smoke tests (smoke.WORKLOAD.STRATEGY, the fixture this test requires) run
each workload under each strategy at quick size with --detail-out into DIR;
this reads those detail files back. A workload's checksum folds in values
read back from the structures it built, so a strategy that loses, corrupts or
skips work shows as a different checksum. Only the strategies named in
--may-refuse may be missing (the pmr strategies refuse threaded workloads).

A detail file older than the worker that should have written it is stale (a
smoke test that did not run this time): it counts as missing. Files are
deleted once read, so the next run can only see fresh ones.

--keep leaves the files for the test that compares every strategy (a
family's own check, e.g. checksums.jvm.WORKLOAD, runs before it).

Usage: check_checksums.py DIR WORKLOAD WORKER_DIR STRATEGY=FAMILY... [--may-refuse S,S] [--keep]
"""
import json
import os
import sys


def main(argv):
    keep = "--keep" in argv
    argv = [a for a in argv if a != "--keep"]
    may_refuse = set()
    if "--may-refuse" in argv:
        i = argv.index("--may-refuse")
        may_refuse = {s for s in argv[i + 1].split(",") if s}
        argv = argv[:i] + argv[i + 2:]
    folder, workload, worker_dir = argv[:3]
    pairs = [a.split("=", 1) for a in argv[3:]]
    if not pairs:
        print("FAIL: no strategies given")
        return 1
    checksums, failures = {}, []
    for strategy, family in pairs:
        path = os.path.join(folder, f"{workload}.{strategy}.detail.json")
        worker = os.path.join(worker_dir, f"mmbench-worker-{family}")
        fresh = (os.path.exists(path)
                 and os.path.getmtime(path) >= os.path.getmtime(worker))
        if not fresh:
            if strategy not in may_refuse:
                failures.append(f"{strategy}: no fresh detail file {path} "
                                f"(did smoke.{workload}.{strategy} run and pass?)")
            continue
        with open(path) as f:
            detail = json.load(f)
        if not keep:
            os.remove(path)
        if (detail["workload"], detail["strategy"]) != (workload, strategy):
            failures.append(f"{path} is for {detail['workload']}/{detail['strategy']}")
        checksums[strategy] = detail["checksum"]
    for strategy, value in sorted(checksums.items()):
        print(f"{workload:<20} {strategy:<20} {value}")
    distinct = sorted(set(checksums.values()))
    if len(distinct) > 1:
        for value in distinct:
            who = [s for s, v in checksums.items() if v == value]
            failures.append(f"checksum {value} from {', '.join(sorted(who))}")
        failures.insert(0, f"{workload}: strategies disagree on the checksum")
    if len(checksums) < 2:
        failures.append(f"only {len(checksums)} strategies to compare")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print(f"OK: {len(checksums)} strategies agree on {workload}'s checksum {distinct[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
