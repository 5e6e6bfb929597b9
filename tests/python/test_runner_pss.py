"""A process that maps shared memory at several addresses: RSS (and wait4's
ru_maxrss) counts each page once per mapping, so the runner measures such a
process by its Pss (docs/run-folder.md, "A process that maps shared memory")."""

import subprocess
import sys
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


def _independent_peaks(cmd):
    """(peak Pss KiB, peak RSS KiB) of cmd, from smaps_rollup read every 20 ms by
    this test, apart from the runner. Each read comes before the poll() that
    could reap the child, so the pid is still the child's."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks = {"Pss": 0, "Rss": 0}
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in peaks:
                        peaks[key] = max(peaks[key], int(value.split()[0]))
        except (OSError, ValueError):  # exec'ing, or just exited
            pass
        time.sleep(0.02)
    assert proc.returncode == 0, cmd
    return peaks["Pss"], peaks["Rss"]


@pytest.fixture(scope="module")
def jvm_run(run_mmbench, catalog, tmp_path_factory):
    wanted = ["jvm-g1", "jvm-zgc"]
    if any(s not in catalog.strategies for s in wanted):
        pytest.skip("the JVM worker is not built (no jvm-g1/jvm-zgc strategy)")
    folder = tmp_path_factory.mktemp("pss") / "run"
    run_mmbench("run", "--workloads", "lru_cache", "--strategies", ",".join(wanted),
                "--size", "default", "--reps", "1", "--out", folder, "--no-report", check_rc=0)
    return RunFolder(folder)


def _record_and_reference(rf, strategy, tmp_path):
    record = load_json(rf.raw("lru_cache", strategy, 1, "run"))
    assert record["status"] == "ok", record["problem"]
    cmd = [a.replace(str(rf.root / "raw"), str(tmp_path)) for a in record["cmd"]]
    return record, _independent_peaks(cmd)


def test_multi_mapped_heap_is_measured_by_pss(jvm_run, tmp_path):
    record, (pss, rss) = _record_and_reference(jvm_run, "jvm-zgc", tmp_path)
    assert record["peak_rss_source"] == "pss", record
    assert record["peak_rss_kib"] == record["sampled_peak_pss_kib"]
    assert record["peak_rss_kib"] <= 0.75 * record["ru_maxrss_kib"], record
    assert record["peak_rss_kib"] <= record["sampled_peak_rss_kib"]
    # The same command, measured apart: its Pss is well below its RSS too, and
    # its peak Pss is the runner's.
    assert pss <= 0.75 * rss, (pss, rss)
    assert abs(record["peak_rss_kib"] - pss) <= 0.15 * pss, (record["peak_rss_kib"], pss)


def test_single_mapped_heap_keeps_ru_maxrss(jvm_run, tmp_path):
    record, (pss, rss) = _record_and_reference(jvm_run, "jvm-g1", tmp_path)
    assert record["peak_rss_source"] == "ru_maxrss", record
    assert record["sampled_peak_pss_kib"] is None
    assert record["peak_rss_kib"] == record["ru_maxrss_kib"]
    # Measured apart, its Pss is its RSS: reading ru_maxrss loses nothing.
    assert abs(pss - rss) <= 0.10 * rss, (pss, rss)
    assert abs(record["peak_rss_kib"] - rss) <= 0.10 * rss, (record["peak_rss_kib"], rss)
