"""`mmbench scale` end to end: one point per (strategy, threads), a plot, and the
same checksum from every strategy at a given thread count."""

import pytest

from conftest import load_json

from mmbench.errors import UsageError
from mmbench.experiments import scale


def test_default_threads_reach_the_core_count():
    assert scale.default_threads(1) == [1]
    assert scale.default_threads(2) == [1, 2]
    assert scale.default_threads(6) == [1, 2, 4, 6]
    assert scale.default_threads(64) == [1, 2, 4, 8, 16, 32, 64]


def test_scale_runs_and_plots(run_mmbench, catalog, tmp_path):
    if ("binary_trees", "boehm") not in catalog.entries:
        pytest.skip("binary_trees/boehm not built")
    folder = tmp_path / "scale"
    run_mmbench("scale", "--workloads", "binary_trees", "--size", "quick", "--reps", "1",
                "--threads", "1,2", "--strategies", "glibc,boehm", "--out", folder, check_rc=0)
    assert (folder / "plots" / "scale_binary_trees.png").stat().st_size > 0
    assert (folder / "scale.csv").stat().st_size > 0
    rows = load_json(folder / "scale.json")["workloads"]["binary_trees"]["rows"]
    assert {(r["strategy"], r["threads"]) for r in rows} == {
        ("glibc", 1), ("glibc", 2), ("boehm", 1), ("boehm", 2)}
    for r in rows:
        assert r["status"] == "ok"
        assert r["throughput_per_s"] > 0
    for t in (1, 2):
        assert len({r["checksum"] for r in rows if r["threads"] == t}) == 1
    assert all(r["speedup"] == 1.0 for r in rows if r["threads"] == 1)
    # One interleaved run: a run folder whose cells are strategy@tN, each worker
    # told its own thread count.
    manifest = load_json(folder / "manifest.json")
    assert manifest["experiment"] == "scale" and manifest["state"] == "complete"
    assert manifest["options"]["strategies"] == ["glibc", "boehm", "glibc@t2", "boehm@t2"]
    for strategy, threads in (("boehm", 1), ("boehm@t2", 2)):
        record = load_json(folder / "raw" / f"binary_trees.{strategy}.r1.run.json")
        detail = load_json(folder / "raw" / f"binary_trees.{strategy}.r1.detail.json")
        assert record["threads"] == threads and detail["threads"] == threads
        assert record["cmd"][record["cmd"].index("--threads") + 1] == str(threads)
    cells = {(r["workload"], r["strategy"]) for r in load_json(folder / "summary.json")["rows"]}
    assert ("binary_trees", "boehm@t2") in cells


def test_a_configured_thread_count_must_be_a_positive_whole_number(catalog):
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(UsageError, match="threads must be a whole number"):
            catalog.add_configured("glibc@tx", {"strategy": "glibc", "threads": bad,
                                                "workloads": {}})


def test_a_workload_whose_work_depends_on_threads_is_checked_per_thread_count(
        run_mmbench, catalog, tmp_path):
    # producer_consumer's checksum differs with the thread count: the summary must
    # compare checksums among runs at one count, not flag every cell a mismatch.
    if ("producer_consumer", "mimalloc") not in catalog.entries:
        pytest.skip("producer_consumer/mimalloc not built")
    folder = tmp_path / "scale"
    run_mmbench("scale", "--workloads", "producer_consumer", "--size", "quick", "--reps", "1",
                "--threads", "1,2", "--strategies", "glibc,mimalloc", "--out", folder, check_rc=0)
    rows = load_json(folder / "scale.json")["workloads"]["producer_consumer"]["rows"]
    assert [r["status"] for r in rows] == ["ok"] * 4
    by_threads = {t: {r["checksum"] for r in rows if r["threads"] == t} for t in (1, 2)}
    assert all(len(sums) == 1 for sums in by_threads.values())
    assert by_threads[1] != by_threads[2]
