"""`mmbench sweep`: every point a configured strategy of one interleaved run.

With a fake worker (tests/fixtures/fake_sweep_worker.py: the worker contract,
the real heap knobs, a known minimum heap): the labels resolve to the right
worker arguments and environment per workload and point, the rounds
interleave, sweep.json has the agreed schema, and a point below the minimum
heap is recorded as oom without stopping the sweep. With the real workers
(when built): Boehm far below its minimum is oom, far above it completes and
computes what glibc computes.
"""

import contextlib
import csv
import io
import json
import math
import os

import pytest

from conftest import NO_HOST_WAIT, REPO, load_json
from mmbench import workers
from mmbench.experiments import minheap as mh
from mmbench.experiments import sweep

FAKE = REPO / "tests" / "fixtures" / "fake_sweep_worker.py"
LIVE = {"binary_trees": 4 << 20, "lru_cache": 8 << 20}   # the fake's live data
TRUE_MIN = {"boehm": 1.5, "jvm-g1": 2.0}                  # the fake's minimum heaps


def _sweep(monkeypatch, *argv) -> int:
    """./mmbench ARGV in this process."""
    from mmbench import cli
    for k, v in NO_HOST_WAIT.items():
        monkeypatch.setenv(k, v)
    return cli.main(["sweep", *map(str, argv)])


def _minheap_json(path, rows) -> str:
    doc = {"experiment": "minheap", "size": "quick", "seed": 42, "trials": 2, "precision": 0.05,
           "rows": [dict({"status": "ok", "probes": []}, **r) for r in rows]}
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.fixture(scope="module")
def fake_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("fake-build")
    for family in ("glibc", "jvm", "go"):
        os.symlink(FAKE, build / f"mmbench-worker-{family}")
    return build


@pytest.fixture(scope="module")
def fake_sweep(fake_build, tmp_path_factory):
    """A sweep of two workloads: boehm at its true minimum, jvm-g1 told a minimum
    below its true one (so its 1.25x point is oom), go at two GOGC values, two
    manual strategies."""
    tmp = tmp_path_factory.mktemp("fake-sweep")
    rows = []
    for w, live in LIVE.items():
        rows.append({"workload": w, "strategy": "boehm", "live_bytes": live,
                     "min_heap_bytes": int(TRUE_MIN["boehm"] * live)})
        rows.append({"workload": w, "strategy": "jvm-g1", "live_bytes": live,
                     "min_heap_bytes": int(1.5 * live)})   # 1.25 x 1.5 < 2.0: oom
    minheap = _minheap_json(tmp / "minheap.json", rows)
    out = tmp / "out"
    mp = pytest.MonkeyPatch()
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            rc = _sweep(mp, "--build-dir", fake_build, "--workloads", "binary_trees,lru_cache",
                        "--collectors", "boehm,jvm-g1,go", "--references", "glibc,arena",
                        "--multiples", "1.25,1.5,3", "--gogc", "50,200", "--minheap", minheap,
                        "--size", "quick", "--reps", "2", "--min-time", "0", "--no-pin",
                        "--order-seed", "7", "--out", out)
    finally:
        mp.undo()
    return out, rc, err.getvalue()


def _records(folder):
    return [load_json(p) for p in sorted((folder / "raw").glob("*.run.json"))]


def _check_exit(out, rc, err) -> None:
    """Every point measured (an oom is a data point): exit 0 with the figures drawn,
    or, where this checkout's plot.sweep cannot draw them, exit 1 saying so."""
    figures = sorted((out / "plots").glob("sweep_*.png")) if (out / "plots").is_dir() else []
    if figures:
        assert rc == 0, err
    else:
        assert rc == 1 and "mmbench sweep: no plots (" in err, err
    assert "Traceback" not in err


def test_fake_sweep_completes_with_its_files(fake_sweep):
    out, rc, err = fake_sweep
    _check_exit(out, rc, err)
    for name in ("sweep.json", "sweep.csv", "sweep.md", "summary.json", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    manifest = load_json(out / "manifest.json")
    assert manifest["experiment"] == "sweep" and manifest["state"] == "complete"


def test_labels_resolve_to_each_points_args_and_env(fake_sweep):
    out, _, _ = fake_sweep
    seen = 0
    for rec in _records(out):
        w, label = rec["workload"], rec["strategy"]
        cmd, env = rec["cmd"], rec["extra_env"]
        if "@" not in label:
            assert "--label" not in cmd and "MMBENCH_JVM_HEAP" not in env
            continue
        base, point = label.split("@")
        assert cmd[cmd.index("--strategy") + 1] == base
        assert cmd[cmd.index("--label") + 1] == label
        assert rec["hosted_by"] == base
        if point == "footprint":
            assert w == "baseline" and "--gc-max-heap-bytes" not in cmd and not env
        elif base == "boehm":
            multiple = float(point.rstrip("x"))
            cap = int(cmd[cmd.index("--gc-max-heap-bytes") + 1])
            wanted = math.ceil(multiple * TRUE_MIN["boehm"] * LIVE[w])
            assert 0 <= cap - wanted < 4096   # libgc's heap grows in 4 KiB blocks
            assert "--gc-fixed-heap" in cmd   # ... and it fills that heap
        elif base == "jvm-g1":
            multiple = float(point.rstrip("x"))
            assert env["MMBENCH_JVM_HEAP"] == f"{math.ceil(multiple * 1.5 * LIVE[w] / 1024)}k"
        else:
            assert base == "go" and cmd[cmd.index("--gogc") + 1] == point.removeprefix("gogc")
        seen += 1
    # 2 workloads x (2 x 3 heap points + 2 GOGC) x 2 rounds, + footprints.
    assert seen >= 2 * 8 * 2


def test_rounds_interleave(fake_sweep):
    """Round 1 of every cell runs before round 2 of any; within a round a workload's
    cells run one after another, in an order that differs between rounds. A cell's
    place is its first attempt's: a disturbed one runs again at the end of its round."""
    out, _, _ = fake_sweep
    recs = sorted(_records(out), key=lambda r: (r.get("attempts") or [r])[0]["started"])
    reps = [r["rep"] for r in recs]
    assert reps == sorted(reps)
    orders = {}
    for r in recs:
        orders.setdefault((r["rep"], r["workload"]), []).append(r["strategy"])
    for rep in (1, 2):
        workloads = [r["workload"] for r in recs if r["rep"] == rep]
        blocks = [w for i, w in enumerate(workloads) if i == 0 or workloads[i - 1] != w]
        assert len(blocks) == len(set(blocks)), blocks
    assert orders[(1, "binary_trees")] != orders[(2, "binary_trees")]


SCHEMA_KEYS = {"workload", "strategy", "label", "runtime", "series", "multiple", "gogc",
               "heap_bytes", "status", "reps", "wall_s", "throughput_per_s",
               "time_vs_best_manual", "time_vs_best_manual_ci95", "peak_rss_kib", "live_kib",
               "rss_multiple", "lbo_wall", "lbo_cpu", "cpu_s", "gc_pause_p99_ns",
               "gc_pause_max_ns", "footprint_kib"}


def test_sweep_json_has_the_schema(fake_sweep):
    out, _, _ = fake_sweep
    data = load_json(out / "sweep.json")
    assert data["experiment"] == "sweep" and data["size"] == "quick" and data["seed"] == 42
    assert data["multiples"] == [1.25, 1.5, 3] and data["gogc"] == [50, 200]
    assert data["collectors"] == ["boehm", "jvm-g1", "go"]
    assert data["references"] == ["glibc", "arena"]
    assert data["minheap"]["lru_cache"]["boehm"]["min_heap_bytes"] == int(1.5 * LIVE["lru_cache"])
    # The fake's arena is faster (80 ms a pass) than glibc (100 ms), but the
    # yardstick is the fastest explicit malloc/free strategy: glibc.
    for w in LIVE:
        assert data["best_manual"][w]["strategy"] == "glibc"
        assert data["best_manual"][w]["wall_s"] == pytest.approx(0.10)
    points = data["points"]
    assert {p["workload"] for p in points} == set(LIVE)   # baseline only as footprint
    assert len(points) == 2 * (2 + 3 + 3 + 2)
    for p in points:
        assert SCHEMA_KEYS <= set(p), SCHEMA_KEYS - set(p)
        assert p["series"] == {"boehm": "heap", "jvm-g1": "heap", "go": "gogc"}.get(
            p["strategy"], "manual")
        assert p["footprint_kib"] > 0
        if p["status"] != "ok":
            continue
        assert p["reps"] == 2 and p["peak_rss_kib"] > 0
        assert p["live_kib"] == pytest.approx(LIVE[p["workload"]] / 1024)
        assert p["rss_multiple"] == pytest.approx(p["peak_rss_kib"] / p["live_kib"])
        # Paired per round against glibc; the fake's figures are exact.
        best = data["best_manual"][p["workload"]]["wall_s"]
        assert p["time_vs_best_manual"] == pytest.approx(p["wall_s"] / best)
        lo, hi = p["time_vs_best_manual_ci95"]
        assert lo <= p["time_vs_best_manual"] <= hi
    boehm3 = next(p for p in points if p["label"] == "boehm@3x" and p["workload"] == "lru_cache")
    assert boehm3["multiple"] == 3 and boehm3["heap_bytes"] == math.ceil(3 * 1.5 * (8 << 20))
    # 120 ms x (1 + min/heap) at 3 x the minimum, against glibc's 100 ms.
    assert boehm3["time_vs_best_manual"] == pytest.approx(0.12 * (1 + 1 / 3) / 0.10)
    go50 = next(p for p in points if p["label"] == "go@gogc50")
    assert go50["gogc"] == 50 and go50["multiple"] is None and go50["heap_bytes"] is None
    # LBO within each runtime: the go points against each other only. The least
    # distilled cost is go@gogc200's pass less its pauses (0.7 ms over 2 passes).
    least = 0.13 * (1 + 50 / 200) - 0.0007 / 2
    for p in (p for p in points if p["strategy"] == "go"):
        assert p["lbo_wall"] == pytest.approx(p["wall_s"] / least - 1)


def test_oom_point_is_recorded_and_the_sweep_goes_on(fake_sweep):
    out, _, _ = fake_sweep
    points = load_json(out / "sweep.json")["points"]
    for w in LIVE:
        by_label = {p["label"]: p for p in points if p["workload"] == w}
        assert by_label["jvm-g1@1.25x"]["status"] == "oom"
        assert by_label["jvm-g1@1.25x"]["time_vs_best_manual"] is None
        assert by_label["jvm-g1@1.5x"]["status"] == "ok"
        assert all(p["status"] == "ok" for label, p in by_label.items()
                   if label != "jvm-g1@1.25x")
    with open(out / "sweep.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["label"] == "jvm-g1@1.25x"]
    assert [r["status"] for r in rows] == ["oom", "oom"]


def test_summary_has_every_cell_under_its_label(fake_sweep):
    """The sweep folder is a run folder: its summary holds one row per point."""
    out, _, _ = fake_sweep
    rows = load_json(out / "summary.json")["rows"]
    labels = {(r["workload"], r["strategy"]) for r in rows}
    assert ("lru_cache", "jvm-g1@3x") in labels and ("baseline", "go@footprint") in labels
    assert ("baseline", "glibc") in labels and ("baseline", "boehm@1.25x") not in labels


def test_dry_run_prints_the_plan_and_runs_nothing(fake_build, tmp_path, monkeypatch, capsys):
    minheap = _minheap_json(tmp_path / "minheap.json", [
        {"workload": "lru_cache", "strategy": "jvm-g1", "min_heap_bytes": 10 << 20,
         "live_bytes": LIVE["lru_cache"],
         "probes": [{"trials": [{"status": "ok", "process_wall_s": 1.5}]}]}])
    rc = _sweep(monkeypatch, "--build-dir", fake_build, "--workloads", "lru_cache",
                "--collectors", "jvm-g1", "--references", "glibc", "--multiples", "2",
                "--minheap", minheap, "--reps", "2", "--dry-run", "--out", tmp_path / "out")
    out = capsys.readouterr().out
    assert rc == 0 and not (tmp_path / "out").exists()
    assert f"lru_cache/jvm-g1@2x: MMBENCH_JVM_HEAP={20 << 10}k" in out
    assert "lru_cache/glibc: (as built)" in out and "baseline/jvm-g1@footprint" in out
    # 2 points + 2 footprints, 2 rounds; 2 points at 1.5 s each (glibc at the median).
    assert ("2 points in 1 workloads, with the footprints 8 worker processes in 2 rounds, "
            "roughly") in out
    assert "roughly 6 s of worker time (1 of 2 points without" in out


def test_a_later_minheap_replaces_an_earlier_ones_row(fake_build, tmp_path, monkeypatch,
                                                      capsys):
    first = _minheap_json(tmp_path / "a.json", [
        {"workload": "lru_cache", "strategy": "jvm-g1", "min_heap_bytes": 10 << 20,
         "live_bytes": LIVE["lru_cache"]},
        {"workload": "lru_cache", "strategy": "boehm", "min_heap_bytes": 12 << 20,
         "live_bytes": LIVE["lru_cache"]}])
    second = _minheap_json(tmp_path / "b.json", [
        {"workload": "lru_cache", "strategy": "jvm-g1", "min_heap_bytes": 30 << 20,
         "live_bytes": LIVE["lru_cache"]}])
    rc = _sweep(monkeypatch, "--build-dir", fake_build, "--workloads", "lru_cache",
                "--collectors", "jvm-g1,boehm", "--references", "glibc", "--multiples", "2",
                "--minheap", first, "--minheap", second, "--dry-run", "--out", tmp_path / "o")
    out = capsys.readouterr().out
    assert rc == 0
    assert f"lru_cache/jvm-g1@2x: MMBENCH_JVM_HEAP={60 << 10}k" in out
    assert f"lru_cache/boehm@2x: --gc-fixed-heap --gc-max-heap-bytes {24 << 20}" in out


def test_a_heap_above_the_machines_memory_is_left_out_with_a_note(fake_build):
    catalog = workers.load_catalog(fake_build)
    minheap = {"rows": [{"workload": "lru_cache", "strategy": "jvm-g1",
                         "min_heap_bytes": 10 << 30}]}
    points, notes = sweep.plan_points(catalog, ["lru_cache"], ["jvm-g1"], [], [1.5, 4], [],
                                      minheap, mh.knob_for, heap_limit=20 << 30)
    assert [p.label for p in points] == ["jvm-g1@1.5x"]
    assert notes == ["lru_cache/jvm-g1@4x: a 40.0 GiB heap is above 20.0 GiB (3/4 of this "
                     "machine's memory); left out"]
    assert sweep.machine_heap_limit() > 0


@pytest.mark.parametrize("argv, message", [
    (["--multiples", "2,abc"], "--multiples: multiple 'abc' is not a number"),
    (["--gogc", "0"], "--gogc: GOGC '0' is not a whole number >= 1"),
    (["--collectors", "nope"], "unknown strategy 'nope'"),
    (["--collectors", "boehm", "--references", "boehm"], "both a collector and a reference"),
    (["--minheap", "/nonexistent/minheap.json"], "--minheap /nonexistent/minheap.json: cannot"),
    (["--reps", "0"], "--reps must be >= 1"),
    (["--suite", "programs"], "the sweep runs the workloads suite only"),
])
def test_bad_input_is_one_line_and_exit_2(fake_build, tmp_path, monkeypatch, capsys, argv,
                                          message):
    rc = _sweep(monkeypatch, "--build-dir", fake_build, "--out", tmp_path / "out", *argv)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_collectors_without_a_minimum_heap_are_left_out_with_a_note(fake_build, tmp_path,
                                                                    monkeypatch, capsys):
    minheap = _minheap_json(tmp_path / "minheap.json", [
        {"workload": "binary_trees", "strategy": "jvm-g1", "min_heap_bytes": None,
         "status": "not found", "live_bytes": LIVE["binary_trees"]}])
    rc = _sweep(monkeypatch, "--build-dir", fake_build, "--workloads", "binary_trees",
                "--collectors", "boehm,jvm-g1", "--references", "glibc", "--minheap", minheap,
                "--out", tmp_path / "out")
    out = capsys.readouterr()
    assert rc == 2 and "no collector point to run" in out.err
    assert "jvm-g1: no minimum heap in minheap.json (not found)" in out.err
    assert len(out.err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- real workers


def test_real_boehm_far_below_its_minimum_is_oom_far_above_completes(catalog, build_dir,
                                                                     tmp_path, monkeypatch,
                                                                     capsys):
    if ("binary_trees", "boehm") not in catalog.entries or \
            ("binary_trees", "glibc") not in catalog.entries:
        pytest.skip("binary_trees under boehm and glibc not built")
    # A minimum heap of 4 MiB stands in for the search's: 0.01 x is 40 KiB, far
    # below what any collector needs, 50 x is far above. A fixed heap fills
    # before it is collected: 1 MiB (0.25 x) takes a quick binary_trees' 4.4 MB
    # in several collections, 200 MiB (50 x) holds all of it.
    minheap = _minheap_json(tmp_path / "minheap.json", [
        {"workload": "binary_trees", "strategy": "boehm", "min_heap_bytes": 4 << 20,
         "live_bytes": None}])
    out = tmp_path / "out"
    rc = _sweep(monkeypatch, "--build-dir", build_dir, "--workloads", "binary_trees",
                "--collectors", "boehm", "--references", "glibc", "--multiples", "0.01,0.25,50",
                "--minheap", minheap, "--size", "quick", "--reps", "1", "--no-pin", "--out", out)
    _check_exit(out, rc, capsys.readouterr().err)
    points = {p["label"]: p for p in load_json(out / "sweep.json")["points"]}
    assert points["boehm@0.01x"]["status"] == "oom"
    assert points["boehm@50x"]["status"] == "ok" and points["glibc"]["status"] == "ok"
    rows = {r["strategy"]: r for r in load_json(out / "summary.json")["rows"]
            if r["workload"] == "binary_trees"}
    assert rows["boehm@50x"]["checksum"] == rows["glibc"]["checksum"]
    assert points["boehm@50x"]["time_vs_best_manual"] > 0
    tight, roomy = points["boehm@0.25x"], points["boehm@50x"]
    assert tight["status"] == "ok"
    assert roomy["gc_collections"] < tight["gc_collections"]
    assert roomy["peak_rss_kib"] > tight["peak_rss_kib"] + 2048


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_resume_of_a_sweep_keeps_each_points_settings(fake_sweep, fake_build, tmp_path,
                                                      monkeypatch, capsys, command):
    """`mmbench sweep --resume` (or `run --resume`) completes a sweep folder: the
    configured strategies come back from its manifest, so a point run again gets
    its own heap; the sweep's sweep.json is written again."""
    import shutil
    from mmbench import cli
    out = tmp_path / "sweep"
    shutil.copytree(fake_sweep[0], out)
    for p in (out / "raw").glob("lru_cache.jvm-g1@3x.r2.*"):
        p.unlink()
    (out / "sweep.json").unlink()
    monkeypatch.setenv("MMBENCH_HOST_SLOW_MAX", "100")
    extra = ["--no-report"] if command == "run" else []
    rc = cli.main(["--build-dir", str(fake_build), command, "--resume", str(out), "--no-pin",
                   *extra])
    rec = load_json(out / "raw" / "lru_cache.jvm-g1@3x.r2.run.json")
    assert rec["status"] == "ok"
    assert rec["extra_env"]["MMBENCH_JVM_HEAP"] == f"{math.ceil(3 * 1.5 * (8 << 20) / 1024)}k"
    assert rec["cmd"][rec["cmd"].index("--label") + 1] == "jvm-g1@3x"
    if command == "run":
        assert rc == 1   # the oom points are failures to `run`
        return
    _check_exit(out, rc, capsys.readouterr().err)
    points = load_json(out / "sweep.json")["points"]
    assert len(points) == 2 * (2 + 3 + 3 + 2)
    resumed = next(p for p in points if p["label"] == "jvm-g1@3x" and p["workload"] == "lru_cache")
    assert resumed["status"] == "ok" and resumed["reps"] == 2


def test_resume_refuses_new_points(fake_build, tmp_path, monkeypatch, capsys):
    rc = _sweep(monkeypatch, "--build-dir", fake_build, "--resume", tmp_path, "--gogc", "10")
    assert rc == 2 and "--gogc: a resumed sweep runs the points it planned" in \
        capsys.readouterr().err


def test_catalog_configured_strategies(fake_build):
    from mmbench.errors import UsageError
    catalog = workers.load_catalog(fake_build)
    spec = {"strategy": "boehm", "workloads": {"lru_cache": {"args": ["--x"], "env": {}}}}
    catalog.add_configured("boehm@2x", spec)
    assert catalog.hosted_strategy("boehm@2x") == "boehm"
    assert catalog.worker_for("boehm@2x").family == "glibc"
    # Hosted for the workloads it names only, with their settings.
    assert ("lru_cache", "boehm@2x") in catalog.entries
    assert ("binary_trees", "boehm@2x") not in catalog.entries
    assert catalog.settings_of("lru_cache", "boehm@2x") == (["--x"], {})
    assert catalog.settings_of("lru_cache", "boehm") == ([], {})
    catalog.add_configured("boehm@2x", spec)   # the same again: nothing changes
    for label, bad, message in [
            ("boehm@2x", dict(spec, strategy="glibc"), "given twice"),
            ("glibc", spec, "is a strategy already"),
            ("boehm 2x", spec, "a label may hold"),
            ("x@1x", dict(spec, strategy="nope"), "no built strategy 'nope'"),
            ("y@1x", dict(spec, strategy="boehm@2x"), "no built strategy 'boehm@2x'"),
            ("z@1x", {"strategy": "boehm"}, "malformed")]:
        with pytest.raises(UsageError, match=message):
            catalog.add_configured(label, bad)


def test_estimate_takes_minheaps_process_times():
    trial = {"status": "ok", "process_wall_s": 2.0}
    doc = {"rows": [{"workload": "w", "strategy": "jvm-g1", "probes": [
        {"trials": [trial, dict(trial, process_wall_s=4.0)]},
        {"trials": [{"status": "oom", "process_wall_s": 100.0}]}]}]}
    points = [sweep.Point("w", "jvm-g1", f"jvm-g1@{m}x", "jvm", "heap", multiple=m)
              for m in (1, 2)] + [sweep.Point("w", "glibc", "glibc", "c++", "manual")]
    # 3 s (the median of the completed trials) for each of 3 points, 2 rounds; glibc
    # has no time of its own and counts at the median of those known.
    assert sweep.estimate_seconds(points, doc, 2) == (18.0, 1)
    assert sweep.estimate_seconds(points, {"rows": []}, 2) == (0.0, 3)
