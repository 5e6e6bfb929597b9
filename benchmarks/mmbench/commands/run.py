"""mmbench run: every (workload, strategy, repetition) in a fresh worker process.

The measurement protocol (docs/reproducibility.md):
- randomized interleaved rounds (Abedi & Brecht, ICPE 2017): repetition r of
  every (workload, strategy) pair runs in round r, the pairs of a round in a
  fresh random order (seeded, recorded), so drift of the machine becomes
  noise that repetitions average out instead of a bias against one strategy;
- each worker runs its workload once timed unit by unit (latency, warm-up),
  then again with the per-unit clock off for at least --min-time seconds
  (the throughput figure: median of those steady-state iterations);
- the worker runs pinned to CPUs apart from the runner's where there are any;
- each run's disturbances (steal, CPU/memory pressure, migrations) are
  recorded, and a disturbed run is re-run, at most --max-reruns times;
- after --reps rounds, a workload whose cells still vary by more than
  --target-cv gets further rounds, up to --max-reps.
Each finished process leaves its files in the run folder at once
(atomically), so a failure, a timeout or Ctrl-C loses nothing finished and
`--resume` completes the rest.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

from mmbench import summary, workers
from mmbench.reporting.generate import generate
from mmbench.runner import DEFAULTS, SIZES, open_session


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run workloads under strategies and write a run folder",
        description="Run every (workload, strategy, repetition) in a fresh worker process and "
                    "write a run folder (docs/run-folder.md): raw worker JSON, RSS timelines, "
                    "merged .hgrm histograms, summary.json/.csv/.md.")
    p.add_argument("--workloads", metavar="A,B",
                   help="comma-separated workloads (default: all that are built)")
    p.add_argument("--strategies", metavar="X,Y",
                   help="comma-separated strategies, or 'all' for every built one "
                        f'(default: the core set {", ".join(workers.CORE_STRATEGIES)}, those '
                        'that are built, plus any '
                        "--preload; `mmbench list` marks them)")
    p.add_argument("--preload", action="append", default=[], metavar="NAME=PATH",
                   help="also run the allocator in shared library PATH as strategy NAME: the "
                        "glibc worker's glibc strategy with LD_PRELOAD=PATH, refusing to run "
                        "(allocator_mismatch) unless PATH really serves malloc; repeatable "
                        "(e.g. tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4)")
    p.add_argument("--reps", type=int, metavar="N",
                   help="rounds: repetitions of every pair, one process each, in a fresh "
                        f'random order per round (default {DEFAULTS["reps"]})')
    p.add_argument("--max-reps", type=int, metavar="N",
                   help="further rounds, up to N in all, for a workload whose cells vary by "
                        f'more than --target-cv (default {DEFAULTS["max_reps"]}; with --reps '
                        'alone: = --reps, '
                        "exactly that many rounds)")
    p.add_argument("--target-cv", type=float, metavar="F",
                   help="coefficient of variation of a cell's time over its repetitions "
                        'above which its workload gets another round '
                        f'(default {DEFAULTS["target_cv"]:g})')
    p.add_argument("--min-time", type=float, metavar="S",
                   help="seconds of steady-state iterations per process after the first, "
                        f'timed one; 0: one iteration (default {DEFAULTS["min_time"]:g})')
    p.add_argument("--drain", action="store_true",
                   help="after the last pass, keep each worker alive ~1.3 s and record its "
                        "RSS at the start of that drain phase, after 100 ms and 1 s, and after "
                        "the strategy's own release call (malloc_trim, mi_collect, jemalloc "
                        "purge, GC_gcollect_and_unmap): memory given back (off by default: it "
                        "costs ~1.3 s per run)")
    p.add_argument("--max-reruns", type=int, metavar="N",
                   help="re-run a repetition disturbed by steal, pressure or migrations at "
                        f'most N times (default {DEFAULTS["max_reruns"]})')
    p.add_argument("--budget", type=float, metavar="S",
                   help="start no further round (beyond --reps) once the run has taken S "
                        f'seconds (default {DEFAULTS["budget"]:g}: the default suite then ends '
                        'within 10 minutes '
                        "on a 2-core machine, report included)")
    p.add_argument("--order-seed", type=int, metavar="N",
                   help="seed of the random order within rounds (default: drawn and recorded)")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin the worker to CPUs apart from the runner's")
    p.add_argument("--size", metavar="SIZE",
                   help=f'work size: {" | ".join(SIZES)} (default {DEFAULTS["size"]})')
    p.add_argument("--threads", type=int, metavar="N",
                   help="threads, for workloads that use them (default 1)")
    p.add_argument("--seed", type=int, metavar="N", help="workload seed (default 42)")
    p.add_argument("--out", metavar="DIR",
                   help="run folder to create (default results/run-YYYYmmdd-HHMMSS)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="seconds before a worker is killed (default 300; 0: no limit)")
    p.add_argument("--resume", metavar="DIR",
                   help="complete an earlier run folder: rerun only what is not ok")
    p.add_argument("--sample-ms", type=float, default=10.0, metavar="MS",
                   help="RSS sampling period in ms (default 10)")
    p.add_argument("--shard", metavar="K/N",  # cluster (shard.py, docs/cluster.md)
                   help="run shard K of N of the plan: whole workloads, balanced by run count; "
                        "merge the N shard folders with `mmbench merge` (docs/cluster.md)")
    p.add_argument("--no-report", action="store_true",
                   help="do not call `mmbench report` at the end")
    # Test only: extra worker arguments / environment, optionally for one strategy
    # ("boehm:--fault=crash", "glibc:LD_PRELOAD=/path/lib.so").
    p.add_argument("--worker-arg", action="append", default=[], help=argparse.SUPPRESS)
    p.add_argument("--worker-env", action="append", default=[], metavar="[STRATEGY:]NAME=VALUE",
                   help="extra environment for the workers (of one strategy with its prefix), "
                        "recorded in the manifest, not kept by --resume; e.g. a planted "
                        "regression for checking `compare`: "
                        "glibc:GLIBC_TUNABLES=glibc.malloc.mxfast=0")
    p.set_defaults(func=run_command)


def run_command(args) -> int:
    locks: list[int] = []
    try:
        return _run(args, locks)
    finally:
        for fd in locks:
            os.close(fd)


def _run(args, locks: list[int]) -> int:
    session = open_session(args, locks)
    state = session.run()
    rows = session.write_summary()
    print(summary.markdown_table(rows), end="")
    for line in summary.warnings(rows):
        print(line)
    if session.skipped:
        print(f"({session.skipped} finished run(s) kept from before, {session.executed} run now)")
    folder_path = session.folder.root
    if state == "interrupted":
        print(f"interrupted: complete it with  mmbench run --resume {folder_path}")
    print(f"run folder: {folder_path}")
    sys.stdout.flush()
    # A combination a strategy refuses (unsupported) is a fact about it, not a failure.
    rc = 0 if all(r["status"] in ("ok", "unsupported") for r in rows) else 1
    if state == "interrupted":
        return 130
    if not args.no_report:
        rc = max(rc, call_report(folder_path))
    return rc


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def call_report(run_dir: pathlib.Path) -> int:
    """Write the run's report (tables and plots); non-zero when it failed or named
    what it could not use. The run itself is on disk whatever the report does."""
    try:
        result = generate(run_dir, quiet=False)
    except Exception as e:  # noqa: BLE001
        print(f"mmbench run: error: the report failed ({type(e).__name__}: {e}); the run itself "
              f"is complete in {run_dir}", file=sys.stderr)
        return 1
    return 0 if result.ok else 1
