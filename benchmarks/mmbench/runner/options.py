"""A run's options and plan: explicit arguments, else a resumed run's, else defaults
(the options themselves are declared in runner.option_table)."""

from __future__ import annotations

import os
import random

from mmbench import workers
from mmbench.errors import UsageError
from mmbench.runner.option_table import (DEFAULTS, FIXED, FIXED_ON_RESUME, MAX_SEED, MAX_THREADS,
                                         ONCE, RUN_OPTIONS, SIZES, RunOption, add_run_options,
                                         problem)

MAX_PRELOAD_NAME = 64       # the name becomes part of file names
# A plan of more worker processes than this is refused before it is drawn up.
# Each process leaves six files in the run folder and takes at least the
# worker's start-up and the host probe's readings, so a million already means
# millions of files and many hours; a plan beyond it is a mistyped number, and
# drawing it up (every run, in order) would take minutes and gigabytes.
MAX_PLANNED_RUNS = 1_000_000
# Resolved by their own rules below, not by the table's.
_OWN_RULES = ("workloads", "strategies", "out")

__all__ = ["DEFAULTS", "FIXED_ON_RESUME", "MAX_PLANNED_RUNS", "MAX_SEED", "MAX_THREADS", "SIZES",
           "add_run_options", "make_plan", "parse_names", "parse_preloads", "resolve_options"]


def _plural(kind: str) -> str:
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


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
    preloads, given_preloads = _resolve_preloads(args, catalog, previous, prev, trusted)
    configured = _resolve_configured(args, catalog, prev, trusted)
    opts = {o.key: _resolve(o, args, previous, prev) for o in RUN_OPTIONS
            if o.key not in _OWN_RULES}
    opts.update(_resolve_names(args, catalog, prev, given_preloads))
    if previous is not None:
        _check_nothing_dropped(opts, prev)
    elif getattr(args, "reps", None) is not None and getattr(args, "max_reps", None) is None:
        opts["max_reps"] = opts["reps"]  # --reps N alone: exactly N rounds
    if opts["order_seed"] is None:
        opts["order_seed"] = random.SystemRandom().randrange(2**32)
    opts["preloads"] = preloads
    if configured:
        opts["configured"] = configured
    # Test-only extras apply to this invocation only (a resume reruns without them).
    strategies = list(catalog.strategies)
    opts["worker_args"] = _scoped(args.worker_arg, strategies, "--worker-arg", False)
    opts["worker_env"] = _scoped(args.worker_env, strategies, "--worker-env", True)
    opts["max_reps"] = max(opts["max_reps"], opts["reps"])  # below --reps: no further rounds
    for o in RUN_OPTIONS:
        if o.key in opts and (why := problem(o, opts[o.key])):
            raise UsageError(why)
    return opts


def _given(o: RunOption, args):
    """The option's value on this command line, None when not given."""
    value = getattr(args, o.dest, None)
    if o.type is None:  # a flag without a value
        return o.given if value else None
    return value


def _resolve(o: RunOption, args, previous: dict | None, prev: dict):
    given = _given(o, args)
    if o.resume == ONCE:
        return o.default if given is None else given
    if given is None:
        return prev.get(o.key, o.default)
    if previous is not None and o.resume == FIXED and given != prev.get(o.key):
        raise UsageError(f"{o.option} {given} differs from the resumed run's {prev.get(o.key)}: "
                         "results would not be comparable; start a new run instead")
    return given


def _resolve_preloads(args, catalog: workers.Catalog, previous: dict | None, prev: dict,
                      trusted: bool) -> tuple[dict, dict]:
    """The run's preloads (the resumed run's and --preload's) and those given now;
    each becomes a strategy of `catalog`."""
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
    return preloads, given_preloads


def _resolve_configured(args, catalog: workers.Catalog, prev: dict, trusted: bool) -> dict:
    """The run's configured strategies (workers.Catalog.add_configured): those the
    command made (an experiment's points, args.configured), else a resumed run's;
    each becomes a strategy of `catalog`."""
    configured = getattr(args, "configured", None) or prev.get("configured") or {}
    if not isinstance(configured, dict):
        raise UsageError(f"configured strategies: malformed ({configured!r})")
    if configured and not trusted and not getattr(args, "configured", None):
        raise UsageError("the resumed run configures strategies with worker arguments and "
                         "environment, named by a manifest.json that this user does not own "
                         "or that others may write: refusing to run them")
    for label, spec in configured.items():
        catalog.add_configured(label, spec)
    return configured


def _resolve_names(args, catalog: workers.Catalog, prev: dict, given_preloads: dict) -> dict:
    """The run's workloads and strategies: given, else the resumed run's, else all
    workloads and the default strategies; every one must be hosted."""
    all_workloads = list(catalog.workloads)
    all_strategies = list(catalog.strategies)
    try:
        workloads = (parse_names(args.workloads, all_workloads, "workload")
                     or prev.get("workloads") or all_workloads)
        strategies = (parse_names(args.strategies, all_strategies, "strategy")
                      or prev.get("strategies") or catalog.default_strategies)
        # A preload given on the command line is run even when --strategies leaves it out.
        strategies = strategies + [n for n in given_preloads if n not in strategies]
        # A resumed run may name workloads/strategies a newer build no longer has.
        parse_names(",".join(workloads), all_workloads, "workload")
        parse_names(",".join(strategies), all_strategies, "strategy")
    except UsageError as e:
        hosts = ", ".join(w.path.name for w in catalog.workers.values())
        raise UsageError(f"{e}\n(these are what the workers in {catalog.build_dir} host: "
                         f"{hosts}; a missing one may need building)") from e
    return {"workloads": workloads, "strategies": strategies}


def _check_nothing_dropped(opts: dict, prev: dict) -> None:
    """A resume completes the run's plan; it never drops what the plan holds (the
    summary would silently lose finished results)."""
    for key in ("workloads", "strategies"):
        left_out = [n for n in prev.get(key) or [] if n not in opts[key]]
        if left_out:
            raise UsageError(f'--{key} leaves out {", ".join(left_out)} of the resumed run: '
                             "its results would be dropped; a resume completes the whole "
                             f"run (start a new run for fewer {key})")
    if opts["reps"] < prev.get("reps", 1):
        raise UsageError(f'--reps {opts["reps"]} is below the resumed run\'s '
                         f'{prev.get("reps", 1)}: its results would be dropped; a resume '
                         "completes the whole run")


def make_plan(opts: dict, catalog: workers.Catalog) -> dict:
    """The plan: the hosted (workload, strategy) pairs and their rounds; UsageError
    for one of more than MAX_PLANNED_RUNS processes."""
    pairs = [[w, s] for w in opts["workloads"] for s in opts["strategies"]
             if (w, s) in catalog.entries]
    runs = len(pairs) * opts["reps"]
    if runs > MAX_PLANNED_RUNS:
        raise UsageError(f'--reps {opts["reps"]} plans {runs} worker processes ({len(pairs)} '
                         f'pairs x {opts["reps"]} rounds), more than a run can hold (at most '
                         f"{MAX_PLANNED_RUNS}); choose fewer rounds")
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
