"""Shards of a plan (`run --shard K/N`), `mmbench merge` and its refusals, the
per-machine report, and `mmbench slurm --dry-run` (docs/cluster.md). The Slurm
engine itself is exercised by tests/slurm/run_slurm_test.sh (.ci/run)."""

import json
import random
import shutil

import pytest

from conftest import load_json
from mmbench import shard
from mmbench.errors import UsageError

WORKLOADS = "baseline,binary_trees,lru_cache,teardown"
OPTS = ["--size", "quick", "--reps", "2", "--min-time", "0", "--max-reruns", "0",
        "--workloads", WORKLOADS, "--strategies", "glibc,arena", "--no-report"]


# ---- the partition: deterministic, disjoint, covering, balanced -------------

def _plan(weights):
    """A plan whose workload i has weights[i] strategies (runs per round)."""
    workloads = [f"w{i}" for i in range(len(weights))]
    pairs = [[w, f"s{j}"] for w, n in zip(workloads, weights) for j in range(n)]
    return {"workloads": workloads, "pairs": pairs, "reps": 3,
            "reps_by_workload": {w: 3 for w in workloads}}


@pytest.mark.parametrize("seed", range(20))
def test_partition_is_deterministic_disjoint_covering_and_balanced(seed):
    rng = random.Random(seed)
    plan = _plan([rng.randint(1, 8) for _ in range(rng.randint(1, 12))])
    wts = shard.weights(plan)
    for n in range(1, len(wts) + 1):
        parts = shard.partition(plan, n)
        assert parts == shard.partition(json.loads(json.dumps(plan)), n)
        flat = [w for p in parts for w in p]
        assert sorted(flat) == sorted(wts) and len(flat) == len(set(flat))
        assert all(parts), "an empty shard"
        loads = [sum(wts[w] for w in p) for p in parts]
        # LPT: no shard exceeds another by more than one workload's runs.
        assert max(loads) - min(loads) <= max(wts.values())
        for p in parts:  # each shard keeps the plan's order
            assert p == sorted(p, key=plan["workloads"].index)


def test_partition_refuses_more_shards_than_workloads():
    with pytest.raises(UsageError, match="at most 3"):
        shard.partition(_plan([2, 2, 2]), 4)


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", ""])
def test_shard_option_must_be_k_of_n(text):
    with pytest.raises(UsageError):
        shard.parse(text)


def test_machine_key_override_is_recorded_as_such(monkeypatch):
    monkeypatch.delenv(shard.MACHINE_KEY_ENV, raising=False)
    key, overridden = shard.machine_key({"hostname": "h", "cpu_model": "c", "cores": 4,
                                         "total_memory_kib": 8 << 20})
    assert (key, overridden) == ("h | c | 4 cores | 8 GiB", False)
    monkeypatch.setenv(shard.MACHINE_KEY_ENV, "node-b")
    assert shard.machine_key() == ("node-b", True)


# ---- real shards of one small plan ------------------------------------------

@pytest.fixture(scope="module")
def study(run_mmbench, tmp_path_factory):
    """The plan unsharded, in 3 shards, shard 2 again as another machine, and
    shard 1 of the same workloads with another seed (another plan)."""
    root = tmp_path_factory.mktemp("study")
    run_mmbench("run", *OPTS, "--out", root / "full", check_rc=0)
    for k in (1, 2, 3):
        run_mmbench("run", *OPTS, "--shard", f"{k}/3", "--out", root / (f"s{k}"),
                    check_rc=0)
    run_mmbench("run", *OPTS, "--shard", "2/3", "--out", root / "s2b", check_rc=0,
                env_extra={shard.MACHINE_KEY_ENV: "node-b | test CPU | 2 cores"})
    run_mmbench("run", *OPTS, "--seed", "43", "--shard", "1/3", "--out", root / "other",
                check_rc=0)
    return root


def _merge(run_mmbench, *args, rc):
    return run_mmbench("merge", *[str(a) for a in args], check_rc=rc)


def test_each_shard_holds_its_workloads_and_the_plan_identity(study):
    manifests = [load_json(study / (f"s{k}") / "manifest.json") for k in (1, 2, 3)]
    held = [m["shard"]["workloads"] for m in manifests]
    assert sorted(w for h in held for w in h) == sorted(WORKLOADS.split(","))
    assert len({m["shard"]["plan_id"] for m in manifests}) == 1
    for m in manifests:
        assert m["plan"]["workloads"] == m["shard"]["workloads"]
        assert m["shard"]["identity"]["git"]["revision"] == m["git"]["revision"]
        assert set(m["shard"]["identity"]["build"]) == set(m["workers"])


def test_three_shard_merge_equals_the_unsharded_run_row_for_row(study, run_mmbench):
    _merge(run_mmbench, study / "s1", study / "s3", study / "s2", "--out", study / "m",
           "--no-report", rc=0)
    merged = load_json(study / "m" / "summary.json")["rows"]
    full = load_json(study / "full" / "summary.json")["rows"]
    assert [(r["workload"], r["strategy"]) for r in merged] == \
        [(r["workload"], r["strategy"]) for r in full]
    for a, b in zip(merged, full):
        for field in ("status", "rep_status", "checksum", "checksums", "reps", "ratio_pairs"):
            assert a[field] == b[field], (a["workload"], a["strategy"], field)
    m = load_json(study / "m" / "manifest.json")
    assert m["merge"]["partial"] is False and len(m["merge"]["machines"]) == 1
    assert m["plan"]["workloads"] == WORKLOADS.split(",")
    # compare reads it like any other run folder.
    proc = run_mmbench("compare", study / "full", study / "m")
    assert proc.returncode in (0, 1) and "Regressions" in proc.stdout, proc.stderr


@pytest.mark.parametrize("case, expected", [
    ("other_plan", "different plans (seed differ)"),
    ("other_build", "different builds (worker binaries differ: glibc)"),
    ("overlap", "overlap: both ran workload"),
    ("missing", "miss part of the plan: workload(s)"),
    ("not_a_shard", "is not a shard"),
    ("edited", "does not match its plan_id"),
    ("incomplete", "did not complete (state interrupted)"),
])
def test_merge_refuses_with_one_line(study, run_mmbench, tmp_path, case, expected):
    s1, s2, s3 = (study / (f"s{k}") for k in (1, 2, 3))
    copy = tmp_path / "copy"

    def edited(src, edit, fix_id=True):
        shutil.copytree(src, copy)
        m = load_json(copy / "manifest.json")
        edit(m)
        if fix_id:
            m["shard"]["plan_id"] = shard.plan_id(m["shard"]["identity"])
        (copy / "manifest.json").write_text(json.dumps(m))
        return copy

    inputs = {
        "other_plan": [study / "other", s2, s3],
        "other_build": [s1, edited(s2, lambda m: m["shard"]["identity"]["build"].update(
            glibc="0" * 64)) if case == "other_build" else None, s3],
        "overlap": [s1, s2, s3, shutil.copytree(s1, copy) if case == "overlap" else None],
        "missing": [s1, s2],
        "not_a_shard": [study / "full", s2, s3],
        "edited": [s1, edited(s2, lambda m: m["shard"]["identity"]["plan"]["options"].update(
            size="large"), fix_id=False) if case == "edited" else None, s3],
        "incomplete": [s1, edited(s2, lambda m: m.update(state="interrupted"))
                       if case == "incomplete" else None, s3],
    }[case]
    proc = _merge(run_mmbench, *inputs, "--out", tmp_path / "out", rc=2)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert not (tmp_path / "out").exists()


def test_partial_merge_is_accepted_and_said(study, run_mmbench, tmp_path):
    out = tmp_path / "partial"
    proc = _merge(run_mmbench, study / "s1", study / "s2", "--partial", "--out", out, rc=0)
    m = load_json(out / "manifest.json")
    missing = m["merge"]["missing_workloads"]
    assert m["merge"]["partial"] is True and missing == load_json(
        study / "s3" / "manifest.json")["shard"]["workloads"]
    rows = load_json(out / "summary.json")["rows"]
    assert {r["status"] for r in rows if r["workload"] in missing} == {"missing"}
    assert {r["status"] for r in rows if r["workload"] not in missing} == {"ok"}
    report = (out / "report.md").read_text()
    assert "## Partial merge" in report and all(w in report for w in missing)
    assert "partial merge" in proc.stderr


def test_two_machines_give_a_table_per_machine_and_one_side_by_side(study, run_mmbench,
                                                                     tmp_path):
    out = tmp_path / "two"
    _merge(run_mmbench, study / "s1", study / "s2b", study / "s3", "--out", out, rc=0)
    m = load_json(out / "manifest.json")
    machines = m["merge"]["machines"]
    assert len(machines) == 2
    b_workloads = machines["node-b | test CPU | 2 cores"]["workloads"]
    report = (out / "report.md").read_text()
    sections = report.split("\n## ")
    m1 = next(s for s in sections if s.startswith("Machine M1:"))
    m2 = next(s for s in sections if s.startswith("Machine M2: node-b"))
    side = next(s for s in sections if s.startswith("Machines side by side"))
    for w in WORKLOADS.split(","):
        on_b = w in b_workloads
        assert ((f"| {w} |") in m2) == on_b and ((f"| {w} |") in m1) != on_b
        assert side.count(f"| {w} |") == 2  # glibc and arena, one column per machine
    assert "| workload | strategy | M1 | M2 |" in side
    assert "Machines" in (out / "report.html").read_text()


def test_a_shard_resumes_only_on_its_machine(study, run_mmbench):
    proc = run_mmbench("run", "--resume", study / "s1", "--no-report", check_rc=2,
                       env_extra={shard.MACHINE_KEY_ENV: "somewhere-else"})
    assert "started on" in proc.stderr and "one machine" in proc.stderr


def test_a_resumed_run_cannot_become_a_shard(study, run_mmbench):
    before = (study / "full" / "manifest.json").read_bytes()
    proc = run_mmbench("run", "--resume", study / "full", "--shard", "1/3", "--no-report",
                       check_rc=2)
    assert "not a shard" in proc.stderr
    assert (study / "full" / "manifest.json").read_bytes() == before


# ---- mmbench slurm: the scripts ---------------------------------------------

def test_slurm_dry_run_writes_an_exclusive_array_and_an_afterok_merge(run_mmbench, tmp_path):
    out = tmp_path / "study"
    proc = run_mmbench("slurm", "--shards", "3", "--out", out, "--dry-run", "--", *OPTS,
                       check_rc=0)
    array = (out / "slurm" / "array.sbatch").read_text()
    for line in ("#SBATCH --array=1-3", "#SBATCH --exclusive", "#SBATCH --requeue",
                 "run --shard \"$k/3\" --out \"$shard\"", "scontrol requeue"):
        assert line in array, line
    limit = next(x for x in array.splitlines() if x.startswith("#SBATCH --time="))
    assert limit != "#SBATCH --time=00:00:00"
    merge = (out / "slurm" / "merge.sbatch").read_text()
    shards = " ".join(str(out / f"shard-{k}") for k in (1, 2, 3))
    assert f"merge {shards} --out {out / 'merged'}" in merge
    assert "--dependency=afterok:" in proc.stdout


def test_slurm_refuses_run_options_it_sets(run_mmbench, tmp_path):
    proc = run_mmbench("slurm", "--shards", "2", "--out", tmp_path / "s", "--dry-run", "--",
                       "--size", "quick", "--out", tmp_path / "x", check_rc=2)
    assert "--out is set by mmbench slurm" in proc.stderr
