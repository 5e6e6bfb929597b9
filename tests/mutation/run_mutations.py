#!/usr/bin/python3
"""Mutation checks: break the harness on purpose and see whether the suite notices.

Each mutation is a small text edit (every pattern must be found, or the
mutation is reported as stale) applied to a copy of the working tree, never to
the tree itself. The copy lives in WORK/src with its own build in WORK/build
(default WORK: /tmp/mmbench-mutation), kept between invocations so that only
what a mutation touches is rebuilt. For each mutation the script

  1. runs the tests that claim to protect the promise, on the unbroken copy
     (the control: they must pass, or the verdict would mean nothing);
  2. applies the edit, rebuilds the targets it needs, runs the same tests
     `repeat` times (timing-dependent checks at least 5), and restores the file;
  3. counts the breakage as caught only if every repetition failed.

It prints a table: breakage -> caught? -> which tests failed. Exit status 0
when every breakage was caught (and every control passed), 1 otherwise.

Slow (a rebuild per mutation): run on demand, not in every CI run.

Usage: tests/mutation/run_mutations.py [--work DIR] [--only NAME,...] [--list]
       [--repeat-timing N]
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3"
JOBS = "2"


@dataclasses.dataclass
class Check:
    kind: str    # "ctest": select is a -R regex; "pytest": select is a list of node ids / -k
    select: object

    def describe(self) -> str:
        if self.kind == "ctest":
            return f"ctest -R '{self.select}'"
        return "pytest " + " ".join(self.select)


@dataclasses.dataclass
class Mutation:
    name: str
    what: str
    edits: list          # [(path relative to the repo, old text, new text)]
    build: list          # cmake targets to rebuild ([] = nothing to build)
    checks: list         # [Check]
    repeat: int = 1      # > 1 for checks that depend on timing


WORKER = ["mmbench-worker-glibc"]
ALL_WORKERS = ["mmbench-worker-glibc", "mmbench-worker-mimalloc", "mmbench-worker-jemalloc"]


def ctest(regex):
    return Check("ctest", regex)


def pytest_(*select):
    return Check("pytest", list(select))


PY_TRAMPOLINE = (
    '_PY_TRAMPOLINE = ("import os, sys\\n"\n'
    '    "out, err = sys.argv[1:3]\\n"\n'
    '    "pid = os.fork()\\n"\n'
    '    "if pid == 0:\\n"\n'
    '    "    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 1)\\n"\n'
    '    "    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 2)\\n"\n'
    '    "    fd = os.open(\'/dev/null\', os.O_RDONLY); os.dup2(fd, 0)\\n"\n'
    '    "    os.execv(sys.argv[3], sys.argv[3:])\\n"\n'
    '    "print(pid, flush=True)\\n")\n')

MUTATIONS = [
    # ---- breakages of the instruments ----
    Mutation(
        "pause_25pct_short", "Boehm pauses reported 25% too short (allocators/boehm.cpp)",
        [("allocators/boehm.cpp", "const std::int64_t d = now - stop_started_ns_;",
          "const std::int64_t d = (now - stop_started_ns_) * 3 / 4;")],
        WORKER, [ctest(r"^boehm_pause_crosscheck$")], repeat=5),
    Mutation(
        "percentile_one_bucket_off", "value_at_percentile answers the next bucket's value",
        [("base/histogram.hpp",
          "return std::min(highest_equivalent(value_at_index(i)), max_);",
          "return std::min(highest_equivalent(value_at_index(i + 1)), max_);")],
        ["histogram_test"], [ctest(r"^Histogram")]),
    Mutation(
        "checksum_wrong_one_strategy", "lru_cache computes a wrong checksum under arena only",
        [("workloads/lru_cache.cpp", "    r.checksum = h;",
          "    r.checksum = S::kName == \"arena\" ? h ^ 1 : h;")],
        ALL_WORKERS, [ctest(r"^checksums\.lru_cache$")]),
    Mutation(
        "report_kib_over_1000", "the report converts KiB to MiB dividing by 1000",
        [("benchmarks/mmbench/reporting/figures.py",
          "peak_mib = peak_kib / 1024 if", "peak_mib = peak_kib / 1000 if")],
        [], [pytest_("tests/python/test_report_known_values.py")]),
    Mutation(
        "report_wrong_percentile_column", "the report's p99 column shows the p90 figure",
        [("benchmarks/mmbench/reporting/figures.py",
          '("p99", "lat_p99_ns")', '("p99", "lat_p90_ns")')],
        [], [pytest_("tests/python/test_report_known_values.py")]),
    Mutation(
        "worker_without_launcher_shell",
        "the runner forks the worker from Python (no launcher shell): its ru_maxrss "
        "includes the Python parent's memory",
        [("benchmarks/mmbench/execute.py", "_PR_SET_CHILD_SUBREAPER = 36\n",
          "_PR_SET_CHILD_SUBREAPER = 36\n" + PY_TRAMPOLINE),
         ("benchmarks/mmbench/execute.py",
          '["/bin/sh", "-c", _TRAMPOLINE, "mmbench-launch", stdout_path, stderr_path] + cmd,',
          '[__import__("sys").executable, "-c", _PY_TRAMPOLINE, stdout_path, stderr_path]'
          ' + cmd,')],
        [], [pytest_("tests/python/test_runner_rss.py")]),
    Mutation(
        "allocator_check_skipped", "the worker never compares its allocator with the claim",
        [("benchmarks/worker_main.cpp",
          "if (std::string why = allocator_mismatch(id, expected); !why.empty()) {",
          "if (std::string why; (void)expected, false) {")],
        ALL_WORKERS, [ctest(r"^allocator\.")]),
    Mutation(
        "pmr_refuses_everything", "pmr-pool refuses every workload (exit 6)",
        [("allocators/pmr.hpp", "    std::pmr::set_default_resource(&pool());",
          "    pmr_detail::refuse_second_thread(\"pmr-pool\");")],
        WORKER, [ctest(r"^smoke\..*\.pmr-pool$")]),
    # ---- further breakages ----
    Mutation(
        "operator_new_check_skipped", "the allocator check ignores operator new",
        [("benchmarks/allocator_identity.cpp", "if (!new_ok) {", "if (false && !new_ok) {")],
        ALL_WORKERS, [ctest(r"^allocator\.")]),
    Mutation(
        "incremental_mode_not_applied", "boehm-incremental runs the plain collector",
        [("allocators/boehm.cpp", "    GC_enable_incremental();\n", "\n")],
        ["strategy_test_incremental"], [ctest(r"^incremental\.")]),
    Mutation(
        "markers_not_started", "boehm-markers runs with one marker",
        [("allocators/boehm.cpp", "GC_set_markers_count(settings.markers);",
          "GC_set_markers_count(1);")],
        ["strategy_test_markers"], [ctest(r"^markers\.")]),
    Mutation(
        "checksum_wrong_one_family", "message_ring's checksum is off in the jemalloc worker",
        [("workloads/message_ring.cpp", "    r.checksum = h;",
          "    r.checksum = h + (std::string_view(MMBENCH_MALLOC_FAMILY) == \"jemalloc\");")],
        ALL_WORKERS, [ctest(r"^checksums\.message_ring$")]),
    Mutation(
        "pause_histogram_not_fed", "pause events recorded, but not into the pause histogram",
        [("allocators/boehm.cpp", "    pauses_->record(d);\n", "\n")],
        WORKER + ["strategy_test"], [ctest(r"^boehm_pause_crosscheck$")], repeat=5),
    Mutation(
        "malloc_release_leaks", "the glibc strategy's release never frees",
        [("allocators/malloc.hpp", "    std::free(p);\n    p = nullptr;", "    p = nullptr;")],
        WORKER, [ctest(r"^leak\.binary_trees\.glibc$")]),
    Mutation(
        "report_gc_max_is_p99", "the report's GC pause max column shows the p99",
        [("benchmarks/mmbench/reporting/figures.py",
          'gc_max_ns=number(row.get("gc_pause_max_ns"))',
          'gc_max_ns=number(row.get("gc_pause_p99_ns"))')],
        [], [pytest_("tests/python/test_report_known_values.py")]),
    Mutation(
        "summary_percentile_off", "the runner's summary computes p99 as p98",
        [("benchmarks/mmbench/summary.py",
          '"lat_p99_ns": lat.value_at_percentile(99) if',
          '"lat_p99_ns": lat.value_at_percentile(98) if')],
        [], [pytest_("tests/python/test_runner.py::test_tiny_suite_rows_ok_and_checksums_agree")]),
    Mutation(
        "pause_histogram_halved", "the pause histogram records half of each pause the event "
        "log records",
        [("allocators/boehm.cpp", "    pauses_->record(d);\n", "    pauses_->record(d / 2);\n")],
        ["strategy_test"], [ctest(r"^BoehmTest\.EachCollectionRecordsOnePauseEvent$")]),
    Mutation(
        "histogram_max_not_tracked", "the histogram forgets its exact maximum",
        [("base/histogram.hpp", "    if (value > max_) max_ = value;\n", "\n")],
        ["histogram_test"], [ctest(r"^Histogram")]),
    # ---- the measurement protocol ----
    Mutation(
        "pass_without_scope", "a workload pass runs without its strategy scope: the arena "
        "keeps every pass's long-lived data",
        [("benchmarks/registry.hpp", "  typename S::Scope scope;\n  return W<S>::run(ctx);",
          "  return W<S>::run(ctx);")],
        WORKER, [pytest_("tests/python/test_steady_state.py")]),
    Mutation(
        "clock_on_in_steady_passes", "the steady-state passes time every unit (the figure pays "
        "for the clock, the histogram grows with passes)",
        [("benchmarks/passes.cpp", "  repeat_ctx.time_units = false;\n",
          "  repeat_ctx.time_units = true;\n")],
        ALL_WORKERS, [pytest_("tests/python/test_steady_state.py")]),
    Mutation(
        "figure_is_the_first_pass", "the figure is the first (warm-up) pass, not the median "
        "steady one",
        [("benchmarks/passes.cpp", "  if (values.empty()) return it[0].*field;",
          "  return it[0].*field;")],
        ALL_WORKERS, [pytest_("tests/python/test_steady_state.py")]),
    Mutation(
        "ratios_not_paired", "ratios to glibc taken from unpaired medians instead of per round",
        [("benchmarks/mmbench/summary.py",
          "    logs = sorted(math.log(a[r] / b[r]) for r in sorted(set(a) & set(b))\n",
          "    logs = sorted(math.log(a[r] / statistics.median(b.values()))"
          " for r in sorted(set(a) & set(b))\n")],
        [], [pytest_("tests/python/test_protocol.py")]),
    Mutation(
        "compare_without_holm", "compare tests each cell at alpha, with no correction",
        [("benchmarks/mmbench/stats.py", "        if p > alpha / (m - rank):",
          "        if p > alpha:")],
        [], [pytest_("tests/python/test_compare.py")]),
    Mutation(
        "disturbed_runs_not_rerun", "a disturbed run is kept without a re-run",
        [("benchmarks/mmbench/runner/session.py",
          '        if record["disturbed"] and len(attempts) - reruns0 < self.opts["max_reruns"]:',
          '        if False:')],
        [], [pytest_("tests/python/test_protocol.py")]),
]


# ---------------------------------------------------------------- machinery

def sh(cmd, cwd=None, env=None, timeout=3600):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def sync_tree(src: Path) -> None:
    """Copy the working tree's files (tracked and untracked, not ignored) into src,
    only those that differ, so the build there stays incremental. A copied file gets
    the time of the copy, not the original's: the build there may be newer than the
    original's edit (built from another checkout), and make must see the change."""
    listed = sh(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO)
    if listed.returncode != 0:
        sys.exit("git ls-files failed: " + listed.stderr)
    for rel in filter(None, listed.stdout.split("\0")):
        a, b = REPO / rel, src / rel
        if not a.is_file():
            continue
        if b.is_file() and filecmp.cmp(a, b, shallow=False):
            continue
        b.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(a, b)


def build(build_dir: Path, targets) -> tuple[bool, str]:
    cmd = ["cmake", "--build", str(build_dir), "-j", JOBS]
    for t in targets:
        cmd += ["--target", t]
    proc = sh(cmd)
    return proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def run_check(check: Check, src: Path, build_dir: Path) -> tuple[bool, list, str]:
    """(passed, failing test names, output tail)."""
    if check.kind == "ctest":
        proc = sh(["ctest", "-j", JOBS, "--output-on-failure", "-R", check.select],
                  cwd=build_dir)
        out = proc.stdout + proc.stderr
        if "No tests were found" in out:
            return False, ["(no test matches)"], out[-2000:]
        failed = re.findall(r"^\s*\d+ - (\S+) \((?:Failed|Not Run|Timeout|SEGFAULT|"
                            r"Subprocess aborted|Exception|Child aborted)\)", out, re.M)
        return proc.returncode == 0, failed, out[-3000:]
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(build_dir))
    env.pop("MMBENCH_PYTEST_SKIPS", None)
    proc = sh([PYTHON, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider"] + check.select,
              cwd=src, env=env)
    out = proc.stdout + proc.stderr
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
    if proc.returncode not in (0, 1):
        failed = failed or [f"(pytest exit {proc.returncode})"]
    return proc.returncode == 0, failed, out[-3000:]


def apply(src: Path, mutation: Mutation) -> dict:
    """Apply the edits; returns {path: original text}. Raises if a pattern is missing."""
    originals = {}
    for rel, old, new in mutation.edits:
        path = src / rel
        text = originals.get(path) or path.read_text()
        originals.setdefault(path, text)
        current = path.read_text()
        if current.count(old) != 1:
            restore(originals)
            raise LookupError(f"{rel}: pattern found {current.count(old)} times, expected 1: "
                              f"{old!r}")
        path.write_text(current.replace(old, new))
    return originals


def restore(originals: dict) -> None:
    for path, text in originals.items():
        path.write_text(text)  # a new mtime: the next build recompiles from the original


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/mmbench-mutation", type=Path)
    ap.add_argument("--only", default="", help="comma-separated mutation names")
    ap.add_argument("--list", action="store_true", help="list the mutations and exit")
    ap.add_argument("--repeat-timing", type=int, default=5,
                    help="repetitions of timing-dependent checks (at least 5 by default)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print test output tails")
    args = ap.parse_args()

    chosen = MUTATIONS
    if args.only:
        names = set(args.only.split(","))
        unknown = names - {m.name for m in MUTATIONS}
        if unknown:
            sys.exit("unknown mutations: " + ", ".join(sorted(unknown)))
        chosen = [m for m in MUTATIONS if m.name in names]
    if args.list:
        for m in chosen:
            print(f"{m.name:32} {m.what}")
        return 0

    src, build_dir = args.work / "src", args.work / "build"
    src.mkdir(parents=True, exist_ok=True)
    sync_tree(src)
    if not (build_dir / "CMakeCache.txt").exists():
        proc = sh(["cmake", "-S", str(src), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release"])
        if proc.returncode != 0:
            sys.exit("cmake failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    print(f"building the unbroken copy in {build_dir} ...", flush=True)
    ok, out = build(build_dir, [])
    if not ok:
        sys.exit("the unbroken copy does not build:\n" + out)

    results = []
    for m in chosen:
        t0 = time.monotonic()
        repeat = max(m.repeat, args.repeat_timing) if m.repeat > 1 else 1
        verdict, by, note = "NOT CAUGHT", set(), ""
        # Control: the protecting tests pass on the unbroken code.
        control_failed = []
        for check in m.checks:
            passed, failed, out = run_check(check, src, build_dir)
            if not passed:
                control_failed += failed or [check.describe()]
                if args.verbose:
                    print(out)
        if control_failed:
            results.append((m, "CONTROL FAILED", ", ".join(control_failed), 0.0))
            print(f"[{m.name}] control failed: {control_failed}", flush=True)
            continue
        try:
            originals = apply(src, m)
        except LookupError as e:
            results.append((m, "STALE", str(e), 0.0))
            print(f"[{m.name}] {e}", flush=True)
            continue
        try:
            ok, out = build(build_dir, m.build) if m.build else (True, "")
            if not ok:
                verdict, note = "BUILD FAILED", out[-500:]
            else:
                caught_every_time = True
                for rep in range(repeat):
                    failed_here = []
                    for check in m.checks:
                        passed, failed, out = run_check(check, src, build_dir)
                        if not passed:
                            failed_here += failed or [check.describe()]
                        if args.verbose:
                            print(out)
                    by.update(failed_here)
                    if not failed_here:
                        caught_every_time = False
                verdict = (f"caught {repeat}/{repeat}" if caught_every_time and repeat > 1
                           else "caught" if caught_every_time else "NOT CAUGHT")
        finally:
            restore(originals)
            # Rebuild what was built broken, so that the next control (which
            # may use these binaries without rebuilding them) runs unbroken code.
            if m.build:
                ok, out = build(build_dir, m.build)
                if not ok:
                    sys.exit("the restored copy does not build:\n" + out)
        results.append((m, verdict, note or ", ".join(sorted(by)), time.monotonic() - t0))
        print(f"[{m.name}] {verdict} ({time.monotonic() - t0:.0f} s)", flush=True)

    # Leave the copy's build matching the unbroken sources.
    build(build_dir, [])
    print()
    print("| breakage | caught? | caught by |")
    print("|---|---|---|")
    for m, verdict, by, _secs in results:
        shown = by if len(by) < 300 else by[:300] + " ..."
        print(f"| {m.name}: {m.what} | {verdict} | {shown} |")
    caught = sum(1 for _m, v, _b, _s in results if v.startswith("caught"))
    print(f"\n{caught} of {len(results)} breakages caught")
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
