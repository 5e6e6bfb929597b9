"""One worker process: its command line, its files in the run folder, its status
and its record (run.json), in named steps over one RunRequest (run_request)."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import signal
from collections.abc import Callable

from mmbench import execute, noise, runfolder, sanitizers, workers
from mmbench.contract import EXIT_ALLOCATOR_MISMATCH, EXIT_OK, EXIT_OOM, EXIT_UNSUPPORTED
from mmbench.runfolder import RunFolder, read_json, write_json_atomic, write_text_atomic
from mmbench.runner import logs
from mmbench.runner.manifest import iso_time


def _scoped_values(scoped: dict[str, list], strategy: str) -> list:
    return list(scoped.get("*", [])) + list(scoped.get(strategy, []))


# A runtime that cannot turn its own out-of-memory into exit 4: Go dies with a
# fatal error (exit 2), the JVM with an uncaught OutOfMemoryError, or, when the
# heap is too small for the collector to start at all, HotSpot's refusals at VM
# initialisation (Shenandoah's minimum region count, "Too small maximum heap").
_RUNTIME_OOM = re.compile(r"^fatal error: runtime: out of memory|"
                          r"java\.lang\.OutOfMemoryError|"
                          r"^Too small (?:maximum|initial) heap|"
                          r"heap size \(\w+\) is too low to afford the minimum number of regions",
                          re.MULTILINE)


def status_of(result: execute.ProcessResult) -> str:
    if result.spawn_error:
        return "error"
    if result.timed_out:
        return "timeout"
    if result.signal is not None:
        return "crash"
    if result.exit_code == EXIT_ALLOCATOR_MISMATCH:
        return "allocator_mismatch"
    if result.exit_code == EXIT_OOM or (result.exit_code != EXIT_OK and _RUNTIME_OOM.search(
            result.stderr_tail or "")):
        return "oom"
    if result.exit_code == EXIT_UNSUPPORTED:
        return "unsupported"
    if result.exit_code != EXIT_OK:
        return "error"
    return "ok"


# A sanitizer's report in a worker's log: the run failed, whatever its exit code (a
# non-fatal UBSan report exits 0).
_SANITIZER_REPORT = re.compile(
    r"^==\d+==ERROR: \w*Sanitizer|^SUMMARY: \w*Sanitizer|runtime error: |"
    r"^WARNING: \w*Sanitizer", re.MULTILINE)


def sanitizer_report(*paths) -> str | None:
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


def worker_cpus(cpus: dict, entry: dict, threads: int) -> list | None:
    """The CPUs a worker gets (None: all of them). A managed runtime (JVM, Go)
    is not pinned: its collector and compiler threads run beside the program,
    as they do in production, and their work shows as CPU time beside wall
    time; pinned to one CPU they take turns with it, and a concurrent
    collector's cycles make the pass times bimodal."""
    if cpus.get("worker") is None or workers.is_managed(entry.get("family")):
        return None
    needed = 2 * threads if entry.get("multithreaded") else 1
    return cpus["worker"] if len(cpus["worker"]) >= needed else None


@dataclasses.dataclass
class RunRequest:
    """What to run: repetition `rep` of (workload, strategy) with the run's options,
    and where its files go."""
    folder: RunFolder
    catalog: workers.Catalog
    opts: dict
    workload: str
    strategy: str
    rep: int
    cpus: list | None = None        # the worker's CPUs (None: any)
    # Records of earlier, disturbed attempts of this repetition, kept in its record.
    attempts: list = dataclasses.field(default_factory=list)
    speed_reference: float | None = None  # the run folder's median speed probe so far
    host_probe: object = None       # a host_probe.HostProbe, read just after the worker ends
    probe_before: int | None = None  # its reading just before (the caller waits on it)
    noise_extra: dict | None = None  # joins the record's noise (e.g. a wait for a slow host)
    on_spawn: Callable | None = None  # on_spawn(pid)
    announce: Callable | None = None  # announce(cmd, extra_env), just before the spawn

    @property
    def worker(self) -> workers.Worker:
        return self.catalog.worker_for(self.strategy)

    @property
    def preload(self) -> str | None:
        return self.catalog.preloads.get(self.strategy)

    def raw(self, kind: str) -> pathlib.Path:
        return self.folder.raw(self.workload, self.strategy, self.rep, kind)

    def log(self, stream: str) -> pathlib.Path:
        return self.folder.log(self.workload, self.strategy, self.rep, stream)

    def part(self, kind: str) -> pathlib.Path:
        """The hidden name the worker writes `kind` to; it becomes raw(kind) only
        when valid."""
        final = self.raw(kind)
        return final.with_name("." + final.name + ".part")


@dataclasses.dataclass
class Outcome:
    """What became of the process, filled in step by step."""
    status: str
    problem: str | None
    detail: dict | None = None
    noise: dict = dataclasses.field(default_factory=dict)
    disturbed: list = dataclasses.field(default_factory=list)
    digests: dict | None = None
    logs_cut: dict | None = None


def run_one(folder: RunFolder, catalog: workers.Catalog, opts: dict, workload: str,
            strategy: str, rep: int, **context) -> dict:
    """Run one worker process, write its files, return its record (run.json);
    context: RunRequest's other fields."""
    return run_request(RunRequest(folder, catalog, opts, workload, strategy, rep, **context))


def run_request(req: RunRequest) -> dict:
    """Run the request's worker process, write its files, return its record."""
    leftovers = clear_leftovers(req)
    cmd, extra_env = build_command(req)
    if req.announce:
        req.announce(cmd, extra_env)
    result, run_noise = spawn_and_measure(req, cmd, extra_env)
    outcome = classify_exit(req, result)
    outcome.logs_cut = logs.bound_logs(req.log("stderr").parent, req.log("stderr").stem)
    outcome.noise = run_noise
    validate_detail(req, outcome)
    check_allocator(req, outcome, extra_env)
    add_detail_noise(req, outcome)
    if outcome.status == "ok":
        outcome.disturbed = noise.disturbance(run_noise, pinned=req.cpus is not None)
    promote_files(req, outcome, leftovers)
    _, samples, _ = measured_process(result, outcome)
    # Header only when the process ended before the first sample could be taken.
    write_text_atomic(req.folder.rss(req.workload, req.strategy, req.rep),
                      "t_s,rss_kib\n" + "".join(f"{t:.6f},{kib}\n" for t, kib in samples))
    record = make_record(req, cmd, extra_env, result, outcome)
    write_json_atomic(req.raw("run"), record)
    return record


def clear_leftovers(req: RunRequest) -> list[pathlib.Path]:
    """Remove what an earlier attempt's worker left half-written (its hidden files,
    each written through "<name>.tmp" first); returns those names."""
    leftovers = [p for part in (req.part("detail"), req.part("gbench"))
                 for p in (part, part.with_name(part.name + ".tmp"))]
    for stale in leftovers:
        stale.unlink(missing_ok=True)
    return leftovers


def build_command(req: RunRequest) -> tuple[list[str], dict[str, str]]:
    """The worker's command line and the environment it gets beyond the runner's."""
    opts, strategy, catalog = req.opts, req.strategy, req.catalog
    # A configured strategy's own settings first: the options' extras may add to them.
    extra_args, extra_env = catalog.settings_of(req.workload, strategy)
    extra_args += _scoped_values(opts.get("worker_args", {}), strategy)
    extra_env.update(v.split("=", 1) for v in _scoped_values(opts.get("worker_env", {}),
                                                             strategy))
    extra_env.update(sanitizers.worker_env(req.worker,
                                           catalog.entries.get((req.workload, strategy)),
                                           extra_env))
    strategy_args = ["--strategy", strategy]
    if strategy in catalog.configured:
        # The base strategy, told to write its results under the label.
        strategy_args = ["--strategy", catalog.hosted_strategy(strategy), "--label", strategy]
    if req.preload:
        # The host strategy, told to write results under this name and to refuse
        # to run unless the preloaded library really serves malloc (exit 3).
        strategy_args = ["--strategy", catalog.hosted_strategy(strategy), "--label", strategy,
                         "--expect-malloc", req.preload]
        extra_env["LD_PRELOAD"] = req.preload
    min_time = workers.steady_min_time(opts, catalog.entries.get((req.workload, strategy)) or {})
    cmd = [str(req.worker.path), "--workload", req.workload] + strategy_args + [
        "--size", opts["size"], "--threads", str(catalog.threads_of(strategy, opts["threads"])),
        "--seed", str(opts["seed"]),
        "--detail-out", str(req.part("detail")), f'--benchmark_out={req.part("gbench")}',
        "--benchmark_out_format=json"] + (
        ["--min-time", f"{min_time:g}"] if min_time else []) + (
        ["--drain"] if opts.get("drain") else []) + _runtime_log_args(req) + extra_args
    return cmd, extra_env


def _runtime_log_args(req: RunRequest) -> list[str]:
    """A runtime's own log (the JVM's safepoint and GC log, its crash report) goes
    to logs/<stem>.gc.log, bounded like the worker's stdout and stderr."""
    option = (req.worker.listing.get("runtime_log") or {}).get("option")
    return [option, str(req.log("gc.log"))] if option else []


def spawn_and_measure(req: RunRequest, cmd: list[str],
                      extra_env: dict) -> tuple[execute.ProcessResult, dict]:
    """Run the worker; its result and the machine's noise around it."""
    before = noise.Snapshot()
    result = execute.run_process(
        cmd, str(req.log("stdout")), str(req.log("stderr")), timeout_s=req.opts["timeout_s"],
        sample_period_s=req.opts["sample_ms"] / 1000.0, env=dict(os.environ, **extra_env),
        on_spawn=req.on_spawn, cpus=req.cpus)
    run_noise = before.delta(noise.Snapshot(), result.wall_s)
    run_noise.update(req.noise_extra or {})
    if req.host_probe:
        run_noise["host_probe_ns"] = [req.probe_before, req.host_probe.read()]
        run_noise["host_probe_ratio"] = req.host_probe.ratio(run_noise["host_probe_ns"])
    return result, run_noise


def classify_exit(req: RunRequest, result: execute.ProcessResult) -> Outcome:
    """The status its exit says, and the problem in words; a sanitizer's report in
    its logs makes it a failure whatever its exit."""
    status = status_of(result)
    problem = None
    if result.spawn_error:
        problem = f"could not start the worker: {result.spawn_error}"
    elif status == "timeout":
        problem = f'killed after the {req.opts["timeout_s"]:g} s timeout'
    elif status == "crash":
        problem = f"killed by signal {result.signal} ({signal.Signals(result.signal).name})"
    elif status != "ok":
        # The worker's own last words say why (e.g. which allocator it found instead).
        last = [line for line in result.stderr_tail.splitlines() if line.strip()]
        last_words = ": " + last[-1].strip() if last else ""
        problem = f"worker exited with code {result.exit_code}{last_words}"
    report = sanitizer_report(req.log("stderr"), req.log("stdout"))
    if report and status in ("ok", "error"):
        status, problem = "sanitizer", f"sanitizer report in the worker's log: {report}"
    return Outcome(status, problem)


def validate_detail(req: RunRequest, outcome: Outcome) -> None:
    """An ok run's output files must parse, be for this pair and hold the figures."""
    if outcome.status != "ok":
        return
    try:
        detail = outcome.detail = read_json(req.part("detail"))
        read_json(req.part("gbench"))
        if detail.get("workload") != req.workload or detail.get("strategy") != req.strategy:
            raise ValueError(f'detail is for {detail.get("workload")}/{detail.get("strategy")}')
        for key in ("checksum", "units", "wall_ns", "latency"):
            if key not in detail:
                raise ValueError(f"detail has no '{key}'")
    except (OSError, ValueError) as e:
        outcome.status = "error"
        outcome.problem = f"missing or unparseable worker output: {e}"


def check_allocator(req: RunRequest, outcome: Outcome, extra_env: dict) -> None:
    """An ok run's malloc must be the one asked for: the preloaded library, else
    the worker's own family."""
    if outcome.status != "ok":
        return
    allocator = outcome.detail.get("allocator") or {}
    if req.preload:
        malloc_from = allocator.get("malloc_from") or ""
        if not _same_file(malloc_from, req.preload):
            outcome.status = "allocator_mismatch"
            outcome.problem = (f"malloc is served by {malloc_from or '?'}, not the preloaded "
                               f"{req.preload}")
    elif "LD_PRELOAD" not in extra_env and allocator.get("family") != _expected_family(req):
        outcome.status = "allocator_mismatch"
        outcome.problem = (f"worker {req.worker.path.name} reports malloc family "
                           f'{allocator.get("family")}')


def _expected_family(req: RunRequest) -> str:
    """The entry's own malloc family (the programs worker hosts several), else the
    worker's."""
    entry = req.catalog.entries.get((req.workload, req.strategy)) or {}
    return entry.get("malloc_family") or req.worker.family


def measured_process(result: execute.ProcessResult, outcome: Outcome) -> tuple:
    """(ru_maxrss KiB, RSS samples, the worker's own peak or None): a worker that
    runs its workload as a process of its own (the programs worker) reports that
    process's ru_maxrss and timeline, which are then the figures."""
    program = (outcome.detail or {}).get("program") if outcome.status == "ok" else None
    if not program:
        return result.peak_rss_kib, result.samples, None
    return (program["peak_rss_kib"], [tuple(s) for s in program["rss_samples"]],
            result.peak_rss_kib)


def add_detail_noise(req: RunRequest, outcome: Outcome) -> None:
    """What the worker saw of the machine (migrations, switches, speed probes)
    joins the record's noise."""
    detail, run_noise = outcome.detail, outcome.noise
    if detail is None:
        return
    sched = detail.get("sched") or {}
    run_noise["migrations"] = sched.get("se.nr_migrations")
    run_noise["involuntary_switches"] = (detail.get("process") or {}).get("involuntary_switches")
    probes = detail.get("speed_probe_ns") or []
    run_noise["speed_probe_ns"] = probes
    if probes and req.speed_reference:
        # The slower of the probes before and after the passes, against the
        # median probe of this run folder so far.
        run_noise["speed_probe_ratio"] = max(probes) / req.speed_reference


def promote_files(req: RunRequest, outcome: Outcome, leftovers: list[pathlib.Path]) -> None:
    """An ok run's hidden files take their real names, their digests recorded (in
    run.json, written after them: a reader, summary or --resume, believes only
    files that still match); any other run's are removed."""
    if outcome.status != "ok":
        for part in leftovers:
            part.unlink(missing_ok=True)
        return
    for kind in ("detail", "gbench"):
        os.replace(req.part(kind), req.raw(kind))
    outcome.digests = {kind: runfolder.file_sha256(req.raw(kind))
                       for kind in ("detail", "gbench")}


def make_record(req: RunRequest, cmd: list[str], extra_env: dict,
                result: execute.ProcessResult, outcome: Outcome) -> dict:
    """The run's record (run.json), docs/run-folder.md."""
    opts, worker, ok = req.opts, req.worker, outcome.status == "ok"
    ru_maxrss, samples, worker_peak = measured_process(result, outcome)
    # A process mapping shared memory may have its pages counted once per
    # mapping by RSS: its peak is then its sampled peak Pss (execute.py).
    pss = result.sampled_peak_pss_kib if worker_peak is None else None
    return {
        "workload": req.workload, "strategy": req.strategy, "rep": req.rep,
        "size": opts["size"], "threads": req.catalog.threads_of(req.strategy, opts["threads"]),
        "seed": opts["seed"], "cmd": cmd,
        "worker": str(worker.path), "family": worker.family,
        "hosted_by": req.catalog.hosted_strategy(req.strategy)
        if req.preload or req.strategy in req.catalog.configured else None,
        "preload": req.preload, "extra_env": extra_env, "pid": result.pid,
        "status": outcome.status, "problem": outcome.problem, "exit_code": result.exit_code,
        "signal": result.signal, "wall_s": result.wall_s, "user_s": result.user_s,
        "sys_s": result.sys_s, "peak_rss_kib": ru_maxrss if pss is None else pss,
        "peak_rss_source": "ru_maxrss" if pss is None else "pss",
        "ru_maxrss_kib": ru_maxrss, "sampled_peak_pss_kib": pss,
        "sampled_peak_rss_kib": result.sampled_peak_rss_kib if worker_peak is None
        else max((kib for _, kib in samples), default=None),
        "worker_peak_rss_kib": worker_peak,
        "rss_samples": len(samples), "sample_ms": opts["sample_ms"],
        "figure_wall_s": outcome.detail["wall_ns"] / 1e9 if outcome.detail and ok else None,
        "cpus": sorted(req.cpus) if req.cpus else None, "noise": outcome.noise,
        "disturbed": outcome.disturbed, "attempts": list(req.attempts or []),
        "digests": outcome.digests, "stderr_tail": result.stderr_tail,
        "logs_cut": outcome.logs_cut,
        "started": iso_time(result.started), "finished": iso_time(result.finished),
    }
