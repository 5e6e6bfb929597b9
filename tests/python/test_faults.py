"""Faults injected into real runs: bad numbers, I/O errors, killed runners,
concurrent resumes. Each test checks the promise of docs/run-folder.md "Guarantees":
a clear status or a one-line error with exit 2, no finished result lost or silently
altered, no process left behind, no manifest that lies about its state."""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest

from conftest import MMBENCH, NO_HOST_WAIT, REPO, load_json

QUICK = ["--size", "quick", "--reps", "1", "--workloads", "binary_trees", "--no-report"]


def _one_line_error(proc):
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(lines) == 1 and "error:" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def _spawn(build_dir, *args):
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(build_dir), **NO_HOST_WAIT)
    return subprocess.Popen([str(MMBENCH)] + [str(a) for a in args], cwd=str(REPO), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for(predicate, timeout=30.0):
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _processes_mentioning(text):
    """pids of live (not zombie) processes whose command line contains text."""
    found = []
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(d.name))
    return found


def _worker_running(folder):
    return any(pathlib.Path(f"/proc/{p}/exe").exists() and "mmbench-worker" in os.readlink(
        f"/proc/{p}/exe") for p in _processes_mentioning(str(folder) + "/raw/"))


@pytest.fixture
def hanging_run(build_dir, tmp_path):
    """A run whose worker hangs (60 s timeout), started in the background; yields
    (folder, Popen) once the worker runs; kills whatever is left at the end."""
    folder = tmp_path / "run"
    procs = []

    def start(*extra):
        proc = _spawn(build_dir, "run", *QUICK, "--strategies", "glibc", "--out", folder,
                      "--worker-arg=--fault=hang", "--timeout", "60", *extra)
        procs.append(proc)
        assert _wait_for(lambda: _worker_running(folder)), "the worker did not start"
        return proc
    yield folder, start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    for pid in _processes_mentioning(str(folder)):
        os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- 5, 11: bad numbers


@pytest.mark.parametrize("option", [
    ["--timeout", "inf"], ["--timeout", "nan"], ["--timeout", "-1"],
    ["--sample-ms", "inf"], ["--sample-ms", "nan"], ["--threads", "100000"],
    ["--seed", str(2**64)], ["--out", ""], ["--preload", "x" * 240 + "=/bin/sh"]])
def test_bad_numbers_and_names_are_one_line_errors(run_mmbench, tmp_path, option):
    out = [] if option[0] == "--out" else ["--out", tmp_path / "run"]
    proc = run_mmbench("run", *QUICK, "--strategies", "glibc", *out, *option)
    _one_line_error(proc)
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------- 4: unexpected failure


def test_failure_mid_run_is_recorded_as_failed_and_resumable(run_mmbench, hanging_run):
    folder, start = hanging_run
    runner = start("--timeout", "2")
    # Clobber the folder under the running worker: its RSS timeline cannot be written.
    shutil.rmtree(folder / "rss")
    (folder / "rss").write_text("not a folder\n")
    out, err = runner.communicate(timeout=60)
    assert runner.returncode == 2, out + err
    assert "Traceback" not in err and "error:" in err
    manifest = load_json(folder / "manifest.json")
    assert manifest["state"] == "failed" and "rss" in manifest["error"]
    assert manifest["sessions"][-1]["state"] == "failed"
    (folder / "rss").unlink()
    run_mmbench("run", "--resume", folder, "--no-report", check_rc=0)
    manifest = load_json(folder / "manifest.json")
    assert manifest["state"] == "complete" and "error" not in manifest


# ---------------------------------------------------------------- 6: I/O errors


@pytest.mark.parametrize("out", ["/proc/mmbench-run", "/sys/mmbench-run",
                                 "/proc/self/mmbench-run"])
def test_unwritable_out_is_one_line_error(run_mmbench, out):
    _one_line_error(run_mmbench("run", *QUICK, "--strategies", "glibc", "--out", out))


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs of 8 MiB, mounted for the test (skipped where mount is refused)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and mount permission)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_read_only_filesystem_is_one_line_error(run_mmbench, tmpfs):
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    _one_line_error(run_mmbench("run", *QUICK, "--strategies", "glibc", "--out",
                                tmpfs / "run"))


def test_permission_denied_is_one_line_error(build_dir, tmp_path):
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run as an unprivileged user")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o755)
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(build_dir), HOME="/tmp")
    proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           str(MMBENCH), "run", *QUICK, "--strategies", "glibc", "--out",
                           str(locked / "run")], capture_output=True, text=True, env=env,
                          cwd="/tmp", timeout=120)
    if "Permission denied" in proc.stderr and str(MMBENCH) in proc.stderr:
        pytest.skip("the unprivileged user cannot read the repository")
    line = _one_line_error(proc)
    assert "Permission denied" in line


def test_full_disk_mid_run_is_one_line_error_and_resumable(build_dir, run_mmbench, tmpfs):
    folder = tmpfs / "run"
    runner = _spawn(build_dir, "run", *QUICK, "--strategies", "glibc", "--out", folder,
                    "--worker-arg=--fault=hang", "--timeout", "2")
    try:
        assert _wait_for(lambda: _worker_running(folder))
        filler = tmpfs / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"],
                       capture_output=True)  # until the disk is full
        out, err = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
    assert runner.returncode == 2, out + err
    assert "Traceback" not in err and "No space left on device" in err
    assert not _processes_mentioning(str(folder))
    filler.unlink()
    proc = run_mmbench("run", "--resume", folder, "--no-report", check_rc=0)
    manifest = load_json(folder / "manifest.json")
    assert manifest["state"] == "complete"
    assert (folder / "summary.json").exists()
    # No temporary file is left behind.
    assert not [p for p in folder.rglob("*.tmp")], list(folder.rglob("*.tmp"))
    del proc


def test_launcher_race_with_an_instant_worker(tmp_path):
    """A worker that exits at once is measured every time: it waits for the runner
    to adopt it before it starts (launch.TRAMPOLINE). Before that wait, 12 of 50
    such runs on one VM came back as "reaped by another process"."""
    import threading
    from mmbench import execute
    stop = threading.Event()
    busy = [threading.Thread(target=stop.wait, daemon=True) for _ in range(3)]
    for t in busy:  # other threads, as in the runner, make the race likelier
        t.start()
    try:
        results = [execute.run_process(["/bin/true"], str(tmp_path / "o"),
                                       str(tmp_path / "e"), 5.0, 0.01) for _ in range(50)]
    finally:
        stop.set()
    for r in results:
        assert r.exit_code == 0 and r.spawn_error is None, r


def test_runner_files_have_the_usual_mode(tiny_run):
    folder, _ = tiny_run
    umask = os.umask(0)
    os.umask(umask)
    for name in ("manifest.json", "summary.json"):
        assert (folder / name).stat().st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------- 3: orphans


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_killed_runner_leaves_no_worker(run_mmbench, hanging_run, sig):
    folder, start = hanging_run
    runner = start()
    os.kill(runner.pid, sig)
    runner.communicate(timeout=30)
    assert _wait_for(lambda: not _processes_mentioning(str(folder)), 10), \
        f"worker left running after {sig.name} of the runner"
    manifest = load_json(folder / "manifest.json")
    if sig == signal.SIGHUP:
        assert runner.returncode == 130 and manifest["state"] == "interrupted"
    else:
        assert manifest["state"] == "running"  # it had no chance to say otherwise
        proc = run_mmbench("run", "--resume", folder, "--no-report", check_rc=0)
        assert "ended without recording its end" in proc.stderr
        manifest = load_json(folder / "manifest.json")
        assert manifest["sessions"][0]["state"] == "abandoned"
        assert manifest["state"] == "complete"


# ---------------------------------------------------------------- 1: lock


def test_resume_of_a_live_run_is_refused(run_mmbench, hanging_run):
    folder, start = hanging_run
    runner = start()
    before = (folder / "manifest.json").read_bytes()
    proc = run_mmbench("run", "--resume", folder, "--no-report")
    line = _one_line_error(proc)
    assert f"in use by another mmbench run (pid {runner.pid})" in line or \
        "in use by another mmbench run" in line
    assert (folder / "manifest.json").read_bytes() == before
    os.killpg(runner.pid, signal.SIGTERM)
    runner.communicate(timeout=30)
    assert load_json(folder / "manifest.json")["state"] == "interrupted"


# ---------------------------------------------------------------- 2: integrity


@pytest.fixture
def small_run(run_mmbench, tmp_path):
    folder = tmp_path / "run"
    run_mmbench("run", *QUICK, "--strategies", "glibc,arena", "--out", folder, check_rc=0)
    return folder


def _detail(folder, strategy="glibc"):
    return folder / "raw" / (f"binary_trees.{strategy}.r1.detail.json")


@pytest.mark.parametrize("damage", ["truncate", "bad_utf8", "edit_wall_ns"])
def test_damaged_result_is_corrupt_and_resume_reruns_it(run_mmbench, small_run, damage):
    folder = small_run
    path = _detail(folder)
    arena_before = _detail(folder, "arena").read_bytes()
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[:len(data) // 2])
    elif damage == "bad_utf8":
        path.write_bytes(data.replace(b'"workload"', b'"w\xff\xfeorkload"', 1))
    else:
        d = json.loads(data)
        d["wall_ns"] = max(1, d["wall_ns"] // 1000)  # a plausible, much faster figure
        path.write_text(json.dumps(d))
    # The summary believes none of it: the rep is corrupt, the run exits 1, no traceback.
    from mmbench import summary
    from mmbench.runfolder import RunFolder
    rows = {r["strategy"]: r for r in summary.build_rows(
        RunFolder(folder), load_json(folder / "manifest.json")["plan"])}
    assert rows["glibc"]["rep_status"] == ["corrupt"] and rows["glibc"]["status"] == "corrupt"
    assert rows["glibc"]["throughput_samples"] == []
    assert rows["arena"]["status"] == "ok"
    # --resume reruns exactly that one and keeps the history; the rest is untouched.
    proc = run_mmbench("run", "--resume", folder, "--no-report", check_rc=0)
    assert "1 finished run(s) kept from before, 1 run now" in proc.stdout
    assert _detail(folder, "arena").read_bytes() == arena_before
    rec = load_json(folder / "raw" / "binary_trees.glibc.r1.run.json")
    assert rec["status"] == "ok" and "corrupt" in [a["status"] for a in rec["attempts"]]
    row = {r["strategy"]: r for r in load_json(folder / "summary.json")["rows"]}["glibc"]
    assert row["status"] == "ok"


def test_crashed_attempt_is_kept_in_history_by_resume(run_mmbench, tmp_path):
    folder = tmp_path / "run"
    run_mmbench("run", *QUICK, "--strategies", "glibc", "--out", folder,
                "--worker-arg=--fault=crash", check_rc=1)
    run_mmbench("run", "--resume", folder, "--no-report", check_rc=0)
    rec = load_json(folder / "raw" / "binary_trees.glibc.r1.run.json")
    assert rec["status"] == "ok"
    assert "crash" in [a["status"] for a in rec["attempts"]]


# ---------------------------------------------------------------- 7: untrusted manifest


@pytest.mark.parametrize("edit", [
    lambda m: [], lambda m: dict(m, mmbench_run_format=99),
    lambda m: dict(m, options=dict(m["options"], size="huge")),
    lambda m: dict(m, options=dict(m["options"], threads=0)),
    lambda m: dict(m, options=dict(m["options"], preloads={"../x": "/bin/sh"})),
    lambda m: dict(m, plan=dict(m["plan"], reps_by_workload={"binary_trees": "3"}))])
def test_resume_refuses_a_manifest_that_does_not_fit(run_mmbench, small_run, edit):
    folder = small_run
    manifest = load_json(folder / "manifest.json")
    (folder / "manifest.json").write_text(json.dumps(edit(manifest)))
    before = {p: p.read_bytes() for p in (folder / "raw").iterdir()}
    _one_line_error(run_mmbench("run", "--resume", folder, "--no-report"))
    assert {p: p.read_bytes() for p in (folder / "raw").iterdir()} == before


def test_resume_does_not_preload_what_a_foreign_manifest_names(run_mmbench, small_run,
                                                                tmp_path):
    folder = small_run
    marker = tmp_path / "constructor-ran"
    manifest = load_json(folder / "manifest.json")
    manifest["options"]["preloads"] = {"evil": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}
    manifest["options"]["strategies"].append("evil")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    os.chmod(folder / "manifest.json", 0o666)  # anyone could have written it
    line = _one_line_error(run_mmbench("run", "--resume", folder, "--no-report"))
    assert "--preload evil=" in line
    assert not list((folder / "raw").glob("*.evil.*"))
    del marker


# ---------------------------------------------------------------- 8: resume keeps the plan


@pytest.mark.parametrize("narrower", [["--workloads", "binary_trees"],
                                      ["--strategies", "glibc"], ["--reps", "1"]])
def test_resume_never_narrows_the_plan(run_mmbench, tmp_path, narrower):
    folder = tmp_path / "run"
    run_mmbench("run", "--size", "quick", "--reps", "2", "--workloads", "binary_trees,baseline",
                "--strategies", "glibc,arena", "--out", folder, "--no-report", check_rc=0)
    before = (folder / "summary.json").read_bytes(), (folder / "manifest.json").read_bytes()
    _one_line_error(run_mmbench("run", "--resume", folder, "--no-report", *narrower))
    assert ((folder / "summary.json").read_bytes(),
            (folder / "manifest.json").read_bytes()) == before


# ---------------------------------------------------------------- 9, 11: report


def test_report_md_escapes_folder_name_argv_and_names(run_mmbench, tmp_path):
    folder = tmp_path / "<b>x|y</b>"
    run_mmbench("run", *QUICK, "--strategies", "glibc", "--out", folder, check_rc=0)
    manifest = load_json(folder / "manifest.json")
    manifest["argv"] = ["mmbench", "<script>alert(1)</script>", "line\nbreak"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    run_mmbench("report", "--quiet", folder, check_rc=0)
    md = (folder / "report.md").read_text()
    assert "<b>" not in md and "<script>" not in md and "line\nbreak" not in md
    assert "&lt;script&gt;" in md and "line\\nbreak" in md


def test_report_refuses_a_folder_that_is_not_a_run(run_mmbench, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_mmbench("report", empty)
    assert proc.returncode == 2 and "not a run folder" in proc.stderr and not proc.stdout
    assert list(empty.iterdir()) == []


def test_two_reports_on_one_folder_do_not_collide(build_dir, small_run):
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(build_dir))
    procs = [subprocess.Popen([str(MMBENCH), "report", "--quiet", str(small_run)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert not [p for p in small_run.rglob("*.tmp*")]


# ---------------------------------------------------------------- 10 (part): sanitizer logs


def test_sanitizer_report_in_a_log_is_found(tmp_path):
    from mmbench import runner as run
    clean, ubsan, asan = (tmp_path / n for n in ("clean", "ubsan", "asan"))
    clean.write_text("binary_trees done\nerror: nothing to see\n")
    ubsan.write_text("x\nworkloads/lru.cpp:12:5: runtime error: signed integer overflow\n")
    asan.write_bytes(b"\xff\n==123==ERROR: AddressSanitizer: heap-use-after-free on 0x1\n")
    assert run.sanitizer_report(clean, tmp_path / "absent") is None
    assert "runtime error: signed integer overflow" in run.sanitizer_report(clean, ubsan)
    assert run.sanitizer_report(asan).startswith("==123==ERROR: AddressSanitizer")


# ------------------------------------------------------ 1 (part): two fresh runs, one folder


def test_fresh_run_into_a_folder_filled_before_its_lock_is_refused(build_dir, tmp_path,
                                                                   monkeypatch, capsys):
    """Two fresh runs started into one empty --out at the same instant both pass the
    emptiness check; the one that takes the lock second must find the folder taken
    (here another run's manifest appears between the check and the lock) and refuse,
    writing nothing there."""
    from mmbench import cli
    from mmbench.runner import opening
    out = tmp_path / "shared"
    real_new_folder = opening.new_run_folder

    def racing_new_folder(repo_root, out_arg):
        folder = real_new_folder(repo_root, out_arg)  # the check passes: empty
        (folder / "manifest.json").write_text('{"written": "by the other run"}\n')
        return folder
    monkeypatch.setattr(opening, "new_run_folder", racing_new_folder)
    rc = cli.main(["--build-dir", str(build_dir), "run", *QUICK, "--strategies", "glibc",
                   "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and "was written by another run while this one started" in err, err
    assert sorted(p.name for p in out.iterdir()) == [".lock", "manifest.json"]
    assert json.loads((out / "manifest.json").read_text()) == {"written": "by the other run"}


# ---------------------------------------------------------------- a flooding worker


def test_a_flooding_worker_leaves_a_bounded_log(run_mmbench, tmp_path):
    """200 MiB on stderr: the run is ok, its log keeps head and tail (a few MiB at
    most) with the cut said, and the record names what was cut."""
    from mmbench.runner import logs
    folder = tmp_path / "run"
    run_mmbench("run", *QUICK, "--strategies", "glibc", "--out", folder,
                "--worker-arg=--fault=flood", check_rc=0)
    rec = load_json(folder / "raw" / "binary_trees.glibc.r1.run.json")
    assert rec["status"] == "ok"
    stderr = folder / "logs" / "binary_trees.glibc.r1.stderr"
    assert rec["logs_cut"][stderr.name] >= 200 * 2**20
    assert stderr.stat().st_size <= logs.LOG_LIMIT_BYTES + 200
    assert b"bytes cut from the middle of this log" in stderr.read_bytes()
    assert sum(p.stat().st_size for p in (folder / "logs").iterdir()) < 3 * logs.LOG_LIMIT_BYTES
