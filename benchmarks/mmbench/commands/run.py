"""mmbench run: every (workload, strategy, repetition) in a fresh worker process.

The measurement protocol (README, docs/reproducibility.md):
- randomized interleaved rounds: repetition r of every pair runs in round r,
  the workloads in a fresh random order and each workload's strategies one
  after another in an order of their own (seeded, recorded), so the ratios to
  glibc pair runs made seconds apart, in the same state of the host;
- each worker runs its workload once timed unit by unit (latency, warm-up),
  then with the per-unit clock off for at least --min-time seconds (the
  throughput figure: the median of those steady-state passes);
- the worker runs pinned to CPUs apart from the runner's where there are any;
- a host probe is read around every worker: while it reads the machine slow
  the runner waits (--max-wait); a run it finds slow, or disturbed by steal,
  pressure or migrations, is re-run at the end of its round (--max-reruns,
  --rerun-budget), and one still disturbed is marked and left out of its
  cell's figures where enough undisturbed ones remain;
- after --reps rounds, every timed workload whose per-round ratios have a
  standard error above --target-se, or whose cells vary by more than
  --target-cv, gets another round in each pass, up to --max-reps, while
  --budget lasts.
Each finished process leaves its files in the run folder at once
(atomically), so a failure, a timeout or Ctrl-C loses nothing finished and
`--resume` completes the rest.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from mmbench.reporting import summary_md
from mmbench.reporting.generate import generate
from mmbench.runner import add_run_options, open_session


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run workloads under strategies and write a run folder",
        description="Run every (workload, strategy, repetition) in a fresh worker process and "
                    "write a run folder (docs/run-folder.md): raw worker JSON, RSS timelines, "
                    "merged .hgrm histograms, summary.json/.csv/.md.")
    add_run_options(p)
    p.add_argument("--preload", action="append", default=[], metavar="NAME=PATH",
                   help="also run the allocator in shared library PATH as strategy NAME: the "
                        "glibc worker's glibc strategy with LD_PRELOAD=PATH, refusing to run "
                        "(allocator_mismatch) unless PATH really serves malloc; repeatable "
                        "(e.g. tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4)")
    p.add_argument("--resume", metavar="DIR",
                   help="complete an earlier run folder: rerun only what is not ok")
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
    with open_session(args) as session:  # the folder stays locked until the report is written
        return _run(args, session)


def _run(args, session) -> int:
    state = session.run()
    rows = session.write_summary()
    print(summary_md.markdown_table(rows), end="")
    for line in summary_md.warnings(rows):
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
