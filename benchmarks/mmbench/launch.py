"""How a worker is started: from a small shell, adopted by the runner (a child
subreaper), tied to the runner's life by a pipe; the pieces execute.run_process
puts together."""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import threading


# The worker is started by a small shell and adopted by the runner (a child
# subreaper), not forked from Python itself: the kernel's ru_maxrss of a
# process also covers the memory of whatever it was forked from before exec
# (exec keeps the max over the old mm), so a worker forked (or vforked) from
# the Python runner would report at least the runner's own RSS. Forked from a
# small shell, its peak is its own, as under /usr/bin/time.
#
# The launcher's stdin is the read end of a pipe whose only write end the runner
# holds (the "lifeline"). A watcher in the worker's process group blocks reading
# it; when the runner dies however it dies (SIGKILL, a closed terminal), the
# pipe reaches end of file and the watcher kills the group: no worker outlives
# the runner. (PR_SET_PDEATHSIG would fire when the shell exits, not the runner.)
# (An asynchronous list's stdin is /dev/null unless redirected: hence fd 3.)
# The worker's subshell waits on a second pipe (the "go" pipe, opened through
# /proc/self/fd: dash takes single-digit fds only) until the runner has
# adopted it, then execs: a worker that exits at once
# (a refused allocator) could otherwise be reaped by the exiting shell, and
# its status would be lost.
TRAMPOLINE = ('out=$1; err=$2; go=$3; shift 3; exec 3<&0 </dev/null; '
              '{ read _ignored; kill -KILL 0; } <&3 3<&- >/dev/null 2>&1 & w=$!; '
              '{ read _go <"/proc/self/fd/$go" || exit 125; exec "$@"; } '
              '>"$out" 2>"$err" </dev/null 3<&- & echo $! $w')


def go_pipe() -> tuple[int, int]:
    """A worker's go pipe (see TRAMPOLINE): (read end, at fd 10 or above, clear of
    the fds 0-3 the trampoline uses; write end), both close-on-exec."""
    read, write = os.pipe()
    high = fcntl.fcntl(read, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(read)
    return high, write


_PR_SET_CHILD_SUBREAPER = 36
_subreaper_lock = threading.Lock()
_subreaper_on = False


def become_subreaper() -> None:
    global _subreaper_on
    with _subreaper_lock:
        if _subreaper_on:
            return
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
        _subreaper_on = True


_lifeline_lock = threading.Lock()
_lifeline_read: int | None = None


def lifeline() -> int:
    """The read end of the lifeline pipe (see TRAMPOLINE); the write end stays open,
    close-on-exec, in this process until it exits."""
    global _lifeline_read
    with _lifeline_lock:
        if _lifeline_read is None:
            r, w = os.pipe()  # both non-inheritable; Popen dups r onto the shell's stdin
            _lifeline_read = r
            _lifeline_write_ends.append(w)
        return _lifeline_read


_lifeline_write_ends: list[int] = []


def reap(pid: int | None) -> None:
    """Reap an adopted process that has been killed (ignore one already reaped)."""
    if pid is None:
        return
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def spawn_on_cpus(cpus, spawn):
    """Call spawn() with this thread's CPU affinity set to `cpus` (None: as it is),
    so the child inherits it from the fork; the thread's own is restored after.
    (Affinity is per thread on Linux: the runner's other threads keep theirs.)"""
    if not cpus:
        return spawn()
    old = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        return spawn()
    finally:
        os.sched_setaffinity(0, old)
