"""The run's manifest.json: written at the start of a session and at its end,
checked (format 1) before a resume believes it, and the folder lock that keeps
two sessions out of one folder."""

from __future__ import annotations

import datetime
import fcntl
import os
import pathlib

from mmbench import machine, memory_instruments, runfolder, workers
from mmbench.errors import UsageError
from mmbench.runner.option_table import RUN_OPTIONS, accepts


def describe_error(e: BaseException) -> str:
    """One line for an exception: an OSError as 'strerror: filename', else 'Type: text'."""
    if isinstance(e, OSError) and e.strerror:
        return f"{e.strerror}: {e.filename}" if e.filename else e.strerror
    return f"{type(e).__name__}: {e}"


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def iso_time(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat(
        timespec="milliseconds")


def new_run_folder(repo_root: pathlib.Path, out: str | None) -> pathlib.Path:
    return runfolder.new_folder(repo_root, out, "run",
                                "{folder} exists and is not an empty folder; use --resume "
                                "{folder} to complete it, or choose another --out")


def build_manifest(args, opts, plan, catalog, previous: dict | None) -> dict:
    describes = {}
    for family, worker in catalog.workers.items():
        try:
            describes[family] = workers.describe(worker)
        except UsageError as e:
            describes[family] = {"error": str(e)}
    gc_version = next((w.gc_version for w in catalog.workers.values() if w.gc_version), None)
    session = {"argv": args.argv, "started": utc_now(), "finished": None, "pid": os.getpid()}
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
            catalog.preloads and s not in catalog.configured],
            identity=describes.get(family, {}).get("allocator", w.identity))
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


LOCK_NAME = runfolder.LOCK


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
        by = f" (pid {holder})" if holder else ""
        raise UsageError(f"{folder_path} is in use by another mmbench run{by}; wait for it to "
                         "end or stop it, then --resume") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, (f"{os.getpid()}\n").encode(), 0)
    return fd


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _valid_preloads(v) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str)
                                       for k, x in v.items())


def validate_manifest(m, folder_path: pathlib.Path) -> dict:
    """A resumed run's manifest checked against format 1 (docs/run-folder.md): what
    does not fit is refused (UsageError), never filled in with defaults. Its options
    pass the checks of the option table (option_table.RUN_OPTIONS)."""
    def bad(why):
        return UsageError(f"cannot resume {folder_path}: manifest.json {why}; it was not written "
                          "by this mmbench (format 1), or was edited")
    if not isinstance(m, dict):
        raise bad("is not a JSON object")
    if m.get("mmbench_run_format") != 1:
        raise bad(f'has format {m.get("mmbench_run_format")!r}, not 1')
    o, plan = m.get("options"), m.get("plan")
    if not isinstance(o, dict) or not isinstance(plan, dict):
        raise bad("has no options or plan")
    for option in RUN_OPTIONS:
        if option.manifest is None or (option.manifest == "optional" and option.key not in o):
            continue
        if option.key not in o or not accepts(option, o[option.key]):
            raise bad(f"has an invalid options.{option.key} ({o.get(option.key)!r})")
    if "preloads" not in o or not _valid_preloads(o["preloads"]):
        raise bad(f'has an invalid options.preloads ({o.get("preloads")!r})')
    rbw = plan.get("reps_by_workload", {})
    if not isinstance(rbw, dict) or not all(
            isinstance(k, str) and _is_int(v) and 1 <= v <= max(o["max_reps"], o["reps"])
            for k, v in rbw.items()):
        raise bad("has an invalid plan.reps_by_workload")
    if plan.get("size", o["size"]) != o["size"]:
        raise bad(f'plans size {plan.get("size")!r} but its options say {o["size"]!r}')
    if not isinstance(m.get("sessions", []), list):
        raise bad("has invalid sessions")
    return m


def manifest_trusted(folder_path: pathlib.Path) -> bool:
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
