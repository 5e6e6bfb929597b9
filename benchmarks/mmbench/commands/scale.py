"""mmbench scale: throughput per strategy against the workload's thread count
(see mmbench/experiments/scale.py and docs/experiments.md)."""

from __future__ import annotations

import argparse
import os
import sys

from mmbench import runner, workers
from mmbench.errors import UsageError
from mmbench.experiments import points, scale
from mmbench.reporting.experiments import scale_markdown
from mmbench.runfolder import RunFolder, write_json_atomic

DEFAULT_WORKLOAD = "producer_consumer"
OWN_OPTIONS = ("workloads", "strategies", "threads")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scale", help="throughput vs threads, per strategy",
        description="Run workloads with --threads 1..N (default 1, 2, 4, ... and the number of "
                    "cores) under each strategy, as one interleaved run (the protocol of "
                    "`mmbench run`; each thread count past the first a strategy@tN of its "
                    "own), and plot throughput and speedup against threads. The folder is a "
                    "run folder plus scale.json/.csv/.md and plots/scale_*.png.")
    p.add_argument("--workloads", metavar="A,B",
                   help=f"workloads (default {DEFAULT_WORKLOAD})")
    p.add_argument("--threads", metavar="1,2,...",
                   help="thread counts (default 1, 2, 4, ... up to the number of cores)")
    p.add_argument("--strategies", metavar="X,Y",
                   help="strategies (default: the default set; 'all': every one built)")
    runner.add_run_options(p, leave_out=OWN_OPTIONS)
    p.set_defaults(func=scale_command)


def _choose(args, catalog: workers.Catalog) -> tuple[list[str], list[str], list[int]]:
    all_workloads = list(catalog.workloads)
    if args.workloads is None and DEFAULT_WORKLOAD not in all_workloads:
        raise UsageError(f'the default workload {DEFAULT_WORKLOAD} is not built; choose '
                         f'--workloads from: {", ".join(all_workloads)}')
    workloads = points.names(args.workloads, all_workloads, "workload", [DEFAULT_WORKLOAD])
    if args.strategies == "all":
        strategies = list(catalog.strategies)
    else:
        strategies = points.names(args.strategies, list(catalog.strategies), "strategy",
                                  catalog.default_strategies)
    try:
        threads = scale.parse_threads(args.threads) if args.threads else scale.default_threads()
    except ValueError as e:
        raise UsageError(f"--threads: {e}") from e
    return workloads, strategies, threads


def scale_command(args) -> int:
    catalog = workers.load_catalog(args.build_dir)
    workloads, strategies, threads = _choose(args, catalog)
    run_args = argparse.Namespace(**vars(args))
    run_args.workloads = ",".join(workloads)
    run_args.strategies = ",".join(scale.label(s, t, threads[0])
                                   for t in threads for s in strategies)
    run_args.threads = threads[0]
    run_args.configured = scale.configured_strategies(workloads, strategies, threads)
    run_args.worker_arg, run_args.worker_env, run_args.preload = [], [], []
    run_args.resume = None
    opts = runner.resolve_options(run_args, catalog, None)
    plan = runner.make_plan(opts, catalog)
    root = runner.new_run_folder(args.repo_root, args.out)
    lock = runner.lock_folder(root)
    try:
        opts["out"] = str(root)
        manifest = runner.build_manifest(run_args, opts, plan, catalog, None)
        manifest.update(experiment="scale", threads=threads)
        folder = RunFolder(root)
        folder.make_dirs()
        write_json_atomic(folder.manifest, manifest, allow_nan=False)
        session = runner.Session(run_args, catalog, folder, opts, plan, manifest, None)
        state = session.run()
        rows = session.write_summary()
        result = scale.build_result(rows, workloads, strategies, threads, {
            "size": opts["size"], "reps": opts["reps"], "cores": os.cpu_count(),
            "state": state})
        rc = points.finish(root, "scale", result, scale.to_csv, scale_markdown,
                           session.manifest, args.repo_root)
        if state != "complete":  # finish marks it complete
            session.manifest.update(state=state)
            write_json_atomic(folder.manifest, session.manifest, allow_nan=False)
    finally:
        os.close(lock)
    if state == "interrupted":
        print(f"interrupted: the rounds done are in {root}", file=sys.stderr)
        return 130
    failed = [r for data in result["workloads"].values() for r in data["rows"]
              if r["status"] not in ("ok", "unsupported")]
    return max(rc, 1 if failed else 0)
