"""One worker process: its command line, its files in the run folder, its status
and its record (run.json)."""

from __future__ import annotations

import os
import re
import signal

from mmbench import execute, noise, runfolder, sanitizers, workers
from mmbench.contract import EXIT_ALLOCATOR_MISMATCH, EXIT_OK, EXIT_OOM, EXIT_UNSUPPORTED
from mmbench.runfolder import RunFolder, read_json, write_json_atomic, write_text_atomic
from mmbench.runner.manifest import iso_time


def _scoped_values(scoped: dict[str, list], strategy: str) -> list:
    return list(scoped.get("*", [])) + list(scoped.get(strategy, []))


def status_of(result: execute.ProcessResult) -> str:
    if result.spawn_error:
        return "error"
    if result.timed_out:
        return "timeout"
    if result.signal is not None:
        return "crash"
    if result.exit_code == EXIT_ALLOCATOR_MISMATCH:
        return "allocator_mismatch"
    if result.exit_code == EXIT_OOM:
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
    if cpus.get("worker") is None:
        return None
    needed = 2 * threads if entry.get("multithreaded") else 1
    return cpus["worker"] if len(cpus["worker"]) >= needed else None


def run_one(folder: RunFolder, catalog: workers.Catalog, opts: dict, workload: str,
            strategy: str, rep: int, on_spawn=None, announce=None, cpus=None,
            attempts=None, speed_reference=None, host_probe=None, probe_before=None,
            noise_extra=None) -> dict:
    """Run one worker process, write its files, return its record (run.json).
    announce(cmd, extra_env), if given, is called just before the spawn. cpus: the
    worker's CPUs (None: any). attempts: records of earlier, disturbed attempts of
    this repetition, kept in this one's record. host_probe (host_probe.HostProbe),
    if given, is read just after the worker ends; probe_before is its reading taken
    just before (by the caller, which waits on it); noise_extra joins the record's
    noise (e.g. how long the session waited for a slow host)."""
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
    extra_env.update(sanitizers.worker_env(worker, catalog.entries.get((workload, strategy)),
                                           extra_env))
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
        "--detail-out", str(detail_part), f"--benchmark_out={gbench_part}",
        "--benchmark_out_format=json"] + (
        ["--min-time", f'{opts["min_time"]:g}'] if opts.get("min_time") else []) + (
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
    run_noise.update(noise_extra or {})
    if host_probe:
        run_noise["host_probe_ns"] = [probe_before, host_probe.read()]
        run_noise["host_probe_ratio"] = host_probe.ratio(run_noise["host_probe_ns"])
    status = status_of(result)
    problem = None
    if result.spawn_error:
        problem = f"could not start the worker: {result.spawn_error}"
    elif status == "timeout":
        problem = f'killed after the {opts["timeout_s"]:g} s timeout'
    elif status == "crash":
        problem = f"killed by signal {result.signal} ({signal.Signals(result.signal).name})"
    elif status != "ok":
        # The worker's own last words say why (e.g. which allocator it found instead).
        last = [line for line in result.stderr_tail.splitlines() if line.strip()]
        last_words = ": " + last[-1].strip() if last else ""
        problem = f"worker exited with code {result.exit_code}{last_words}"
    report = sanitizer_report(folder.log(workload, strategy, rep, "stderr"),
                              folder.log(workload, strategy, rep, "stdout"))
    if report and status in ("ok", "error"):
        status, problem = "sanitizer", f"sanitizer report in the worker's log: {report}"
    detail_json = None
    if status == "ok":
        try:
            detail_json = read_json(detail_part)
            read_json(gbench_part)
            if detail_json.get("workload") != workload or detail_json.get("strategy") != strategy:
                raise ValueError(f'detail is for {detail_json.get("workload")}/'
                                 f'{detail_json.get("strategy")}')
            for key in ("checksum", "units", "wall_ns", "latency"):
                if key not in detail_json:
                    raise ValueError(f"detail has no '{key}'")
        except (OSError, ValueError) as e:
            status, problem = "error", f"missing or unparseable worker output: {e}"
    if status == "ok" and preload:
        malloc_from = (detail_json.get("allocator") or {}).get("malloc_from") or ""
        if not _same_file(malloc_from, preload):
            status = "allocator_mismatch"
            problem = f"malloc is served by {malloc_from or '?'}, not the preloaded {preload}"
    elif status == "ok" and "LD_PRELOAD" not in extra_env:
        family = (detail_json.get("allocator") or {}).get("family")
        if family != worker.family:
            status = "allocator_mismatch"
            problem = f"worker {worker.path.name} reports malloc family {family}"
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
                      "t_s,rss_kib\n" + "".join(f"{t:.6f},{kib}\n" for t, kib in result.samples))
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
        "started": iso_time(result.started), "finished": iso_time(result.finished),
    }
    write_json_atomic(folder.raw(workload, strategy, rep, "run"), record)
    return record
