"""Starting a program under test, watching its RSS, and never leaving it behind.

Every program runs in a process group of its own with PR_SET_PDEATHSIG
(SIGKILL): if the worker dies, however it dies, the kernel kills the program
(the runner's own group kill does not reach another group). The worker reaps
it with os.wait4, so its rusage (ru_maxrss: its peak RSS) is its own.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
import subprocess
import threading
import time

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int):
    def preexec():
        # Between fork and prctl the parent may already be gone: then go too.
        if _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0 or \
                os.getppid() != parent:
            os._exit(127)
    return preexec


@dataclasses.dataclass
class Finished:
    status: int | None           # exit status, None when killed by a signal
    signal: int | None
    wall_ns: int                 # spawn to reap
    user_s: float
    sys_s: float
    peak_rss_kib: int            # the program's own ru_maxrss
    samples: list                # [[t_s since spawn, rss_kib], ...]
    counters: dict               # faults and context switches (rusage)


class Sampler(threading.Thread):
    """Reads /proc/<pid>/statm every period through one descriptor opened at
    spawn, so it never reads another process that reused the pid."""

    def __init__(self, pid: int, period_s: float, t0: float):
        super().__init__(daemon=True)
        self.period_s, self.t0 = period_s, t0
        self.samples: list = []
        self.stop = threading.Event()
        try:
            self.fd: int | None = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
        except OSError:
            self.fd = None

    def sample(self) -> bool:
        try:
            fields = os.pread(self.fd, 256, 0).split() if self.fd is not None else []
        except OSError:
            return False
        if len(fields) < 2 or int(fields[1]) == 0:
            return False
        self.samples.append([round(time.monotonic() - self.t0, 6), int(fields[1]) * PAGE_KIB])
        return True

    def run(self):
        try:
            while self.sample() and not self.stop.wait(self.period_s):
                pass
        finally:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


class Program:
    """One running program: started at construction, reaped by wait()."""

    def __init__(self, argv: list[str], env: dict, cwd: str, stdin, stdout, stderr,
                 sample_s: float = 0.01):
        self.t0 = time.monotonic()
        self.t0_ns = time.monotonic_ns()
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout,
                                     stderr=stderr, process_group=0, close_fds=True,
                                     preexec_fn=_die_with_parent(os.getpid()))
        self.pid = self.proc.pid
        self.sampler = Sampler(self.pid, sample_s, self.t0)
        self.sampler.sample()
        self.sampler.start()
        self.finished: Finished | None = None

    def poll(self) -> bool:
        """True once the program has exited (it is reaped only by wait())."""
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) \
                is not None
        except ChildProcessError:
            return True

    def wait(self, timeout_s: float | None = None) -> Finished:
        """Reap the program (SIGKILL to its group once timeout_s has passed)."""
        if self.finished:
            return self.finished
        timer = threading.Timer(timeout_s, self.kill) if timeout_s is not None else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            while True:  # blocks until it exits; leaves it unreaped (WNOWAIT)
                try:
                    os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
                    break
                except InterruptedError:
                    continue
        finally:
            if timer:
                timer.cancel()
        end_ns = time.monotonic_ns()
        # Unreaped, the exited leader keeps its group's id: what it left there dies now.
        self.kill()
        while True:
            try:
                _, status, usage = os.wait4(self.pid, 0)
                break
            except InterruptedError:
                continue
        wall = end_ns - self.t0_ns
        self.proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not reap again
        self.sampler.stop.set()
        self.sampler.join()
        self.finished = Finished(
            status=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None, wall_ns=wall,
            user_s=usage.ru_utime, sys_s=usage.ru_stime, peak_rss_kib=usage.ru_maxrss,
            samples=self.sampler.samples, counters={
                "minor_faults": usage.ru_minflt, "major_faults": usage.ru_majflt,
                "voluntary_switches": usage.ru_nvcsw,
                "involuntary_switches": usage.ru_nivcsw})
        return self.finished

    def kill(self) -> None:
        if self.finished:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace_s: float) -> Finished:
        """SIGTERM, then SIGKILL after grace_s: how an operator stops a server."""
        if not self.finished and not self.poll():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        return self.wait(grace_s)

    def cpu_ns(self) -> int | None:
        """utime + stime of the running program so far (/proc/<pid>/stat)."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // ticks
