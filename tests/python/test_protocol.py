"""The measurement protocol's arithmetic and bookkeeping against hand-computed
values (docs/reproducibility.md): paired ratios, CV, the stability verdict,
disturbance rules, round order, pinning and re-runs of disturbed repetitions."""

import json
import math
import os

import pytest

from conftest import load_json
from mmbench import noise, stats
from mmbench.commands import stability
from mmbench.runner import cpu_plan, worker_cpus
from mmbench.workers import steady_min_time


def test_paired_ratio_is_the_median_of_per_round_ratios():
    # Rounds 1-5: ratios 2, 2.2, 1.8, 3.4 (a round in a slow window), 2.1; round 6
    # only in a: unpaired. Median 2.1; a geometric mean would give 2.25.
    a = {1: 200.0, 2: 220.0, 3: 180.0, 4: 340.0, 5: 210.0, 6: 999.0}
    b = {1: 100.0, 2: 100.0, 3: 100.0, 4: 100.0, 5: 100.0}
    ratio, lo, hi, n, coverage = stats.paired_ratio(a, b)
    assert n == 5 and ratio == pytest.approx(2.1)
    # n = 5: no symmetric order-statistics pair reaches 95%; min-max covers the
    # median with probability 1 - 2/2^5 = 0.9375.
    assert (lo, hi) == (pytest.approx(1.8), pytest.approx(3.4))
    assert coverage == pytest.approx(0.9375)
    # Drift that hits both strategies of a round alike cancels exactly.
    drift = {1: 1.0, 2: 1.5, 3: 0.7}
    r2 = stats.paired_ratio({k: 3 * v for k, v in drift.items()}, drift)
    assert r2[0] == pytest.approx(3.0) and r2[1] == pytest.approx(3.0)
    assert stats.paired_ratio({1: 1.0}, {2: 1.0}) == (None, None, None, 0, None)


def test_median_interval_by_hand():
    # P(Binomial(n, 1/2) <= k - 1) must be <= 2.5% on each side.
    assert stats.median_interval(6) == (1, pytest.approx(1 - 2 / 64))   # 0.969
    assert stats.median_interval(9) == (2, pytest.approx(1 - 2 * 10 / 512))  # 0.961
    assert stats.median_interval(12)[0] == 3  # P(B<=2) = 79/4096 = 0.019


def test_cv_by_hand():
    assert stats.cv([1.0, 1.0, 1.0]) == 0.0
    assert stats.cv([9.0, 11.0]) == pytest.approx(math.sqrt(2) / 10)
    assert stats.cv([5.0]) == 0.0


def _row(w, s, ratio, cv=0.01, headline="throughput"):
    return {"workload": w, "strategy": s, "ratio_vs_ref": ratio, "cv_wall": cv,
            "headline": headline}


def test_stability_verdict_counts_moved_cells():
    a = [_row(f"w{i}", "x", 1.0) for i in range(10)] + [_row("w0", "glibc", 1.0)]
    b = [_row(f"w{i}", "x", 1.0) for i in range(10)] + [_row("w0", "glibc", 1.0)]
    assert stability.judge(a, b)["fit"] and stability.judge(a, b)["cells"] == 10
    b[0] = _row("w0", "x", 1.12)  # one of ten moved by 12%: allowed (at most 10%)
    v = stability.judge(a, b)
    assert v["moved_10"] == 1 and v["moved_25"] == 0 and v["fit"], v["reasons"]
    b[1] = _row("w1", "x", 0.85)  # two of ten (0.85 is 17.6% below 1.0): too many
    v = stability.judge(a, b)
    assert v["moved_10"] == 2 and not v["fit"]
    b = [_row(f"w{i}", "x", 1.0) for i in range(10)]
    b[3] = _row("w3", "x", 1.3)  # one cell beyond 25%: never fit
    v = stability.judge(a, b)
    assert v["moved_25"] == 1 and not v["fit"]
    noisy = [_row(f"w{i}", "x", 1.0, cv=0.04) for i in range(10)]
    v = stability.judge(noisy, noisy)
    assert not v["fit"] and "CV" in v["reasons"][0]
    # Footprint and fixed-rate rows are not ratio cells.
    rows = [_row("baseline", "x", 5.0, headline="footprint")]
    assert stability.judge(rows, [_row("baseline", "x", 1.0, headline="footprint")])["cells"] == 0


def test_a_move_is_the_same_whichever_run_comes_first():
    assert stability.moved(1.0, 0.8) == pytest.approx(-0.25)
    assert stability.moved(0.8, 1.0) == pytest.approx(0.25)
    a = [_row(f"w{i}", "x", 1.0) for i in range(10)]
    b = [_row(f"w{i}", "x", 0.79 if i == 0 else 1.0) for i in range(10)]
    ab, ba = stability.judge(a, b), stability.judge(b, a)
    assert ab["moved_25"] == ba["moved_25"] == 1 and not ab["fit"] and not ba["fit"]


def test_stability_by_runtime_judges_each_runtime_apart():
    def rt(rows, runtime):
        return [dict(r, runtime=runtime) for r in rows]
    a = rt([_row(f"w{i}", "x", 1.0) for i in range(10)], "c++") + \
        rt([_row(f"w{i}", "g", 1.0) for i in range(10)], "go")
    b = rt([_row(f"w{i}", "x", 1.0) for i in range(10)], "c++") + \
        rt([_row(f"w{i}", "g", 1.4 if i < 3 else 1.0) for i in range(10)], "go")
    assert not stability.judge(a, b)["fit"]
    split = stability.by_runtime(a, b)
    assert split["c++"]["fit"] and split["c++"]["cells"] == 10
    assert not split["go"]["fit"] and split["go"]["moved_25"] == 3
    text = stability.render_by_runtime(split)
    assert "c++: 10 ratio cells; moved > 10%: 0" in text and "go: 10 ratio cells" in text
    assert stability.by_runtime(a[:10], b[:10]) == {}  # one runtime: nothing to split


def test_a_slow_machine_is_a_disturbance():
    assert noise.disturbance({"speed_probe_ratio": 1.05}, True) == []
    assert "70% slower" in noise.disturbance({"speed_probe_ratio": 1.7}, True)[0]


def test_disturbance_rules():
    assert noise.disturbance({"steal_share": 0.01, "cpu_pressure_share": 0.05}, True) == []
    reasons = noise.disturbance({"steal_share": 0.05, "cpu_pressure_share": 0.5,
                                 "memory_pressure_share": 0.2, "migrations": 3}, True)
    assert len(reasons) == 4 and "steal 5.0%" in reasons[0]
    assert noise.disturbance({"migrations": 3}, pinned=False) == []
    # An unpinned (multithreaded) worker's own threads make CPU pressure.
    assert noise.disturbance({"cpu_pressure_share": 0.9}, pinned=False) == []


def test_snapshot_delta_reads_the_kernel():
    before = noise.Snapshot()
    x = 0
    for i in range(200000):
        x += i
    after = noise.Snapshot()
    d = before.delta(after, 0.05)
    assert d["runnable_at_start"] >= 1  # this process at least
    if before.jiffies:
        assert 0.0 <= d["steal_share"] <= 1.0
    state = noise.machine_state()
    assert state["cpus"] == sorted(os.sched_getaffinity(0))


def test_cpu_plan_keeps_the_first_cpu_for_the_runner():
    cpus = cpu_plan(True)
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        assert cpus["worker"] is None
        return
    assert cpus["runner"] == allowed[:1] and cpus["worker"] == allowed[1:]
    assert worker_cpus(cpus, {"multithreaded": False}, 1) == allowed[1:]
    # Two threads per pair need two CPUs apart from the runner's.
    assert worker_cpus(cpus, {"multithreaded": True}, 1) == (
        allowed[1:] if len(allowed) >= 3 else None)
    assert cpu_plan(False)["worker"] is None


def test_speed_probes_are_compared_within_a_runtime():
    probes = noise.SpeedProbes()
    probes.add("c++", [100] * 5)
    assert probes.reference("c++") is None          # fewer than 6: no reference yet
    probes.add("c++", [100, 120, 90])
    assert probes.reference("c++") == 100
    # Go's probe (other code) never meets the C++ median; the JVM's is never a
    # reference (it reads the JVM's own threads).
    assert probes.reference("go") is None
    probes.add("go", [200, 210, 190, 205, 195, 200])
    assert probes.reference("go") == 200 and probes.reference("c++") == 100
    probes.add("jvm", [120, 410, 150, 130, 200, 160])
    assert probes.reference("jvm") is None


def test_managed_runtimes_get_their_own_steady_time():
    opts = {"min_time": 0.2, "managed_min_time": 1.0}
    assert steady_min_time(opts, {"family": "jvm"}) == 1.0
    assert steady_min_time(opts, {"family": "go"}) == 1.0
    assert steady_min_time(opts, {"family": "glibc"}) == 0.2
    # Never below --min-time, and --min-time 0 (one iteration) stays 0 for all.
    assert steady_min_time(dict(opts, min_time=2.0), {"family": "go"}) == 2.0
    assert steady_min_time(dict(opts, min_time=0), {"family": "jvm"}) == 0
    assert steady_min_time({"min_time": 0.2}, {"family": "jvm"}) == 0.2  # an older manifest


# No run counts as disturbed (a re-run at the end of a round would move its line).
CALM = {"MMBENCH_CPU_PRESSURE_SHARE_MAX": "100", "MMBENCH_SLOW_PROBE_RATIO_MAX": "100",
        "MMBENCH_HOST_SLOW_MAX": "100",
        "MMBENCH_STEAL_SHARE_MAX": "100", "MMBENCH_MEMORY_PRESSURE_SHARE_MAX": "100",
        "MMBENCH_MIGRATIONS_MAX_WHEN_PINNED": "1000000"}


def test_rounds_are_random_permutations_recorded_and_pinned(run_mmbench, tmp_path):
    out = tmp_path / "r"
    proc = run_mmbench("run", "--workloads", "baseline,binary_trees", "--strategies",
                       "glibc,arena,boehm", "--size", "quick", "--reps", "3", "--min-time",
                       "0.01", "--order-seed", "7", "--no-report", "--out", out,
                       env_extra=CALM)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = load_json(out / "manifest.json")
    assert manifest["options"]["order_seed"] == 7 and manifest["plan"]["min_time_s"] == 0.01
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    order = [line.split("] ", 1)[1].split(":")[0] for line in lines]
    rounds = [[o.rsplit(" r", 1)[0] for o in order if o.endswith(f" r{r}")] for r in (1, 2, 3)]
    assert all(sorted(r) == sorted(rounds[0]) and len(r) == 6 for r in rounds)
    assert len({tuple(r) for r in rounds}) > 1  # not the same order every round (seed 7)
    rec = load_json(out / "raw" / "binary_trees.glibc.r1.run.json")
    allowed = sorted(os.sched_getaffinity(0))
    assert rec["cpus"] == (allowed[1:] if len(allowed) >= 2 else None)
    assert set(rec["noise"]) >= {"steal_share", "cpu_pressure_share", "runnable_at_start"}
    detail = load_json(out / "raw" / "binary_trees.glibc.r1.detail.json")
    assert rec["figure_wall_s"] == detail["wall_ns"] / 1e9
    if rec["cpus"]:
        assert detail["sched"]["se.nr_migrations"] == 0
    assert len(detail["speed_probe_ns"]) == 2 and all(p > 0 for p in detail["speed_probe_ns"])
    # The same seed gives the same order.
    out2 = tmp_path / "r2"
    proc2 = run_mmbench("run", "--workloads", "baseline,binary_trees", "--strategies",
                        "glibc,arena,boehm", "--size", "quick", "--reps", "3", "--min-time",
                        "0.01", "--order-seed", "7", "--no-report", "--out", out2,
                        env_extra=CALM)
    order2 = [line.split("] ", 1)[1].split(":")[0] for line in proc2.stdout.splitlines()
              if line.startswith("[")]
    assert order2 == order


def test_disturbed_run_is_rerun_and_its_attempts_kept(run_mmbench, tmp_path):
    # A steal threshold below zero makes every run disturbed: each repetition is
    # run 1 + max_reruns times, the record keeps the earlier attempts, the
    # table warns and the manifest counts it.
    out = tmp_path / "d"
    proc = run_mmbench("run", "--workloads", "baseline", "--strategies", "glibc",
                       "--size", "quick", "--reps", "1", "--max-reruns", "2", "--no-report",
                       "--out", out, env_extra={"MMBENCH_STEAL_SHARE_MAX": "-1"})
    assert proc.returncode == 0, proc.stderr
    rec = load_json(out / "raw" / "baseline.glibc.r1.run.json")
    assert len(rec["attempts"]) == 2 and rec["disturbed"]
    assert all(a["disturbed"] for a in rec["attempts"])
    assert "1 repetition(s) disturbed" in proc.stdout
    manifest = load_json(out / "manifest.json")
    assert manifest["noise_summary"]["reruns"] == 2
    assert manifest["noise_summary"]["disturbed"] == 1


def test_adaptive_rounds_extend_only_varying_workloads(run_mmbench, tmp_path):
    # A target CV no cell can meet gives every workload rounds up to --max-reps;
    # a generous one adds none (on a calm machine: a disturbed repetition asks
    # for another round, see the next test).
    out = tmp_path / "a"
    proc = run_mmbench("run", "--workloads", "binary_trees", "--strategies", "glibc,arena",
                       "--size", "quick", "--reps", "2", "--max-reps", "4", "--target-cv",
                       "1e-12", "--min-time", "0.001", "--no-report", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert load_json(out / "manifest.json")["plan"]["reps_by_workload"] == {"binary_trees": 4}
    rows = json.loads((out / "summary.json").read_text())["rows"]
    assert all(r["reps"] == 4 and r["rep_status"] == ["ok"] * 4 for r in rows)
    out2 = tmp_path / "b"
    run_mmbench("run", "--workloads", "binary_trees", "--strategies", "glibc,arena",
                "--size", "quick", "--reps", "2", "--max-reps", "4", "--target-cv", "10",
                "--target-se", "10", "--min-time", "0.001", "--no-report", "--out", out2,
                env_extra=CALM)
    assert load_json(out2 / "manifest.json")["plan"]["reps_by_workload"] == {"binary_trees": 2}


def test_imprecise_ratios_ask_for_rounds_and_untimed_workloads_get_none(run_mmbench, tmp_path):
    # A standard error no per-round ratio can meet adds rounds to the timed
    # workload up to --max-reps, with a target CV every cell meets; baseline
    # (the harness's footprint: its time is no figure) gets none.
    out = tmp_path / "se"
    proc = run_mmbench("run", "--workloads", "baseline,binary_trees", "--strategies",
                       "glibc,arena", "--size", "quick", "--reps", "2", "--max-reps", "4",
                       "--target-cv", "10", "--target-se", "1e-12", "--min-time", "0.001",
                       "--no-report", "--out", out, env_extra=CALM)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert load_json(out / "manifest.json")["plan"]["reps_by_workload"] == {
        "baseline": 2, "binary_trees": 4}
    rows = json.loads((out / "summary.json").read_text())["rows"]
    arena = next(r for r in rows if r["workload"] == "binary_trees" and r["strategy"] == "arena")
    assert arena["ratio_pairs"] == 4


def test_target_se_must_be_positive(run_mmbench, tmp_path):
    proc = run_mmbench("run", "--workloads", "baseline", "--target-se", "0",
                       "--out", tmp_path / "x")
    assert proc.returncode == 2
    assert "--target-se must be > 0" in proc.stderr
