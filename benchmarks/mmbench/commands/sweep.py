"""mmbench sweep: every collector's time against its heap size (multiples of its
minimum heap; Go at GOGC values), the manual strategies on the same axes, as
one interleaved run (see mmbench/experiments/sweep.py and docs/experiments.md)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from mmbench import runner, workers
from mmbench.errors import UsageError
from mmbench.experiments import sweep
from mmbench.experiments import minheap_runs, sweep_output
from mmbench.experiments import minheap as minheap_search
from mmbench.runfolder import RunFolder, write_json_atomic

# Options whose value is the sweep's own (the other run options are `run`'s).
OWN_OPTIONS = ("workloads", "strategies")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="time-space curves: every collector at multiples of its minimum heap",
        description="Run every collector at multiples of its minimum heap per workload "
                    "(minheap.json: --minheap, else found first), Go at a range of GOGC "
                    "values, and the manual strategies uncapped, as one interleaved run "
                    "(the protocol of `mmbench run`). The folder is a run folder plus "
                    "sweep.json/.csv/.md and plots/sweep_*.png.")
    p.add_argument("--collectors", metavar="X,Y",
                   help="collector strategies (default: those of "
                        f'{",".join(sweep.DEFAULT_COLLECTORS)} that are built)')
    p.add_argument("--workloads", metavar="A,B",
                   help=f'workloads (default: {",".join(sweep.DEFAULT_WORKLOADS)})')
    p.add_argument("--references", metavar="X,Y",
                   help="manual strategies, run uncapped (default: those of "
                        f'{",".join(sweep.DEFAULT_REFERENCES)} that are built)')
    p.add_argument("--multiples", default=sweep.DEFAULT_MULTIPLES, metavar="M,N",
                   help="heaps in multiples of the minimum heap (default "
                        f"{sweep.DEFAULT_MULTIPLES})")
    p.add_argument("--gogc", default=sweep.DEFAULT_GOGC, metavar="P,Q",
                   help="Go's series: GOGC values; 'none' for none (default "
                        f"{sweep.DEFAULT_GOGC})")
    p.add_argument("--minheap", metavar="PATH", action="append",
                   help="minheap.json to take the minimum heaps from (default: found by "
                        "`mmbench minheap`'s search into OUT/minheap/ first); repeatable: "
                        "a later file's row replaces an earlier one's for the same workload "
                        "and collector (a search made with other settings, such as "
                        "jvm-epsilon's at the sweep's run length)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the points, the process count and a rough duration (from "
                        "--minheap's process times), and run nothing")
    p.add_argument("--resume", metavar="DIR",
                   help="complete an interrupted sweep folder (its points as planned), then "
                        "write its sweep.json again")
    runner.add_run_options(p, leave_out=OWN_OPTIONS)
    p.set_defaults(func=sweep_command)


def _names(text, valid, kind, default, notes) -> list[str]:
    names = runner.parse_names(text, valid, kind)
    if names is not None:
        return names
    notes += [f"{n}: not built; left out" for n in default if n not in valid]
    return [n for n in default if n in valid]


def choose(args, catalog: workers.Catalog) -> dict:
    """What to sweep, from the arguments; UsageError for bad input."""
    if args.suite not in (None, "workloads"):
        raise UsageError("--suite: the sweep runs the workloads suite only")
    strategies, notes = list(catalog.strategies), []
    choice = {
        "workloads": _names(args.workloads, list(catalog.workloads), "workload",
                            sweep.DEFAULT_WORKLOADS, notes),
        "collectors": _names(args.collectors, strategies, "strategy", sweep.DEFAULT_COLLECTORS,
                             notes),
        "references": _names(args.references, strategies, "strategy", sweep.DEFAULT_REFERENCES,
                             notes),
        "notes": notes,
    }
    for what in ("multiples", "gogc"):
        try:
            choice[what] = getattr(sweep, f"parse_{what}")(getattr(args, what))
        except ValueError as e:
            raise UsageError(f"--{what}: {e}") from e
    for key in ("workloads", "collectors"):
        if not choice[key]:
            raise UsageError(f"no {key} to sweep (none of the defaults is built)")
    both = set(choice["collectors"]) & set(choice["references"])
    if both:
        raise UsageError(f'{", ".join(sorted(both))}: both a collector and a reference')
    return choice


def _read_minheaps(paths: list[str]) -> dict:
    """The first file's contents with the rows of every file, a later row replacing an
    earlier one for the same (workload, strategy); "sources" names the files."""
    docs = [_read_minheap(p) for p in paths]
    rows = {}
    for doc in docs:
        rows.update({(r.get("workload"), r.get("strategy")): r for r in doc["rows"]})
    if len(docs) == 1:
        return docs[0]
    return dict(docs[0], rows=list(rows.values()), sources=[
        {"path": p, **{k: d.get(k) for k in minheap_runs.KEY}} for p, d in zip(paths, docs)])


def _read_minheap(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise UsageError(f"--minheap {path}: cannot read it ({e})") from e
    if not isinstance(doc, dict) or doc.get("experiment") != "minheap" or \
            not isinstance(doc.get("rows"), list):
        raise UsageError(f"--minheap {path}: not a minheap.json (no experiment 'minheap' "
                         "with rows)")
    return doc


def _search_options(args) -> dict:
    """The options of the minimum-heap search's processes (those of the run)."""
    d = runner.DEFAULTS
    return {"size": args.size or d["size"], "threads": args.threads or d["threads"],
            "seed": d["seed"] if args.seed is None else args.seed,
            "timeout_s": args.timeout, "sample_ms": args.sample_ms,
            "min_time": d["min_time"] if args.min_time is None else args.min_time,
            "worker_args": {}, "worker_env": {}}


def _find_minheap(args, catalog, choice, root) -> dict:
    print(f"sweep: no --minheap; finding the minimum heaps into {root / 'minheap'}", flush=True)
    return minheap_search.load_or_find(root / "minheap", catalog, _search_options(args),
                                       choice["workloads"], choice["collectors"])


def _session_args(args, points, footprints) -> argparse.Namespace:
    """The arguments of the run that holds every point."""
    every = points + footprints
    run_args = argparse.Namespace(**vars(args))
    run_args.workloads = ",".join(dict.fromkeys(p.workload for p in every))
    run_args.strategies = ",".join(dict.fromkeys(p.label for p in every))
    run_args.configured = sweep.configured_strategies(every)
    run_args.worker_arg, run_args.worker_env, run_args.preload = [], [], []
    run_args.resume = None
    return run_args


def _announce(plan: dict, opts: dict, points, notes, minheap) -> None:
    for note in notes:
        print(f"sweep: note: {note}")
    runs = len(plan["pairs"]) * opts["reps"]
    seconds, unknown = sweep.estimate_seconds(points, minheap, opts["reps"])
    took = f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"
    rough = (f", roughly {took} of worker time ({unknown} of {len(points)} points without "
             "a measured time counted at the median)" if seconds else "")
    workloads = len({p.workload for p in points})
    more = (f' (more, up to {opts["max_reps"]}, while the {opts["budget"]:g} s budget lasts)'
            if opts["max_reps"] > opts["reps"] else "")
    print(f'sweep: {len(points)} points in {workloads} workloads, with the footprints '
          f'{runs} worker processes in {opts["reps"]} rounds{more}{rough}', flush=True)


def sweep_command(args) -> int:
    if args.resume is not None:
        return _resume(args)
    catalog = workers.load_catalog(args.build_dir)
    choice = choose(args, catalog)
    if args.out is not None and not args.out.strip():
        raise UsageError("--out is empty; name a folder, or leave --out out for the default")
    # Bad input is refused before the folder is made: the plan where the minimum
    # heaps are given, else the run's options and the search's module.
    prepared = None
    if args.minheap:
        prepared = _prepare(args, catalog, choice, _read_minheaps(args.minheap))
        if args.dry_run:
            for p in prepared["points"] + prepared["footprints"]:
                settings = " ".join(list(p.args) + [f"{k}={v}" for k, v in p.env])
                print(f"{p.workload}/{p.label}: {settings or '(as built)'}")
            _announce(prepared["plan"], prepared["opts"], prepared["points"],
                      prepared["notes"], prepared["minheap"])
            return 0
    elif args.dry_run:
        raise UsageError("--dry-run needs --minheap (the points are multiples of its heaps)")
    else:
        probe = _session_args(args, [], [])
        probe.workloads = ",".join(choice["workloads"])
        probe.strategies = ",".join(choice["collectors"])
        runner.resolve_options(probe, catalog, None)
    root = runner.new_run_folder(args.repo_root, args.out)
    lock = runner.lock_folder(root)
    try:
        if prepared is None:
            prepared = _prepare(args, catalog, choice, _find_minheap(args, catalog, choice, root))
        return _sweep(args, catalog, prepared, root)
    finally:
        os.close(lock)


def _prepare(args, catalog, choice, minheap) -> dict:
    """The points, the run's arguments, options and plan; UsageError where nothing
    is left to run."""
    points, notes = sweep.plan_points(catalog, choice["workloads"], choice["collectors"],
                                      choice["references"], choice["multiples"],
                                      choice["gogc"], minheap, minheap_search.knob_for,
                                      sweep.machine_heap_limit())
    notes = choice["notes"] + notes
    if not any(p.series != "manual" for p in points):
        raise UsageError("no collector point to run: " + "; ".join(notes))
    footprints = sweep.footprint_points(catalog, points)
    run_args = _session_args(args, points, footprints)
    opts = runner.resolve_options(run_args, catalog, None)
    settings = {"size": opts["size"], "seed": opts["seed"], "reps": opts["reps"],
                "multiples": choice["multiples"], "gogc": choice["gogc"],
                "collectors": choice["collectors"], "references": choice["references"],
                "workloads": choice["workloads"], "notes": notes}
    return {"points": points, "footprints": footprints, "notes": notes, "minheap": minheap,
            "run_args": run_args, "opts": opts, "plan": runner.make_plan(opts, catalog),
            "settings": settings}


def _sweep(args, catalog, prepared, root) -> int:
    run_args, opts, plan = prepared["run_args"], prepared["opts"], prepared["plan"]
    opts["out"] = str(root)
    minheap = prepared["minheap"]
    _announce(plan, opts, prepared["points"], prepared["notes"], minheap)
    manifest = runner.build_manifest(run_args, opts, plan, catalog, None)
    # What sweep.json is made of, for --resume: the points as planned.
    manifest.update(experiment="sweep", sweep={
        "settings": prepared["settings"],
        "points": [dataclasses.asdict(p) for p in prepared["points"]],
        "footprints": [dataclasses.asdict(p) for p in prepared["footprints"]],
        "minheap": dict(minheap, rows=[{k: v for k, v in r.items() if k != "probes"}
                                       for r in minheap.get("rows") or []])})
    folder = RunFolder(root)
    folder.make_dirs()
    write_json_atomic(folder.manifest, manifest, allow_nan=False)
    session = runner.Session(run_args, catalog, folder, opts, plan, manifest, None)
    return _finish(session)


def _finish(session) -> int:
    """Run the session, then write sweep.json/.csv/.md and the figures."""
    state = session.run()
    rows = session.write_summary()
    meta, root = session.manifest["sweep"], session.folder.root
    result = sweep.build_result(
        rows, [sweep.point_from_json(p) for p in meta["points"]],
        [sweep.point_from_json(p) for p in meta["footprints"]], meta["minheap"],
        dict(meta["settings"], reps=session.opts["reps"], state=state))
    rc = sweep_output.write(root, result)
    if state == "interrupted":
        print(f"interrupted: complete it with  mmbench sweep --resume {root}", file=sys.stderr)
        return 130
    # A heap too small to finish in (oom, or thrashing past the timeout) is a data point.
    failed = [p for p in result["points"] if p["status"] not in ("ok", "oom", "timeout")]
    return max(rc, 1 if failed else 0)


def _resume(args) -> int:
    """--resume DIR: the run's open_session completes the folder's plan (the
    configured strategies come back from its manifest); sweep.json follows."""
    given = [f"--{k}" for k in ("collectors", "workloads", "references", "minheap")
             if getattr(args, k) is not None]
    given += [f"--{k}" for k in ("multiples", "gogc")
              if getattr(args, k) != getattr(sweep, f"DEFAULT_{k.upper()}")]
    if given:
        raise UsageError(f'{", ".join(given)}: a resumed sweep runs the points it planned')
    run_args = argparse.Namespace(**vars(args))
    run_args.workloads = run_args.strategies = None
    run_args.worker_arg, run_args.worker_env, run_args.preload = [], [], []
    with runner.open_session(run_args) as session:
        if "sweep" not in session.manifest:
            raise UsageError(f"cannot resume {args.resume} as a sweep: its manifest has no "
                             "sweep points (a run folder? complete it with `mmbench run "
                             "--resume`)")
        return _finish(session)
