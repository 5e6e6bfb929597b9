"""The host probe: is the machine running at its usual speed right now?

A virtual machine's host can slow every workload for a while without anything
the guest kernel reports (steal, PSI, migrations) showing it
(docs/reproducibility.md). `mmbench-host-probe` builds and walks a binary tree
that slows down with the workloads in those windows; the runner keeps one probe
process per session (`--serve`, pinned to the worker's CPU) and reads it just
before and just after every worker process.

A reading is compared with the session's reference: a low quantile of all its
readings so far, i.e. the machine at its usual best. The reference only falls
as the session goes on, so runs that a slow window at the start of a session
made look normal are checked again at the end of each round (session.py).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

PROBE_NAME = "mmbench-host-probe"
# Readings taken when the session opens, before the first worker.
CALIBRATION_READINGS = 12
# The reference: this quantile of every reading of the session so far. Low,
# because the machine is never faster than it can be, and a slow window can
# last a fifth of a run.
REFERENCE_QUANTILE = 0.10
MIN_READINGS_FOR_REFERENCE = 5


class HostProbe:
    """One `mmbench-host-probe --serve` process and the readings it gave."""

    def __init__(self, path: pathlib.Path, cpus: list[int] | None):
        self.path = path
        self.cpus = cpus
        self.readings: list[int] = []
        self.problem: str | None = None
        self._proc: subprocess.Popen | None = None
        try:
            self._proc = subprocess.Popen(
                [str(path), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, bufsize=1,
                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        except OSError as e:
            self.problem = f"could not start {path}: {e}"

    @property
    def working(self) -> bool:
        return self._proc is not None and self.problem is None

    def read(self) -> int | None:
        """One reading (the median of the probe's samples, ns); None once the
        probe has failed (its problem is kept, and the run goes on without it)."""
        if not self.working:
            return None
        try:
            self._proc.stdin.write("\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
            ns = int(json.loads(line)["median_ns"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            self.problem = f"{self.path.name} stopped answering ({e.__class__.__name__}: {e})"
            self.close()
            return None
        self.readings.append(ns)
        return ns

    def calibrate(self, n: int = CALIBRATION_READINGS) -> None:
        for _ in range(n):
            if self.read() is None:
                return

    def reference(self) -> float | None:
        """The session's usual best: REFERENCE_QUANTILE of its readings."""
        if len(self.readings) < MIN_READINGS_FOR_REFERENCE:
            return None
        ordered = sorted(self.readings)
        return float(ordered[int(REFERENCE_QUANTILE * (len(ordered) - 1))])

    def ratio(self, readings: list[int | None]) -> float | None:
        """The slower of these readings against the reference (1.0: usual speed)."""
        ref = self.reference()
        known = [r for r in readings if r]
        return max(known) / ref if ref and known else None

    def describe(self) -> dict:
        """What the manifest keeps of the probe."""
        return {"path": str(self.path), "cpus": self.cpus, "readings": len(self.readings),
                "reference_ns": self.reference(), "reference_quantile": REFERENCE_QUANTILE,
                "problem": self.problem}

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def open_host_probe(build_dir: pathlib.Path, cpus: list[int] | None) -> HostProbe | None:
    """The session's probe, calibrated; None where the build has no probe (an
    older build: the run goes on with the worker's own speed probe only)."""
    path = pathlib.Path(build_dir) / PROBE_NAME
    if not path.is_file():
        return None
    probe = HostProbe(path, cpus)
    probe.calibrate()
    return probe
