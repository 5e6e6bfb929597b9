"""`mmbench scale` end to end: one point per (strategy, threads), a plot, and the
same checksum from every strategy at a given thread count."""

import pytest

from conftest import load_json

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
