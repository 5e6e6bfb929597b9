"""mmbench readme: regenerate (or, with --check, verify) the README's figures from a run folder."""

from __future__ import annotations

import difflib
import pathlib
import sys

from mmbench.reporting import readme


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "readme", help="rewrite the README's generated result blocks from results/reference",
        description="Rewrite the blocks between <!-- mmbench:NAME --> and <!-- /mmbench:NAME --> "
                    "in README.md from a committed run folder. With --check write nothing and "
                    "exit 1 when any block differs from what the run folder gives (a diff on "
                    "stdout), 2 on a missing block or an unusable run folder.")
    p.add_argument("--check", action="store_true", help="verify only; exit 1 on a difference")
    p.add_argument("--readme", type=pathlib.Path, default=None, metavar="FILE",
                   help="the file to rewrite (default: <repo>/README.md)")
    p.add_argument("--run", default=readme.REFERENCE, metavar="DIR",
                   help=f"run folder relative to the repo (default: {readme.REFERENCE})")
    p.set_defaults(func=run_readme)


def run_readme(args) -> int:
    repo = pathlib.Path(args.repo_root)
    path = args.readme or repo / "README.md"
    try:
        generated = readme.blocks(repo, args.run)
        text = path.read_text()
    except (OSError, ValueError, KeyError) as e:
        print(f"mmbench readme: error: {e}", file=sys.stderr)
        return 2
    new, problems = readme.render(text, generated)
    for problem in problems:
        print(f"mmbench readme: error: {path}: {problem}", file=sys.stderr)
    if problems:
        return 2
    if new == text:
        print(f"mmbench readme: {path.name} agrees with {args.run}")
        return 0
    if args.check:
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(True), new.splitlines(True), f"{path.name} (committed)",
            f"{path.name} (from {args.run})"))
        print(f"mmbench readme: {path.name} differs from {args.run}: run ./mmbench readme",
              file=sys.stderr)
        return 1
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new)
    tmp.replace(path)
    print(f"mmbench readme: rewrote {path.name} from {args.run}")
    return 0
