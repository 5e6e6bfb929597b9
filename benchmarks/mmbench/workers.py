"""The worker binaries: where they are and what each one hosts.

What a build holds is not listed here: every worker binary
(build/mmbench-worker-*) is asked with --list, and a strategy is run by the
worker that lists it. A new workload or strategy only has to be built; the
one list here, CORE_STRATEGIES, is which of them a run takes by default.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import subprocess

from mmbench.errors import UsageError

WORKER_PREFIX = "mmbench-worker-"
QUERY_TIMEOUT_S = 60
# What `mmbench run` runs without --strategies (those of them that are built):
# one of each kind. The variants (boehm-free, boehm-incremental, pmr-*, ...)
# run with --strategies all or by name.
# tcmalloc is built for the programs suite only (its worker hosts it).
CORE_STRATEGIES = ("glibc", "mimalloc", "jemalloc", "tcmalloc", "arena", "shared_ptr", "boehm",
                   "jvm-g1", "jvm-zgc", "go")
# The language runtime a worker family runs in: lower-bound overheads compare
# strategies within one runtime only (a cross-runtime ratio includes the
# language and its compiler, not only memory management).
RUNTIME_OF_FAMILY = {"jvm": "jvm", "go": "go", "programs": "programs"}
CPP_RUNTIME = "c++"
# The worker and strategy that host a preloaded allocator (malloc/free of
# whatever serves them, i.e. the LD_PRELOADed library).
PRELOAD_HOST_STRATEGY = "glibc"


# Suites: the folder below the build folder whose workers a run asks.
SUITES = {"workloads": ".", "programs": "programs"}


def suite_dir(build_dir, suite: str | None) -> pathlib.Path:
    """The folder of a suite's workers (the build folder itself for the workloads)."""
    return pathlib.Path(build_dir) / SUITES[suite or "workloads"]


def runtime_of(family: str | None) -> str:
    """The runtime of a worker family: jvm, go, programs, else c++."""
    return RUNTIME_OF_FAMILY.get(family or "", CPP_RUNTIME)


# Runtimes with a collector and compiler of their own: their workers run on
# every CPU (runner.process.worker_cpus) and run --managed-min-time.
MANAGED_RUNTIMES = ("jvm", "go")


def is_managed(family: str | None) -> bool:
    return runtime_of(family) in MANAGED_RUNTIMES


def steady_min_time(opts: dict, entry: dict) -> float:
    """Seconds of steady-state passes a worker is asked for: --min-time, raised to
    --managed-min-time for a managed runtime (0 stays 0: one iteration)."""
    min_time = opts.get("min_time") or 0
    if min_time and is_managed(entry.get("family")):
        return max(min_time, opts.get("managed_min_time") or 0)
    return min_time


@dataclasses.dataclass
class Worker:
    family: str                 # glibc | mimalloc | jemalloc | ...
    path: pathlib.Path
    listing: dict               # the worker's --list JSON

    @property
    def entries(self) -> list[dict]:
        return self.listing.get("entries", [])

    @property
    def identity(self) -> dict:
        return self.listing.get("allocator", {})

    @property
    def gc_version(self) -> str | None:
        return self.listing.get("gc_version")


@dataclasses.dataclass
class Catalog:
    """Every worker, and the (workload, strategy) entries they host, in listing order."""
    build_dir: pathlib.Path
    workers: dict[str, Worker]             # family -> worker
    workloads: dict[str, dict]             # name -> {unit, description, open_loop, ...}
    strategies: dict[str, str]             # strategy -> family of the worker that hosts it
    entries: dict[tuple, dict]             # (workload, strategy) -> entry
    # Preloaded allocators run as strategies of their own: name -> library path.
    preloads: dict[str, str] = dataclasses.field(default_factory=dict)
    # Configured strategies (add_configured): label -> {"strategy": base,
    # "workloads": {workload: {"args": [...], "env": {NAME: VALUE}}}, and
    # optionally "threads": N, the thread count it runs with instead of the run's}.
    configured: dict[str, dict] = dataclasses.field(default_factory=dict)

    def worker_for(self, strategy: str) -> Worker:
        return self.workers[self.strategies[strategy]]

    def hosted_strategy(self, strategy: str) -> str:
        """The worker strategy that runs `strategy`: itself, glibc for a preload, the
        base strategy for a configured one."""
        if strategy in self.configured:
            return self.configured[strategy]["strategy"]
        return PRELOAD_HOST_STRATEGY if strategy in self.preloads else strategy

    def settings_of(self, workload: str, strategy: str) -> tuple[list[str], dict[str, str]]:
        """The worker arguments and environment a configured strategy adds for this
        workload; none for any other strategy."""
        setting = (self.configured.get(strategy) or {}).get("workloads", {}).get(workload) or {}
        return list(setting.get("args") or []), dict(setting.get("env") or {})

    def threads_of(self, strategy: str, run_threads: int) -> int:
        """The thread count `strategy` runs with: a configured one's own, else the run's."""
        return (self.configured.get(strategy) or {}).get("threads") or run_threads

    @property
    def default_strategies(self) -> list[str]:
        """The core strategies that are built, in CORE_STRATEGIES' order (C++, then
        the JVM's, then Go), then the preloads."""
        core = [s for s in CORE_STRATEGIES if s in self.strategies]
        return core + [s for s in self.strategies if s in self.preloads]

    def add_preload(self, name: str, path: str) -> None:
        """Host the allocator in library `path` as strategy `name` (glibc worker,
        LD_PRELOAD). Raises UsageError when name clashes or the host is not built."""
        if name in self.preloads:
            if self.preloads[name] != path:
                raise UsageError(f"--preload {name} given twice ({self.preloads[name]} and {path})")
            return
        if name in self.strategies:
            raise UsageError(f"--preload {name}: '{name}' is a built-in strategy; choose another "
                             "name")
        # The glibc worker's glibc strategy, or the programs worker's.
        host_family = self.strategies.get(PRELOAD_HOST_STRATEGY)
        if host_family is None:
            raise UsageError(f"--preload needs a worker with the {PRELOAD_HOST_STRATEGY} "
                             f"strategy, which is not built in {self.build_dir}")
        self.preloads[name] = path
        self.strategies[name] = host_family
        for (w, s), entry in list(self.entries.items()):
            if s == PRELOAD_HOST_STRATEGY:
                self.entries[(w, name)] = dict(entry, strategy=name, preload=path,
                                               hosted_by=PRELOAD_HOST_STRATEGY)

    def add_configured(self, label: str, spec: dict) -> None:
        """Host strategy spec["strategy"] as strategy `label` with the worker arguments
        and environment spec["workloads"][w] ({"args": [...], "env": {...}}) for
        each workload w it names, and for those only: an experiment's point (a
        collector at one heap size) becomes a cell of an ordinary run. The worker
        writes its results under the label (--label). UsageError for a label that
        clashes or a base that is not a built, plain strategy."""
        if not isinstance(spec, dict) or not isinstance(spec.get("workloads"), dict):
            raise UsageError(f"configured strategy {label}: malformed ({spec!r})")
        threads = spec.get("threads", 1)
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise UsageError(f"configured strategy {label}: threads must be a whole number "
                             f">= 1 (got {threads!r})")
        base = spec.get("strategy")
        if self.configured.get(label, spec) != spec:
            raise UsageError(f"configured strategy {label} given twice, differently")
        if label in self.strategies and label not in self.configured:
            raise UsageError(f"configured strategy {label}: '{label}' is a strategy already")
        if not label or not all(c.isascii() and (c.isalnum() or c in "_-+@.") for c in label):
            raise UsageError(f"configured strategy '{label}': a label may hold letters, digits, "
                             "'_', '-', '+', '@', '.' only (it becomes part of file names)")
        if base not in self.strategies or base in self.preloads or base in self.configured:
            raise UsageError(f"configured strategy {label}: no built strategy '{base}' to run "
                             "it with")
        self.configured[label] = spec
        self.strategies[label] = self.strategies[base]
        for w in spec["workloads"]:
            if (w, base) in self.entries:
                self.entries[(w, label)] = dict(self.entries[(w, base)], strategy=label,
                                                hosted_by=base)


def worker_paths(build_dir: pathlib.Path) -> dict[str, pathlib.Path]:
    found = {}
    if not build_dir.is_dir():
        return found
    for path in sorted(build_dir.iterdir()):
        name = path.name
        if (name.startswith(WORKER_PREFIX) and path.is_file() and os.access(path, os.X_OK)
                and "." not in name):
            found[name[len(WORKER_PREFIX):]] = path
    return found


def _query(path: pathlib.Path, flag: str, extra_args: list[str] | None = None,
           env: dict[str, str] | None = None) -> dict:
    try:
        proc = subprocess.run([str(path), flag] + list(extra_args or []), capture_output=True,
                              text=True, timeout=QUERY_TIMEOUT_S, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UsageError(f"cannot run {path} {flag}: {e}") from e
    if proc.returncode != 0:
        raise UsageError(f"{path} {flag} failed (exit {proc.returncode}): "
                         f"{proc.stderr.strip()[-500:]}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise UsageError(f"{path} {flag} printed no JSON: {e}") from e


def describe(worker: Worker) -> dict:
    """The worker's --describe JSON: allocator identity, each hosted strategy's
    configuration ("config"), and gc_version where hosted."""
    return _query(worker.path, "--describe")


def describe_preload(worker: Worker, path: str) -> dict:
    """--describe of the host worker with `path` preloaded (and required to serve malloc)."""
    env = dict(os.environ, LD_PRELOAD=path)
    return _query(worker.path, "--describe", extra_args=["--expect-malloc", path], env=env)


def missing_build_message(build_dir: pathlib.Path) -> str:
    repo = pathlib.Path(__file__).resolve().parents[2]
    return (f"no worker binaries ({WORKER_PREFIX}*) in {build_dir}. Build them first:\n"
            f"  cmake -S {repo} -B {build_dir} -DCMAKE_BUILD_TYPE=Release && "
            f"make -C {build_dir} -j2\n"
            "or point --build-dir / MMBENCH_BUILD_DIR at a build folder that has them.")


def load_catalog(build_dir) -> Catalog:
    build_dir = pathlib.Path(build_dir)
    paths = worker_paths(build_dir)
    if not paths:
        raise UsageError(missing_build_message(build_dir))
    # glibc first: it hosts the most strategies and sets the listing order.
    order = sorted(paths, key=lambda f: (f != "glibc", f))
    workers: dict[str, Worker] = {}
    workloads: dict[str, dict] = {}
    strategies: dict[str, str] = {}
    entries: dict[tuple, dict] = {}
    for file_family in order:
        listing = _query(paths[file_family], "--list")
        family = listing.get("family", file_family)
        worker = Worker(family=family, path=paths[file_family], listing=listing)
        workers[family] = worker
        for entry in worker.entries:
            w, s = entry["workload"], entry["strategy"]
            if s in strategies and strategies[s] != family:
                # Two workers claim one strategy: the one named after it wins.
                if s != family:
                    continue
            strategies[s] = family
            workloads.setdefault(w, {k: v for k, v in entry.items() if k != "strategy"})
            entries[(w, s)] = dict(entry, family=family)
    # Plain allocators (strategies named after their worker) first, then the rest.
    ordered = dict(sorted(strategies.items(),
                          key=lambda kv: (kv[0] not in workers, order.index(kv[1])
                                          if kv[1] in order else len(order))))
    return Catalog(build_dir=build_dir, workers=workers, workloads=workloads,
                   strategies=ordered, entries=entries)
