"""The run's progress: one updating line on a terminal, a line per run otherwise."""

from __future__ import annotations

import sys
import threading
import time

from mmbench import fmt


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """One updating line on a terminal; one plain line per finished run otherwise."""

    def __init__(self, total: int, stream=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.total = total
        self.done = 0
        self.executed = 0
        self.exec_time = 0.0
        self.t0 = time.monotonic()
        self.current = None
        self.current_t0 = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        if self.tty:
            threading.Thread(target=self._tick, daemon=True).start()

    def _eta(self, remaining: int) -> str:
        if not self.executed:
            return "?"
        return _clock(self.exec_time / self.executed * remaining)

    def _line(self) -> str:
        elapsed = time.monotonic() - self.t0
        cur = ""
        if self.current:
            w, s, r = self.current
            cur = f" {w}/{s} r{r} ({_clock(time.monotonic() - self.current_t0)})"
        return (f"[{self.done}/{self.total}]{cur}  elapsed {_clock(elapsed)}  "
                f"ETA {self._eta(self.total - self.done)}")

    def _draw(self):
        self.stream.write("\r\033[K" + self._line())
        self.stream.flush()

    def _tick(self):
        while not self.stop.wait(1.0):
            with self.lock:
                if self.current:
                    self._draw()

    def start(self, workload, strategy, rep):
        with self.lock:
            self.current = (workload, strategy, rep)
            self.current_t0 = time.monotonic()
            if self.tty:
                self._draw()

    def skipped(self, n: int = 1):
        with self.lock:
            self.done += n

    def deferred(self, record: dict, finished: bool = False):
        """A disturbed attempt, to be run again at the end of its round; `finished`:
        one already counted as done, found disturbed when its round was re-checked."""
        with self.lock:
            if finished:
                self.done -= 1
                when = "found at the end of its round; again"
            else:
                self.exec_time += time.monotonic() - self.current_t0
                self.current = None
                when = "again at the end of the round"
            self._say(f'{record["workload"]}/{record["strategy"]} r{record["rep"]}: disturbed '
                      f'({"; ".join(record["disturbed"])}); {when}')

    def note(self, text: str):
        """A line about the run as a whole (e.g. a wait for a slow host)."""
        with self.lock:
            self._say(text)

    def _say(self, text: str):
        """One indented line between the run lines (the lock held)."""
        if self.tty:
            self.stream.write("\r\033[K" + text + "\n")
            self._draw()
        else:
            self.stream.write(f"      {text}\n")
            self.stream.flush()

    def finished(self, record: dict, started: bool = True):
        """A run done; `started`: False for a disturbed attempt kept as it is
        (no re-run left), which was timed when it was deferred."""
        with self.lock:
            self.done += 1
            if started:
                self.executed += 1
                self.exec_time += time.monotonic() - self.current_t0
            self.current = None
            text = f'{record["workload"]}/{record["strategy"]} r{record["rep"]}: {record["status"]}'
            if record["status"] == "ok":
                text += (f'  {record["wall_s"]:.2f} s  peak RSS '
                         f'{fmt.format_kib(record["peak_rss_kib"])}')
            elif record.get("problem"):
                text += f'  ({record["problem"]})'
            if self.tty:
                if record["status"] != "ok":
                    self.stream.write("\r\033[K" + text + "\n")
                self._draw()
            else:
                self.stream.write(f"[{self.done}/{self.total}] {text}\n")
                self.stream.flush()

    def close(self):
        self.stop.set()
        with self.lock:
            if self.tty:
                self.stream.write("\r\033[K")
                self.stream.flush()
