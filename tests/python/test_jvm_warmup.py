"""The JVM worker's warm-up passes: untimed, before the timed pass, in every
workload but the deliberate leak (whose forgotten objects a warm-up would add to
the peak RSS). real_time_loop runs one timed pass only, but its frame times are
free of the JIT's warm-up like the other rows' latencies."""

import subprocess

import pytest

from conftest import load_json


def _detail(build_dir, tmp_path, workload, *extra):
    worker = build_dir / "mmbench-worker-jvm"
    if not worker.exists():
        pytest.skip("no JVM worker in this build")
    detail = tmp_path / f"{workload}.json"
    proc = subprocess.run([str(worker), "--strategy", "jvm-serial", "--workload", workload,
                           "--size", "quick", "--detail-out", str(detail), *extra],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return load_json(detail)


@pytest.mark.parametrize("workload, passes", [("real_time_loop", 1), ("binary_trees", 1),
                                              ("leak_exit", 0)])
def test_warmup_passes_by_default(build_dir, tmp_path, workload, passes):
    warmup = _detail(build_dir, tmp_path, workload)["warmup"]
    assert len(warmup["untimed_passes"]) == passes, warmup
    assert warmup["timed_pass_is_warmup"] == (passes == 0), warmup
    for p in warmup["untimed_passes"]:
        # cpu_ns has the clock tick's resolution (10 ms, docs/jvm-worker.md): a pass
        # of a few ms can read 0 (one of 2.9 ms did), a longer one cannot.
        assert p["wall_ns"] > 0 and p["cpu_ns"] >= 0, warmup
        assert p["cpu_ns"] > 0 or p["wall_ns"] < 20_000_000, warmup


def test_no_warmup_when_asked_for_none(build_dir, tmp_path):
    warmup = _detail(build_dir, tmp_path, "real_time_loop", "--warmup-passes", "0")["warmup"]
    assert warmup["untimed_passes"] == [] and warmup["timed_pass_is_warmup"], warmup
