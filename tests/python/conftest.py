"""Shared fixtures for the Python tests: the repo, the worker build, and running mmbench.

The worker binaries come from $MMBENCH_BUILD_DIR (default <repo>/build); tests
that need them are skipped, saying why, when that folder has none.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

MMBENCH = REPO / "mmbench"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def _build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MMBENCH_BUILD_DIR") or REPO / "build").resolve()


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def build_dir() -> pathlib.Path:
    build = _build_dir()
    workers = sorted(build.glob("mmbench-worker-*")) if build.is_dir() else []
    if not workers:
        pytest.skip(f"no mmbench-worker-* binaries in {build}: build them (cmake -S . -B build && "
                    "make -C build) or set MMBENCH_BUILD_DIR")
    return build


@pytest.fixture(scope="session")
def catalog(build_dir):
    from mmbench import workers
    return workers.load_catalog(build_dir)


# The tests run beside each other (ctest -j2), so the host probe often reads
# the machine slow; a test of anything but the probe itself must not wait or
# re-run for that (test_host_probe.py sets the limit it tests).
NO_HOST_WAIT = {"MMBENCH_HOST_SLOW_MAX": "100"}


@pytest.fixture(scope="session")
def run_mmbench(build_dir):
    """Run ./mmbench ARGS... as a user would; returns the CompletedProcess (text)."""
    def run(*args, timeout=900, env_extra=None, check_rc=None):
        env = dict(os.environ, MMBENCH_BUILD_DIR=str(build_dir), **NO_HOST_WAIT)
        env.update(env_extra or {})
        proc = subprocess.run([str(MMBENCH)] + [str(a) for a in args], capture_output=True,
                              text=True, env=env, timeout=timeout, cwd=str(REPO))
        if check_rc is not None:
            assert proc.returncode == check_rc, (
                f"exit {proc.returncode}, expected {check_rc}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc
    return run


@pytest.fixture(scope="session")
def tiny_run(run_mmbench, tmp_path_factory):
    """One small complete run folder shared by tests: binary_trees + baseline, quick size,
    2 repetitions, every strategy. Returns (folder, CompletedProcess)."""
    folder = tmp_path_factory.mktemp("tiny") / "run"
    proc = run_mmbench("run", "--workloads", "binary_trees,baseline", "--size", "quick",
                       "--reps", "2", "--out", folder, "--no-report")
    return folder, proc


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---- Skips made visible to ctest -------------------------------------------
# ctest sees one test for the whole pytest session. Each skip (with its reason)
# is written to $MMBENCH_PYTEST_SKIPS, which the ctest entry python_tests.skips
# reads: it reports "skipped" in ctest's summary when the file names any.
_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("MMBENCH_PYTEST_SKIPS")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in _skipped)
