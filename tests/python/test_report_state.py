"""A report says when its run is partial: still going (a live process holds the
folder's lock, as the runner does) or ended early; a finished run's says
nothing of the kind, even while its own runner still holds the lock."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mmbench.reporting import generate as generate_module

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"
STILL_GOING = "partial: the run is still going"
NOT_RUNNING = "partial, not running"

# The runner's own lock (runner/manifest.py), taken in a process of its own.
HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from mmbench.runner.manifest import lock_folder
lock_folder(Path(sys.argv[2]))
print("locked", flush=True)
time.sleep(120)
"""


@pytest.fixture
def run(tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)
    return dst


def _set_state(run_dir: Path, state: str) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["state"] = state
    (run_dir / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture
def lock_holder(run):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(REPO / "benchmarks"), str(run)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _report(run_dir: Path, capsys, monkeypatch) -> tuple[str, str]:
    """(report.md, stderr) of a report without plots (not what is tested here)."""
    monkeypatch.setattr(generate_module, "load_plots_module", lambda: (None, "no plots"))
    result = generate_module.generate(run_dir, quiet=True)
    assert result.ok, result.problems
    return (run_dir / "report.md").read_text(), capsys.readouterr().err


def _header(md: str) -> str:
    return md.split("\n## ", 1)[0]


def test_running_run_says_so_in_header_html_and_stderr(run, lock_holder, capsys, monkeypatch):
    _set_state(run, "running")
    md, err = _report(run, capsys, monkeypatch)
    assert STILL_GOING.capitalize() in _header(md)
    assert f"pid {lock_holder.pid} holds" in _header(md)
    assert STILL_GOING in err
    assert STILL_GOING in (run / "report.html").read_text()


def test_running_run_through_the_command(run, lock_holder):
    _set_state(run, "running")
    done = subprocess.run([str(REPO / "mmbench"), "report", "--quiet", str(run)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert STILL_GOING in done.stderr
    assert STILL_GOING.capitalize() in _header((run / "report.md").read_text())


def test_runner_gone_without_recording_its_end(run, lock_holder, capsys, monkeypatch):
    _set_state(run, "running")
    lock_holder.kill()
    lock_holder.wait()
    md, err = _report(run, capsys, monkeypatch)
    for text in (_header(md), err):
        assert "running" not in text.replace("not running", "").replace('"running"', "")
        assert NOT_RUNNING in text.lower() and "without recording its end" in text


def test_interrupted_run_is_partial_not_running(run, capsys, monkeypatch):
    _set_state(run, "interrupted")
    md, err = _report(run, capsys, monkeypatch)
    assert "Partial, not running: it ended interrupted" in _header(md)
    assert NOT_RUNNING in err and STILL_GOING not in err


@pytest.mark.parametrize("with_holder", [False, True])
def test_finished_run_is_not_called_partial(run, request, capsys, monkeypatch, with_holder):
    if with_holder:  # the runner's own report, written before it lets go of the lock
        request.getfixturevalue("lock_holder")
    _set_state(run, "complete")
    md, err = _report(run, capsys, monkeypatch)
    assert "partial" not in _header(md).lower() and "partial" not in err.lower()
    assert "still going" not in md


def test_folder_without_a_state_is_not_called_partial(run, capsys, monkeypatch):
    assert "state" not in json.loads((run / "manifest.json").read_text())
    md, err = _report(run, capsys, monkeypatch)
    assert "partial" not in _header(md).lower() and "partial" not in err.lower()
    assert not os.path.exists(run / ".lock")
