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
import datetime
import fcntl
import math
import os
import pathlib
import random
import re
import signal
import statistics
import sys
import threading
import time
from typing import Dict, List, Optional

from mmbench import execute, machine, noise, runfolder, summary, workers
from mmbench import memory_instruments
from mmbench import shard  # cluster: --shard K/N (shard.py)
from mmbench.errors import UsageError
from mmbench.runfolder import RunFolder, read_json, write_json_atomic, write_text_atomic

SIZES = ("quick", "default", "large")
DEFAULTS = {"reps": 5, "size": "default", "threads": 1, "seed": 42, "min_time": 0.2,
            "max_reps": 8, "target_cv": 0.02, "max_reruns": 2, "budget": 420.0}
# Options that define what is measured: a resumed run must not change them.
FIXED_ON_RESUME = ("size", "threads", "seed", "min_time")
MAX_THREADS = 4096          # the worker's own limit
MAX_SEED = 2**64 - 1        # the worker's seed is a uint64
MAX_TIMEOUT_S = 7 * 86400   # far beyond any run, well within threading.TIMEOUT_MAX
MAX_PRELOAD_NAME = 64       # the name becomes part of file names


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
                        "(default: the core set %s, those that are built, plus any "
                        "--preload; `mmbench list` marks them)"
                        % ", ".join(workers.CORE_STRATEGIES))
    p.add_argument("--preload", action="append", default=[], metavar="NAME=PATH",
                   help="also run the allocator in shared library PATH as strategy NAME: the "
                        "glibc worker's glibc strategy with LD_PRELOAD=PATH, refusing to run "
                        "(allocator_mismatch) unless PATH really serves malloc; repeatable "
                        "(e.g. tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4)")
    p.add_argument("--reps", type=int, metavar="N",
                   help="rounds: repetitions of every pair, one process each, in a fresh "
                        "random order per round (default %d)" % DEFAULTS["reps"])
    p.add_argument("--max-reps", type=int, metavar="N",
                   help="further rounds, up to N in all, for a workload whose cells vary by "
                        "more than --target-cv (default %d; with --reps alone: = --reps, "
                        "exactly that many rounds)"
                        % DEFAULTS["max_reps"])
    p.add_argument("--target-cv", type=float, metavar="F",
                   help="coefficient of variation of a cell's time over its repetitions "
                        "above which its workload gets another round (default %g)"
                        % DEFAULTS["target_cv"])
    p.add_argument("--min-time", type=float, metavar="S",
                   help="seconds of steady-state iterations per process after the first, "
                        "timed one; 0: one iteration (default %g)" % DEFAULTS["min_time"])
    p.add_argument("--drain", action="store_true",
                   help="after the last pass, keep each worker alive ~1.3 s and record its "
                        "RSS at the start of that drain phase, after 100 ms and 1 s, and after "
                        "the strategy's own release call (malloc_trim, mi_collect, jemalloc "
                        "purge, GC_gcollect_and_unmap): memory given back (off by default: it "
                        "costs ~1.3 s per run)")
    p.add_argument("--max-reruns", type=int, metavar="N",
                   help="re-run a repetition disturbed by steal, pressure or migrations at "
                        "most N times (default %d)" % DEFAULTS["max_reruns"])
    p.add_argument("--budget", type=float, metavar="S",
                   help="start no further round (beyond --reps) once the run has taken S "
                        "seconds (default %g: the default suite then ends within 10 minutes "
                        "on a 2-core machine, report included)" % DEFAULTS["budget"])
    p.add_argument("--order-seed", type=int, metavar="N",
                   help="seed of the random order within rounds (default: drawn and recorded)")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin the worker to CPUs apart from the runner's")
    p.add_argument("--size", metavar="SIZE",
                   help="work size: %s (default %s)" % (" | ".join(SIZES), DEFAULTS["size"]))
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


# ---------------------------------------------------------------- options


def _plural(kind: str) -> str:
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def _names(text: Optional[str], valid: List[str], kind: str) -> Optional[List[str]]:
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
    if opts["size"] not in SIZES:
        raise UsageError("unknown size '%s'; valid sizes: %s" % (opts["size"], ", ".join(SIZES)))
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
        opts["workloads"] = (_names(args.workloads, all_workloads, "workload")
                             or prev.get("workloads") or all_workloads)
        opts["strategies"] = (_names(args.strategies, all_strategies, "strategy")
                              or prev.get("strategies") or catalog.default_strategies)
        # A preload given on the command line is run even when --strategies leaves it out.
        opts["strategies"] = opts["strategies"] + [n for n in given_preloads
                                                   if n not in opts["strategies"]]
        # A resumed run may name workloads/strategies a newer build no longer has.
        _names(",".join(opts["workloads"]), all_workloads, "workload")
        _names(",".join(opts["strategies"]), all_strategies, "strategy")
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


def _describe_error(e: BaseException) -> str:
    """One line for an exception: an OSError as 'strerror: filename', else 'Type: text'."""
    if isinstance(e, OSError) and e.strerror:
        return "%s: %s" % (e.strerror, e.filename) if e.filename else e.strerror
    return "%s: %s" % (type(e).__name__, e)


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat(
        timespec="milliseconds")


def _new_folder(repo_root: pathlib.Path, out: Optional[str]) -> pathlib.Path:
    return runfolder.new_folder(repo_root, out, "run",
                                "{folder} exists and is not an empty folder; use --resume "
                                "{folder} to complete it, or choose another --out")


# ---------------------------------------------------------------- manifest


def build_manifest(args, opts, plan, catalog, previous: Optional[dict]) -> dict:
    describes = {}
    for family, worker in catalog.workers.items():
        try:
            describes[family] = workers.describe(worker)
        except UsageError as e:
            describes[family] = {"error": str(e)}
    gc_version = next((w.gc_version for w in catalog.workers.values() if w.gc_version), None)
    session = {"argv": args.argv, "started": _utc_now(), "finished": None, "pid": os.getpid()}
    manifest = dict(previous or {})
    manifest.update({
        "mmbench_run_format": 1,
        "argv": (previous or {}).get("argv", args.argv),
        "options": opts,
        "plan": plan,
        "started": (previous or {}).get("started", session["started"]),
        "finished": None,
        "state": "running",
        "sessions": (previous or {}).get("sessions", []) + [session],
        "build_dir": str(catalog.build_dir),
        "git": machine.git_info(args.repo_root),
        "machine": machine.machine_info(),
        "compiler": machine.compiler_info(catalog.build_dir),
        "versions": machine.library_versions(describes, gc_version),
        # Each worker's --describe output (allocator, per-strategy "config", gc_version).
        "workers": {family: dict(describes.get(family, {}), path=str(w.path), strategies=[
            s for s, f in catalog.strategies.items() if f == family and s not in
            catalog.preloads], identity=describes.get(family, {}).get("allocator", w.identity))
            for family, w in catalog.workers.items()},
        "preloads": _describe_preloads(catalog),
        "environment": machine.tuning_environment(),
        "memory_instruments": memory_instruments.describe(opts["sample_ms"]),
    })
    return manifest


def _describe_preloads(catalog: workers.Catalog) -> dict:
    """name -> {path, hosted_by, worker, and the host's --describe under the preload:
    allocator identity and config}; an "error" instead when the preload does not
    take effect (its runs will say allocator_mismatch)."""
    out = {}
    for name, path in catalog.preloads.items():
        worker = catalog.worker_for(name)
        entry = {"path": path, "hosted_by": catalog.hosted_strategy(name),
                 "worker": str(worker.path)}
        try:
            d = workers.describe_preload(worker, path)
            entry["allocator"] = d.get("allocator")
            entry["config"] = (d.get("config") or {}).get(catalog.hosted_strategy(name))
        except UsageError as e:
            entry["error"] = str(e)
        out[name] = entry
    return out


# ---------------------------------------------------------------- one process


def _scoped_values(scoped: Dict[str, list], strategy: str) -> list:
    return list(scoped.get("*", [])) + list(scoped.get(strategy, []))


def _status(result: execute.ProcessResult) -> str:
    if result.spawn_error:
        return "error"
    if result.timed_out:
        return "timeout"
    if result.signal is not None:
        return "crash"
    if result.exit_code == execute.EXIT_ALLOCATOR_MISMATCH:
        return "allocator_mismatch"
    if result.exit_code == execute.EXIT_OOM:
        return "oom"
    if result.exit_code == execute.EXIT_UNSUPPORTED:
        return "unsupported"
    if result.exit_code != execute.EXIT_OK:
        return "error"
    return "ok"


# A sanitizer's report in a worker's log: the run failed, whatever its exit code (a
# non-fatal UBSan report exits 0).
_SANITIZER_REPORT = re.compile(
    r"^==\d+==ERROR: \w*Sanitizer|^SUMMARY: \w*Sanitizer|runtime error: |"
    r"^WARNING: \w*Sanitizer", re.MULTILINE)


def sanitizer_report(*paths) -> Optional[str]:
    """The first line of a sanitizer report in these log files, or None."""
    for path in paths:
        try:
            with open(path, "rb") as f:
                text = f.read(64 << 20).decode("utf-8", "replace")
        except OSError:
            continue
        m = _SANITIZER_REPORT.search(text)
        if m:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.start())
            return text[start:end if end >= 0 else len(text)].strip()[:300]
    return None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.basename(a) == os.path.basename(b)


def cpu_plan(pin: bool) -> dict:
    """Which CPUs the runner keeps and which a worker gets. With two or more CPUs
    the runner (and its RSS sampler) keeps the first; a single-threaded worker
    gets the others. A multithreaded workload is pinned only where the others
    are enough for its threads (else it runs on all, as recorded)."""
    cpus = sorted(os.sched_getaffinity(0))
    if not pin or len(cpus) < 2:
        return {"runner": None, "worker": None, "all": cpus}
    return {"runner": cpus[:1], "worker": cpus[1:], "all": cpus}


def worker_cpus(cpus: dict, entry: dict, threads: int) -> Optional[list]:
    if cpus.get("worker") is None:
        return None
    needed = 2 * threads if entry.get("multithreaded") else 1
    return cpus["worker"] if len(cpus["worker"]) >= needed else None


def run_one(folder: RunFolder, catalog: workers.Catalog, opts: dict, workload: str,
            strategy: str, rep: int, on_spawn=None, announce=None, cpus=None,
            attempts=None, speed_reference=None) -> dict:
    """Run one worker process, write its files, return its record (run.json).
    announce(cmd, extra_env), if given, is called just before the spawn. cpus: the
    worker's CPUs (None: any). attempts: records of earlier, disturbed attempts of
    this repetition, kept in this one's record."""
    worker = catalog.worker_for(strategy)
    detail = folder.raw(workload, strategy, rep, "detail")
    gbench = folder.raw(workload, strategy, rep, "gbench")
    # The worker writes to hidden names; they become the real ones only when valid.
    detail_part = detail.with_name("." + detail.name + ".part")
    gbench_part = gbench.with_name("." + gbench.name + ".part")
    # The worker writes each through its own "<name>.tmp" first.
    leftovers = [p for part in (detail_part, gbench_part)
                 for p in (part, part.with_name(part.name + ".tmp"))]
    for stale in leftovers:
        stale.unlink(missing_ok=True)
    extra_args = _scoped_values(opts.get("worker_args", {}), strategy)
    extra_env = dict(v.split("=", 1) for v in _scoped_values(opts.get("worker_env", {}),
                                                              strategy))
    preload = catalog.preloads.get(strategy)
    strategy_args = ["--strategy", strategy]
    if preload:
        # The host strategy, told to write results under this name and to refuse
        # to run unless the preloaded library really serves malloc (exit 3).
        strategy_args = ["--strategy", catalog.hosted_strategy(strategy), "--label", strategy,
                         "--expect-malloc", preload]
        extra_env["LD_PRELOAD"] = preload
    cmd = [str(worker.path), "--workload", workload] + strategy_args + [
        "--size", opts["size"], "--threads", str(opts["threads"]), "--seed", str(opts["seed"]),
        "--detail-out", str(detail_part), "--benchmark_out=%s" % gbench_part,
        "--benchmark_out_format=json"] + (
        ["--min-time", "%g" % opts["min_time"]] if opts.get("min_time") else []) + (
        ["--drain"] if opts.get("drain") else []) + extra_args
    env = dict(os.environ, **extra_env)
    if announce:
        announce(cmd, extra_env)
    before = noise.Snapshot()
    result = execute.run_process(
        cmd, str(folder.log(workload, strategy, rep, "stdout")),
        str(folder.log(workload, strategy, rep, "stderr")),
        timeout_s=opts["timeout_s"], sample_period_s=opts["sample_ms"] / 1000.0, env=env,
        on_spawn=on_spawn, cpus=cpus)
    run_noise = before.delta(noise.Snapshot(), result.wall_s)
    status = _status(result)
    problem = None
    if result.spawn_error:
        problem = "could not start the worker: %s" % result.spawn_error
    elif status == "timeout":
        problem = "killed after the %g s timeout" % opts["timeout_s"]
    elif status == "crash":
        problem = "killed by signal %d (%s)" % (result.signal, signal.Signals(result.signal).name)
    elif status != "ok":
        # The worker's own last words say why (e.g. which allocator it found instead).
        last = [l for l in result.stderr_tail.splitlines() if l.strip()]
        problem = "worker exited with code %d%s" % (result.exit_code,
                                                    ": " + last[-1].strip() if last else "")
    report = sanitizer_report(folder.log(workload, strategy, rep, "stderr"),
                              folder.log(workload, strategy, rep, "stdout"))
    if report and status in ("ok", "error"):
        status, problem = "sanitizer", "sanitizer report in the worker's log: %s" % report
    detail_json = None
    if status == "ok":
        try:
            detail_json = read_json(detail_part)
            read_json(gbench_part)
            if detail_json.get("workload") != workload or detail_json.get("strategy") != strategy:
                raise ValueError("detail is for %s/%s" % (detail_json.get("workload"),
                                                          detail_json.get("strategy")))
            for key in ("checksum", "units", "wall_ns", "latency"):
                if key not in detail_json:
                    raise ValueError("detail has no '%s'" % key)
        except (OSError, ValueError) as e:
            status, problem = "error", "missing or unparseable worker output: %s" % e
    if status == "ok" and preload:
        malloc_from = (detail_json.get("allocator") or {}).get("malloc_from") or ""
        if not _same_file(malloc_from, preload):
            status = "allocator_mismatch"
            problem = "malloc is served by %s, not the preloaded %s" % (malloc_from or "?",
                                                                        preload)
    elif status == "ok" and "LD_PRELOAD" not in extra_env:
        family = (detail_json.get("allocator") or {}).get("family")
        if family != worker.family:
            status = "allocator_mismatch"
            problem = "worker %s reports malloc family %s" % (worker.path.name, family)
    if detail_json is not None:
        sched = detail_json.get("sched") or {}
        run_noise["migrations"] = sched.get("se.nr_migrations")
        run_noise["involuntary_switches"] = (detail_json.get("process") or {}).get(
            "involuntary_switches")
        probes = detail_json.get("speed_probe_ns") or []
        run_noise["speed_probe_ns"] = probes
        if probes and speed_reference:
            # The slower of the probes before and after the passes, against the
            # median probe of this run folder so far.
            run_noise["speed_probe_ratio"] = max(probes) / speed_reference
    disturbed = noise.disturbance(run_noise, pinned=cpus is not None) if status == "ok" else []
    digests = None
    if status == "ok":
        os.replace(detail_part, detail)
        os.replace(gbench_part, gbench)
        # Recorded in run.json, written after them: a reader (summary, --resume)
        # believes only files that still match.
        digests = {"detail": runfolder.file_sha256(detail),
                   "gbench": runfolder.file_sha256(gbench)}
    else:
        for part in leftovers:
            part.unlink(missing_ok=True)
    # Header only when the process ended before the first sample could be taken.
    write_text_atomic(folder.rss(workload, strategy, rep),
                      "t_s,rss_kib\n" + "".join("%.6f,%d\n" % s for s in result.samples))
    record = {
        "workload": workload, "strategy": strategy, "rep": rep, "size": opts["size"],
        "threads": opts["threads"], "seed": opts["seed"], "cmd": cmd, "worker": str(worker.path),
        "family": worker.family, "hosted_by": catalog.hosted_strategy(strategy) if preload
        else None, "preload": preload, "extra_env": extra_env, "pid": result.pid,
        "status": status,
        "problem": problem, "exit_code": result.exit_code, "signal": result.signal,
        "wall_s": result.wall_s, "user_s": result.user_s, "sys_s": result.sys_s,
        "peak_rss_kib": result.peak_rss_kib,
        "sampled_peak_rss_kib": result.sampled_peak_rss_kib,
        "rss_samples": len(result.samples), "sample_ms": opts["sample_ms"],
        "figure_wall_s": detail_json["wall_ns"] / 1e9 if detail_json and status == "ok"
        else None,
        "cpus": sorted(cpus) if cpus else None, "noise": run_noise, "disturbed": disturbed,
        "attempts": list(attempts or []), "digests": digests,
        "stderr_tail": result.stderr_tail,
        "started": _iso(result.started), "finished": _iso(result.finished),
    }
    write_json_atomic(folder.raw(workload, strategy, rep, "run"), record)
    return record


# ---------------------------------------------------------------- progress


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "%d:%02d:%02d" % (h, m, s) if h else "%d:%02d" % (m, s)


class Progress:
    """One updating line on a terminal; one plain line per finished run otherwise."""

    def __init__(self, total: int, stream=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.total = total
        self.done = 0
        self.executed = 0
        self.exec_time = 0.0
        self.t0 = time.monotonic()
        self.current = None
        self.current_t0 = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        if self.tty:
            threading.Thread(target=self._tick, daemon=True).start()

    def _eta(self, remaining: int) -> str:
        if not self.executed:
            return "?"
        return _clock(self.exec_time / self.executed * remaining)

    def _line(self) -> str:
        elapsed = time.monotonic() - self.t0
        cur = ""
        if self.current:
            cur = " %s/%s r%d (%s)" % (self.current + (_clock(time.monotonic() -
                                                              self.current_t0),))
        return "[%d/%d]%s  elapsed %s  ETA %s" % (self.done, self.total, cur, _clock(elapsed),
                                                  self._eta(self.total - self.done))

    def _draw(self):
        self.stream.write("\r\033[K" + self._line())
        self.stream.flush()

    def _tick(self):
        while not self.stop.wait(1.0):
            with self.lock:
                if self.current:
                    self._draw()

    def start(self, workload, strategy, rep):
        with self.lock:
            self.current = (workload, strategy, rep)
            self.current_t0 = time.monotonic()
            if self.tty:
                self._draw()

    def skipped(self, n: int = 1):
        with self.lock:
            self.done += n

    def deferred(self, record: dict):
        """A disturbed attempt, to be run again at the end of its round."""
        with self.lock:
            self.exec_time += time.monotonic() - self.current_t0
            self.current = None
            text = "%s/%s r%d: disturbed (%s); again at the end of the round" % (
                record["workload"], record["strategy"], record["rep"],
                "; ".join(record["disturbed"]))
            if self.tty:
                self.stream.write("\r\033[K" + text + "\n")
                self._draw()
            else:
                self.stream.write("      %s\n" % text)
                self.stream.flush()

    def finished(self, record: dict):
        with self.lock:
            self.done += 1
            self.executed += 1
            self.exec_time += time.monotonic() - self.current_t0
            self.current = None
            text = "%s/%s r%d: %s" % (record["workload"], record["strategy"], record["rep"],
                                      record["status"])
            if record["status"] == "ok":
                text += "  %.2f s  peak RSS %s" % (record["wall_s"],
                                                   summary.format_kib(record["peak_rss_kib"]))
            elif record.get("problem"):
                text += "  (%s)" % record["problem"]
            if self.tty:
                if record["status"] != "ok":
                    self.stream.write("\r\033[K" + text + "\n")
                self._draw()
            else:
                self.stream.write("[%d/%d] %s\n" % (self.done, self.total, text))
                self.stream.flush()

    def close(self):
        self.stop.set()
        with self.lock:
            if self.tty:
                self.stream.write("\r\033[K")
                self.stream.flush()


# ---------------------------------------------------------------- the command


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def call_report(run_dir: pathlib.Path) -> int:
    """Call mmbench.commands.report.generate(run_dir) when another engineer has written it."""
    try:
        from mmbench.commands import report as report_module  # type: ignore
    except ModuleNotFoundError as e:
        if e.name == "mmbench.commands.report":
            return 0
        print("mmbench run: error: the report module could not be loaded: %s" % e,
              file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001
        print("mmbench run: error: the report module could not be loaded: %s: %s"
              % (type(e).__name__, e), file=sys.stderr)
        return 1
    generate = getattr(report_module, "generate", None)
    if generate is None:
        return 0
    try:
        result = generate(run_dir, quiet=False)
        if getattr(result, "ok", True) is False:
            return 1  # the report named what it could not use
    except Exception as e:  # noqa: BLE001 - the run is on disk whatever the report does
        print("mmbench run: error: the report failed (%s: %s); the run itself is complete in %s"
              % (type(e).__name__, e, run_dir), file=sys.stderr)
        return 1
    return 0


LOCK_NAME = ".lock"


def lock_folder(folder_path: pathlib.Path) -> int:
    """Take the run folder's lock (an flock on DIR/.lock, held until this process
    exits, however it exits); UsageError when another run holds it."""
    fd = os.open(folder_path / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                 runfolder.FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise UsageError("%s is in use by another mmbench run%s; wait for it to end or stop "
                         "it, then --resume" % (folder_path, " (pid %s)" % holder
                                                 if holder else "")) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, ("%d\n" % os.getpid()).encode(), 0)
    return fd


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


def validate_manifest(m, folder_path: pathlib.Path) -> dict:
    """A resumed run's manifest checked against format 1 (docs/run-folder.md): what
    does not fit is refused (UsageError), never filled in with defaults."""
    def bad(why):
        return UsageError("cannot resume %s: manifest.json %s; it was not written by this "
                          "mmbench (format 1), or was edited" % (folder_path, why))
    if not isinstance(m, dict):
        raise bad("is not a JSON object")
    if m.get("mmbench_run_format") != 1:
        raise bad("has format %r, not 1" % (m.get("mmbench_run_format"),))
    o, plan = m.get("options"), m.get("plan")
    if not isinstance(o, dict) or not isinstance(plan, dict):
        raise bad("has no options or plan")
    checks = {
        "size": lambda v: v in SIZES,
        "reps": lambda v: _is_int(v) and v >= 1,
        "max_reps": lambda v: _is_int(v) and v >= 1,
        "threads": lambda v: _is_int(v) and 1 <= v <= MAX_THREADS,
        "seed": lambda v: _is_int(v) and 0 <= v <= MAX_SEED,
        "min_time": lambda v: _is_number(v) and 0 <= v <= 3600,
        "workloads": lambda v: isinstance(v, list) and v and all(isinstance(x, str) for x in v),
        "strategies": lambda v: isinstance(v, list) and v and all(isinstance(x, str)
                                                                 for x in v),
        "preloads": lambda v: isinstance(v, dict) and all(
            isinstance(k, str) and isinstance(x, str) for k, x in v.items()),
    }
    for key, ok in checks.items():
        if key not in o or not ok(o[key]):
            raise bad("has an invalid options.%s (%r)" % (key, o.get(key)))
    for key in ("target_cv", "budget"):
        if key in o and not (_is_number(o[key]) and o[key] >= 0):
            raise bad("has an invalid options.%s (%r)" % (key, o[key]))
    if "order_seed" in o and not (_is_int(o["order_seed"]) and o["order_seed"] >= 0):
        raise bad("has an invalid options.order_seed (%r)" % (o["order_seed"],))
    rbw = plan.get("reps_by_workload", {})
    if not isinstance(rbw, dict) or not all(
            isinstance(k, str) and _is_int(v) and 1 <= v <= max(o["max_reps"], o["reps"])
            for k, v in rbw.items()):
        raise bad("has an invalid plan.reps_by_workload")
    if plan.get("size", o["size"]) != o["size"]:
        raise bad("plans size %r but its options say %r" % (plan.get("size"), o["size"]))
    if not isinstance(m.get("sessions", []), list):
        raise bad("has invalid sessions")
    return m


def _manifest_trusted(folder_path: pathlib.Path) -> bool:
    """Whether the manifest may choose libraries to LD_PRELOAD: only one this user
    owns, in a folder this user owns, that nobody else may write."""
    try:
        for p in (folder_path, folder_path / "manifest.json"):
            st = os.stat(p)
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def run_command(args) -> int:
    locks: List[int] = []
    try:
        return _run_command(args, locks)
    finally:
        for fd in locks:
            os.close(fd)


def _run_command(args, locks: List[int]) -> int:
    if args.out is not None and not args.out.strip():
        raise UsageError("--out is empty; name a folder, or leave --out out for the default")
    catalog = workers.load_catalog(args.build_dir)
    previous = None
    if args.resume is not None:
        if not args.resume.strip():
            raise UsageError("--resume is empty; name the run folder to complete")
        folder_path = pathlib.Path(args.resume).resolve()
        if args.out and pathlib.Path(args.out).resolve() != folder_path:
            raise UsageError("--out and --resume name different folders")
        if not (folder_path / "manifest.json").is_file():
            raise UsageError("cannot resume %s: not a run folder (no manifest.json)"
                             % folder_path)
        locks.append(lock_folder(folder_path))  # before reading what a live run may rewrite
        try:
            previous = read_json(folder_path / "manifest.json")
        except (OSError, ValueError) as e:
            raise UsageError("cannot resume %s: no readable manifest.json (%s)"
                             % (folder_path, e)) from e
        previous = validate_manifest(previous, folder_path)
        if previous.get("state") == "running":
            # Nobody holds the lock, yet the manifest says running: its runner was
            # killed before it could record its end.
            last = (previous.get("sessions") or [{}])[-1]
            stale = "the previous session (started %s%s) ended without recording its end " \
                    "(killed?); its manifest still said 'running'" % (
                        last.get("started") or "?",
                        ", pid %s" % last["pid"] if last.get("pid") else "")
            print("mmbench run: note: %s" % stale, file=sys.stderr)
            last.update(state="abandoned", problem=stale)
    opts = resolve_options(args, catalog, previous,
                           trusted=previous is None or _manifest_trusted(folder_path))
    plan = make_plan(opts, catalog)
    # cluster (shard.py): narrow opts and plan to this shard's workloads
    shard_entry = shard.apply(getattr(args, "shard", None), opts, plan, catalog,
                              args.repo_root, previous)
    unhosted = ["%s/%s" % (w, s) for w in opts["workloads"] for s in opts["strategies"]
                if (w, s) not in catalog.entries]
    if unhosted:
        print("mmbench run: note: no worker hosts %s; skipped" % ", ".join(unhosted),
              file=sys.stderr)
    if not plan["pairs"]:
        raise UsageError("no worker hosts any of the chosen (workload, strategy) pairs")
    if previous is None:
        folder_path = _new_folder(args.repo_root, args.out)
        locks.append(lock_folder(folder_path))
    opts["out"] = str(folder_path)
    args.run_folder = str(folder_path)  # for callers such as `mmbench stability`
    folder = RunFolder(folder_path)
    folder.make_dirs()
    manifest = build_manifest(args, opts, plan, catalog, previous)
    if shard_entry:  # cluster (shard.py)
        manifest["shard"] = shard_entry
    write_json_atomic(folder.manifest, manifest, allow_nan=False)

    if previous is not None:  # rounds a resumed run had already added
        plan["reps_by_workload"].update(
            (previous.get("plan") or {}).get("reps_by_workload") or {})
    cpus = cpu_plan(opts["pin"])
    manifest["cpus"] = cpus
    manifest["machine_state"] = noise.machine_state()
    if cpus["runner"]:
        os.sched_setaffinity(0, cpus["runner"])  # this thread and the threads it starts
    order = random.Random(opts["order_seed"])

    def round_of(r: int, workloads: List[str]) -> list:
        pairs = [(w, s) for w, s in plan["pairs"] if w in workloads]
        order.shuffle(pairs)
        return [(w, s, r) for w, s in pairs]

    runs = [run for r in range(1, opts["reps"] + 1) for run in round_of(r, opts["workloads"])]
    # Further rounds already decided by an earlier session of a resumed run.
    for w, n in plan["reps_by_workload"].items():
        runs += [run for r in range(opts["reps"] + 1, n + 1) for run in round_of(r, [w])]

    def announce(cmd, extra_env):
        if args.verbose and not sys.stdout.isatty():
            env_text = " ".join("%s=%s" % kv for kv in extra_env.items())
            print("$ %s%s" % (env_text + " " if env_text else "", " ".join(cmd)), flush=True)

    progress = Progress(len(runs))
    skipped = executed = 0
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    old_hup = signal.signal(signal.SIGHUP, _raise_interrupt)  # a closed terminal
    state = "complete"
    gbench_context = None
    figures: Dict[tuple, Dict[int, float]] = {}  # (w, s) -> rep -> figure wall s

    def execute_run(w, s, r):
        nonlocal skipped, executed, gbench_context
        attempts = []
        if previous is not None:
            rec = folder.load_record(w, s, r)
            integrity = folder.integrity(w, s, r, rec) if rec and rec.get(
                "status") == "ok" else None
            if integrity == "ok":
                skipped += 1
                progress.skipped()
                if rec.get("figure_wall_s"):
                    figures.setdefault((w, s), {})[r] = rec["figure_wall_s"]
                return
            if rec:
                # Run again, keeping what the earlier session's attempt saw (a crash,
                # a result that no longer matches its digest, ...).
                earlier = {k: rec.get(k) for k in ("started", "status", "problem", "exit_code",
                                                   "signal", "wall_s", "figure_wall_s",
                                                   "noise", "disturbed")}
                if integrity in ("corrupt", "missing"):
                    earlier.update(status=integrity, problem="its result files %s" % (
                        "no longer match the digests in run.json" if integrity == "corrupt"
                        else "are missing"))
                attempts = list(rec.get("attempts") or []) + [earlier]
        attempt(w, s, r, attempts, len(attempts))

    def attempt(w, s, r, attempts, reruns0):
        nonlocal executed, gbench_context
        progress.start(w, s, r)
        reference = statistics.median(probes) if len(probes) >= 6 else None
        record = run_one(folder, catalog, opts, w, s, r, announce=announce,
                         cpus=worker_cpus(cpus, catalog.entries[(w, s)], opts["threads"]),
                         attempts=attempts, speed_reference=reference)
        if record["status"] == "ok" and not record["disturbed"]:
            probes.extend((record.get("noise") or {}).get("speed_probe_ns") or [])
        if record["disturbed"] and len(attempts) - reruns0 < opts["max_reruns"]:
            # Disturbed: run it again at the end of this round, when whatever
            # disturbed it (a busy host lasts a minute or more) may have passed,
            # keeping what this attempt saw.
            attempts = attempts + [{k: record[k] for k in (
                "started", "status", "wall_s", "figure_wall_s", "noise", "disturbed")}]
            deferred.append((w, s, r, attempts, reruns0))
            progress.deferred(record)
            return
        executed += 1
        progress.finished(record)
        if record["status"] == "ok" and record.get("figure_wall_s"):
            figures.setdefault((w, s), {})[r] = record["figure_wall_s"]
        if gbench_context is None and record["status"] == "ok":
            try:
                gbench_context = read_json(folder.raw(w, s, r, "gbench")).get("context")
            except (OSError, ValueError):
                pass

    probes: List[int] = []  # speed probes of the undisturbed runs so far
    deferred: list = []      # disturbed runs to try again at the end of their round

    def flush_deferred():
        while deferred:
            pending = list(deferred)
            deferred.clear()
            for item in pending:
                attempt(*item)

    try:
        current_round = None
        for w, s, r in runs:
            if r != current_round:
                flush_deferred()
                current_round = r
            execute_run(w, s, r)
        flush_deferred()
        # Adaptive repetitions: another round for every workload with a cell
        # that still varies by more than the target, until max_reps.
        while time.monotonic() - progress.t0 < opts["budget"]:
            wanting = [w for w in opts["workloads"]
                       if plan["reps_by_workload"][w] < opts["max_reps"] and any(
                           summary.cv(list(figures.get((w, s), {}).values())) > opts["target_cv"]
                           for w2, s in plan["pairs"] if w2 == w
                           and len(figures.get((w, s), {})) >= 2)]
            if not wanting:
                break
            for w in wanting:
                plan["reps_by_workload"][w] += 1
            # a resume knows the new rounds
            write_json_atomic(folder.manifest, manifest, allow_nan=False)
            extra = []
            for w in wanting:
                extra += round_of(plan["reps_by_workload"][w], [w])
            order.shuffle(extra)
            progress.total += len(extra)
            for w, s, r in extra:
                execute_run(w, s, r)
            flush_deferred()
    except KeyboardInterrupt:
        state = "interrupted"
    except BaseException as e:
        # Anything unexpected (a full disk, a bug): the manifest says the run failed
        # and why, never "complete"; --resume completes it.
        state = "failed"
        manifest["error"] = _describe_error(e)
        raise
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGHUP, old_hup)
        if gbench_context:
            manifest["versions"]["google_benchmark_build_type"] = gbench_context.get(
                "library_build_type")
            if not manifest["versions"].get("google_benchmark"):
                manifest["versions"]["google_benchmark"] = gbench_context.get("library_version")
        manifest["finished"] = _utc_now()
        manifest["state"] = state
        if state != "failed":
            manifest.pop("error", None)
        manifest["sessions"][-1].update(finished=manifest["finished"], executed=executed,
                                        skipped=skipped, state=state)
        try:
            write_json_atomic(folder.manifest, manifest, allow_nan=False)
        except OSError as e:
            if state != "failed":
                raise
            # Already failing (e.g. the disk is full): the original error is the one to
            # report; the manifest left saying "running" is detected by --resume.
            print("mmbench run: note: could not record the failure in %s: %s"
                  % (folder.manifest, _describe_error(e)), file=sys.stderr)

    summary.write_hgrms(folder, plan)
    rows = summary.write_summary(folder, plan, manifest)
    manifest["noise_summary"] = summary.noise_summary(folder, plan)
    write_json_atomic(folder.manifest, manifest)
    print(summary.markdown_table(rows), end="")
    for line in summary.warnings(rows):
        print(line)
    if skipped:
        print("(%d finished run(s) kept from before, %d run now)" % (skipped, executed))
    if state == "interrupted":
        print("interrupted: complete it with  mmbench run --resume %s" % folder_path)
    print("run folder: %s" % folder_path)
    sys.stdout.flush()
    # A combination a strategy refuses (unsupported) is a fact about it, not a failure.
    rc = 0 if all(r["status"] in ("ok", "unsupported") for r in rows) else 1
    if state == "interrupted":
        return 130
    if not args.no_report:
        rc = max(rc, call_report(folder_path))
    return rc
