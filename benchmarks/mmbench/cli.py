"""mmbench command line: global options, and one subcommand per module in commands/."""

from __future__ import annotations

import argparse
import importlib
import os
import pathlib
import pkgutil
import sys
import traceback

from mmbench import commands, interpreter
from mmbench.errors import UsageError

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def default_build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MMBENCH_BUILD_DIR") or REPO_ROOT / "build")


def _add_global_options(parser: argparse.ArgumentParser, top_level: bool) -> None:
    # Below the subcommand the defaults are SUPPRESS so they never override a
    # value given before it (`mmbench -v list` and `mmbench list -v` both work).
    default = (lambda v: v) if top_level else (lambda v: argparse.SUPPRESS)
    try:
        parser.add_argument("--build-dir", default=default(None), metavar="DIR",
                            help="folder with the mmbench-worker-* binaries "
                                 "(default: $MMBENCH_BUILD_DIR, else <repo>/build)")
    except argparse.ArgumentError:
        pass  # the subcommand defines it itself
    try:
        parser.add_argument("-v", "--verbose", action="store_true", default=default(False),
                            help="say more (e.g. which Python interpreter is used)")
    except argparse.ArgumentError:
        pass


def _discover(subparsers) -> list[str]:
    """Import every module in mmbench.commands and let it register; a broken module
    is reported and skipped so the others keep working."""
    problems = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module("mmbench.commands." + info.name)
            register = getattr(module, "register", None)
            if register is None:
                continue
            register(subparsers)
        except Exception as e:  # noqa: BLE001 - another engineer's module must not break us
            problems.append(f"mmbench: command module '{info.name}' could not be loaded: "
                            f"{type(e).__name__}: {e}")
    return problems


def build_parser():
    parser = argparse.ArgumentParser(
        prog="mmbench",
        description="Run memory-management benchmarks (glibc, mimalloc, jemalloc, arena, "
                    "shared_ptr, Boehm GC, ...) and report throughput, peak RSS and "
                    "latency distributions.")
    _add_global_options(parser, top_level=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    problems = _discover(subparsers)
    for sub in subparsers.choices.values():
        _add_global_options(sub, top_level=False)
    return parser, problems


def main(argv: list[str] | None = None) -> int:
    parser, problems = build_parser()
    args = parser.parse_args(argv)
    for p in problems:
        print(p, file=sys.stderr)
    args.build_dir = pathlib.Path(args.build_dir).resolve() if args.build_dir else \
        default_build_dir()
    args.repo_root = REPO_ROOT
    args.argv = list(sys.argv if argv is None else ["mmbench"] + list(argv))
    if args.verbose:
        print(f"interpreter: {interpreter.describe()}", file=sys.stderr)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except UsageError as e:
        print(f"mmbench {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nmmbench {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as e:
        # The file system said no (read-only, full, permission denied, /proc): one
        # line naming the file, exit 2, as for any other unusable input.
        what = f"{e.strerror}: {e.filename}" if e.strerror and e.filename else \
            (e.strerror or str(e))
        print(f"mmbench {args.command}: error: {what}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 1
