"""A run's options and plan: explicit arguments, else a resumed run's, else defaults."""

from __future__ import annotations

import math
import os
import random
from typing import Dict, List, Optional

from mmbench import workers
from mmbench.contract import SIZES, check_size
from mmbench.errors import UsageError

DEFAULTS = {"reps": 5, "size": "default", "threads": 1, "seed": 42, "min_time": 0.2,
            "max_reps": 8, "target_cv": 0.02, "max_reruns": 2, "budget": 420.0}
# Options that define what is measured: a resumed run must not change them.
FIXED_ON_RESUME = ("size", "threads", "seed", "min_time")
MAX_THREADS = 4096          # the worker's own limit
MAX_SEED = 2**64 - 1        # the worker's seed is a uint64
MAX_TIMEOUT_S = 7 * 86400   # far beyond any run, well within threading.TIMEOUT_MAX
MAX_PRELOAD_NAME = 64       # the name becomes part of file names

__all__ = ["DEFAULTS", "FIXED_ON_RESUME", "MAX_SEED", "MAX_THREADS", "SIZES", "make_plan",
           "parse_names", "parse_preloads", "resolve_options"]


def _plural(kind: str) -> str:
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def parse_names(text: Optional[str], valid: List[str], kind: str) -> Optional[List[str]]:
    """Comma-separated names checked against `valid` (None when text is None);
    'all' alone stands for every valid name."""
    if text is None:
        return None
    kinds = _plural(kind)
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError("--%s is empty; valid %s: %s" % (kinds, kinds, ", ".join(valid)))
    if names == ["all"] and "all" not in valid:
        return list(valid)
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise UsageError("unknown %s %s; valid %s: %s" % (
            kinds if len(unknown) > 1 else kind, ", ".join("'%s'" % u for u in unknown),
            kinds, ", ".join(valid)))
    return list(dict.fromkeys(names))  # no duplicates, order kept


def _scoped(values: List[str], strategies: List[str], what: str, is_env: bool) -> Dict[str, list]:
    """'strategy:VALUE' or 'VALUE' (all strategies) -> {strategy or '*': [VALUE, ...]}."""
    scoped: Dict[str, list] = {}
    for v in values:
        strategy, value = "*", v
        head, sep, tail = v.partition(":")
        if sep and not head.startswith("-") and "=" not in head:
            strategy, value = head, tail
            if strategy not in strategies:
                raise UsageError("%s: unknown strategy '%s'; valid strategies: %s"
                                 % (what, strategy, ", ".join(strategies)))
        if is_env and "=" not in value:
            raise UsageError("%s wants NAME=VALUE, got '%s'" % (what, value))
        scoped.setdefault(strategy, []).append(value)
    return scoped


def _validate_numbers(opts: dict) -> None:
    if opts["reps"] < 1:
        raise UsageError("--reps must be >= 1 (got %d)" % opts["reps"])
    if opts["max_reps"] < opts["reps"]:
        opts["max_reps"] = opts["reps"]  # no further rounds
    if not math.isfinite(opts["min_time"]) or not 0 <= opts["min_time"] <= 3600:
        raise UsageError("--min-time must be between 0 and 3600 seconds (got %g)"
                         % opts["min_time"])
    if not math.isfinite(opts["target_cv"]) or opts["target_cv"] <= 0:
        raise UsageError("--target-cv must be > 0 (got %g)" % opts["target_cv"])
    if not math.isfinite(opts["budget"]) or opts["budget"] < 0:
        raise UsageError("--budget must be a finite number of seconds >= 0 (got %g)"
                         % opts["budget"])
    if opts["max_reruns"] < 0:
        raise UsageError("--max-reruns must be >= 0 (got %d)" % opts["max_reruns"])
    check_size(opts["size"])
    if not 1 <= opts["threads"] <= MAX_THREADS:
        raise UsageError("--threads must be between 1 and %d (got %d)"
                         % (MAX_THREADS, opts["threads"]))
    if not 0 <= opts["seed"] <= MAX_SEED:
        raise UsageError("--seed must be between 0 and 2^64-1 (got %d)" % opts["seed"])
    # Non-finite numbers are refused: inf/nan would mean no limit or break the
    # timer, and the manifest must stay valid JSON.
    if not math.isfinite(opts["timeout_s"]) or not 0 <= opts["timeout_s"] <= MAX_TIMEOUT_S:
        raise UsageError("--timeout must be a finite number of seconds between 0 (no limit) "
                         "and %d (got %s)" % (MAX_TIMEOUT_S, opts["timeout_s"]))
    if not math.isfinite(opts["sample_ms"]) or not 0 < opts["sample_ms"] <= 60000:
        raise UsageError("--sample-ms must be a finite number of milliseconds above 0 and at "
                         "most 60000 (got %s)" % opts["sample_ms"])


def parse_preloads(values: List[str]) -> Dict[str, str]:
    """['NAME=PATH', ...] -> {NAME: absolute PATH}; PATH must exist."""
    preloads: Dict[str, str] = {}
    for v in values:
        name, sep, path = v.partition("=")
        name, path = name.strip(), path.strip()
        if not sep or not name or not path:
            raise UsageError("--preload wants NAME=PATH, got '%s'" % v)
        if len(name) > MAX_PRELOAD_NAME:
            raise UsageError("--preload: a name may be at most %d characters long (got %d)"
                             % (MAX_PRELOAD_NAME, len(name)))
        if not all(c.isascii() and (c.isalnum() or c in "_-+") for c in name):
            raise UsageError("--preload %s: a name may hold letters, digits, '_', '-', '+' "
                             "only (it becomes part of file names)" % name)
        if not os.path.isfile(path):
            raise UsageError("--preload %s: no such file: %s" % (name, path))
        path = os.path.abspath(path)
        if preloads.get(name, path) != path:
            raise UsageError("--preload %s given twice (%s and %s)" % (name, preloads[name], path))
        preloads[name] = path
    return preloads


def resolve_options(args, catalog: workers.Catalog, previous: Optional[dict],
                    trusted: bool = True) -> dict:
    """The run's options: explicit arguments, else the resumed run's, else defaults.
    Adds the run's preloaded allocators to `catalog` as strategies. trusted: whether
    the resumed run's manifest may name libraries to preload without --preload."""
    prev = (previous or {}).get("options", {})
    # A resumed run's preloads pass the same checks as --preload.
    preloads = parse_preloads(["%s=%s" % kv for kv in (prev.get("preloads") or {}).items()])
    given_preloads = parse_preloads(getattr(args, "preload", None) or [])
    if not trusted:
        unconfirmed = ["%s=%s" % (n, p) for n, p in preloads.items()
                       if given_preloads.get(n) != p]
        if unconfirmed:
            raise UsageError("the resumed run preloads %s, named by a manifest.json that this "
                             "user does not own or that others may write: give --preload %s "
                             "to confirm running that library" % (
                                 ", ".join(unconfirmed), " --preload ".join(unconfirmed)))
    for name, path in given_preloads.items():
        if previous is not None and preloads.get(name, path) != path:
            raise UsageError("--preload %s=%s differs from the resumed run's %s: results would "
                             "not be comparable; start a new run instead"
                             % (name, path, preloads[name]))
        preloads[name] = path
    for name, path in preloads.items():
        if not os.path.isfile(path):
            raise UsageError("--preload %s: no such file: %s" % (name, path))
        catalog.add_preload(name, path)
    all_workloads = list(catalog.workloads)
    all_strategies = list(catalog.strategies)
    opts = {}
    for key in ("reps", "size", "threads", "seed", "min_time", "max_reps", "target_cv",
                "max_reruns", "budget"):
        given = getattr(args, key, None)
        if previous is not None and given is not None and key in FIXED_ON_RESUME and \
                given != prev.get(key):
            raise UsageError("--%s %s differs from the resumed run's %s: results would not be "
                             "comparable; start a new run instead" % (key, given, prev.get(key)))
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
        raise UsageError("%s\n(these are what the workers in %s host: %s; a missing one may "
                         "need building)" % (e, catalog.build_dir, ", ".join(
                             w.path.name for w in catalog.workers.values()))) from e
    if previous is not None:
        # A resume completes the run's plan; it never drops what the plan holds (the
        # summary would silently lose finished results).
        for key, kinds in (("workloads", "workloads"), ("strategies", "strategies")):
            left_out = [n for n in prev.get(key) or [] if n not in opts[key]]
            if left_out:
                raise UsageError("--%s leaves out %s of the resumed run: its results would be "
                                 "dropped; a resume completes the whole run (start a new run "
                                 "for fewer %s)" % (key, ", ".join(left_out), kinds))
        if opts["reps"] < prev.get("reps", 1):
            raise UsageError("--reps %d is below the resumed run's %d: its results would be "
                             "dropped; a resume completes the whole run"
                             % (opts["reps"], prev.get("reps", 1)))
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
        "deliberate_leak": {"%s/%s" % (w, s): bool(catalog.entries[(w, s)].get("deliberate_leak"))
                            for w, s in pairs},
    }
