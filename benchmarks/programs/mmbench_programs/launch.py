"""Starting a program under test, watching its RSS, and never leaving it behind.

Every program runs in a process group of its own, as the child of a small
launcher (program_launch.c), both with PR_SET_PDEATHSIG (SIGKILL): if the
worker dies, however it dies, the kernel kills the launcher and then the
program (the runner's own group kill does not reach another group). The
launcher reaps the program with wait4, so its rusage (ru_maxrss: its peak
RSS) is its own, not the Python worker's.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import threading
import time

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


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
    """One running program, started at construction through the launcher
    (program_launch.c) in a process group of its own; wait() reaps it."""

    def __init__(self, launcher: str, argv: list[str], env: dict, cwd: str, stdin, stdout,
                 stderr, sample_s: float = 0.01):
        self.t0 = time.monotonic()
        read_end, write_end = os.pipe()
        try:
            # No preexec_fn (unsafe beside the sampler threads): the launcher sets
            # its own PR_SET_PDEATHSIG and checks that its parent is still us.
            self.launcher = subprocess.Popen(
                [launcher, str(os.getpid()), str(write_end)] + argv, env=env, cwd=cwd,
                stdin=stdin, stdout=stdout, stderr=stderr, process_group=0, close_fds=True,
                pass_fds=(write_end,))
        finally:
            os.close(write_end)
        self.report = os.fdopen(read_end, "r")
        first = self.report.readline().split()
        if len(first) != 2 or first[0] != "pid":
            self.launcher.wait()
            raise OSError(f"the launcher did not start {argv[0]} (exit "
                          f"{self.launcher.returncode})")
        self.pid = int(first[1])  # the program's own pid: its RSS, its witness report
        self.sampler = Sampler(self.pid, sample_s, self.t0)
        self.sampler.sample()
        self.sampler.start()
        self.finished: Finished | None = None

    def running(self) -> bool:
        return self.finished is None and self.launcher.poll() is None

    def wait(self, timeout_s: float | None = None) -> Finished:
        """Reap the program (SIGKILL to its group once timeout_s has passed)."""
        if self.finished:
            return self.finished
        timer = threading.Timer(timeout_s, self.kill) if timeout_s is not None else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            last = self.report.readline().split()  # the launcher's line, or EOF when killed
            self.launcher.wait()
        finally:
            if timer:
                timer.cancel()
        self.kill()  # whatever the program left in its group
        self.report.close()
        self.sampler.stop.set()
        self.sampler.join()
        self.finished = _finished(last, self.sampler.samples)
        return self.finished

    def kill(self) -> None:
        if self.finished is None and self.launcher.returncode is None:
            try:
                os.killpg(self.launcher.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def stop(self, grace_s: float) -> Finished:
        """SIGTERM, then SIGKILL after grace_s: how an operator stops a server."""
        if self.running():
            self.launcher.send_signal(signal.SIGTERM)  # the launcher passes it on
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


def _finished(fields: list[str], samples: list) -> Finished:
    """The launcher's last line ("exit S wall_ns W ..."); killed: signal 9, nothing measured."""
    values = dict(zip(fields[::2], fields[1::2]))
    try:
        got = {k: int(v) for k, v in values.items()}
    except ValueError:
        got = {}
    if "exit" not in got and "signal" not in got:
        got = {"signal": signal.SIGKILL}
    return Finished(
        status=got.get("exit"), signal=got.get("signal"), wall_ns=got.get("wall_ns", 0),
        user_s=got.get("utime_us", 0) / 1e6, sys_s=got.get("stime_us", 0) / 1e6,
        peak_rss_kib=got.get("maxrss_kib", 0), samples=samples, counters={
            "minor_faults": got.get("minflt"), "major_faults": got.get("majflt"),
            "voluntary_switches": got.get("nvcsw"), "involuntary_switches": got.get("nivcsw")})
