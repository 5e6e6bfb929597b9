"""Opening a session of a run: the run folder (new, or --resume's) locked, its
options resolved, its plan drawn up and its manifest written."""

from __future__ import annotations

import contextlib
import os
import pathlib
import sys

from mmbench import shard, workers  # shard: cluster, --shard K/N
from mmbench.errors import UsageError
from mmbench.runfolder import RunFolder, read_json, write_json_atomic
from mmbench.runner.manifest import (LOCK_NAME, build_manifest, lock_folder, manifest_trusted,
                                     new_run_folder, validate_manifest)
from mmbench.runner.options import make_plan, resolve_options
from mmbench.runner.session import Session


def _previous_manifest(folder_path: pathlib.Path) -> dict:
    """A resumed run's manifest, validated; a stale 'running' state becomes an
    abandoned session (its runner died without recording its end)."""
    try:
        previous = read_json(folder_path / "manifest.json")
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot resume {folder_path}: no readable manifest.json ({e})") from e
    previous = validate_manifest(previous, folder_path)
    if previous.get("state") == "running":
        # Nobody holds the lock, yet the manifest says running: its runner was
        # killed before it could record its end.
        last = (previous.get("sessions") or [{}])[-1]
        pid = f", pid {last['pid']}" if last.get("pid") else ""
        stale = (f"the previous session (started {last.get('started') or '?'}{pid}) ended "
                 "without recording its end (killed?); its manifest still said 'running'")
        print(f"mmbench run: note: {stale}", file=sys.stderr)
        last.update(state="abandoned", problem=stale)
    return previous


@contextlib.contextmanager
def open_session(args):
    """with open_session(args) as session: the folder a run writes into (new, or
    --resume's) with its options, plan and manifest written, locked until the
    block ends, however it ends."""
    locks: list[int] = []
    try:
        yield _open(args, locks)
    finally:
        for fd in locks:
            os.close(fd)


def _suite(args) -> str:
    """The suite given, else a resumed run's, else the workloads."""
    if getattr(args, "suite", None):
        if args.suite not in workers.SUITES:
            raise UsageError(f"unknown suite '{args.suite}'; valid suites: "
                             + ", ".join(workers.SUITES))
        return args.suite
    manifest = pathlib.Path(args.resume or "") / "manifest.json"
    if args.resume and manifest.is_file():
        try:
            options = read_json(manifest).get("options", {})
            return (options.get("suite") if isinstance(options, dict) else None) or "workloads"
        except (ValueError, AttributeError):
            pass  # the resume's own checks say what is wrong with it
    return "workloads"


def _open(args, locks: list[int]) -> Session:
    """open_session's work; each lock's file descriptor is appended to `locks`."""
    if args.out is not None and not args.out.strip():
        raise UsageError("--out is empty; name a folder, or leave --out out for the default")
    catalog = workers.load_catalog(workers.suite_dir(args.build_dir, _suite(args)))
    previous = None
    folder_path = None
    if args.resume is not None:
        if not args.resume.strip():
            raise UsageError("--resume is empty; name the run folder to complete")
        folder_path = pathlib.Path(args.resume).resolve()
        if args.out and pathlib.Path(args.out).resolve() != folder_path:
            raise UsageError("--out and --resume name different folders")
        if not (folder_path / "manifest.json").is_file():
            raise UsageError(f"cannot resume {folder_path}: not a run folder (no manifest.json)")
        locks.append(lock_folder(folder_path))  # before reading what a live run may rewrite
        previous = _previous_manifest(folder_path)
    opts = resolve_options(args, catalog, previous,
                           trusted=previous is None or manifest_trusted(folder_path))
    plan = make_plan(opts, catalog)
    # cluster (shard.py): narrow opts and plan to this shard's workloads
    shard_entry = shard.apply(getattr(args, "shard", None), opts, plan, catalog,
                              args.repo_root, previous)
    unhosted = [f"{w}/{s}" for w in opts["workloads"] for s in opts["strategies"]
                if (w, s) not in catalog.entries]
    if unhosted:
        print(f"mmbench run: note: no worker hosts {', '.join(unhosted)}; skipped",
              file=sys.stderr)
    if not plan["pairs"]:
        raise UsageError("no worker hosts any of the chosen (workload, strategy) pairs")
    if previous is None:
        folder_path = new_run_folder(args.repo_root, args.out)
        locks.append(lock_folder(folder_path))
        # Checked again under the lock: another fresh run may have filled the folder
        # between the emptiness check and the lock (started into it at the same time).
        others = sorted(set(os.listdir(folder_path)) - {LOCK_NAME})
        if others:
            raise UsageError(f"{folder_path} was written by another run while this one "
                             f"started ({', '.join(others[:3])}); choose another --out")
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
    return Session(args, catalog, folder, opts, plan, manifest, previous)
