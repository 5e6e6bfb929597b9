"""`mmbench sweep` end to end with the real workers: a cap far below the live data
is an oom data point, a generous one completes, bisection brackets the minimum, and
the free-space-divisor series grows the heap as the divisor falls."""

import pytest

from conftest import load_json


@pytest.fixture(scope="module")
def sweep_folder(run_mmbench, catalog, tmp_path_factory):
    if ("binary_trees", "boehm") not in catalog.entries:
        pytest.skip("binary_trees/boehm not built")
    folder = tmp_path_factory.mktemp("sweep") / "out"
    run_mmbench("sweep", "--workloads", "binary_trees", "--size", "quick", "--reps", "1",
                "--multiples", "0.01,50,uncapped", "--divisors", "1,12", "--references", "glibc",
                "--out", folder,
                check_rc=0)
    return folder


def test_sweep_writes_its_files(sweep_folder):
    for name in ("sweep.json", "sweep.csv", "sweep.md", "manifest.json",
                 "plots/sweep_binary_trees.png"):
        assert (sweep_folder / name).stat().st_size > 0, name
    assert load_json(sweep_folder / "manifest.json")["experiment"] == "sweep"


def test_tiny_cap_is_oom_and_large_cap_completes(sweep_folder):
    data = load_json(sweep_folder / "sweep.json")["workloads"]["binary_trees"]
    by_multiple = {p["multiple"]: p for p in data["points"]}
    assert by_multiple[0.01]["status"] == "oom"
    assert by_multiple[50]["status"] == "ok"
    assert by_multiple[None]["status"] == "ok"  # uncapped
    # Every completed run computed the same thing as the manual reference.
    ref = data["references"]["glibc"]
    assert ref["status"] == "ok"
    for p in data["points"]:
        if p["status"] == "ok":
            assert p["checksum"] == ref["checksum"]
            assert p["relative_time"] > 0


def test_cap_is_honoured(sweep_folder):
    """A completed capped run never had a larger collector heap than its cap."""
    data = load_json(sweep_folder / "sweep.json")["workloads"]["binary_trees"]
    capped_ok = [p for p in data["points"] if p["multiple"] is not None and p["status"] == "ok"]
    assert capped_ok
    for p in capped_ok:
        assert p["gc_heap_bytes"] <= p["cap_bytes"], p


def test_bisection_brackets_the_minimum(sweep_folder):
    data = load_json(sweep_folder / "sweep.json")["workloads"]["binary_trees"]
    minimum = data["minimum"]
    lo, hi = minimum["largest_failing_multiple"], minimum["multiple"]
    assert 0.01 <= lo < hi <= 50
    assert hi / lo <= 1.05 + 1e-9
    status = {p["multiple"]: p["status"] for p in data["points"]}
    assert status[hi] == "ok"
    assert status[lo] != "ok"
    # Monotone: no capped run below the minimum completed, none above it failed.
    for m, st in status.items():
        if m is not None:
            assert (st == "ok") == (m >= hi), (m, st)


def test_divisor_series_grows_the_heap(sweep_folder):
    """Divisor 1 lets the collector allocate its whole live size between collections,
    divisor 12 a twelfth of it: never a smaller heap, never more collections."""
    data = load_json(sweep_folder / "sweep.json")["workloads"]["binary_trees"]
    by_divisor = {p["divisor"]: p for p in data["divisor_points"]}
    assert sorted(by_divisor) == [1, 12]
    for p in by_divisor.values():
        assert p["series"] == "divisor" and p["multiple"] is None  # uncapped
        assert p["status"] == "ok", p
        assert p["checksum"] == data["references"]["glibc"]["checksum"]
        assert p["heap_over_live"] == pytest.approx(p["gc_heap_bytes"] / data["live_bytes"])
        assert p["rss_over_live"] > 0 and p["relative_time"] > 0
    assert by_divisor[1]["gc_heap_bytes"] >= by_divisor[12]["gc_heap_bytes"]
    assert by_divisor[1]["gc_collections"] <= by_divisor[12]["gc_collections"]


def test_cap_binding_is_marked(sweep_folder):
    """A cap below the uncapped heap binds; 50 x live is far above it and does not."""
    data = load_json(sweep_folder / "sweep.json")["workloads"]["binary_trees"]
    by_multiple = {p["multiple"]: p for p in data["points"]}
    assert by_multiple[0.01]["cap_binding"] is True
    assert by_multiple[50]["cap_binding"] is False
    assert "cap not binding" in (sweep_folder / "sweep.md").read_text()


def test_divisor_series_in_csv_and_markdown(sweep_folder):
    import csv
    rows = list(csv.DictReader((sweep_folder / "sweep.csv").open()))
    assert sorted(r["divisor"] for r in rows if r["series"] == "divisor") == ["1", "12"]
    assert any(r["series"] == "cap" and r["status"] == "oom" for r in rows)
    assert "Free-space divisor" in (sweep_folder / "sweep.md").read_text()
