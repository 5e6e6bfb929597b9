"""mmbench-worker-programs: the worker contract of the C++ workers (--list,
--describe, one run per process) for programs declared in programs/*.toml.

A workload is a program (or a variant of one), a strategy an allocator. Exit
codes as mmbench.contract: 0 ok, 2 usage, 3 allocator_mismatch (the allocator
under test did not serve the program), 5 error (the program failed, a server
did not start, a client failed), 6 unsupported (a Debian package is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import sys

from mmbench.contract import EXIT_CODES, SIZES
from mmbench_programs import allocators, batch, declaration, detail, server, workdir

FAMILY = "programs"
SUITE = "programs"


class Refusal(Exception):
    """The run cannot be done as asked: (exit code, one line why)."""

    def __init__(self, code: str, why: str):
        super().__init__(why)
        self.code = code


def parse_args(argv: list[str], paths: dict) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="mmbench-worker-programs", allow_abbrev=False,
                                description="runs one declared program under one allocator")
    p.add_argument("--list", action="store_true", help="programs and allocators as JSON")
    p.add_argument("--describe", action="store_true", help="allocators' identity as JSON")
    p.add_argument("--packages", action="store_true",
                   help="the Debian packages every program and allocator needs, one a line "
                        "(for bench.sh to install)")
    p.add_argument("--workload")
    p.add_argument("--strategy")
    p.add_argument("--size", default="default", choices=SIZES)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--detail-out")
    p.add_argument("--benchmark_out")
    p.add_argument("--benchmark_out_format", default="json")
    p.add_argument("--min-time", type=float, default=0.0,
                   help="accepted for the contract; a program runs once per process")
    p.add_argument("--drain", action="store_true", help="accepted; not measured for programs")
    p.add_argument("--label", help="the name to write results under (a --preload strategy)")
    p.add_argument("--expect-malloc", help="library that must serve malloc (a --preload)")
    p.add_argument("--programs-dir", default=paths["programs"])
    p.add_argument("--shim", default=paths["shim"])
    p.add_argument("--launch", default=paths["launch"])
    p.add_argument("--work-dir", help="where private run folders go (default: $TMPDIR)")
    p.add_argument("--sample-ms", type=float, default=10.0)
    p.add_argument("--program-timeout", type=float, default=600.0, dest="program_timeout_s")
    p.add_argument("--client-timeout", type=float, default=600.0, dest="client_timeout_s")
    args, unknown = p.parse_known_args(argv)
    bad = [u for u in unknown if not u.startswith("--benchmark_")]
    if bad:
        p.error(f"unknown arguments: {' '.join(bad)}")
    args.sample_s = args.sample_ms / 1000.0
    return args


def strategies(args) -> dict[str, allocators.Allocator]:
    found = dict(allocators.BUILTIN)
    if args.expect_malloc:
        name = args.label or os.path.basename(args.expect_malloc)
        found[name] = allocators.preloaded(name, args.expect_malloc)
    return found


def refusal_of(program, alloc) -> str | None:
    """Why this program cannot run under this allocator here (None: it can)."""
    missing = [e for e in program.executables if not _which(e)]
    if missing:
        return (f"{missing[0]} is not installed: install Debian package "
                f"{' '.join(program.packages)} (apt-get install {' '.join(program.packages)})")
    if not alloc.available():
        return f"{alloc.library} is missing: install Debian package {alloc.package}"
    return None


def _which(name: str) -> str | None:
    return shutil.which(name, path=os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin")


def listing(programs: dict, allocs: dict) -> dict:
    entries = []
    for program in programs.values():
        for alloc in allocs.values():
            entries.append({
                "workload": program.name, "strategy": alloc.name, "suite": SUITE,
                "unit": program.unit, "description": program.description,
                "headline": "throughput", "multithreaded": program.kind == "server",
                "open_loop": False, "repeatable": False, "deliberate_leak": False,
                "refuses": refusal_of(program, alloc), "malloc_family": alloc.family,
                "packages": program.packages, "kind": program.kind})
    return {
        "family": FAMILY, "suite": SUITE, "gc_version": None, "sizes": list(SIZES),
        "exit_codes": dict(EXIT_CODES), "allocator": worker_identity(),
        "strategies": [{"name": a.name, "family": FAMILY, "malloc_family": a.family,
                        "reclaim": "explicit", "hooks": []} for a in allocs.values()],
        "entries": entries, "config": {a.name: config_of(a) for a in allocs.values()},
    }


def worker_identity() -> dict:
    """The worker's own: it serves no workload's allocations (each program's are checked)."""
    return {"family": FAMILY, "malloc_from": None, "new_from": None, "sanitizer": "",
            "version": None}


def config_of(alloc) -> dict:
    return {"library": alloc.library, "package": alloc.package, "preload": alloc.preload,
            "available": alloc.available(), "version": alloc.identity()["version"]
            if alloc.available() else None, "witness": "alloc_shim (forwards and counts)"}


def describe(allocs: dict, args) -> dict:
    out = {"family": FAMILY, "gc_version": None, "allocator": worker_identity(),
           "config": {a.name: config_of(a) for a in allocs.values()}}
    if args.expect_malloc:
        alloc = allocs[args.label or os.path.basename(args.expect_malloc)]
        out["allocator"] = dict(alloc.identity(), hosted_by="glibc")
    return out


def _say(msg: str) -> None:
    print(f"mmbench-worker-programs: {msg}", file=sys.stderr, flush=True)


def _program_and_allocator(args, programs, allocs):
    if not args.workload or not args.strategy:
        raise Refusal("usage", "--workload and --strategy are needed (or --list, --describe)")
    if args.workload not in programs:
        raise Refusal("usage", f"unknown workload '{args.workload}'; valid: "
                      f"{', '.join(programs)}")
    if args.expect_malloc:
        # A --preload: the runner names the host strategy (glibc) and the library.
        alloc = allocs[args.label or os.path.basename(args.expect_malloc)]
    elif args.strategy in allocs:
        alloc = allocs[args.strategy]
    else:
        raise Refusal("usage", f"unknown strategy '{args.strategy}'; valid: {', '.join(allocs)}")
    if not args.detail_out or not args.benchmark_out:
        raise Refusal("usage", "--detail-out and --benchmark_out are needed for a run")
    program = programs[args.workload]
    why = refusal_of(program, alloc)
    if why:
        raise Refusal("unsupported", why)
    return program, alloc


def run(args, programs, allocs) -> int:
    program, alloc = _program_and_allocator(args, programs, allocs)
    # The worker's own environment may carry the runner's LD_PRELOAD (a --preload):
    # it is for the program, which gets it from program_env, not from us.
    os.environ.pop("LD_PRELOAD", None)
    work = workdir.WorkDir(program.name, args.work_dir)
    ok = False
    try:
        work.make_input(program, args)
        runner = server.run if program.kind == "server" else batch.run
        result = runner(args, program, alloc, work, args.shim)
        ident = dict(alloc.identity(), new_from=None, sanitizer="",
                     verified=result["verified"])
        extra = {k: v for k, v in result.items() if k not in ("figure", "process", "verified")}
        out = detail.build(args, program, result["figure"], ident, result["process"], extra)
        detail.write_atomic(args.detail_out, out)
        detail.write_atomic(args.benchmark_out, detail.gbench(args, program, out))
        ok = True
        return EXIT_CODES["ok"]
    finally:
        work.finish(keep=not ok)


def main(argv: list[str], paths: dict) -> int:
    args = parse_args(argv, paths)
    try:
        programs = declaration.load_folder(pathlib.Path(args.programs_dir))
    except declaration.DeclarationError as e:
        _say(f"bad declaration: {e}")
        return EXIT_CODES["usage"]
    allocs = strategies(args)
    if args.packages:
        needed = [p for prog in programs.values() for p in prog.packages] + [
            a.package for a in allocs.values() if a.preload]
        print("\n".join(dict.fromkeys(needed)))
        return EXIT_CODES["ok"]
    if args.list:
        print(json.dumps(listing(programs, allocs), indent=1, sort_keys=True))
        return EXIT_CODES["ok"]
    if args.describe:
        print(json.dumps(describe(allocs, args), indent=1, sort_keys=True))
        return EXIT_CODES["ok"]
    try:
        return run(args, programs, allocs)
    except Refusal as e:
        _say(e.args[0])
        return EXIT_CODES[e.code]
    except allocators.Mismatch as e:
        _say(f"allocator mismatch: {alloc_name(args)} did not serve the program: {e}")
        return EXIT_CODES["allocator_mismatch"]
    except (batch.Failed, server.Failed, workdir.InputError, OSError) as e:
        _say(f"error: {e}")
        return EXIT_CODES["error"]


def alloc_name(args) -> str:
    return args.label or args.strategy
