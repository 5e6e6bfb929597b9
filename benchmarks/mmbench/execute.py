"""Running one worker process and measuring it from the outside.

- The child gets its own process group, so a timeout kills it and anything it
  started (SIGKILL to the group).
- Peak RSS and CPU time come from os.wait4 (the kernel's rusage of exactly
  that child): ru_maxrss in KiB is the authoritative peak.
- A sampler thread reads /proc/<pid>/statm every sample period through one
  file descriptor opened at spawn time, so it can never read another process
  that reused the pid after the child was reaped.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import threading
import time
from typing import Dict, List, Optional

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
STDERR_TAIL_BYTES = 4000

# Worker exit codes (benchmarks/worker_main.cpp).
EXIT_OK = 0
EXIT_ALLOCATOR_MISMATCH = 3
EXIT_OOM = 4


@dataclasses.dataclass
class ProcessResult:
    exit_code: Optional[int]       # None when killed by a signal
    signal: Optional[int]
    timed_out: bool
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_kib: int
    samples: List[tuple]           # (t_s since spawn, rss_kib)
    started: float                 # time.time() at spawn
    finished: float
    stderr_tail: str
    spawn_error: Optional[str] = None

    @property
    def sampled_peak_rss_kib(self) -> Optional[int]:
        return max((kib for _t, kib in self.samples), default=None)


class _Sampler(threading.Thread):
    def __init__(self, pid: int, period_s: float, t0: float):
        super().__init__(daemon=True)
        self.period_s = period_s
        self.t0 = t0
        self.samples: List[tuple] = []
        self.stop_event = threading.Event()
        try:
            self.fd: Optional[int] = os.open("/proc/%d/statm" % pid, os.O_RDONLY)
        except OSError:
            self.fd = None

    def sample_once(self) -> bool:
        if self.fd is None:
            return False
        try:
            now = time.monotonic()
            text = os.pread(self.fd, 256, 0)
        except OSError:  # the process is gone
            return False
        fields = text.split()
        if len(fields) < 2:
            return False
        rss_kib = int(fields[1]) * PAGE_KIB
        if rss_kib == 0:  # a zombie: exited, not reaped yet
            return False
        self.samples.append((now - self.t0, rss_kib))
        return True

    def run(self):
        try:
            while self.sample_once() and not self.stop_event.wait(self.period_s):
                pass
        finally:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


def _tail(path: str, limit: int = STDERR_TAIL_BYTES) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def run_process(cmd: List[str], stdout_path: str, stderr_path: str, timeout_s: float,
                sample_period_s: float, env: Optional[Dict[str, str]] = None,
                cwd: Optional[str] = None, on_spawn=None) -> ProcessResult:
    """Run cmd to completion (or timeout) and measure it. Never raises for the child's
    failures; a spawn failure comes back as spawn_error. timeout_s <= 0: no limit."""
    started = time.time()
    t0 = time.monotonic()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                    env=env, cwd=cwd, start_new_session=True)
        except OSError as e:
            return ProcessResult(None, None, False, 0.0, 0.0, 0.0, 0, [], started, time.time(),
                                 "", spawn_error=str(e))
    pid = proc.pid
    sampler = _Sampler(pid, sample_period_s, t0)
    sampler.sample_once()
    sampler.start()
    timed_out = threading.Event()

    def kill_group():
        timed_out.set()
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout_s, kill_group) if timeout_s > 0 else None
    if timer:
        timer.daemon = True
        timer.start()
    if on_spawn:
        on_spawn(pid)
    try:
        while True:
            try:
                _pid, status, rusage = os.wait4(pid, 0)
                break
            except InterruptedError:
                continue
    except BaseException:
        # Interrupted (Ctrl-C): take the worker down with us, then reap it.
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.wait4(pid, 0)
        except ChildProcessError:
            pass
        proc.returncode = -signal.SIGKILL
        raise
    finally:
        if timer:
            timer.cancel()
        sampler.stop_event.set()
    wall = time.monotonic() - t0
    sampler.join()
    # Anything the worker left in its group dies with it.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if os.WIFSIGNALED(status):
        exit_code, sig = None, os.WTERMSIG(status)
        proc.returncode = -sig
    else:
        exit_code, sig = os.WEXITSTATUS(status), None
        proc.returncode = exit_code
    return ProcessResult(
        exit_code=exit_code, signal=sig, timed_out=timed_out.is_set(), wall_s=wall,
        user_s=rusage.ru_utime, sys_s=rusage.ru_stime, peak_rss_kib=rusage.ru_maxrss,
        samples=sampler.samples, started=started, finished=time.time(),
        stderr_tail=_tail(stderr_path))
