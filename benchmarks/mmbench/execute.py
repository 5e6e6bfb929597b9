"""Running one worker process and measuring it from the outside.

- The child runs in a process group of its own, so a timeout kills it and
  anything it started (SIGKILL to the group).
- Peak RSS and CPU time come from os.wait4 (the kernel's rusage of exactly
  that child): ru_maxrss in KiB is the authoritative peak of a process that
  maps no shared memory.
- A sampler thread reads /proc/<pid>/statm every sample period through one
  file descriptor opened at spawn time, so it can never read another process
  that reused the pid after the child was reaped.
- RSS counts a physical page once per mapping of it, so a process that maps
  one shared memory object at several addresses (multi-mapped heaps) has an
  RSS, and a ru_maxrss, that overstate its memory. When a sample's shared
  memory (tmpfs/memfd/SysV pages, RssShmem) is a large part of its resident
  pages, the sampler also reads Pss from /proc/<pid>/smaps_rollup (which
  counts each page once), at a bounded rate, since that read walks the page
  tables under the process's mmap lock. status is opened at spawn too;
  smaps_rollup when first needed (see _Sampler._rollup).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import threading
import time

from mmbench.launch import (TRAMPOLINE, become_subreaper, go_pipe, kill_group, lifeline,
                            reap, spawn_on_cpus)

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
# Shared resident pages from this fraction of the resident ones on: look closer.
SHARED_FRACTION = 0.25
# smaps_rollup is read at most once per PSS_PERIOD_S, and a read that took t
# is followed by none for PSS_COST_RATIO * t (a large address space takes
# milliseconds to walk): the sampler spends at most a tenth of its time there.
PSS_PERIOD_S = 0.05
PSS_COST_RATIO = 10
STDERR_TAIL_BYTES = 4000


@dataclasses.dataclass
class ProcessResult:
    exit_code: int | None       # None when killed by a signal
    signal: int | None
    timed_out: bool
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_kib: int              # wait4 ru_maxrss
    samples: list[tuple]           # (t_s since spawn, rss_kib)
    started: float                 # time.time() at spawn
    finished: float
    stderr_tail: str
    spawn_error: str | None = None
    pid: int | None = None
    sampled_peak_pss_kib: int | None = None  # None: Pss never read (no shared memory)

    @property
    def sampled_peak_rss_kib(self) -> int | None:
        return max((kib for _t, kib in self.samples), default=None)


def _open_proc(pid: int, name: str) -> int | None:
    try:
        return os.open(f"/proc/{pid}/{name}", os.O_RDONLY)
    except OSError:
        return None


def _kib_field(text: bytes, name: bytes) -> int | None:
    """N of a "Name:   N kB" line in a /proc status or smaps_rollup text (neither
    begins with the fields read here)."""
    at = text.find(b"\n" + name + b":")
    fields = text[at + len(name) + 2:].split(None, 1) if at >= 0 else []
    return int(fields[0]) if fields else None


class _Sampler(threading.Thread):
    def __init__(self, pid: int, period_s: float, t0: float):
        super().__init__(daemon=True)
        self.period_s = period_s
        self.t0 = t0
        self.samples: list[tuple] = []
        self.stop_event = threading.Event()
        self.fd = _open_proc(pid, "statm")
        self.status_fd = _open_proc(pid, "status")
        self.pid = pid
        self.rollup_fd: int | None = None  # opened when needed: see _rollup
        self.peak_pss_kib: int | None = None
        self.next_pss_at = 0.0
        self.shares_memory = False  # once seen, Pss is read for the rest of the run

    def sample_once(self) -> bool:
        if self.fd is None:
            return False
        try:
            now = time.monotonic()
            text = os.pread(self.fd, 256, 0)
        except OSError:  # the process is gone
            return False
        fields = text.split()
        if len(fields) < 3:
            return False
        rss_kib = int(fields[1]) * PAGE_KIB
        if rss_kib == 0:  # a zombie: exited, not reaped yet
            return False
        self.samples.append((now - self.t0, rss_kib))
        # statm's shared pages are file-backed ones too (every process's shared
        # libraries), which RSS counts once: only shared memory is multi-mapped.
        shared = self.shares_memory or int(fields[2]) * PAGE_KIB >= SHARED_FRACTION * rss_kib
        if shared and now >= self.next_pss_at:
            self._read_pss(rss_kib)
            done = time.monotonic()
            self.next_pss_at = done + max(PSS_PERIOD_S, PSS_COST_RATIO * (done - now))
        return True

    def _read_pss(self, rss_kib: int) -> None:
        try:
            if not self.shares_memory and self.status_fd is not None:
                shmem_kib = _kib_field(os.pread(self.status_fd, 4096, 0), b"RssShmem")
                self.shares_memory = (shmem_kib or 0) >= SHARED_FRACTION * rss_kib
            if not self.shares_memory:
                return
            pss_kib = _kib_field(self._rollup(), b"Pss")
        except OSError:  # the process is gone; statm says so next time
            return
        if pss_kib:
            self.peak_pss_kib = max(self.peak_pss_kib or 0, pss_kib)

    def _rollup(self) -> bytes:
        """smaps_rollup's text. Unlike statm and status, an open smaps_rollup
        reads the address space it was opened on, which the worker's exec (or a
        launcher's) replaces: it is opened when first needed and again when it
        fails, by pid; the process then still being there (statm, through
        the spawn-time fd) proves the pid was still its: it is not reaped yet."""
        if self.rollup_fd is not None:
            try:
                return os.pread(self.rollup_fd, 4096, 0)
            except OSError:  # ESRCH: that address space is gone
                pass
            os.close(self.rollup_fd)
            self.rollup_fd = None
        fd = _open_proc(self.pid, "smaps_rollup")
        if fd is None:
            return b""
        try:
            alive = os.pread(self.fd, 256, 0).split()[1:2] not in ([], [b"0"])
        except OSError:  # reaped: the pid may be another process's now
            alive = False
        if not alive:
            os.close(fd)
            return b""
        self.rollup_fd = fd
        return os.pread(fd, 4096, 0)

    def run(self):
        try:
            while self.sample_once() and not self.stop_event.wait(self.period_s):
                pass
        finally:
            for name in ("fd", "status_fd", "rollup_fd"):
                if getattr(self, name) is not None:
                    os.close(getattr(self, name))
                    setattr(self, name, None)


def _tail(path: str, limit: int = STDERR_TAIL_BYTES) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


class _Child:
    """The worker from its launcher's spawn to its reaping: its pids, its RSS
    sampler, its timeout, and what wait4 said."""

    def __init__(self, pgid: int, t0: float):
        self.pgid = pgid  # the shell leads a new session and group; the worker stays in it
        self.t0 = t0
        self.pid = self.watcher = self.sampler = self.timer = self.status = None
        self.rusage = None
        self.lost: str | None = None
        self.timed_out = threading.Event()

    def adopt(self, launcher: subprocess.Popen, sample_period_s: float) -> str | None:
        """Read the worker's and the watcher's pids from the launcher and start
        sampling at once, while the shell is still exiting; once it has exited the
        worker is our child. Returns why it failed, else None."""
        first_line = launcher.stdout.readline()
        try:
            self.pid, self.watcher = (int(f) for f in first_line.split()[:2])
        except ValueError:
            self.pid = None
        if self.pid is not None:
            self.sampler = _Sampler(self.pid, sample_period_s, self.t0)
            self.sampler.sample_once()
            self.sampler.start()
        _out, err = launcher.communicate()
        if self.pid is None:
            return ("the launcher shell did not start the worker: "
                    + err.decode("utf-8", "replace").strip())
        return None

    def start_timer(self, timeout_s: float) -> None:
        if timeout_s <= 0:
            return

        def on_timeout():
            self.timed_out.set()
            kill_group(self.pgid)
        self.timer = threading.Timer(max(timeout_s - (time.monotonic() - self.t0), 0.0),
                                     on_timeout)
        self.timer.daemon = True
        self.timer.start()

    def wait(self) -> None:
        echild_retries = 0
        while True:
            try:
                _pid, self.status, self.rusage = os.wait4(self.pid, 0)
                return
            except InterruptedError:
                continue
            except ChildProcessError:
                # Not (yet) our child: the kernel may still be handing it over from
                # the exiting shell. Retry for a while; if it never comes, its status
                # is lost: say so rather than raise (recorded as an error, and
                # --resume runs it again).
                if echild_retries < 20:
                    echild_retries += 1
                    time.sleep(0.005)
                    continue
                self.lost = f"the worker (pid {self.pid}) was reaped by another process"
                return

    def kill(self) -> None:
        """Take the worker, and anything it started, down (an interrupt mid-run)."""
        kill_group(self.pgid)
        if self.pid is not None and self.status is None:
            reap(self.pid)  # not adopted yet: killed all the same
        reap(self.watcher)

    def stop_clocks(self) -> None:
        if self.timer:
            self.timer.cancel()
        if self.sampler:
            self.sampler.stop_event.set()


def _spawn_failed(started: float, why: str) -> ProcessResult:
    return ProcessResult(None, None, False, 0.0, 0.0, 0.0, 0, [], started, time.time(), "",
                         spawn_error=why)


def run_process(cmd: list[str], stdout_path: str, stderr_path: str, timeout_s: float,
                sample_period_s: float, env: dict[str, str] | None = None,
                cwd: str | None = None, on_spawn=None, cpus=None) -> ProcessResult:
    """Run cmd to completion (or timeout) and measure it. Never raises for the child's
    failures; a spawn failure comes back as spawn_error. timeout_s <= 0: no limit.
    cpus: the CPUs the worker may run on (None: any)."""
    started = time.time()
    t0 = time.monotonic()
    if not os.access(cmd[0], os.X_OK):
        return _spawn_failed(started, f"{cmd[0]} is not an executable file")
    go_read, go_write = go_pipe()
    try:
        become_subreaper()
        launcher = spawn_on_cpus(cpus, lambda: subprocess.Popen(
            ["/bin/sh", "-c", TRAMPOLINE, "mmbench-launch", stdout_path, stderr_path,
             str(go_read)] + cmd,
            stdin=lifeline(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            cwd=cwd, start_new_session=True, pass_fds=(go_read,)))
    except OSError as e:
        os.close(go_write)
        return _spawn_failed(started, str(e))
    finally:
        os.close(go_read)
    child = _Child(launcher.pid, t0)
    # One guard from spawn to reap: an interrupt (Ctrl-C, SIGTERM) anywhere in
    # between takes the worker down with us instead of leaving it running.
    try:
        failed = child.adopt(launcher, sample_period_s)
        if failed:
            return _spawn_failed(started, failed)
        os.write(go_write, b"\n")  # adopted: the worker may start (see TRAMPOLINE)
        os.close(go_write)
        go_write = None
        child.start_timer(timeout_s)
        if on_spawn:
            on_spawn(child.pid)
        child.wait()
    except BaseException:
        child.kill()
        raise
    finally:
        if go_write is not None:
            os.close(go_write)  # not started: its read ends, and it exits (125)
        child.stop_clocks()
    wall = time.monotonic() - t0
    child.sampler.join()
    kill_group(child.pgid)  # anything the worker left in its group dies with it (the watcher too)
    reap(child.watcher)
    return _result(child, started, wall, stderr_path)


def _result(child: _Child, started: float, wall: float, stderr_path: str) -> ProcessResult:
    if child.lost:
        failed = _spawn_failed(started, child.lost)
        failed.pid, failed.wall_s, failed.samples = child.pid, wall, child.sampler.samples
        failed.stderr_tail = _tail(stderr_path)
        return failed
    status, rusage = child.status, child.rusage
    if os.WIFSIGNALED(status):
        exit_code, sig = None, os.WTERMSIG(status)
    else:
        exit_code, sig = os.WEXITSTATUS(status), None
    return ProcessResult(
        exit_code=exit_code, signal=sig, timed_out=child.timed_out.is_set(), wall_s=wall,
        user_s=rusage.ru_utime, sys_s=rusage.ru_stime, peak_rss_kib=rusage.ru_maxrss,
        samples=child.sampler.samples, started=started, finished=time.time(),
        stderr_tail=_tail(stderr_path), pid=child.pid,
        sampled_peak_pss_kib=child.sampler.peak_pss_kib)
