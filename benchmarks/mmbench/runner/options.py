"""A run's options and plan: explicit arguments, else a resumed run's, else defaults."""

from __future__ import annotations

import argparse
import math
import os
import random

from mmbench import workers
from mmbench.contract import SIZES, check_size
from mmbench.errors import UsageError

DEFAULTS = {"reps": 3, "size": "default", "threads": 1, "seed": 42, "min_time": 0.2,
            "max_reps": 16, "target_cv": 0.02, "target_se": 0.02, "max_reruns": 2,
            "budget": 420.0, "max_wait": 30.0, "rerun_budget": 45.0}
# Options that define what is measured: a resumed run must not change them.
FIXED_ON_RESUME = ("size", "threads", "seed", "min_time")
MAX_THREADS = 4096          # the worker's own limit
MAX_SEED = 2**64 - 1        # the worker's seed is a uint64
MAX_TIMEOUT_S = 7 * 86400   # far beyond any run, well within threading.TIMEOUT_MAX
MAX_PRELOAD_NAME = 64       # the name becomes part of file names

__all__ = ["DEFAULTS", "FIXED_ON_RESUME", "MAX_SEED", "MAX_THREADS", "SIZES", "add_run_options",
           "make_plan", "parse_names", "parse_preloads", "resolve_options"]


def _plural(kind: str) -> str:
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options that say what a run measures and where it goes, as `mmbench
    run` and `mmbench stability` take them."""
    p.add_argument("--workloads", metavar="A,B",
                   help="comma-separated workloads (default: all that are built)")
    p.add_argument("--strategies", metavar="X,Y",
                   help="comma-separated strategies, or 'all' for every built one "
                        f'(default: the core set {", ".join(workers.CORE_STRATEGIES)}, those '
                        'that are built, plus any '
                        "--preload; `mmbench list` marks them)")
    p.add_argument("--reps", type=int, metavar="N",
                   help="rounds: repetitions of every pair, one process each, in a fresh "
                        f'random order per round (default {DEFAULTS["reps"]})')
    p.add_argument("--max-reps", type=int, metavar="N",
                   help="further rounds, up to N in all, for a workload whose ratios or cells "
                        "vary by more than --target-se or --target-cv, while --budget lasts "
                        f'(default {DEFAULTS["max_reps"]}; with --reps alone: = --reps, '
                        "exactly that many rounds)")
    p.add_argument("--target-cv", type=float, metavar="F",
                   help="coefficient of variation of a cell's time over its repetitions "
                        'above which its workload gets another round '
                        f'(default {DEFAULTS["target_cv"]:g})')
    p.add_argument("--target-se", type=float, metavar="F",
                   help="standard error of a workload's per-round throughput ratios to glibc "
                        "(of their logs: ~ a fraction) above which it gets another round; each "
                        "pass gives one to every workload short of its targets "
                        f'(default {DEFAULTS["target_se"]:g})')
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
    p.add_argument("--max-wait", type=float, metavar="S",
                   help="while the host probe reads the machine slower than usual, wait "
                        "before starting a worker, at most S seconds over the whole run "
                        f'(default {DEFAULTS["max_wait"]:g}; 0: never wait)')
    p.add_argument("--rerun-budget", type=float, metavar="S",
                   help="spend at most S seconds on re-runs of disturbed repetitions over the "
                        f'whole run (default {DEFAULTS["rerun_budget"]:g}); past it a disturbed '
                        "repetition stays as it is, marked")
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
    p.add_argument("--sample-ms", type=float, default=10.0, metavar="MS",
                   help="RSS sampling period in ms (default 10)")


def parse_names(text: str | None, valid: list[str], kind: str) -> list[str] | None:
    """Comma-separated names checked against `valid` (None when text is None);
    'all' alone stands for every valid name."""
    if text is None:
        return None
    kinds = _plural(kind)
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"--{kinds} is empty; valid {kinds}: {', '.join(valid)}")
    if names == ["all"] and "all" not in valid:
        return list(valid)
    unknown = [n for n in names if n not in valid]
    if unknown:
        named = ", ".join(f"'{u}'" for u in unknown)
        raise UsageError(f"unknown {kinds if len(unknown) > 1 else kind} {named}; "
                         f"valid {kinds}: {', '.join(valid)}")
    return list(dict.fromkeys(names))  # no duplicates, order kept


def _scoped(values: list[str], strategies: list[str], what: str, is_env: bool) -> dict[str, list]:
    """'strategy:VALUE' or 'VALUE' (all strategies) -> {strategy or '*': [VALUE, ...]}."""
    scoped: dict[str, list] = {}
    for v in values:
        strategy, value = "*", v
        head, sep, tail = v.partition(":")
        if sep and not head.startswith("-") and "=" not in head:
            strategy, value = head, tail
            if strategy not in strategies:
                raise UsageError(f"{what}: unknown strategy '{strategy}'; valid strategies: "
                                 f"{', '.join(strategies)}")
        if is_env and "=" not in value:
            raise UsageError(f"{what} wants NAME=VALUE, got '{value}'")
        scoped.setdefault(strategy, []).append(value)
    return scoped


def _validate_numbers(opts: dict) -> None:
    if opts["reps"] < 1:
        raise UsageError(f'--reps must be >= 1 (got {opts["reps"]})')
    if opts["max_reps"] < opts["reps"]:
        opts["max_reps"] = opts["reps"]  # no further rounds
    if not math.isfinite(opts["min_time"]) or not 0 <= opts["min_time"] <= 3600:
        raise UsageError("--min-time must be between 0 and 3600 seconds "
                         f'(got {opts["min_time"]:g})')
    for key in ("target_cv", "target_se"):
        if not math.isfinite(opts[key]) or opts[key] <= 0:
            raise UsageError(f'--{key.replace("_", "-")} must be > 0 (got {opts[key]:g})')
    for key in ("budget", "max_wait", "rerun_budget"):
        if not math.isfinite(opts[key]) or opts[key] < 0:
            raise UsageError(f'--{key.replace("_", "-")} must be a finite number of seconds '
                             f'>= 0 (got {opts[key]:g})')
    if opts["max_reruns"] < 0:
        raise UsageError(f'--max-reruns must be >= 0 (got {opts["max_reruns"]})')
    check_size(opts["size"])
    if not 1 <= opts["threads"] <= MAX_THREADS:
        raise UsageError(f'--threads must be between 1 and {MAX_THREADS} (got {opts["threads"]})')
    if not 0 <= opts["seed"] <= MAX_SEED:
        raise UsageError(f'--seed must be between 0 and 2^64-1 (got {opts["seed"]})')
    # Non-finite numbers are refused: inf/nan would mean no limit or break the
    # timer, and the manifest must stay valid JSON.
    if not math.isfinite(opts["timeout_s"]) or not 0 <= opts["timeout_s"] <= MAX_TIMEOUT_S:
        raise UsageError("--timeout must be a finite number of seconds between 0 (no limit) "
                         f'and {MAX_TIMEOUT_S} (got {opts["timeout_s"]})')
    if not math.isfinite(opts["sample_ms"]) or not 0 < opts["sample_ms"] <= 60000:
        raise UsageError("--sample-ms must be a finite number of milliseconds above 0 and at "
                         f'most 60000 (got {opts["sample_ms"]})')


def parse_preloads(values: list[str]) -> dict[str, str]:
    """['NAME=PATH', ...] -> {NAME: absolute PATH}; PATH must exist."""
    preloads: dict[str, str] = {}
    for v in values:
        name, sep, path = v.partition("=")
        name, path = name.strip(), path.strip()
        if not sep or not name or not path:
            raise UsageError(f"--preload wants NAME=PATH, got '{v}'")
        if len(name) > MAX_PRELOAD_NAME:
            raise UsageError(f"--preload: a name may be at most {MAX_PRELOAD_NAME} characters "
                             f"long (got {len(name)})")
        if not all(c.isascii() and (c.isalnum() or c in "_-+") for c in name):
            raise UsageError(f"--preload {name}: a name may hold letters, digits, '_', '-', '+' "
                             "only (it becomes part of file names)")
        if not os.path.isfile(path):
            raise UsageError(f"--preload {name}: no such file: {path}")
        path = os.path.abspath(path)
        if preloads.get(name, path) != path:
            raise UsageError(f"--preload {name} given twice ({preloads[name]} and {path})")
        preloads[name] = path
    return preloads


def resolve_options(args, catalog: workers.Catalog, previous: dict | None,
                    trusted: bool = True) -> dict:
    """The run's options: explicit arguments, else the resumed run's, else defaults.
    Adds the run's preloaded allocators to `catalog` as strategies. trusted: whether
    the resumed run's manifest may name libraries to preload without --preload."""
    prev = (previous or {}).get("options", {})
    # A resumed run's preloads pass the same checks as --preload.
    preloads = parse_preloads([f"{n}={p}" for n, p in (prev.get("preloads") or {}).items()])
    given_preloads = parse_preloads(getattr(args, "preload", None) or [])
    if not trusted:
        unconfirmed = [f"{n}={p}" for n, p in preloads.items()
                       if given_preloads.get(n) != p]
        if unconfirmed:
            raise UsageError(f'the resumed run preloads {", ".join(unconfirmed)}, named by a '
                             "manifest.json that this user does not own or that others may "
                             f'write: give --preload {" --preload ".join(unconfirmed)} '
                             "to confirm running that library")
    for name, path in given_preloads.items():
        if previous is not None and preloads.get(name, path) != path:
            raise UsageError(f"--preload {name}={path} differs from the resumed run's "
                             f"{preloads[name]}: results would not be comparable; start a new "
                             "run instead")
        preloads[name] = path
    for name, path in preloads.items():
        if not os.path.isfile(path):
            raise UsageError(f"--preload {name}: no such file: {path}")
        catalog.add_preload(name, path)
    all_workloads = list(catalog.workloads)
    all_strategies = list(catalog.strategies)
    opts = {}
    for key in ("reps", "size", "threads", "seed", "min_time", "max_reps", "target_cv",
                "target_se", "max_reruns", "budget", "max_wait", "rerun_budget"):
        given = getattr(args, key, None)
        if previous is not None and given is not None and key in FIXED_ON_RESUME and \
                given != prev.get(key):
            raise UsageError(f"--{key} {given} differs from the resumed run's {prev.get(key)}: "
                             "results would not be comparable; start a new run instead")
        opts[key] = given if given is not None else prev.get(key, DEFAULTS[key])
    try:
        opts["workloads"] = (parse_names(args.workloads, all_workloads, "workload")
                             or prev.get("workloads") or all_workloads)
        opts["strategies"] = (parse_names(args.strategies, all_strategies, "strategy")
                              or prev.get("strategies") or catalog.default_strategies)
        # A preload given on the command line is run even when --strategies leaves it out.
        opts["strategies"] = opts["strategies"] + [n for n in given_preloads
                                                   if n not in opts["strategies"]]
        # A resumed run may name workloads/strategies a newer build no longer has.
        parse_names(",".join(opts["workloads"]), all_workloads, "workload")
        parse_names(",".join(opts["strategies"]), all_strategies, "strategy")
    except UsageError as e:
        hosts = ", ".join(w.path.name for w in catalog.workers.values())
        raise UsageError(f"{e}\n(these are what the workers in {catalog.build_dir} host: "
                         f"{hosts}; a missing one may need building)") from e
    if previous is not None:
        # A resume completes the run's plan; it never drops what the plan holds (the
        # summary would silently lose finished results).
        for key, kinds in (("workloads", "workloads"), ("strategies", "strategies")):
            left_out = [n for n in prev.get(key) or [] if n not in opts[key]]
            if left_out:
                raise UsageError(f'--{key} leaves out {", ".join(left_out)} of the resumed run: '
                                 "its results would be dropped; a resume completes the whole "
                                 f"run (start a new run for fewer {kinds})")
        if opts["reps"] < prev.get("reps", 1):
            raise UsageError(f'--reps {opts["reps"]} is below the resumed run\'s '
                             f'{prev.get("reps", 1)}: its results would be dropped; a resume '
                             "completes the whole run")
    if getattr(args, "reps", None) is not None and getattr(args, "max_reps", None) is None \
            and previous is None:
        opts["max_reps"] = opts["reps"]  # --reps N alone: exactly N rounds
    opts["preloads"] = preloads
    opts["order_seed"] = (args.order_seed if getattr(args, "order_seed", None) is not None
                          else prev.get("order_seed", random.SystemRandom().randrange(2**32)))
    opts["pin"] = not getattr(args, "no_pin", False) if previous is None or getattr(
        args, "no_pin", False) else prev.get("pin", True)
    opts["timeout_s"] = args.timeout
    opts["sample_ms"] = args.sample_ms
    opts["drain"] = bool(getattr(args, "drain", False) or prev.get("drain", False))
    # Test-only extras apply to this invocation only (a resume reruns without them).
    opts["worker_args"] = _scoped(args.worker_arg, all_strategies, "--worker-arg", False)
    opts["worker_env"] = _scoped(args.worker_env, all_strategies, "--worker-env", True)
    _validate_numbers(opts)
    return opts


def make_plan(opts: dict, catalog: workers.Catalog) -> dict:
    pairs = [[w, s] for w in opts["workloads"] for s in opts["strategies"]
             if (w, s) in catalog.entries]
    return {
        "workloads": opts["workloads"],
        "strategies": opts["strategies"],
        "reps": opts["reps"],
        # Rounds run per workload: reps, or more where the workload needed more.
        "reps_by_workload": {w: opts["reps"] for w in opts["workloads"]},
        "size": opts["size"],
        "min_time_s": opts["min_time"],
        "drain": bool(opts.get("drain")),
        "order_seed": opts["order_seed"],
        "pairs": pairs,
        "units": {w: catalog.workloads[w].get("unit") for w in opts["workloads"]},
        "headline": {w: catalog.workloads[w].get("headline", "throughput")
                     for w in opts["workloads"]},
        "deliberate_leak": {f"{w}/{s}": bool(catalog.entries[(w, s)].get("deliberate_leak"))
                            for w, s in pairs},
    }
