"""Whether a run folder's run has ended: its manifest's state and its lock.

The runner holds an flock on the folder's lock file for as long as it runs
and records how the run ended in the manifest; a report of a folder whose run
is still going, or ended early, says it is partial.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from mmbench.runfolder import LOCK


@dataclass
class RunState:
    manifest_state: str | None  # running | complete | interrupted | failed, None if unknown
    holder: str | None          # pid of the live process holding the lock, as it wrote it

    @property
    def running(self) -> bool:
        # The runner's own report at the end of a run is written under its lock,
        # after the manifest says how the run ended.
        return self.holder is not None and self.manifest_state != "complete"

    @property
    def partial(self) -> bool:
        return self.running or self.manifest_state in ("running", "interrupted", "failed")

    def describe(self) -> str:
        """One line for a partial run's report, "" for a finished or unknown one."""
        if self.running:
            return (f"partial: the run is still going (pid {self.holder} holds the folder's "
                    "lock); the tables cover the runs finished so far")
        if not self.partial:
            return ""
        how = ("its runner ended without recording its end" if self.manifest_state == "running"
               else f"it ended {self.manifest_state}")
        return (f"partial, not running: {how}; the tables cover the runs it finished "
                "(complete it with `mmbench run --resume`)")


def lock_holder(run_dir) -> str | None:
    """The pid written in the folder's lock while a live process holds it; None
    when none does. Probes with a shared lock, given back at once."""
    try:
        fd = os.open(Path(run_dir) / LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
    finally:
        os.close(fd)  # closing gives back the probe's lock too
    return None


def run_state(run_dir, manifest: dict | None) -> RunState:
    state = manifest.get("state") if isinstance(manifest, dict) else None
    return RunState(str(state) if state else None, lock_holder(run_dir))
