"""Bring-your-own allocator through LD_PRELOAD, and the worker options this
rests on: --expect-malloc must refuse a preload that did not take effect,
--label renames the results, and the collector options end in clean exits."""

import json
import os
import subprocess

import pytest

TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"


@pytest.fixture(scope="module")
def glibc_worker(build_dir):
    path = build_dir / "mmbench-worker-glibc"
    if not path.exists():
        pytest.skip(f"no glibc worker in {build_dir}")
    return path


def _run(worker, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    env.update(env_extra or {})
    return subprocess.run([str(worker)] + [str(a) for a in args], capture_output=True,
                          text=True, env=env, timeout=300)


QUICK = ("--workload", "binary_trees", "--size", "quick", "--benchmark_format=console")


@pytest.mark.skipif(not os.path.exists(TCMALLOC), reason="libtcmalloc-minimal4 not installed")
def test_preloaded_tcmalloc_serves_malloc_and_is_labelled(glibc_worker, tmp_path):
    detail = tmp_path / "d.json"
    proc = _run(glibc_worker, *QUICK, "--strategy", "glibc", "--expect-malloc", TCMALLOC,
                "--label", "tcmalloc", "--detail-out", detail,
                env_extra={"LD_PRELOAD": TCMALLOC})
    assert proc.returncode == 0, proc.stderr
    d = json.loads(detail.read_text())
    assert "tcmalloc" in d["allocator"]["malloc_from"]
    assert d["strategy"] == "tcmalloc"
    assert d["hosted_by"] == "glibc"
    assert d["config"]["LD_PRELOAD"] == TCMALLOC


def test_expected_preload_missing_is_refused(glibc_worker):
    # Nothing is preloaded: the path is only named, so tcmalloc need not exist.
    proc = _run(glibc_worker, *QUICK, "--strategy", "glibc", "--expect-malloc", TCMALLOC)
    assert proc.returncode == 3
    assert "not the preloaded" in proc.stderr


def test_heap_cap_ends_in_clean_oom(glibc_worker, tmp_path):
    for cap in ("1000", "200000"):  # below and above GC_INIT's initial heap
        proc = _run(glibc_worker, *QUICK, "--strategy", "boehm", "--gc-max-heap-bytes", cap)
        assert proc.returncode == 4, (cap, proc.stderr)
        assert "out of memory" in proc.stderr and f"capped at {cap} bytes" in proc.stderr


def test_gc_options_need_a_collector(glibc_worker):
    proc = _run(glibc_worker, *QUICK, "--strategy", "glibc", "--gc-max-heap-bytes", "1000000")
    assert proc.returncode == 2


def test_fixed_heap_needs_a_cap_and_a_collector_that_fills_it(glibc_worker):
    listed = {s["name"]: s["hooks"] for s in json.loads(_run(glibc_worker, "--list").stdout)
              ["strategies"]}
    assert "fixed_heap" in listed["boehm"] and "fixed_heap" not in listed["boehm-incremental"]
    cap = ("--gc-max-heap-bytes", str(64 << 20))
    proc = _run(glibc_worker, *QUICK, "--strategy", "boehm", "--gc-fixed-heap")
    assert proc.returncode == 2 and "needs --gc-max-heap-bytes" in proc.stderr
    proc = _run(glibc_worker, *QUICK, "--strategy", "boehm-incremental", "--gc-fixed-heap", *cap)
    assert proc.returncode == 2 and "does not apply to 'boehm-incremental'" in proc.stderr
    proc = _run(glibc_worker, *QUICK, "--strategy", "boehm", "--gc-fixed-heap", *cap)
    assert proc.returncode == 0, proc.stderr


def test_describe_reports_each_strategys_configuration(glibc_worker):
    proc = _run(glibc_worker, "--describe", env_extra={"MMBENCH_GC_MARKERS": "3",
                                                       "MMBENCH_GC_PAUSE_TARGET_MS": "7"})
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)["config"]
    listed = {e["strategy"] for e in json.loads(_run(glibc_worker, "--list").stdout)["entries"]}
    assert set(config) == listed
    assert config["boehm-markers"]["markers"] == 3
    assert config["boehm-incremental"]["pause_target_ms"] == 7
    assert config["boehm"]["incremental"] is False
    assert "GLIBC_TUNABLES" in config["glibc"]


def test_collector_variants_apply_their_configuration(glibc_worker, tmp_path):
    detail = tmp_path / "m.json"
    proc = _run(glibc_worker, *QUICK, "--strategy", "boehm-markers", "--detail-out", detail,
                env_extra={"MMBENCH_GC_MARKERS": "2"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(detail.read_text())["gc"]["marker_threads"] == 2
    proc = _run(glibc_worker, *QUICK, "--strategy", "boehm-incremental", "--detail-out", detail)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(detail.read_text())["gc"]["incremental"] is True
    proc = _run(glibc_worker, *QUICK, "--strategy", "boehm", "--detail-out", detail)
    gc = json.loads(detail.read_text())["gc"]
    assert gc["incremental"] is False and gc["marker_threads"] == 1
