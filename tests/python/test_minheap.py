"""mmbench minheap against a fake worker (tests/fixtures/fake_heap_worker.py) that
fails like a collector below a known heap: the bisection finds that heap within
the precision, a wrong checksum or a timeout is a failure, minheap.json is reused
and resumed, Go's soft knob is probed instead of bisected, bad input is refused."""

import json
import os
import subprocess
import types

import pytest

from conftest import MMBENCH, NO_HOST_WAIT, PYTHON, REPO, load_json
from mmbench import workers
from mmbench.errors import UsageError
from mmbench.experiments import minheap, points

FAKE = REPO / "tests" / "fixtures" / "fake_heap_worker.py"
THRESHOLD = 5_000_000
MIB = 1 << 20


@pytest.fixture(scope="session")
def fake_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("fake-heap-build")
    for family in ("fakec", "jvm", "go"):
        path = build / f"mmbench-worker-{family}"
        path.write_text(f'#!/bin/sh\nexec {PYTHON} {FAKE} --family {family} "$@"\n')
        path.chmod(0o755)
    return build


@pytest.fixture(scope="session")
def fake_catalog(fake_build):
    return workers.load_catalog(fake_build)


@pytest.fixture
def fake_env(monkeypatch, tmp_path):
    """The fake's behaviour, set in the environment the runner passes on; returns
    a function that sets it and the run log's path."""
    for name in ("FAKE_MIN_HEAP", "FAKE_BAD_CHECKSUM_BELOW", "FAKE_HANG_BELOW",
                 "FAKE_LIVE_BYTES", "FAKE_HINT_BYTES", "MMBENCH_JVM_HEAP"):
        monkeypatch.delenv(name, raising=False)
    log = tmp_path / "runs.log"
    monkeypatch.setenv("FAKE_RUN_LOG", str(log))

    def set_env(**values):
        for k, v in values.items():
            monkeypatch.setenv(k, str(v))
    return set_env, log


def _opts(timeout_s=60.0):
    return points.base_options("quick", 1, 42, timeout_s, 10.0)


def _runs(log):
    return log.read_text().splitlines() if log.exists() else []


def _check_probes_match_threshold(row, threshold):
    """The fake is deterministic: a probe passes exactly when its heap is at or above
    the threshold."""
    assert row["probes"], row
    for p in row["probes"]:
        assert p["ok"] == (p["heap_bytes"] >= threshold), p
        assert p["status"] == ("ok" if p["ok"] else "oom"), p


@pytest.mark.parametrize("strategy", ["boehm", "jvm-g1"])
@pytest.mark.parametrize("hint", [3 * THRESHOLD, THRESHOLD // 10])
def test_bisection_finds_the_threshold(fake_catalog, fake_env, tmp_path, strategy, hint):
    set_env, _ = fake_env
    set_env(FAKE_MIN_HEAP=THRESHOLD, FAKE_HINT_BYTES=hint)
    row = minheap.find_min_heap(tmp_path, fake_catalog, _opts(), "binary_trees", strategy,
                                trials=2, precision=0.05)
    assert row["status"] == "ok", row
    low, high = row["fails_at_bytes"], row["min_heap_bytes"]
    assert low < THRESHOLD <= high
    assert high / low <= 1.05
    assert row["min_multiple"] == pytest.approx(high / MIB)
    _check_probes_match_threshold(row, THRESHOLD)
    confirmed = next(p for p in row["probes"] if p["heap_bytes"] == high)
    assert [t["status"] for t in confirmed["trials"]] == ["ok", "ok"]
    assert row["peak_rss_kib_at_min"] > 0 and row["throughput_at_min"] == pytest.approx(50_000)


def test_finer_precision_comes_closer(fake_catalog, fake_env, tmp_path):
    set_env, _ = fake_env
    set_env(FAKE_MIN_HEAP=THRESHOLD)
    row = minheap.find_min_heap(tmp_path, fake_catalog, _opts(), "binary_trees", "boehm",
                                trials=1, precision=0.01)
    assert row["fails_at_bytes"] < THRESHOLD <= row["min_heap_bytes"]
    assert row["min_heap_bytes"] / row["fails_at_bytes"] <= 1.01


def test_jvm_heap_in_kib_and_not_below_the_smallest_legal_heap(fake_catalog, fake_env,
                                                               tmp_path):
    """With no threshold every size passes: the search stops at the JVM's smallest
    legal heap, passed in KiB, and no failure is recorded."""
    row = minheap.find_min_heap(tmp_path, fake_catalog, _opts(), "binary_trees", "jvm-g1",
                                trials=1, precision=0.05)
    assert row["status"] == "ok"
    assert row["min_heap_bytes"] == minheap.JVM_SMALLEST_HEAP and row["fails_at_bytes"] is None
    assert min(p["heap_bytes"] for p in row["probes"]) == minheap.JVM_SMALLEST_HEAP
    record = load_json(tmp_path / "probes" / "binary_trees" / "jvm-g1" /
                       f"h{minheap.JVM_SMALLEST_HEAP}" / "raw" / "binary_trees.jvm-g1.r1.run.json")
    assert record["extra_env"]["MMBENCH_JVM_HEAP"] == f"{minheap.JVM_SMALLEST_HEAP // 1024}k"


def test_wrong_checksum_is_a_failure(fake_catalog, fake_env, tmp_path):
    """Below 3 MB the fake runs out of memory, below 6 MB it completes with a wrong
    checksum: the minimum is 6 MB, and the probes between say checksum_mismatch."""
    set_env, _ = fake_env
    set_env(FAKE_MIN_HEAP=3_000_000, FAKE_BAD_CHECKSUM_BELOW=6_000_000,
            FAKE_HINT_BYTES=12_000_000)
    row = minheap.find_min_heap(tmp_path, fake_catalog, _opts(), "binary_trees", "boehm",
                                trials=1, precision=0.05)
    assert row["fails_at_bytes"] < 6_000_000 <= row["min_heap_bytes"]
    mismatched = [p for p in row["probes"] if p["status"] == "checksum_mismatch"]
    assert mismatched and all(3_000_000 <= p["heap_bytes"] < 6_000_000 for p in mismatched)
    assert "differs from the uncapped run's" in mismatched[0]["trials"][0]["problem"]


def test_timeout_is_a_failure(fake_catalog, fake_env, tmp_path):
    set_env, _ = fake_env
    set_env(FAKE_HANG_BELOW=THRESHOLD, FAKE_HINT_BYTES=int(1.2 * THRESHOLD))
    row = minheap.find_min_heap(tmp_path, fake_catalog, _opts(timeout_s=1.5), "binary_trees",
                                "boehm", trials=1, precision=0.2)
    assert row["fails_at_bytes"] < THRESHOLD <= row["min_heap_bytes"]
    timed_out = [p for p in row["probes"] if p["status"] == "timeout"]
    assert timed_out and all(p["heap_bytes"] < THRESHOLD for p in timed_out)


def test_soft_knob_is_probed_not_bisected(fake_catalog, fake_env, tmp_path):
    set_env, log = fake_env
    set_env(FAKE_LIVE_BYTES=4 * MIB)
    row = minheap.find_min_heap(tmp_path, fake_catalog, _opts(), "binary_trees", "go",
                                trials=1, precision=0.05)
    assert row["status"] == "soft knob" and row["knob"] == "go-memlimit"
    assert not row["hard_cap"] and row["min_heap_bytes"] is None
    limits = [p["heap_bytes"] for p in row["probes"]]
    assert limits == [round(m * 4 * MIB) for m in minheap.SOFT_MULTIPLES]
    probe_runs = [line for line in _runs(log) if "--gomemlimit" in line]
    assert len(probe_runs) == len(limits)
    assert all("--gogc off --gomemlimit" in line for line in probe_runs)
    lowest = min(p["trials"][0]["peak_rss_kib"] for p in row["probes"])
    assert row["peak_rss_kib_at_min"] == lowest
    assert row["soft_limit_bytes_at_min"] in limits


def test_cache_is_reused_and_an_interrupted_search_resumes(fake_catalog, fake_env, tmp_path):
    set_env, log = fake_env
    set_env(FAKE_MIN_HEAP=THRESHOLD)
    pairs = (["binary_trees", "lru_cache"], ["boehm", "glibc"])

    def interrupt_at_lru_cache(record, extra_args):
        if record["workload"] == "lru_cache":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1,
                             progress=interrupt_at_lru_cache)
    saved = load_json(tmp_path / "minheap.json")
    assert [(r["workload"], r["strategy"]) for r in saved["rows"]] == [("binary_trees", "boehm")]

    before = len(_runs(log))
    data = minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1)
    resumed = _runs(log)[before:]
    assert resumed and all(" lru_cache " in line for line in resumed)
    assert [(r["workload"], r["strategy"]) for r in data["rows"]] == [
        ("binary_trees", "boehm"), ("lru_cache", "boehm")]  # glibc has no knob
    assert data["rows"][0] == saved["rows"][0]

    before = len(_runs(log))
    again = minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1)
    assert len(_runs(log)) == before and again["rows"] == data["rows"]
    # Another precision is another key: found again.
    finer = minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1,
                                 precision=0.02)
    assert len(_runs(log)) > before and finer["precision"] == 0.02
    # So is another --min-time (the probes' passes and the times at the minimum).
    before = len(_runs(log))
    longer = minheap.load_or_find(tmp_path, fake_catalog, dict(_opts(), min_time=1.5), *pairs,
                                  trials=1, precision=0.02)
    assert len(_runs(log)) > before and longer["min_time"] == 1.5


def test_knobs_come_from_the_listing(fake_catalog):
    assert minheap.knob_for(fake_catalog, "boehm").kind == "boehm-cap"
    assert minheap.knob_for(fake_catalog, "jvm-g1").kind == "jvm-heap"
    assert minheap.knob_for(fake_catalog, "go") == minheap.Knob(
        "go-memlimit", False, arg="--gomemlimit", fixed_args=("--gogc", "off"))
    assert minheap.knob_for(fake_catalog, "glibc") is None
    assert minheap.knob_for(fake_catalog, "jvm-g1").apply(3 * MIB + 1) == (
        [], {"MMBENCH_JVM_HEAP": "3073k"})


@pytest.mark.parametrize("trials,precision", [(0, 0.05), (2, 0.0), (2, -0.1)])
def test_bad_settings_are_refused(fake_catalog, tmp_path, trials, precision):
    with pytest.raises(UsageError):
        minheap.find_min_heap(tmp_path, fake_catalog, _opts(), "binary_trees", "boehm",
                              trials=trials, precision=precision)


def _mmbench(fake_build, *args):
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(fake_build), FAKE_MIN_HEAP=str(THRESHOLD),
               **NO_HOST_WAIT)
    return subprocess.run([str(MMBENCH), "minheap", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=str(REPO), timeout=600)


@pytest.mark.parametrize("args,message", [
    (["--strategies", "nosuch"], "nosuch"),
    (["--strategies", "glibc"], "no heap knob"),
    (["--manual", "boehm"], "is a collector"),
    (["--precision", "0"], "--precision must be > 0"),
    (["--trials", "0"], "--trials must be >= 1"),
    (["--workloads", "nosuch"], "nosuch"),
    (["--min-time", "-1"], "--min-time must be between 0 and 3600"),
    (["--uncapped-heap", "lots"], "--uncapped-heap 'lots' is not a JVM heap size"),
])
def test_command_refuses_bad_input(fake_build, tmp_path, args, message):
    proc = _mmbench(fake_build, "--out", tmp_path / "out", *args)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(lines) == 1 and "error:" in lines[0] and message in lines[0], proc.stderr


def test_command_writes_the_tables(fake_build, tmp_path):
    out = tmp_path / "out"
    proc = _mmbench(fake_build, "--workloads", "binary_trees", "--strategies",
                    "boehm,go,jvm-zgc", "--manual", "glibc", "--trials", "1", "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "jvm-zgc is not built; skipped" in proc.stderr
    data = load_json(out / "minheap.json")
    assert load_json(out / "manifest.json")["state"] == "complete"
    base = {b["strategy"]: b["peak_rss_kib"] for b in data["baselines"]}
    rows = {r["strategy"]: r for r in data["rows"]}
    manual = {r["strategy"]: r for r in data["manual"]}
    smallest = {e["strategy"]: e for e in data["smallest"]}
    assert set(smallest) == {"boehm", "go", "glibc"}
    assert smallest["boehm"]["memory_kib"] == pytest.approx(
        rows["boehm"]["min_heap_bytes"] / 1024 + base["boehm"])
    assert smallest["glibc"]["memory_kib"] == max(manual["glibc"]["peak_rss_kib"] -
                                                  base["glibc"], 0)
    assert smallest["go"]["memory_kib"] == rows["go"]["peak_rss_kib_at_min"]
    markdown = (out / "minheap.md").read_text()
    assert "## The smallest memory that does the job" in markdown
    assert "n/a (soft knob)" in markdown
    csv_lines = (out / "minheap.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + 3
    # Run again on the same folder: everything comes from minheap.json.
    again = _mmbench(fake_build, "--workloads", "binary_trees", "--strategies", "boehm,go",
                     "--manual", "glibc", "--trials", "1", "--out", out)
    assert again.returncode == 0, again.stderr
    assert " r1:" not in again.stdout
    assert json.loads((out / "minheap.json").read_text())["rows"] == data["rows"]


def test_a_folder_extended_with_another_workload_reports_both(fake_build, tmp_path):
    out = tmp_path / "out"
    common = ["--strategies", "boehm", "--manual", "glibc", "--trials", "1", "--out", out]
    first = _mmbench(fake_build, "--workloads", "binary_trees", *common)
    assert first.returncode == 0, first.stderr
    more = _mmbench(fake_build, "--workloads", "lru_cache", *common)
    assert more.returncode == 0, more.stderr
    data = load_json(out / "minheap.json")
    assert data["workloads"] == ["binary_trees", "lru_cache"]
    assert {e["workload"] for e in data["smallest"]} == {"binary_trees", "lru_cache"}
    tables = (out / "minheap.md").read_text()
    assert "| binary_trees | boehm |" in tables and "| lru_cache | boehm |" in tables


def test_a_row_of_another_build_is_found_again_unless_any_build(fake_catalog, fake_env,
                                                                 tmp_path):
    set_env, log = fake_env
    set_env(FAKE_MIN_HEAP=THRESHOLD)
    pairs = (["binary_trees"], ["boehm"])
    first = minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1)
    saved = load_json(tmp_path / "minheap.json")
    saved["rows"][0]["worker_digest"] = "another build"
    (tmp_path / "minheap.json").write_text(json.dumps(saved))
    before = len(_runs(log))
    kept = minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1,
                                any_build=True)
    assert len(_runs(log)) == before
    assert kept["rows"][0]["worker_digest"] == "another build"
    assert kept["rows"][0]["min_heap_bytes"] == first["rows"][0]["min_heap_bytes"]
    again = minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1)
    assert len(_runs(log)) > before
    assert again["rows"][0]["worker_digest"] == first["rows"][0]["worker_digest"]


def test_uncapped_heap_and_min_time_reach_the_probes(fake_catalog, fake_env, tmp_path):
    set_env, _ = fake_env
    set_env(FAKE_MIN_HEAP=THRESHOLD)
    opts = dict(_opts(), uncapped_heap="64m", min_time=0.1, managed_min_time=0.3)
    row = minheap.find_min_heap(tmp_path, fake_catalog, opts, "binary_trees", "jvm-g1",
                                trials=1, precision=0.05)
    assert row["status"] == "ok"
    folder = tmp_path / "probes" / "binary_trees" / "jvm-g1"
    uncapped = load_json(next(folder.glob("uncapped/raw/*.run.json")))
    assert uncapped["extra_env"]["MMBENCH_JVM_HEAP"] == "64m"
    probe = load_json(next(folder.glob(f'h{row["min_heap_bytes"]}/raw/*.run.json')))
    cmd = probe["cmd"]
    assert float(cmd[cmd.index("--min-time") + 1]) == 0.3   # the managed runtime's


def test_redo_searches_a_cached_row_again(fake_catalog, fake_env, tmp_path):
    set_env, log = fake_env
    set_env(FAKE_MIN_HEAP=THRESHOLD)
    pairs = (["binary_trees"], ["boehm"])
    minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1)
    before = len(_runs(log))
    minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1)
    assert len(_runs(log)) == before
    minheap.load_or_find(tmp_path, fake_catalog, _opts(), *pairs, trials=1, redo=("boehm",))
    assert len(_runs(log)) > before


def test_boehm_fills_a_fixed_heap_but_the_incremental_one_keeps_its_trigger(fake_catalog):
    assert minheap.knob_for(fake_catalog, "boehm").fixed_args == ("--gc-fixed-heap",)
    args, env = minheap.knob_for(fake_catalog, "boehm").apply(8 * MIB)
    assert args == ["--gc-fixed-heap", "--gc-max-heap-bytes", str(8 * MIB)] and env == {}
    listing = {"strategies": [{"name": "boehm-incremental", "hooks": ["heap_options"]}],
               "config": {"boehm-incremental": {"incremental": True}}}
    worker = types.SimpleNamespace(listing=listing)
    catalog = types.SimpleNamespace(strategies={"boehm-incremental": "glibc"}, preloads={},
                                    worker_for=lambda strategy: worker)
    knob = minheap.knob_for(catalog, "boehm-incremental")
    assert knob.kind == "boehm-cap" and knob.fixed_args == ()
