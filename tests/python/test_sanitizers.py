"""The sanitizer build (CMake -DMMBENCH_SANITIZE=address,undefined,
preset "asan"). Promises (docs/run-folder.md "Guarantees"):
- a worker's identity says it is sanitized (family "asan", never "glibc");
- the allocator check accepts libasan serving malloc only in such a build;
- a run whose worker hits an ASan, UBSan or LSan report is `sanitizer`, and the
  other runs of the folder still finish ok;
- LeakSanitizer is off only for entries that leak on purpose.

The tests that need the sanitized worker look in $MMBENCH_ASAN_BUILD_DIR
(default <repo>/build-asan) and are skipped, saying so, when it is not built;
scripts/sanitizer_suite.sh (run by .ci/run) builds it and sets
MMBENCH_REQUIRE_ASAN=1, which turns that skip into a failure.
"""

import json
import os
import pathlib
import subprocess
import types

import pytest

from conftest import MMBENCH, REPO, load_json

LIBASAN = "/usr/lib/x86_64-linux-gnu/libasan.so.8"


def _asan_build() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MMBENCH_ASAN_BUILD_DIR") or REPO / "build-asan").resolve()


@pytest.fixture(scope="module")
def asan_build():
    build = _asan_build()
    if not (build / "mmbench-worker-asan").is_file():
        why = (f"no sanitized worker {build}/mmbench-worker-asan: build it with "
               "`cmake --preset asan && cmake --build --preset asan` "
               "(or run scripts/sanitizer_suite.sh)")
        if os.environ.get("MMBENCH_REQUIRE_ASAN") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return build


def _list(worker, env_extra=None, *args):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([str(worker), "--list", *args], capture_output=True, text=True,
                          env=env, timeout=60)


# ------------------------------------------------------------- identity and check


def test_a_normal_build_refuses_libasan(build_dir):
    """libasan serving malloc in a normal build: exit 3 (allocator_mismatch), named."""
    if not os.path.exists(LIBASAN):
        pytest.skip(f"{LIBASAN} is not installed (Debian libasan8)")
    worker = build_dir / "mmbench-worker-glibc"
    env = {"LD_PRELOAD": LIBASAN, "ASAN_OPTIONS": "detect_leaks=0"}
    proc = _list(worker, env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "malloc is served by asan" in proc.stderr and "libasan" in proc.stderr, proc.stderr
    # Nor can it be talked into accepting it: "asan" needs a sanitized build.
    proc = _list(worker, env, "--expect-malloc", "asan")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "needs a build with -fsanitize=address" in proc.stderr, proc.stderr
    # And without the preload it reports no sanitizer.
    listing = json.loads(_list(worker).stdout)
    assert listing["allocator"]["family"] == "glibc"
    assert listing["allocator"]["sanitizer"] == ""


def test_the_sanitized_worker_says_so(asan_build):
    assert sorted(p.name for p in asan_build.glob("mmbench-worker-*")) == ["mmbench-worker-asan"]
    proc = _list(asan_build / "mmbench-worker-asan")
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    assert listing["family"] == "asan"
    ident = listing["allocator"]
    assert ident["family"] == "asan" and ident["sanitizer"] == "address,undefined"
    assert "libasan" in ident["malloc_from"] and "libasan" in ident["new_from"]
    strategies = {e["strategy"] for e in listing["entries"]}
    assert {"asan", "arena", "shared_ptr", "boehm", "epsilon", "pmr-pool"} <= strategies
    assert not {"glibc", "mimalloc", "jemalloc"} & strategies
    # Asked to be plain glibc it refuses: its figures are ASan's allocator's.
    proc = subprocess.run([str(asan_build / "mmbench-worker-asan"), "--list",
                           "--expect-malloc", "glibc"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and "malloc is served by asan" in proc.stderr, proc.stderr


# ------------------------------------------------------------- the runner


def test_sanitizer_env_per_entry():
    from mmbench import sanitizers
    plain = types.SimpleNamespace(identity={"family": "glibc", "sanitizer": ""})
    asan = types.SimpleNamespace(identity={"family": "asan", "sanitizer": "address,undefined"})
    leak = {"deliberate_leak": True}
    assert sanitizers.worker_env(plain, leak, {}) == {}
    env = sanitizers.worker_env(asan, {"deliberate_leak": False}, {})
    assert "ASAN_OPTIONS" not in env and env["UBSAN_OPTIONS"].endswith("print_stacktrace=1")
    env = sanitizers.worker_env(asan, leak, {"ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1"})
    assert env["ASAN_OPTIONS"] == "halt_on_error=1:detect_leaks=0"


def test_sanitizer_reports_fail_their_runs_only(asan_build, tmp_path):
    """Real ASan, UBSan and LSan reports from the sanitized worker: each of those
    runs is `sanitizer`; the clean and the deliberately leaking runs are ok."""
    out = tmp_path / "run"
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(asan_build))
    proc = subprocess.run(
        [str(MMBENCH), "run", "--out", str(out), "--size", "quick", "--reps", "1",
         "--min-time", "0", "--max-reruns", "0", "--no-report",
         "--workloads", "baseline,leak_exit", "--strategies", "asan,arena,shared_ptr,epsilon",
         "--worker-arg", "asan:--fault=asan-overflow", "--worker-arg", "arena:--fault=ubsan-shift",
         "--worker-arg", "shared_ptr:--fault=lsan-leak"],
        capture_output=True, text=True, env=env, timeout=600, cwd=str(REPO))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    recs = {(r["workload"], r["strategy"]): r
            for r in (load_json(p) for p in (out / "raw").glob("*.run.json"))}
    assert len(recs) == 8, sorted(recs)
    expected = {"asan": "AddressSanitizer: heap-buffer-overflow",
                "arena": "runtime error: shift exponent 40",
                "shared_ptr": "LeakSanitizer"}
    # LSan is off only where the listing says the entry leaks on purpose
    # (leak_exit/shared_ptr): there the planted leak goes unreported.
    failing = {(w, s) for w in ("baseline", "leak_exit") for s in expected} - {
        ("leak_exit", "shared_ptr")}
    for (workload, strategy) in failing:
        rec = recs[(workload, strategy)]
        assert rec["status"] == "sanitizer", rec
        assert expected[strategy] in rec["problem"], rec["problem"]
        assert rec["family"] == "asan"
    for key in set(recs) - failing:
        assert recs[key]["status"] == "ok", recs[key]
    leaky = recs[("leak_exit", "shared_ptr")]["extra_env"]
    assert "detect_leaks=0" in leaky.get("ASAN_OPTIONS", ""), leaky
    assert "ASAN_OPTIONS" not in recs[("baseline", "shared_ptr")]["extra_env"]
    # The manifest says what was measured: the sanitized worker, not glibc.
    manifest = load_json(out / "manifest.json")
    assert set(manifest["workers"]) == {"asan"}
    assert manifest["workers"]["asan"]["identity"]["sanitizer"] == "address,undefined"
    # The suite's checker names every failed run (and only those).
    from mmbench import sanitizers, workers
    problems = sanitizers.check_run_folder(out, workers.load_catalog(asan_build))
    failed = {p.split(" ")[0] for p in problems if "/" in p.split(" ")[0]}
    assert failed == {f"{w}/{s}" for w, s in failing}, problems
    assert len(problems) == 2 * len(failing), problems  # each run, then its log
