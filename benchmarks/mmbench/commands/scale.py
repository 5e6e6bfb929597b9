"""mmbench scale: throughput per strategy against the workload's thread count
(see mmbench/experiments/scale.py and docs/experiments.md)."""

from __future__ import annotations

from mmbench import workers
from mmbench import runner
from mmbench.errors import UsageError
from mmbench.experiments import points, scale
from mmbench.reporting.experiments import scale_markdown
from mmbench.runfolder import write_json_atomic

DEFAULT_WORKLOAD = "producer_consumer"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scale", help="throughput vs threads, per strategy",
        description="Run workloads with --threads 1..N (default 1, 2, 4, ... and the number of "
                    "cores) under each strategy and plot throughput and speedup against "
                    "threads. Writes scale.json/.csv/.md and plots/scale_*.png.")
    p.add_argument("--workloads", metavar="A,B",
                   help=f"workloads (default {DEFAULT_WORKLOAD})")
    p.add_argument("--threads", metavar="1,2,...",
                   help="thread counts (default 1, 2, 4, ... up to the number of cores)")
    p.add_argument("--strategies", metavar="X,Y", help="strategies (default: all)")
    p.add_argument("--reps", type=int, default=3, metavar="N", help="repetitions (default 3)")
    p.add_argument("--size", default="default", help="quick | default | large")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--timeout", type=float, default=300.0, metavar="S")
    p.add_argument("--sample-ms", type=float, default=10.0, metavar="MS")
    p.add_argument("--out", metavar="DIR", help="folder (default results/scale-YYYYmmdd-HHMMSS)")
    p.set_defaults(func=scale_command)


def scale_command(args) -> int:
    catalog = workers.load_catalog(args.build_dir)
    all_workloads = list(catalog.workloads)
    if args.workloads is None and DEFAULT_WORKLOAD not in all_workloads:
        raise UsageError(f'the default workload {DEFAULT_WORKLOAD} is not built; choose '
                         f'--workloads from: {", ".join(all_workloads)}')
    workloads = points.names(args.workloads, all_workloads, "workload", [DEFAULT_WORKLOAD])
    strategies = points.names(args.strategies, list(catalog.strategies), "strategy")
    try:
        threads = scale.parse_threads(args.threads) if args.threads else scale.default_threads()
    except ValueError as e:
        raise UsageError(f"--threads: {e}") from e
    if args.reps < 1:
        raise UsageError("--reps must be >= 1")
    opts = points.base_options(args.size, threads[0], args.seed, args.timeout, args.sample_ms)
    root = points.new_folder(args.repo_root, args.out, "scale")
    plan = {"workloads": workloads, "strategies": strategies, "reps": args.reps,
            "size": args.size, "pairs": [], "units": {}}
    manifest = runner.build_manifest(args, dict(opts, out=str(root)), plan, catalog, None)
    manifest.update(experiment="scale", threads=threads)
    write_json_atomic(root / "manifest.json", manifest)

    result = scale.run_scale(root, catalog, opts, workloads, strategies, threads, args.reps,
                             progress=points.print_progress)
    return points.finish(root, "scale", result, scale.to_csv, scale_markdown, manifest,
                         args.repo_root)
