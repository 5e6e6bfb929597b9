"""mmbench sweep: a collector's time and pauses against its heap size, in
multiples of each workload's live data (see mmbench/experiments/sweep.py and
docs/experiments.md)."""

from __future__ import annotations


from mmbench import workers
from mmbench import runner
from mmbench.errors import UsageError
from mmbench.experiments import points, sweep
from mmbench.reporting.experiments import sweep_markdown
from mmbench.runfolder import write_json_atomic


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="GC heap-size sweep: time and pauses vs heap size (cap, free-space divisor)",
        description="Run a Boehm strategy with its heap capped at multiples of each "
                    "workload's live data, find the smallest multiple that completes "
                    "(bisection, ~5%%); then uncapped at a range of free-space divisors, "
                    "which is what grows its heap; compare time and pauses with the manual "
                    "strategies. Writes sweep.json/.csv/.md and plots/sweep_*.png.")
    p.add_argument("--workloads", metavar="A,B",
                   help="workloads (default: all that the strategy runs, except baseline)")
    p.add_argument("--multiples", default=sweep.DEFAULT_MULTIPLES, metavar="M,N,...",
                   help="heap caps in multiples of live data; 'uncapped' for none "
                        f"(default {sweep.DEFAULT_MULTIPLES})")
    p.add_argument("--divisors", default=sweep.DEFAULT_DIVISORS, metavar="D,E,...",
                   help="second series: the collector uncapped at these free-space divisors "
                        "(lower = larger heap, fewer collections; libgc default 3); 'none' "
                        f"for no series (default {sweep.DEFAULT_DIVISORS})")
    p.add_argument("--strategy", default="boehm", help="the collector strategy (default boehm)")
    p.add_argument("--references", metavar="X,Y",
                   help='manual strategies to compare with (default: those of '
                        f'{",".join(sweep.DEFAULT_REFERENCES)} that are '
                        "built)")
    p.add_argument("--reps", type=int, default=3, metavar="N",
                   help="repetitions per grid point (bisection probes run once; default 3)")
    p.add_argument("--size", default="default", help="quick | default | large")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--no-bisect", action="store_true", help="only the grid, no bisection")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="seconds before a worker is killed; counts as a failed point")
    p.add_argument("--sample-ms", type=float, default=10.0, metavar="MS",
                   help="RSS sampling period in ms (default 10)")
    p.add_argument("--out", metavar="DIR", help="folder (default results/sweep-YYYYmmdd-HHMMSS)")
    p.set_defaults(func=sweep_command)


def sweep_command(args) -> int:
    catalog = workers.load_catalog(args.build_dir)
    strategies = list(catalog.strategies)
    if args.strategy not in strategies:
        raise UsageError(f"unknown strategy '{args.strategy}'; valid strategies: "
                         f"{', '.join(strategies)}")
    if not args.strategy.startswith("boehm"):
        raise UsageError("--strategy must be a Boehm strategy (the heap cap is the collector's)")
    hosted = [w for w in catalog.workloads if (w, args.strategy) in catalog.entries]
    workloads = points.names(args.workloads, hosted, "workload",
                             [w for w in hosted if w != "baseline"])
    references = points.names(args.references, strategies, "strategy",
                              [s for s in sweep.DEFAULT_REFERENCES if s in strategies])
    try:
        multiples = sweep.parse_multiples(args.multiples)
    except ValueError as e:
        raise UsageError(f"--multiples: {e}") from e
    try:
        divisors = sweep.parse_divisors(args.divisors)
    except ValueError as e:
        raise UsageError(f"--divisors: {e}") from e
    if args.reps < 1:
        raise UsageError("--reps must be >= 1")
    opts = points.base_options(args.size, 1, args.seed, args.timeout, args.sample_ms)
    root = points.new_folder(args.repo_root, args.out, "sweep")
    plan = {"workloads": workloads, "strategies": [args.strategy] + references,
            "reps": args.reps, "size": args.size, "pairs": [], "units": {}}
    manifest = runner.build_manifest(args, dict(opts, out=str(root)), plan, catalog, None)
    manifest.update(experiment="sweep", multiples=[m if m is not None else "uncapped"
                                                    for m in multiples],
                    divisors=divisors)
    write_json_atomic(root / "manifest.json", manifest)

    result = sweep.run_sweep(root, catalog, opts, workloads, args.strategy, references,
                             multiples, args.reps, bisect=not args.no_bisect,
                             progress=points.print_progress, divisors=divisors)
    for w, data in result["workloads"].items():
        data["unit"] = catalog.workloads.get(w, {}).get("unit")
    rc = points.finish(root, "sweep", result, sweep.to_csv, sweep_markdown, manifest,
                       args.repo_root)
    failed = [w for w, d in result["workloads"].items() if "error" in d]
    return 1 if failed else rc
