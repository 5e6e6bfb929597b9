"""End-to-end tests of `mmbench run` and `mmbench list` with the real worker binaries."""

import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import types

import pytest

from conftest import MMBENCH as REPO_MMBENCH
from conftest import NO_HOST_WAIT, load_json

from mmbench import hgrm, summary
from mmbench.reporting import summary_md
from mmbench.runfolder import RunFolder

JEMALLOC_SO = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"


def _rows(folder):
    return {(r["workload"], r["strategy"]): r for r in load_json(folder / "summary.json")["rows"]}


@pytest.fixture(scope="module")
def strategies(catalog):
    """What `mmbench run` runs without --strategies: the core strategies that are built."""
    return catalog.default_strategies


def _pause_durations(folder, workload, strategy, rep):
    """The collector's pause events as the worker logged them, one by one."""
    detail = load_json(folder / "raw" / (f"{workload}.{strategy}.r{rep}.detail.json"))
    return [duration for _start, duration in detail["gc"]["events"]]


def _odd_strategy(catalog):
    """A default strategy to break on purpose, hosted by a worker that also hosts others."""
    families = [catalog.strategies[s] for s in catalog.default_strategies]
    for s in catalog.default_strategies:
        f = catalog.strategies[s]
        if families.count(f) > 1 and s != f:
            return s
    return catalog.default_strategies[-1]


def _percentile_by_hand(buckets, total, maximum, p):
    """HdrHistogram's value at percentile p, from the worker's [low, high, count]
    buckets, written out here independently of mmbench's own code: the high end
    of the bucket holding the ceil(p% * total)-th smallest sample (p one ulp
    lower, as HdrHistogram does), capped at the exact maximum."""
    import math
    rank = max(1, math.ceil(math.nextafter(p, -math.inf) / 100.0 * total))
    running = 0
    for _low, high, count in sorted(buckets):
        running += count
        if running >= rank:
            return min(high, maximum)
    return maximum


# ---------------------------------------------------------------- the tiny suite


def test_tiny_suite_rows_ok_and_checksums_agree(tiny_run, catalog, strategies):
    folder, proc = tiny_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(folder)
    expected = {(w, s) for w in ("binary_trees", "baseline") for s in strategies}
    assert set(rows) == expected
    for key, row in rows.items():
        assert row["status"] == "ok", (key, row["rep_status"])
        assert row["rep_status"] == ["ok", "ok"]
        assert row["reps"] == 2
        assert len(row["throughput_samples"]) == 2 and all(t > 0 for t in
                                                            row["throughput_samples"])
        assert row["peak_rss_kib"] > 0
        assert row["lat_p50_ns"] <= row["lat_p99_ns"] <= row["lat_max_ns"]
        assert row["throughput_ci95"] is not None  # two reps give an interval
        # The row's latency percentiles are those of the repetitions' merged
        # histograms, recomputed here by hand from the detail files' buckets.
        merged, maximum = {}, 0
        for rep in (1, 2):
            lat = load_json(RunFolder(folder).raw(key[0], key[1], rep, "detail"))["latency"]
            for low, high, count in lat["buckets"]:
                merged[(low, high)] = merged.get((low, high), 0) + count
            maximum = max(maximum, lat["max"])
        buckets = [(low, high, n) for (low, high), n in merged.items()]
        total = sum(merged.values())
        assert row["lat_max_ns"] == maximum, key
        for column, p in (("lat_p50_ns", 50.0), ("lat_p90_ns", 90.0), ("lat_p99_ns", 99.0),
                          ("lat_p999_ns", 99.9)):
            assert row[column] == _percentile_by_hand(buckets, total, maximum, p), (key, column)
    for workload in ("binary_trees", "baseline"):
        sums = {rows[(workload, s)]["checksum"] for s in strategies}
        assert len(sums) == 1, sums
        for s in strategies:
            details = [load_json(RunFolder(folder).raw(workload, s, r, "detail")) for r in (1, 2)]
            assert {d["checksum"] for d in details} == sums


def test_tiny_suite_files_present_and_valid(tiny_run, catalog, strategies):
    folder, _ = tiny_run
    rf = RunFolder(folder)
    for w in ("binary_trees", "baseline"):
        for s in strategies:
            for r in (1, 2):
                for kind in ("gbench", "detail", "run"):
                    data = load_json(rf.raw(w, s, r, kind))
                    assert data
                record = load_json(rf.raw(w, s, r, "run"))
                assert record["status"] == "ok" and record["exit_code"] == 0
                assert record["peak_rss_kib"] > 0 and record["wall_s"] > 0
                assert rf.rss(w, s, r).read_text().startswith("t_s,rss_kib\n")
            assert rf.hgrm(w, s).exists()
    # No temporary or partial file is left behind.
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".part"))]
    assert leftovers == []
    manifest = load_json(folder / "manifest.json")
    assert manifest["state"] == "complete" and manifest["finished"]
    assert manifest["options"]["reps"] == 2 and manifest["options"]["size"] == "quick"
    with open(folder / "summary.csv", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == summary.COLUMNS
    # The columns users and scripts rely on come first, in this order.
    required = ("workload,strategy,size,reps,status,throughput_per_s,throughput_ci95,wall_s,"
                "peak_rss_kib,live_kib,lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,"
                "gc_pauses,gc_pause_p99_ns,gc_pause_max_ns,checksum").split(",")
    assert table[0][:len(required)] == required
    # Boehm's pause total is the median over repetitions of each run's summed
    # pauses per iteration of the workload (a process runs several).
    by_strategy = {r[1]: dict(zip(table[0], r)) for r in table[1:] if r[0] == "binary_trees"}
    iterations = {rep: len(load_json(RunFolder(folder).raw("binary_trees", "boehm", rep,
                                                           "detail"))["iterations"])
                  for rep in (1, 2)}
    totals = sorted(sum(_pause_durations(folder, "binary_trees", "boehm", rep)) / iterations[rep]
                    for rep in (1, 2))
    assert float(by_strategy["boehm"]["gc_pause_total_ns"]) == pytest.approx(
        statistics.median(totals), rel=1e-6)
    assert by_strategy["glibc"]["gc_pause_total_ns"] == ""
    assert len(table) == 1 + 2 * len(strategies)
    md = (folder / "summary.md").read_text()
    assert "binary_trees" in md and "| workload" in md


def test_tiny_suite_hgrm_round_trip(tiny_run, catalog, strategies):
    folder, _ = tiny_run
    rf = RunFolder(folder)
    for w in ("binary_trees", "baseline"):
        for s in strategies:
            details = [load_json(rf.raw(w, s, r, "detail")) for r in (1, 2)]
            parsed = hgrm.read_hgrm(rf.hgrm(w, s))
            total = sum(d["latency"]["count"] for d in details)
            assert parsed.total_count == total
            assert parsed.total_counts[-1] == total and parsed.percentiles[-1] == 1.0
            assert parsed.max == pytest.approx(max(d["latency"]["max"] for d in details) / 1000,
                                               abs=0.0005)
            assert parsed.values == sorted(parsed.values)
            gc = [d["gc"]["pauses"] for d in details if d.get("gc")]
            if any(g["count"] for g in gc):
                parsed_gc = hgrm.read_hgrm(rf.hgrm(w, s, "gc"))
                assert parsed_gc.total_count == sum(g["count"] for g in gc)


def test_merged_percentiles_match_worker_for_single_rep(tiny_run, catalog, strategies):
    """Our percentile code gives the worker's own (C++) figures for one repetition."""
    folder, _ = tiny_run
    rf = RunFolder(folder)
    for s in strategies:
        detail = load_json(rf.raw("binary_trees", s, 1, "detail"))
        h = hgrm.from_json(detail["latency"])
        for key, p in hgrm.REPORTED_PERCENTILES:
            assert h.value_at_percentile(p) == detail["latency"]["percentiles"][key], (s, key)
        assert h.count == detail["latency"]["count"]


def test_tiny_suite_summary_uses_detail_and_rusage(tiny_run):
    folder, _ = tiny_run
    rf = RunFolder(folder)
    row = _rows(folder)[("binary_trees", "glibc")]
    details = [load_json(rf.raw("binary_trees", "glibc", r, "detail")) for r in (1, 2)]
    records = [load_json(rf.raw("binary_trees", "glibc", r, "run")) for r in (1, 2)]
    tps = [d["units"] / (d["wall_ns"] / 1e9) for d in details]
    assert row["throughput_per_s"] == pytest.approx(sum(tps) / 2)  # median of two
    assert row["peak_rss_kib"] == pytest.approx(sum(r["peak_rss_kib"] for r in records) / 2)
    assert row["live_kib"] == pytest.approx(details[0]["live_bytes"] / 1024)
    merged = hgrm.merge(hgrm.from_json(d["latency"]) for d in details)
    assert row["lat_p99_ns"] == merged.value_at_percentile(99)
    assert row["lat_max_ns"] == max(d["latency"]["max"] for d in details)


def test_progress_lines_when_not_a_tty(tiny_run, catalog, strategies):
    _, proc = tiny_run
    n = 2 * 2 * len(strategies)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == n
    assert lines[0].startswith(f"[1/{n}] ") and lines[-1].startswith(f"[{n}/{n}] ")
    # Rounds: every pair's rep 1 before any rep 2, each pair once per round.
    reps = [int(re.search(r" r(\d+):", line).group(1)) for line in lines]
    assert reps == sorted(reps)
    pairs = [re.search(r"\] (\S+) r(\d+):", line).groups() for line in lines]
    assert sorted(p for p, r in pairs if r == "1") == sorted(p for p, r in pairs if r == "2")
    assert len({p for p, r in pairs if r == "1"}) == n // 2
    assert "run folder: " in proc.stdout


def test_manifest_records_machine_build_and_versions(tiny_run, catalog, repo_root):
    folder, _ = tiny_run
    m = load_json(folder / "manifest.json")
    assert m["argv"][1:3] == ["run", "--workloads"]
    # Others may commit while the tests run: the recorded revision is HEAD or before it.
    rev = m["git"]["revision"]
    assert re.fullmatch(r"[0-9a-f]{40}", rev) and isinstance(m["git"]["dirty"], bool)
    assert subprocess.run(["git", "merge-base", "--is-ancestor", rev, "HEAD"],
                          cwd=repo_root).returncode == 0
    assert m["machine"]["cores"] == os.cpu_count() and m["machine"]["kernel"] == os.uname().release
    assert m["machine"]["cpu_model"] and m["machine"]["total_memory_kib"] > 0
    assert m["compiler"]["version"]
    assert m["versions"]["python"] and m["versions"]["glibc"]
    gc_version = next((w.gc_version for w in catalog.workers.values() if w.gc_version), None)
    assert m["versions"]["boehm_gc"] == gc_version
    for family in ("mimalloc", "jemalloc"):
        if family in catalog.workers:
            assert m["versions"][family] == catalog.workers[family].identity["version"]
            assert m["workers"][family]["identity"]["family"] == family
    assert m["started"].endswith("+00:00") and m["finished"] >= m["started"]


# ---------------------------------------------------------------- failures


def test_crash_of_one_strategy_leaves_others_ok(run_mmbench, catalog, tmp_path):
    victim = _odd_strategy(catalog)
    proc = run_mmbench("run", "--workloads", "baseline", "--size", "quick", "--reps", "1",
                       "--out", tmp_path / "run", "--no-report",
                       "--worker-arg", f"{victim}:--fault=crash")
    assert proc.returncode == 1, proc.stderr
    rows = _rows(tmp_path / "run")
    assert rows[("baseline", victim)]["status"] == "crash"
    record = load_json(RunFolder(tmp_path / "run").raw("baseline", victim, 1, "run"))
    assert record["signal"] == 11 and record["exit_code"] is None
    assert not RunFolder(tmp_path / "run").raw("baseline", victim, 1, "detail").exists()
    others = [r for k, r in rows.items() if k[1] != victim]
    assert others and all(r["status"] == "ok" for r in others)


def test_hang_is_killed_at_timeout(run_mmbench, catalog, strategies, tmp_path):
    victim = _odd_strategy(catalog)
    keep = next(s for s in strategies if s != victim)
    proc = run_mmbench("run", "--workloads", "baseline", "--strategies",
                       f"{keep},{victim}", "--size", "quick", "--reps", "1",
                       "--timeout", "2", "--out", tmp_path / "run", "--no-report",
                       "--worker-arg", f"{victim}:--fault=hang", timeout=120)
    assert proc.returncode == 1
    rows = _rows(tmp_path / "run")
    assert rows[("baseline", victim)]["status"] == "timeout"
    assert rows[("baseline", keep)]["status"] == "ok"
    record = load_json(RunFolder(tmp_path / "run").raw("baseline", victim, 1, "run"))
    assert record["signal"] == 9 and record["wall_s"] >= 2.0
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left running
        os.kill(record["pid"], 0)


def test_preloaded_jemalloc_under_glibc_worker_is_allocator_mismatch(run_mmbench, catalog,
                                                                     tmp_path):
    if not os.path.exists(JEMALLOC_SO):
        pytest.skip(f"{JEMALLOC_SO} not installed")
    if "glibc" not in catalog.strategies:
        pytest.skip("no glibc strategy built")
    others = [s for s in catalog.strategies if catalog.strategies[s] != "glibc"]
    proc = run_mmbench("run", "--workloads", "baseline", "--strategies",
                       ",".join(["glibc"] + others), "--size", "quick", "--reps", "1",
                       "--out", tmp_path / "run", "--no-report",
                       "--worker-env", f"glibc:LD_PRELOAD={JEMALLOC_SO}")
    rows = _rows(tmp_path / "run")
    assert rows[("baseline", "glibc")]["status"] == "allocator_mismatch"
    record = load_json(RunFolder(tmp_path / "run").raw("baseline", "glibc", 1, "run"))
    assert record["exit_code"] == 3 and "jemalloc" in record["stderr_tail"]
    assert all(rows[("baseline", s)]["status"] == "ok" for s in others)
    assert proc.returncode == 1


# ---------------------------------------------------------------- CLI input


@pytest.mark.parametrize("args, must_mention", [
    (["--workloads", "no_such_workload"], "workload"),
    (["--strategies", "glibc,no_such_strategy"], "strateg"),
    (["--reps", "0"], "--reps"),
    (["--size", "huge"], "quick, default, large"),
    (["--timeout", "-1"], "--timeout"),
    (["--threads", "0"], "--threads"),
    (["--sample-ms", "0"], "--sample-ms"),
])
def test_bad_run_arguments_exit_2(run_mmbench, catalog, tmp_path, args, must_mention):
    proc = run_mmbench("run", "--out", tmp_path / "run", "--no-report", *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert must_mention in proc.stderr
    if "workload" in must_mention:
        assert all(w in proc.stderr for w in catalog.workloads)
    if must_mention == "strateg":
        assert all(s in proc.stderr for s in catalog.strategies)
    assert not (tmp_path / "run").exists()  # nothing created for a rejected command


def test_missing_build_dir_exit_2(run_mmbench, tmp_path):
    proc = run_mmbench("run", "--build-dir", tmp_path / "nothing", "--no-report")
    assert proc.returncode == 2
    assert "Build them first" in proc.stderr and "cmake" in proc.stderr
    proc = run_mmbench("list", env_extra={"MMBENCH_BUILD_DIR": str(tmp_path / "nothing")})
    assert proc.returncode == 2 and "Build them first" in proc.stderr


def test_existing_out_folder_is_refused(run_mmbench, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "something").write_text("x")
    proc = run_mmbench("run", "--out", tmp_path / "run", "--no-report")
    assert proc.returncode == 2 and "--resume" in proc.stderr


def test_list_shows_what_workers_list(run_mmbench, catalog, build_dir):
    proc = run_mmbench("list", check_rc=0)
    for name, info in catalog.workloads.items():
        assert re.search(rf'^\s+{re.escape(name)}\s+{re.escape(info["unit"])}\s',
                         proc.stdout, re.M)
    for s in catalog.strategies:
        mark = r"\*" if s in catalog.default_strategies else " "
        assert re.search(fr"^  {mark} {re.escape(s)}\s+mmbench-worker-", proc.stdout, re.M)
    verbose = run_mmbench("list", "--verbose", check_rc=0)
    for family, worker in catalog.workers.items():
        assert worker.identity["malloc_from"] in verbose.stdout
    assert "interpreter: " in verbose.stderr and "Python" in verbose.stderr
    listing = json.loads(run_mmbench("list", "--json", check_rc=0).stdout)
    assert listing["strategies"] == catalog.strategies


# ---------------------------------------------------------------- resume


def test_resume_reruns_only_what_failed(run_mmbench, catalog, strategies, tmp_path):
    victim = _odd_strategy(catalog)
    folder = tmp_path / "run"
    first = run_mmbench("run", "--workloads", "baseline", "--size", "quick", "--reps", "2",
                        "--out", folder, "--no-report",
                        "--worker-arg", f"{victim}:--fault=crash")
    assert first.returncode == 1
    rf = RunFolder(folder)
    before = {(s, r): load_json(rf.raw("baseline", s, r, "run")) for s in strategies
              for r in (1, 2)}
    assert all(before[(victim, r)]["status"] == "crash" for r in (1, 2))
    second = run_mmbench("run", "--resume", folder, "--no-report")
    assert second.returncode == 0, second.stdout + second.stderr
    after = {(s, r): load_json(rf.raw("baseline", s, r, "run")) for s in strategies
             for r in (1, 2)}
    for (s, r), rec in after.items():
        assert rec["status"] == "ok"
        if s == victim:
            assert rec["started"] > before[(s, r)]["started"]
        else:
            assert rec == before[(s, r)]  # kept, not rerun
    run_lines = [line for line in second.stdout.splitlines() if line.startswith("[")]
    assert len(run_lines) == 2 and all(f"/{victim} r" in line for line in run_lines)
    assert all(r["status"] == "ok" for r in _rows(folder).values())
    manifest = load_json(folder / "manifest.json")
    assert len(manifest["sessions"]) == 2 and manifest["state"] == "complete"
    # A resumed run cannot change what is measured.
    proc = run_mmbench("run", "--resume", folder, "--size", "default", "--no-report")
    assert proc.returncode == 2 and "--size" in proc.stderr


# ---------------------------------------------------------------- checksums


def test_checksum_disagreement_is_flagged(tiny_run, catalog, strategies, tmp_path):
    folder, _ = tiny_run
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    rf = RunFolder(copy)
    victim = list(strategies)[-1]
    path = rf.raw("binary_trees", victim, 2, "detail")
    detail = load_json(path)
    detail["checksum"] = f'{int(detail["checksum"], 16) ^ 1:016x}'
    path.write_text(json.dumps(detail))
    # As a worker that computed another checksum would have left it: its digest recorded
    # (an edit without that is "corrupt", test_faults.py).
    record_path = rf.raw("binary_trees", victim, 2, "run")
    record = load_json(record_path)
    record["digests"]["detail"] = hashlib.sha256(path.read_bytes()).hexdigest()
    record_path.write_text(json.dumps(record))
    plan = load_json(copy / "manifest.json")["plan"]
    rows = {(r["workload"], r["strategy"]): r for r in summary.build_rows(rf, plan)}
    assert rows[("binary_trees", victim)]["status"] == "checksum_mismatch"
    assert rows[("binary_trees", victim)]["rep_status"] == ["ok", "checksum_mismatch"]
    assert all(r["status"] == "ok" for k, r in rows.items() if k != ("binary_trees", victim))


def test_checksum_verdicts_without_majority_flag_all():
    assert summary.checksum_verdicts({("a", 1): "x", ("b", 1): "y"}) == {
        ("a", 1): False, ("b", 1): False}
    assert summary.checksum_verdicts({("a", 1): "x", ("b", 1): "x", ("c", 1): "y"}) == {
        ("a", 1): True, ("b", 1): True, ("c", 1): False}


# ---------------------------------------------------------------- report hook


def test_report_hook_called_and_its_failure_reported(build_dir, tmp_path, monkeypatch, capsys):
    from mmbench import cli
    from mmbench.commands import run as run_cmd
    calls = []

    def recorded(run_dir, quiet=False):
        calls.append((str(run_dir), quiet))
        return types.SimpleNamespace(ok=True)
    monkeypatch.setattr(run_cmd, "generate", recorded)
    base = ["--build-dir", str(build_dir), "run", "--workloads", "baseline", "--strategies",
            "glibc", "--size", "quick", "--reps", "1"]
    rc = cli.main(base + ["--out", str(tmp_path / "a")])
    assert rc == 0 and calls == [(str(tmp_path / "a"), False)]

    def broken(run_dir, quiet=False):
        raise RuntimeError("plotting exploded")
    monkeypatch.setattr(run_cmd, "generate", broken)
    rc = cli.main(base + ["--out", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert rc == 1 and "plotting exploded" in err
    assert _rows(tmp_path / "b")[("baseline", "glibc")]["status"] == "ok"

    # A report that ran but named inputs it could not use fails the command too.
    monkeypatch.setattr(run_cmd, "generate", lambda run_dir, quiet=False:
                        types.SimpleNamespace(ok=False))
    assert cli.main(base + ["--out", str(tmp_path / "c")]) == 1


def test_deliberate_leak_rows_are_marked(tiny_run):
    folder, _ = tiny_run
    rows = load_json(folder / "summary.json")["rows"]
    assert all(r["deliberate_leak"] is False for r in rows)
    leaking = dict(rows[0], deliberate_leak=True)
    table = summary_md.markdown_table([leaking, rows[1]])
    assert f'{leaking["strategy"]} (leaks)' in table
    assert f'{rows[1]["strategy"]} (leaks)' not in table


# ---------------------------------------------------------------- interruption


def _processes_mentioning(*texts):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
                if all(t.encode() in cmdline for t in texts):
                    found.append(int(entry))
        except OSError:
            pass
    return found


def test_interrupt_kills_worker_keeps_results_and_resume_completes(build_dir, catalog, strategies,
                                                                   tmp_path, run_mmbench):
    victim = _odd_strategy(catalog)
    folder = tmp_path / "run"
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(build_dir), **NO_HOST_WAIT)
    # An order seed whose random round order does not start with the victim (so some
    # result is finished before the hang), as run.round_of draws it.
    pairs = [("baseline", s) for s in strategies if ("baseline", s) in catalog.entries]
    seed = 0
    while True:
        order = list(pairs)
        random.Random(seed).shuffle(order)
        if order[0][1] != victim:
            break
        seed += 1
    runner = subprocess.Popen(
        [str(REPO_MMBENCH), "run", "--workloads", "baseline", "--size", "quick", "--reps", "1",
         "--timeout", "0", "--out", str(folder), "--no-report", "--order-seed", str(seed),
         "--worker-arg", f"{victim}:--fault=hang"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        # Wait (bounded) until the hanging worker runs, then interrupt as Ctrl-C would.
        for _ in range(600):
            if _processes_mentioning(str(folder / "raw"), "--fault=hang"):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the hanging worker never started")
        runner.send_signal(signal.SIGINT)
        out, err = runner.communicate(timeout=120)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 130, out + err
    assert "--resume" in out
    assert _processes_mentioning(str(folder / "raw")) == []  # the worker did not survive us
    manifest = load_json(folder / "manifest.json")
    assert manifest["state"] == "interrupted"
    rf = RunFolder(folder)
    done_before = [s for s in strategies
                   if (rf.load_record("baseline", s, 1) or {}).get("status") == "ok"]
    assert done_before and victim not in done_before
    resumed = run_mmbench("run", "--resume", folder, "--no-report")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert all(r["status"] == "ok" for r in _rows(folder).values())
    assert load_json(folder / "manifest.json")["state"] == "complete"


def test_launcher_without_matplotlib_still_lists_and_says_so(run_mmbench, tmp_path):
    # An interpreter without site-packages cannot import matplotlib.
    fake = tmp_path / "python3"
    fake.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    fake.chmod(0o755)
    proc = run_mmbench("--verbose", "list", env_extra={"MMBENCH_PYTHON": str(fake)})
    assert proc.returncode == 0, proc.stderr
    assert "NO matplotlib" in proc.stderr and "Workloads:" in proc.stdout
    # By default the launcher takes /usr/bin/python3 when it can plot.
    debian_can_plot = subprocess.run(
        ["/usr/bin/python3", "-c", "import matplotlib"], capture_output=True).returncode == 0
    if debian_can_plot:
        chosen = run_mmbench("list", "-v").stderr
        assert "interpreter: /usr/bin/python3 " in chosen and "matplotlib available" in chosen
