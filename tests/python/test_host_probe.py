"""The host probe (runner/host_probe.py, benchmarks/host_probe_main.cpp) and what
the runner and the summary do with a run it calls disturbed."""

import json
import pathlib
import subprocess

import pytest

from conftest import load_json
from mmbench import noise, summary
from mmbench.reporting import summary_md
from mmbench.runfolder import RunFolder, write_json_atomic
from mmbench.runner.host_probe import HostProbe, open_host_probe

from test_protocol import CALM


def _run_on_a_slow_host(run_mmbench, out, *options, strategies="glibc", reps=1):
    """A quick binary_trees run in which the host probe calls every run slow (a
    limit below any possible ratio), with these run options."""
    proc = run_mmbench("run", "--workloads", "binary_trees", "--strategies", strategies,
                       "--size", "quick", "--reps", str(reps), "--max-reps", str(reps),
                       "--min-time", "0.01", *options, "--no-report", "--out", out,
                       env_extra=dict(CALM, MMBENCH_HOST_SLOW_MAX="0.5"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _probe_binary(build_dir) -> pathlib.Path:
    path = pathlib.Path(build_dir) / "mmbench-host-probe"
    assert path.is_file(), f"{path} is not built"
    return path


def test_probe_binary_answers_one_line_of_json_per_request(build_dir):
    path = _probe_binary(build_dir)
    once = subprocess.run([str(path), "--samples", "3"], capture_output=True, text=True,
                          check=True)
    reading = json.loads(once.stdout)
    assert reading["samples"] == 3 and reading["probe"] == "tree16"
    assert 0 < reading["min_ns"] <= reading["median_ns"] <= reading["max_ns"]
    served = subprocess.run([str(path), "--serve"], input="\n2\nlots\n", capture_output=True,
                            text=True, check=True)
    lines = [json.loads(line) for line in served.stdout.splitlines()]
    assert [line.get("samples") for line in lines[:2]] == [9, 2]
    assert "error" in lines[2]  # a bad request is answered, and the probe goes on


@pytest.mark.parametrize("args", [["--samples", "0"], ["--samples", "x"], ["--bogus"]])
def test_probe_binary_refuses_bad_arguments(build_dir, args):
    done = subprocess.run([str(_probe_binary(build_dir))] + args, capture_output=True,
                          text=True)
    assert done.returncode == 2 and "mmbench-host-probe:" in done.stderr and done.stdout == ""


def test_open_host_probe_calibrates_and_reads(build_dir):
    probe = open_host_probe(pathlib.Path(build_dir), None)
    try:
        assert probe is not None and probe.working
        assert len(probe.readings) == 12 and probe.reference() > 0
        ns = probe.read()
        assert ns > 0 and len(probe.readings) == 13
        assert probe.describe()["readings"] == 13 and probe.describe()["problem"] is None
    finally:
        probe.close()
    assert not probe.working and probe.read() is None


def test_no_probe_in_the_build_means_no_host_probe(tmp_path):
    assert open_host_probe(tmp_path, None) is None
    broken = HostProbe(tmp_path / "absent", None)
    assert not broken.working and "could not start" in broken.problem and broken.read() is None


def test_reference_is_the_low_quantile_and_ratio_the_slower_reading(tmp_path):
    probe = HostProbe(tmp_path / "absent", None)  # readings by hand
    probe.readings = [100, 101, 102]
    assert probe.reference() is None  # too few to know the machine's usual best
    # 20 readings: 18 at the usual speed, 2 in a slow window; the 10% quantile
    # is a usual one, whatever order they came in.
    probe.readings = [130, 131] + [100 + i for i in range(18)]
    assert probe.reference() == 101.0
    assert probe.ratio([101, 131]) == pytest.approx(131 / 101)
    assert probe.ratio([None, 101]) == pytest.approx(1.0)
    assert probe.ratio([None, None]) is None


def test_a_slow_host_is_a_disturbance():
    assert noise.disturbance({"host_probe_ratio": 1.02}, True) == []
    reasons = noise.disturbance({"host_probe_ratio": 1.3}, True)
    assert reasons == ["host 30% slower than its usual best (host probe)"]


def test_every_run_is_probed_and_a_slow_host_reruns_it(run_mmbench, tmp_path):
    # A limit below any possible ratio: every run is disturbed, re-run once, and
    # still disturbed; the records and the summary say so.
    out = tmp_path / "r"
    proc = _run_on_a_slow_host(run_mmbench, out, "--max-reruns", "1", strategies="glibc,arena",
                               reps=2)
    assert "host probe" in proc.stdout
    manifest = load_json(out / "manifest.json")
    assert manifest["host_probe"]["reference_ns"] > 0 and manifest["host_probe"]["readings"] >= 20
    for s in ("glibc", "arena"):
        for r in (1, 2):
            rec = load_json(out / "raw" / f"binary_trees.{s}.r{r}.run.json")
            assert len(rec["noise"]["host_probe_ns"]) == 2
            assert all(ns > 0 for ns in rec["noise"]["host_probe_ns"])
            assert any("host probe" in why for why in rec["disturbed"])
            assert len(rec["attempts"]) == 1 and rec["attempts"][0]["disturbed"]
    rows = {r["strategy"]: r for r in load_json(out / "summary.json")["rows"]}
    # Two disturbed repetitions and none undisturbed: kept, and warned about.
    assert rows["arena"]["disturbed_reps"] == 2 and rows["arena"]["excluded_reps"] == 0
    assert "disturbed repetitions in the figures" in (out / "summary.md").read_text()


def test_disturbed_repetitions_are_left_out_while_three_undisturbed_remain(run_mmbench,
                                                                         tmp_path):
    out = tmp_path / "r"
    proc = run_mmbench("run", "--workloads", "binary_trees", "--strategies", "glibc,arena",
                       "--size", "quick", "--reps", "4", "--max-reps", "4", "--min-time", "0.01",
                       "--no-report", "--out", out, env_extra=CALM)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = RunFolder(out)
    manifest = load_json(out / "manifest.json")

    def mark(s, r, ratio):
        rec = folder.load_record("binary_trees", s, r)
        rec["noise"]["host_probe_ratio"] = ratio
        rec["disturbed"] = [f"host {100 * (ratio - 1):.0f}% slower than its usual best "
                            "(host probe)"]
        write_json_atomic(folder.raw("binary_trees", s, r, "run"), rec)

    def rows():
        return {r["strategy"]: r for r in summary.write_summary(folder, manifest["plan"],
                                                                manifest)}
    clean = rows()["arena"]
    assert clean["disturbed_reps"] == 0 and len(clean["wall_samples"]) == 4
    figure = dict(zip((1, 2, 3, 4), clean["wall_samples"]))
    mark("arena", 2, 1.4)
    row = rows()["arena"]
    assert row["disturbed_reps"] == 1 and row["excluded_reps"] == 1
    assert row["wall_samples"] == [figure[1], figure[3], figure[4]]
    assert 2 not in row["throughput_by_rep"] and row["ratio_pairs"] == 3
    assert "left out of their cells' figures" in (out / "summary.md").read_text()
    # Two undisturbed left: the figures rest on them and on the disturbed one
    # the host probe found less slowed down (1.2x against 1.4x), warned about.
    mark("arena", 3, 1.2)
    row = rows()["arena"]
    assert row["disturbed_reps"] == 2 and row["excluded_reps"] == 1
    assert row["wall_samples"] == [figure[1], figure[3], figure[4]]
    assert any("1 repetition(s) disturbed and kept" in w for w in summary_md.warnings([row]))


def test_figure_reps_choose_by_the_probe_never_by_the_figure():
    def rec(ratio, disturbed=True):
        return {"noise": {"host_probe_ratio": ratio}, "disturbed": ["x"] if disturbed else []}
    calm = {r: rec(1.0, False) for r in (1, 2, 3, 4)}
    assert summary.figure_reps([1, 2, 3, 4], calm) == ([1, 2, 3, 4], 0, 0)
    assert summary.figure_reps([1, 2, 3, 4], {**calm, 3: rec(1.3)}) == ([1, 2, 4], 1, 1)
    # All disturbed: the three least slowed down, in repetition order; a run
    # without a probe reading ranks last.
    mixed = {1: rec(1.5), 2: rec(None), 3: rec(1.1), 4: rec(1.3), 5: rec(1.2)}
    assert summary.figure_reps([1, 2, 3, 4, 5], mixed) == ([3, 4, 5], 5, 2)
    assert summary.figure_reps([1, 2], {1: rec(1.5), 2: rec(1.1)}) == ([1, 2], 2, 0)
    assert summary.figure_reps([], {}) == ([], 0, 0)


def test_rerun_budget_zero_keeps_disturbed_runs_as_they_are(run_mmbench, tmp_path):
    out = tmp_path / "r"
    _run_on_a_slow_host(run_mmbench, out, "--rerun-budget", "0", "--max-wait", "0")
    rec = load_json(out / "raw" / "binary_trees.glibc.r1.run.json")
    assert rec["disturbed"] and rec["attempts"] == []
    session = load_json(out / "manifest.json")["sessions"][-1]
    assert session["rerun_s"] == 0 and session["waited_s"] == 0


def test_a_slow_host_is_waited_for_within_max_wait(run_mmbench, tmp_path):
    # Every reading is "slow": the session waits before its first worker until
    # --max-wait is spent, says so, records it, and then runs without waiting.
    out = tmp_path / "r"
    proc = _run_on_a_slow_host(run_mmbench, out, "--max-reruns", "0", "--max-wait", "1.5",
                               reps=2)
    assert "(host probe): waited 1.5 s (1.5 of at most 1.5 s in this run)" in proc.stdout
    assert 1.5 <= load_json(out / "manifest.json")["sessions"][-1]["waited_s"] < 2.5
    first = load_json(out / "raw" / "binary_trees.glibc.r1.run.json")["noise"]["host_wait_s"]
    assert 1.5 <= first < 2.5
    assert "host_wait_s" not in load_json(out / "raw" / "binary_trees.glibc.r2.run.json")["noise"]


@pytest.mark.parametrize("option", ["--max-wait", "--rerun-budget"])
def test_time_allowances_must_be_finite_and_not_negative(run_mmbench, tmp_path, option):
    for bad in ("-1", "inf"):
        proc = run_mmbench("run", "--workloads", "baseline", option, bad, "--out",
                           tmp_path / f"x{bad}")
        assert proc.returncode == 2 and f"{option} must be a finite number" in proc.stderr


def test_rerun_budget_spent_mid_round_keeps_the_rest_as_they_are(run_mmbench, tmp_path):
    # Every run disturbed; the budget allows the first re-run to start and no
    # other: one repetition has a re-run, the other three keep their first,
    # disturbed attempt, and every run is counted done once.
    out = tmp_path / "r"
    proc = _run_on_a_slow_host(run_mmbench, out, "--rerun-budget", "0.001", "--max-wait", "0",
                               strategies="glibc,arena", reps=2)
    attempts = sorted(len(load_json(out / "raw" / f"binary_trees.{s}.r{r}.run.json")["attempts"])
                      for s in ("glibc", "arena") for r in (1, 2))
    assert attempts == [0, 0, 0, 1]
    done = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(done) == 4 and done[-1].startswith("[4/4]")
    assert load_json(out / "manifest.json")["sessions"][-1]["executed"] == 4
