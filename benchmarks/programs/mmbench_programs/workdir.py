"""A run's private folder: the program's input, its output, the witness reports.

Removed after a run that succeeded; kept (and named on stderr) after one that
did not, so a failure's logs and input can be read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from mmbench_programs import allocators

GENERATOR_TIMEOUT_S = 600
# The program's environment is built, not inherited: the same for every allocator.
PASSED_ENV = ("PATH", "LANG", "TZ")


class InputError(Exception):
    """The input generator failed (the declaration's or the repository's fault)."""


class WorkDir:
    def __init__(self, program_name: str, base: str | None = None):
        self.path = tempfile.mkdtemp(prefix=f"mmbench-{program_name}-", dir=base)
        self.reports = os.path.join(self.path, "witness")
        os.mkdir(self.reports)
        self.input_path: str | None = None
        self.port: int | None = None

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def make_input(self, program, args) -> None:
        """Generate (or copy) the input, outside any measurement."""
        spec = program.input
        if not spec:
            return
        if spec["kind"] == "file":
            self.input_path = self.file(spec["path"].name)
            shutil.copyfile(spec["path"], self.input_path)
            return
        self.input_path = self.file("input")
        params = [f"--{k}={v}" for k, v in sorted(program.sizes[args.size].items())]
        cmd = [sys.executable, "-I", str(spec["path"]), "--seed", str(args.seed),
               "--out", self.input_path] + params + list(spec["args"])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=GENERATOR_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise InputError(f"input generator {spec['path'].name} failed: {e}") from e
        if proc.returncode != 0 or not os.path.isfile(self.input_path):
            raise InputError(f"input generator {spec['path'].name} failed (exit "
                             f"{proc.returncode}): {proc.stderr.strip()[-300:]}")

    def fields(self, program, args) -> dict:
        builtin = {"work": self.path, "seed": args.seed, "output": self.file("output")}
        if self.input_path:
            builtin["input"] = self.input_path
        if self.port is not None:
            builtin["port"] = self.port
        return program.fields(args.size, **builtin)

    def program_env(self, program, alloc: allocators.Allocator, shim: str) -> dict:
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.setdefault("PATH", "/usr/bin:/bin")
        env.update({"HOME": self.path, "TMPDIR": self.path, "LC_ALL": "C"})
        env.update(program.env)
        env.update(allocators.program_env(alloc, shim, self.reports))
        return env

    def client_env(self) -> dict:
        """A load generator's: no preload, its allocator is not the one under test."""
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.setdefault("PATH", "/usr/bin:/bin")
        env.update({"HOME": self.path, "LC_ALL": "C"})
        return env

    def finish(self, keep: bool) -> None:
        if keep:
            print(f"mmbench-worker-programs: kept {self.path} (input, output, logs)",
                  file=sys.stderr)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
