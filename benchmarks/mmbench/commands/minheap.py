"""mmbench minheap: the smallest heap each collector strategy completes in, found
by bisection, and the smallest memory each strategy does the job in (see
mmbench/experiments/minheap.py and docs/experiments.md)."""

from __future__ import annotations

import pathlib
import re
import sys

from mmbench import runner, workers
from mmbench.errors import UsageError
from mmbench.experiments import minheap, minheap_runs, points, sweep
from mmbench.reporting import minheap_md
from mmbench.runner import option_table
from mmbench.runner.option_table import OPTIONS_BY_KEY
from mmbench.runfolder import read_json, write_json_atomic, write_text_atomic

# The sweep's (its minimum heaps are these), and Boehm's variants.
DEFAULT_WORKLOADS = sweep.DEFAULT_WORKLOADS
DEFAULT_COLLECTORS = sweep.DEFAULT_COLLECTORS[:1] + (
    "boehm-free", "boehm-incremental", "boehm-markers") + sweep.DEFAULT_COLLECTORS[1:]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "minheap", help="minimum heap per collector (bisection) and the smallest memory "
                        "per strategy",
        description="For each workload and collector strategy, find by bisection the "
                    "smallest heap (Boehm --gc-max-heap-bytes, the JVM's -Xmx) in which every "
                    "trial completes with the uncapped run's checksum; Go's GOMEMLIMIT is "
                    "soft, so it is probed at multiples of the live data instead. Then the "
                    "smallest memory that does the job per strategy, manual ones included. "
                    "Writes minheap.json/.csv/.md; minheap.json is a cache: --out on an "
                    "interrupted folder resumes it.")
    p.add_argument("--workloads", metavar="A,B",
                   help=f'workloads (default {",".join(DEFAULT_WORKLOADS)})')
    p.add_argument("--strategies", metavar="X,Y",
                   help=f'collector strategies (default: those of {",".join(DEFAULT_COLLECTORS)}'
                        " that are built)")
    p.add_argument("--manual", metavar="X,Y",
                   help="manual strategies measured uncapped for the smallest-memory table "
                        f'(default: those of {",".join(minheap_runs.MANUAL_DEFAULT)} that are '
                        "built; 'none' for none)")
    p.add_argument("--trials", type=int, default=minheap.DEFAULT_TRIALS, metavar="N",
                   help="trials that must all pass at the minimum found (bisection probes "
                        f"run one; default {minheap.DEFAULT_TRIALS})")
    p.add_argument("--precision", type=float, default=minheap.DEFAULT_PRECISION, metavar="P",
                   help="bisect until hi/lo <= 1 + P (default "
                        f"{minheap.DEFAULT_PRECISION})")
    p.add_argument("--size", default="default", help="quick | default | large")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="seconds before an uncapped worker is killed; a probe gets "
                        f"max({minheap.PROBE_TIMEOUT_MIN_S:g} s, "
                        f"{minheap.PROBE_TIMEOUT_FACTOR:g} x the uncapped run), at most this")
    p.add_argument("--min-time", type=float, metavar="S",
                   help="seconds of steady-state passes per probe after the first, timed one, "
                        "as in `mmbench run` (default: none, one pass); a sweep's minima "
                        "are best found with the sweep's own --min-time")
    p.add_argument("--managed-min-time", type=float, metavar="S",
                   help="the same for the JVM and Go, at least --min-time (as in `mmbench "
                        "run`; default: --min-time)")
    p.add_argument("--uncapped-heap", metavar="SIZE",
                   help="the JVM heap of the uncapped run (the reference, and where the "
                        "search starts), e.g. 8g (default: the strategy's declared heap, "
                        "1g); for jvm-epsilon, which needs all the run allocates")
    p.add_argument("--sample-ms", type=float, default=10.0, metavar="MS",
                   help="RSS sampling period in ms (default 10)")
    p.add_argument("--any-build", action="store_true",
                   help="keep the folder's cached rows whatever build of the workers made "
                        "them (by default a row is found again when its worker's file or "
                        "--list changed; each row records the digest of its worker)")
    p.add_argument("--redo", metavar="X,Y",
                   help="collector strategies whose cached rows are searched again (after a "
                        "change the cache cannot see, such as the knob's own arguments)")
    p.add_argument("--out", metavar="DIR",
                   help="folder (default results/minheap-YYYYmmdd-HHMMSS); one with a "
                        "minheap.json is resumed")
    p.set_defaults(func=minheap_command)


def _collectors(text: str | None, catalog: workers.Catalog) -> tuple[list[str], list[str]]:
    """The collector strategies to search, and those skipped because they are not built."""
    if text is None:
        chosen = list(DEFAULT_COLLECTORS)
    else:
        known = list(catalog.strategies) + [s for s in DEFAULT_COLLECTORS
                                            if s not in catalog.strategies]
        chosen = runner.parse_names(text, known, "strategy")
    for s in chosen:
        if s in catalog.strategies and minheap.knob_for(catalog, s) is None:
            raise UsageError(f"strategy '{s}' has no heap knob (not a collector); name it "
                             "in --manual instead")
    return ([s for s in chosen if s in catalog.strategies],
            [s for s in chosen if s not in catalog.strategies])


def _manual(text: str | None, catalog: workers.Catalog) -> list[str]:
    if text is not None and text.strip().lower() == "none":
        return []
    if text is None:
        return [s for s in minheap_runs.MANUAL_DEFAULT if s in catalog.strategies]
    chosen = runner.parse_names(text, list(catalog.strategies), "strategy")
    for s in chosen:
        if minheap.knob_for(catalog, s) is not None:
            raise UsageError(f"--manual: '{s}' is a collector; name it in --strategies")
    return chosen


def _folder(args) -> tuple[pathlib.Path, dict | None]:
    """The folder and, when resuming one, its manifest."""
    if args.out:
        folder = pathlib.Path(args.out).resolve()
        if (folder / "minheap.json").is_file():
            try:
                return folder, read_json(folder / "manifest.json")
            except (OSError, ValueError):
                return folder, None
    return points.new_folder(args.repo_root, args.out, "minheap"), None


def _redo(text: str | None, collectors: list[str]) -> tuple[str, ...]:
    """--redo's strategies, each one of the collectors being searched."""
    return tuple(runner.parse_names(text, collectors, "strategy") or ())


def _union(*lists) -> list:
    """The names of every list, each once, in the order first seen."""
    return list(dict.fromkeys(n for names in lists for n in (names or [])))


def _check(args) -> None:
    if args.trials < 1:
        raise UsageError(f"--trials must be >= 1 (got {args.trials})")
    if not args.precision > 0:
        raise UsageError(f"--precision must be > 0 (got {args.precision:g})")
    for key in ("min_time", "managed_min_time"):  # the run's own checks
        value = getattr(args, key)
        if value is not None and (why := option_table.problem(OPTIONS_BY_KEY[key], value)):
            raise UsageError(why)
    if args.uncapped_heap is not None and not re.fullmatch(r"[1-9][0-9]*[kKmMgG]?",
                                                            args.uncapped_heap):
        raise UsageError(f"--uncapped-heap '{args.uncapped_heap}' is not a JVM heap size "
                         "(a whole number, optionally k, m or g: 8g)")


def minheap_command(args) -> int:
    _check(args)
    catalog = workers.load_catalog(args.build_dir)
    workloads = points.names(args.workloads, list(catalog.workloads), "workload",
                             [w for w in DEFAULT_WORKLOADS if w in catalog.workloads])
    collectors, not_built = _collectors(args.strategies, catalog)
    manual = _manual(args.manual, catalog)
    for s in not_built:
        print(f"mmbench minheap: {s} is not built; skipped", file=sys.stderr)
    if not collectors and not manual:
        raise UsageError("no strategy to measure (none of those named is built)")
    opts = points.base_options(args.size, 1, args.seed, args.timeout, args.sample_ms)
    opts.update({k: v for k, v in (("min_time", args.min_time),
                                   ("managed_min_time", args.managed_min_time),
                                   ("uncapped_heap", args.uncapped_heap)) if v is not None})
    root, previous = _folder(args)
    plan = {"workloads": workloads, "strategies": collectors + manual, "size": args.size,
            "reps": args.trials, "pairs": [], "units": {}}
    manifest = runner.build_manifest(args, dict(opts, out=str(root)), plan, catalog, previous)
    manifest.update(experiment="minheap", trials=args.trials, precision=args.precision,
                    collectors=collectors, manual=manual)
    write_json_atomic(root / "manifest.json", manifest)

    progress = points.print_progress
    minheap.load_or_find(root, catalog, opts, workloads, collectors, trials=args.trials,
                         precision=args.precision, progress=progress,
                         any_build=args.any_build, redo=_redo(args.redo, collectors))
    cache = minheap_runs.Cache(root, catalog, opts, args.trials, args.precision,
                               args.any_build)
    minheap_runs.measure_uncapped(cache, root, opts, "manual",
                                  [(w, s) for w in workloads for s in manual], args.trials,
                                  progress)
    minheap_runs.measure_uncapped(cache, root, opts, "baselines",
                                  [(minheap_runs.BASELINE, s) for s in collectors + manual],
                                  args.trials, progress)
    result = cache.data
    # The report is the folder's: a resumed folder searched for more pairs keeps the
    # workloads and strategies it held before.
    every = _union(result.get("workloads"), workloads,
                   [r["workload"] for r in result["rows"] + result["manual"]])
    result.update(workloads=every,
                  collectors=_union(result.get("collectors"), collectors,
                                    [r["strategy"] for r in result["rows"]]),
                  manual_strategies=_union(result.get("manual_strategies"), manual,
                                           [r["strategy"] for r in result["manual"]]),
                  units={w: catalog.workloads.get(w, {}).get("unit") for w in every},
                  smallest=minheap_runs.smallest(result, every))
    cache.write()
    write_text_atomic(root / "minheap.csv", minheap_md.to_csv(result))
    markdown = minheap_md.minheap_markdown(result)
    write_text_atomic(root / "minheap.md", markdown)
    manifest.update(state="complete", finished=runner.utc_now())
    write_json_atomic(root / "manifest.json", manifest)
    print(markdown, end="")
    print(f"minheap folder: {root}")
    # A collector that found no minimum is a result; one whose uncapped run failed is not.
    failed = [r for r in result["rows"] if r["workload"] in workloads
              and r["strategy"] in collectors and r["uncapped"]
              and r["uncapped"]["status"] != "ok"]
    return 1 if failed else 0
