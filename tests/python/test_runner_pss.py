"""A process that maps shared memory at several addresses: RSS (and wait4's
ru_maxrss) counts each page once per mapping, so the runner measures such a
process by its Pss (docs/run-folder.md, "A process that maps shared memory")."""

import sys
import threading
import time

import pytest

from conftest import load_json

from mmbench import execute
from mmbench.runfolder import RunFolder

MIB = 1024

# Maps one memfd region of SIZE MiB at VIEWS addresses (MAP_SHARED) and
# touches every page through each of them, then holds it long enough for the
# sampler's bounded-rate Pss reads; "private" maps anonymous memory once.
_CHILD = r"""
import mmap, os, sys, time
size, views, kind = int(sys.argv[1]) << 20, int(sys.argv[2]), sys.argv[3]
page = mmap.PAGESIZE
if kind == "shared":
    fd = os.memfd_create("mmbench-test")
    os.ftruncate(fd, size)
    maps = [mmap.mmap(fd, size, mmap.MAP_SHARED) for _ in range(views)]
else:
    maps = [mmap.mmap(-1, size, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)]
for i in range(0, size, page):
    maps[0][i] = 1
for m in maps[1:]:
    for i in range(0, size, page):
        assert m[i] == 1
time.sleep(0.6)
"""


def _run_child(tmp_path, size_mib, views, kind):
    result = execute.run_process([sys.executable, "-c", _CHILD, str(size_mib), str(views), kind],
                                 str(tmp_path / "out"), str(tmp_path / "err"), timeout_s=120,
                                 sample_period_s=0.01)
    assert result.exit_code == 0, result.stderr_tail
    return result


def test_memory_mapped_three_times_is_measured_once_by_pss(tmp_path):
    size = 96
    result = _run_child(tmp_path, size, 3, "shared")
    # RSS counts the region three times, plus the interpreter's own few MiB.
    assert 2.9 * size * MIB <= result.peak_rss_kib <= 3.25 * size * MIB, result.peak_rss_kib
    pss = result.sampled_peak_pss_kib
    assert pss is not None
    assert 0.95 * size * MIB <= pss <= 1.25 * size * MIB, pss
    assert pss <= result.sampled_peak_rss_kib


def test_private_memory_is_measured_by_ru_maxrss(tmp_path):
    size = 96
    result = _run_child(tmp_path, size, 1, "private")
    assert result.sampled_peak_pss_kib is None
    assert 0.95 * size * MIB <= result.peak_rss_kib <= 1.25 * size * MIB, result.peak_rss_kib


class _Poller(threading.Thread):
    """Peak Pss and Rss of one process, from its smaps_rollup opened afresh and
    read every 20 ms by this test, apart from the runner's sampler (a fresh open
    follows the launcher's exec). It stops when the process is gone."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peaks = pid, {"Pss": 0, "Rss": 0}

    def run(self):
        while True:
            try:
                with open(f"/proc/{self.pid}/smaps_rollup", encoding="ascii") as f:
                    text = f.read()
            except OSError:
                return
            for line in text.splitlines()[1:]:
                key, _, value = line.partition(":")
                if key in self.peaks:
                    self.peaks[key] = max(self.peaks[key], int(value.split()[0]))
            if "Rss:" not in text:  # a zombie's address space is gone
                return
            time.sleep(0.02)


def _measured_alongside(cmd, tmp_path):
    """Run cmd as the runner does, with a _Poller on the same process (the JVM's
    peak moves between runs, so only the same process compares)."""
    pollers = []

    def on_spawn(pid):
        pollers.append(_Poller(pid))
        pollers[0].start()
    result = execute.run_process(cmd, str(tmp_path / "out"), str(tmp_path / "err"),
                                 timeout_s=600, sample_period_s=0.01, on_spawn=on_spawn)
    assert result.exit_code == 0, result.stderr_tail
    pollers[0].join(5)
    return result, pollers[0].peaks["Pss"], pollers[0].peaks["Rss"]


@pytest.fixture(scope="module")
def jvm_run(run_mmbench, catalog, tmp_path_factory):
    wanted = ["jvm-g1", "jvm-zgc"]
    if any(s not in catalog.strategies for s in wanted):
        pytest.skip("the JVM worker is not built (no jvm-g1/jvm-zgc strategy)")
    folder = tmp_path_factory.mktemp("pss") / "run"
    run_mmbench("run", "--workloads", "lru_cache", "--strategies", ",".join(wanted),
                "--size", "default", "--reps", "1", "--out", folder, "--no-report", check_rc=0)
    return RunFolder(folder)


def _record_and_rerun(rf, strategy, tmp_path):
    record = load_json(rf.raw("lru_cache", strategy, 1, "run"))
    assert record["status"] == "ok", record["problem"]
    cmd = [a.replace(str(rf.root / "raw"), str(tmp_path)) for a in record["cmd"]]
    return record, _measured_alongside(cmd, tmp_path)


def test_multi_mapped_heap_is_measured_by_pss(jvm_run, tmp_path):
    record, (result, pss, rss) = _record_and_rerun(jvm_run, "jvm-zgc", tmp_path)
    assert record["peak_rss_source"] == "pss", record
    assert record["peak_rss_kib"] == record["sampled_peak_pss_kib"]
    assert record["peak_rss_kib"] <= 0.75 * record["ru_maxrss_kib"], record
    assert record["peak_rss_kib"] <= record["sampled_peak_rss_kib"]
    # The same command again, its one process read apart as well: its Pss is
    # well below its RSS, and the sampler's peak Pss is the poller's.
    assert pss <= 0.75 * rss, (pss, rss)
    assert result.sampled_peak_pss_kib is not None
    assert abs(result.sampled_peak_pss_kib - pss) <= 0.15 * pss, (result.sampled_peak_pss_kib, pss)


def test_single_mapped_heap_keeps_ru_maxrss(jvm_run, tmp_path):
    record, (result, pss, rss) = _record_and_rerun(jvm_run, "jvm-g1", tmp_path)
    assert record["peak_rss_source"] == "ru_maxrss", record
    assert record["sampled_peak_pss_kib"] is None
    assert record["peak_rss_kib"] == record["ru_maxrss_kib"]
    # Read apart, its Pss is its RSS: reading ru_maxrss loses nothing.
    assert result.sampled_peak_pss_kib is None
    assert abs(pss - rss) <= 0.10 * rss, (pss, rss)
    assert abs(result.peak_rss_kib - rss) <= 0.10 * rss, (result.peak_rss_kib, rss)
