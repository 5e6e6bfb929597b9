#!/usr/bin/env python3
"""Fails when a source file outside tests/ exceeds MAX_FILE_LINES lines or a
function MAX_FUNCTION_LINES lines: one concern per file and per function.

Python functions are measured with ast; C++, Java and Go functions with
universal-ctags (their `end` field). Usage: check_sizes.py REPO_ROOT
"""

from __future__ import annotations

import ast
import json
import pathlib
import shutil
import subprocess
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
SOURCE_SUFFIXES = {".py", ".cpp", ".hpp", ".h", ".cc", ".java", ".go", ".sh"}
CTAGS_SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".java", ".go"}
CTAGS_KINDS = {"function", "method", "func"}
SKIPPED_TOP = {"tests", "build", "results", "docs"}


def tracked_sources(root: pathlib.Path) -> list[pathlib.Path]:
    """The git-tracked (and untracked, not ignored) source files outside tests/."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                         cwd=root, capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        path = pathlib.PurePosixPath(line)
        if path.parts[0] in SKIPPED_TOP or path.parts[0].startswith("build"):
            continue
        if path.suffix in SOURCE_SUFFIXES and (root / line).is_file():
            paths.append(root / line)
    return sorted(paths)


def python_functions(path: pathlib.Path) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function in a Python file."""
    tree = ast.parse(path.read_text(), str(path))
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1)
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def ctags_functions(paths: list[pathlib.Path]) -> list[tuple[pathlib.Path, str, int, int]]:
    """(file, name, first line, length) of every function ctags finds in `paths`."""
    if not paths:
        return []
    out = subprocess.run(["ctags", "--fields=+ne", "--output-format=json", "-o", "-"]
                         + [str(p) for p in paths], capture_output=True, text=True,
                         check=True).stdout
    found = []
    for line in out.splitlines():
        tag = json.loads(line)
        if tag.get("kind") in CTAGS_KINDS and "end" in tag:
            found.append((pathlib.Path(tag["path"]), tag["name"], tag["line"],
                          tag["end"] - tag["line"] + 1))
    return found


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    if shutil.which("ctags") is None:
        print("check_sizes: universal-ctags is not installed (apt-get install universal-ctags)")
        return 77
    sources = tracked_sources(root)
    problems = []
    for path in sources:
        lines = len(path.read_text(errors="replace").splitlines())
        if lines > MAX_FILE_LINES:
            problems.append(f"{path.relative_to(root)}: {lines} lines (at most {MAX_FILE_LINES})")
    functions = [(p, *f) for p in sources if p.suffix == ".py" for f in python_functions(p)]
    functions += ctags_functions([p for p in sources if p.suffix in CTAGS_SUFFIXES])
    for path, name, line, length in functions:
        if length > MAX_FUNCTION_LINES:
            problems.append(f"{pathlib.Path(path).resolve().relative_to(root)}:{line}: "
                            f"{name} is {length} lines (at most {MAX_FUNCTION_LINES})")
    for problem in problems:
        print(problem)
    print(f"check_sizes: {len(sources)} files, {len(functions)} functions, "
          f"{len(problems)} over the limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
