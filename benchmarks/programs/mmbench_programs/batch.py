"""A batch program: made input in, one run, output checked and summed."""

from __future__ import annotations

import os
import re
import time

from mmbench_programs import allocators, debian, detail, launch, workdir


class Failed(Exception):
    """The program ran but did not do its work (exit status, output); the worker's error."""


def process_record(run: launch.Program, done: launch.Finished, argv: list[str],
                   packages=()) -> dict:
    """What the detail says of one program process, measured by the worker."""
    return dict({"command": argv, "packages": debian.versions(packages), "pid": run.pid,
                 "exit_status": done.status, "signal": done.signal, "wall_ns": done.wall_ns,
                 "user_s": done.user_s, "sys_s": done.sys_s, "peak_rss_kib": done.peak_rss_kib,
                 "sampled_peak_rss_kib": max((k for _, k in done.samples), default=None),
                 "rss_samples": done.samples}, **done.counters)


def check_exit(program, done: launch.Finished, log_path: str) -> None:
    want = program.check["exit_status"]
    if done.signal is not None or done.status != want:
        how = f"signal {done.signal}" if done.signal is not None else f"status {done.status}"
        raise Failed(f"{program.name} ended with {how}, not status {want} "
                     f"(its output: {log_path})")


def output_checksum(program, work: workdir.WorkDir, stdout_path: str) -> str:
    """The checksum of what the declaration says is the program's result."""
    path = stdout_path
    if program.check["checksum"] == "output_file":
        path = os.path.join(work.path, program.check["output_file"])
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Failed(f"{program.name} left no output {path}: {e}") from e
    expect = program.check.get("expect")
    if expect and not re.search(expect, data.decode("utf-8", "replace"), re.MULTILINE):
        raise Failed(f"{program.name}'s output does not match {expect!r} ({path})")
    return detail.checksum16(data)


def run(args, program, alloc: allocators.Allocator, work: workdir.WorkDir, shim: str) -> dict:
    """Run it once; returns the figure, the process record and the allocator check."""
    fields = work.fields(program, args)
    argv = [a.format_map(fields) for a in program.command]
    env = work.program_env(program, alloc, shim)
    stdout_path, stderr_path = work.file("stdout"), work.file("stderr")
    stdin = open(program.stdin.format_map(fields), "rb") if program.stdin else open(os.devnull)
    with stdin, open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        start = time.monotonic_ns()
        proc = launch.Program(args.launch, argv, env, work.path, stdin, out, err, args.sample_s)
        done = proc.wait(args.program_timeout_s)
    record = process_record(proc, done, argv, program.packages)
    check_exit(program, done, stderr_path)
    verified = allocators.verify(allocators.read_report(work.reports, proc.pid), alloc)
    figure = {"checksum": output_checksum(program, work, stdout_path), "units": 1,
              "wall_ns": done.wall_ns, "cpu_ns": int((done.user_s + done.sys_s) * 1e9),
              "latency": detail.histogram([done.wall_ns]), "start_ns": start,
              "end_ns": start + done.wall_ns, "counters": {}}
    return {"figure": figure, "process": record, "verified": verified}
