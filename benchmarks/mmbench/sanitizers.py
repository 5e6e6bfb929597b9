"""Workers built with sanitizers (CMake -DMMBENCH_SANITIZE=address,undefined,
preset "asan"): how to recognise one and the environment each of its runs gets.

Such a worker says so in its identity ("allocator": {"family": "asan",
"sanitizer": "address,undefined"}); its figures are not comparable with any
other build's. A run whose log holds a sanitizer report is marked `sanitizer`
by run.py (sanitizer_report), whatever its exit code.

LeakSanitizer stays on, except for entries that leak on purpose
(`deliberate_leak: true` in the worker's --list, e.g. leak_exit): those run
with detect_leaks=0 added to ASAN_OPTIONS, recorded in run.json "extra_env".
"""

from __future__ import annotations

import os


def sanitizer_of(worker) -> str:
    """The sanitizers the worker is built with ("address,undefined"), or ""."""
    return (worker.identity or {}).get("sanitizer") or ""


def _with_option(options: str, name: str, value: str) -> str:
    """ASAN_OPTIONS-style "a=1:b=2" with name set to value (replacing any)."""
    kept = [o for o in options.split(":") if o and o.split("=", 1)[0] != name]
    return ":".join(kept + [f"{name}={value}"])


def worker_env(worker, entry: dict | None, extra_env: dict[str, str]) -> dict[str, str]:
    """Environment to add for one run of `entry` by `worker` (nothing for a
    worker without sanitizers). extra_env: what the user already asked for
    (--worker-env), which these merge into."""
    san = sanitizer_of(worker)
    if not san:
        return {}
    env = {}
    if "undefined" in san:
        env["UBSAN_OPTIONS"] = _with_option(
            extra_env.get("UBSAN_OPTIONS", os.environ.get("UBSAN_OPTIONS", "")),
            "print_stacktrace", "1")
    if "address" in san and (entry or {}).get("deliberate_leak"):
        env["ASAN_OPTIONS"] = _with_option(
            extra_env.get("ASAN_OPTIONS", os.environ.get("ASAN_OPTIONS", "")),
            "detect_leaks", "0")
    return env


def check_run_folder(root, catalog) -> list:
    """Problems of a run folder made with a sanitized build (empty: clean):
    a run that is not ok (unsupported only where the listing declares the
    refusal: the pmr strategies under a workload that runs threads), a
    sanitizer report in any worker log, or no run at all."""
    import json
    import pathlib
    from mmbench.runner.process import sanitizer_report
    root = pathlib.Path(root)
    problems = []
    records = sorted((root / "raw").glob("*.run.json"))
    if not records:
        problems.append(f"{root} holds no run")
    for path in records:
        rec = json.loads(path.read_text())
        name = f'{rec.get("workload")}/{rec.get("strategy")} r{rec.get("rep")}'
        entry = catalog.entries.get((rec.get("workload"), rec.get("strategy"))) or {}
        status = rec.get("status")
        # The listing declares refusals ("refuses"); older workers do not say,
        # and refuse only a workload that runs threads.
        declared = entry.get("refuses") if "refuses" in entry else entry.get("multithreaded")
        if status == "unsupported" and declared:
            continue
        if status != "ok":
            problems.append(f'{name}: {status} ({rec.get("problem")})')
    for log in sorted((root / "logs").glob("*")):
        report = sanitizer_report(log)
        if report:
            problems.append(f"{log.name}: {report}")
    return problems


def main(argv=None) -> int:
    """python3 -m mmbench.sanitizers RUN_FOLDER BUILD_DIR: exit 1 and say why
    unless the run folder is clean (check_run_folder)."""
    import sys
    from mmbench import workers
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python3 -m mmbench.sanitizers RUN_FOLDER BUILD_DIR", file=sys.stderr)
        return 2
    problems = check_run_folder(args[0], workers.load_catalog(args[1]))
    for p in problems:
        print(f"sanitizer suite: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
