"""The run options' one table (runner/option_table.py): the command line, the
defaults, the resume rules and the manifest's checks all follow it; a plan no
run can hold is refused at once; a run's record keeps its keys."""

import copy
import json
import subprocess
import time

import pytest

from conftest import MMBENCH, NO_HOST_WAIT, load_json

from mmbench import cli
from mmbench.errors import UsageError
from mmbench.runner import MAX_PLANNED_RUNS, make_plan, resolve_options, validate_manifest
from mmbench.runner import option_table as table

# The record (run.json) of every run, key for key (docs/run-folder.md).
RECORD_KEYS = [
    "workload", "strategy", "rep", "size", "threads", "seed", "cmd", "worker", "family",
    "hosted_by", "preload", "extra_env", "pid", "status", "problem", "exit_code", "signal",
    "wall_s", "user_s", "sys_s", "peak_rss_kib", "peak_rss_source", "ru_maxrss_kib",
    "sampled_peak_pss_kib", "sampled_peak_rss_kib",
    "worker_peak_rss_kib", "rss_samples", "sample_ms", "figure_wall_s", "cpus", "noise",
    "disturbed", "attempts", "digests", "stderr_tail", "logs_cut", "started", "finished"]


def _run_args(*argv):
    parser, _ = cli.build_parser()
    return parser.parse_args(["run", *argv])


def _run_parser():
    parser, _ = cli.build_parser()
    return parser._subparsers._group_actions[0].choices["run"]


def test_every_option_of_the_table_is_on_the_command_line_with_its_help():
    actions = {a.option_strings[0]: a for a in _run_parser()._actions if a.option_strings}
    for o in table.RUN_OPTIONS:
        action = actions[o.option]
        assert action.help == table.help_text(o) and action.dest == o.dest
        assert "{" not in action.help, action.help  # every placeholder filled in
    assert actions["--reps"].help.endswith("(default 3)")
    assert actions["--budget"].help.startswith("start no further round") and \
        "(default 420: " in actions["--budget"].help
    assert actions["--timeout"].help == ("seconds before a worker is killed (default 300; 0: no "
                                         "limit)")


def test_defaults_and_resume_rules_come_from_the_table():
    assert {k: table.DEFAULTS[k] for k in (
        "reps", "size", "threads", "seed", "min_time", "max_reps", "target_cv", "target_se",
        "max_reruns", "budget", "max_wait", "rerun_budget")} == {
        "reps": 3, "size": "default", "threads": 1, "seed": 42, "min_time": 0.2,
        "max_reps": 16, "target_cv": 0.02, "target_se": 0.02, "max_reruns": 2,
        "budget": 420.0, "max_wait": 30.0, "rerun_budget": 45.0}
    assert sorted(table.FIXED_ON_RESUME) == [
        "managed_min_time", "min_time", "seed", "size", "suite", "threads"]


def test_resolved_options_follow_the_table(catalog):
    opts = resolve_options(_run_args("--reps", "2", "--no-pin"), catalog, None)
    assert opts["reps"] == opts["max_reps"] == 2  # --reps alone: exactly that many rounds
    assert opts["pin"] is False and opts["drain"] is False
    assert opts["timeout_s"] == 300.0 and opts["sample_ms"] == 10.0
    assert opts["target_se"] == 0.02 and isinstance(opts["order_seed"], int)


def _previous(catalog, *argv):
    opts = resolve_options(_run_args(*argv), catalog, None)
    return {"options": json.loads(json.dumps(opts))}


def test_resume_keeps_what_it_should_and_refuses_a_changed_measure(catalog):
    previous = _previous(catalog, "--reps", "2", "--budget", "60", "--timeout", "9",
                         "--min-time", "0.5", "--drain", "--no-pin", "--order-seed", "5")
    opts = resolve_options(_run_args(), catalog, previous)
    # Kept: the resumed run's values; once: this invocation's (its default here).
    assert (opts["reps"], opts["budget"], opts["min_time"], opts["drain"], opts["pin"],
            opts["order_seed"]) == (2, 60.0, 0.5, True, False, 5)
    assert opts["timeout_s"] == 300.0
    assert resolve_options(_run_args("--budget", "90"), catalog, previous)["budget"] == 90.0
    with pytest.raises(UsageError, match=r"^--min-time 0.3 differs from the resumed run's 0.5"):
        resolve_options(_run_args("--min-time", "0.3"), catalog, previous)
    assert resolve_options(_run_args("--min-time", "0.5"), catalog, previous)["min_time"] == 0.5


@pytest.mark.parametrize("key,bad", [
    ("reps", 0), ("reps", "3"), ("reps", True), ("max_reps", 0), ("target_cv", 0),
    ("target_se", "x"), ("min_time", 3601), ("budget", -1), ("max_wait", float("nan")),
    ("rerun_budget", None), ("order_seed", -1), ("size", "huge"), ("threads", 0),
    ("threads", table.MAX_THREADS + 1), ("seed", -1), ("workloads", []),
    ("strategies", ["glibc", 3])])
def test_manifest_option_that_fails_its_check_is_refused(catalog, tmp_path, key, bad):
    manifest = {"mmbench_run_format": 1, "plan": {}, **_previous(catalog, "--reps", "2")}
    assert validate_manifest(copy.deepcopy(manifest), tmp_path)  # as written: accepted
    manifest["options"][key] = bad
    with pytest.raises(UsageError, match=rf"has an invalid options\.{key} "):
        validate_manifest(manifest, tmp_path)


def test_manifest_without_an_optional_option_is_accepted_without_a_required_one_not(catalog,
                                                                                    tmp_path):
    manifest = {"mmbench_run_format": 1, "plan": {}, **_previous(catalog)}
    for o in table.RUN_OPTIONS:
        if o.manifest is None:
            continue
        edited = copy.deepcopy(manifest)
        del edited["options"][o.key]
        if o.manifest == "optional":
            assert validate_manifest(edited, tmp_path) is edited
        else:
            with pytest.raises(UsageError, match=rf"invalid options\.{o.key} \(None\)"):
                validate_manifest(edited, tmp_path)


def test_plan_of_more_processes_than_a_run_can_hold_is_refused(catalog):
    opts = resolve_options(_run_args("--workloads", "baseline", "--strategies", "glibc"),
                           catalog, None)
    opts["reps"] = MAX_PLANNED_RUNS
    assert len(make_plan(opts, catalog)["pairs"]) == 1  # exactly the limit: planned
    opts["reps"] = MAX_PLANNED_RUNS + 1
    with pytest.raises(UsageError, match=rf"plans {MAX_PLANNED_RUNS + 1} worker processes "
                                         r"\(1 pairs x "):
        make_plan(opts, catalog)


def test_absurd_reps_is_refused_at_once(build_dir, tmp_path):
    out = tmp_path / "never"
    t0 = time.monotonic()
    proc = subprocess.run([str(MMBENCH), "run", "--reps", "100000000", "--out", str(out)],
                          capture_output=True, text=True, timeout=120,
                          env={"MMBENCH_BUILD_DIR": str(build_dir), "PATH": "/usr/bin:/bin",
                               **NO_HOST_WAIT})
    elapsed = time.monotonic() - t0
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--reps 100000000 plans" in lines[0], proc.stderr
    assert f"at most {MAX_PLANNED_RUNS}" in lines[0]
    assert not out.exists()
    # Planning it would take minutes; refusing takes the start-up of the CLI
    # (generous: the test machine is shared).
    assert elapsed < 30, elapsed


def test_every_record_has_the_same_keys(tiny_run):
    folder, proc = tiny_run
    assert proc.returncode == 0, proc.stderr
    records = sorted((folder / "raw").glob("*.run.json"))
    assert records
    for path in records:
        assert list(load_json(path)) == RECORD_KEYS, path.name
