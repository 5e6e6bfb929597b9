"""Minimum heap: the smallest heap in which a collector strategy does the job, found
by bisection on a geometric scale as running-ng's minheap does.

Each probe runs the strategy with its heap knob at one size. A probe passes only
if every trial has status ok and the checksum of the strategy's own uncapped run:
a collector that "completes" with wrong results has not done the job. The search
brackets first, starting from the heap the uncapped run reported (Boehm's
gc.heap_bytes, the JVM's gc.heap_used_bytes, else twice the live data), halving
or doubling until one probe passes and one fails; then it bisects until
hi/lo <= 1 + precision. Bisection probes run one trial each (ok/oom is nearly
deterministic, and a 2-core machine cannot afford more); the minimum found is
then confirmed with `trials` trials, moving up by the precision while that
fails. A tight heap can thrash rather than fail, so every probe has a timeout,
and a timeout is a failure.

A soft knob (Go's GOMEMLIMIT: the runtime exceeds it rather than fail) has no
minimum to bisect for: the strategy runs with GOGC off at a few multiples of
the live data, and the row records the peak RSS each reached.

Rows are cached in the folder's minheap.json as they are found (load_or_find,
minheap_runs.py), so an interrupted search resumes."""

from __future__ import annotations

import dataclasses
import math
import statistics

from mmbench import runner, summary, workers
from mmbench.errors import UsageError
from mmbench.experiments import minheap_runs
from mmbench.runfolder import RunFolder

DEFAULT_TRIALS = 2
DEFAULT_PRECISION = 0.05
# Go's soft limit: GOMEMLIMIT at these multiples of the live data, GOGC off.
SOFT_MULTIPLES = (1.25, 1.5, 2, 3, 4, 6)
STEP = 2.0              # the bracket's factor per probe
MAX_GROWTH = 64         # the bracket gives up this far above its start ("not found")
CONFIRM_STEPS = 16      # upward steps of 1 + precision when a confirmation fails
PROBE_TIMEOUT_MIN_S = 20.0
PROBE_TIMEOUT_FACTOR = 10.0   # x the uncapped run's process wall time
KIB = 1024
# HotSpot refuses -Xmx below 2 MB ("Too small maximum heap"; java(1): -Xmx must
# be a multiple of 1024 and greater than 2 MB).
JVM_SMALLEST_HEAP = 2 * 1024 * KIB
PAGE = 4096             # libgc grows its heap in 4 KiB blocks


@dataclasses.dataclass(frozen=True)
class Knob:
    """How a heap size is imposed on one collector strategy."""
    kind: str          # "boehm-cap" | "jvm-heap" | "go-memlimit"
    hard: bool         # True: exceeding it fails the run (oom); False: soft
    arg: str | None = None           # the worker argument that takes the size
    env: str | None = None           # or the environment variable that does
    fixed_args: tuple[str, ...] = ()  # arguments every probe adds (Go: --gogc off)
    granularity: int = 1             # sizes are whole multiples of this
    floor_bytes: int = 1             # the smallest size the runtime accepts
    # The environment of the uncapped run (the JVM: its declared default heap, not
    # the per-workload heap it would otherwise pick, which may be too small).
    uncapped_env: tuple[tuple[str, str], ...] = ()

    def round(self, heap_bytes: float) -> int:
        """heap_bytes rounded up to the knob's granularity, at least its floor."""
        units = max(1, math.ceil(heap_bytes / self.granularity))
        return max(self.floor_bytes, units * self.granularity)

    def apply(self, heap_bytes: int) -> tuple[list[str], dict[str, str]]:
        """(worker args, worker env) that impose heap_bytes."""
        size = self.round(heap_bytes)
        if self.env:
            value = f"{size // KIB}k" if self.granularity % KIB == 0 else str(size)
            return list(self.fixed_args), {self.env: value}
        return list(self.fixed_args) + [self.arg, str(size)], {}


def knob_for(catalog: workers.Catalog, strategy: str) -> Knob | None:
    """The heap knob of a collector strategy; None for a manual strategy. Read from
    the worker's --list: a C++ strategy with the heap_options hook takes
    --gc-max-heap-bytes; a strategy whose config names a heap_env (the JVM's) takes
    its heap there; one whose config has GOMEMLIMIT takes --gomemlimit."""
    if strategy not in catalog.strategies or strategy in catalog.preloads:
        return None
    listing = catalog.worker_for(strategy).listing
    config = (listing.get("config") or {}).get(strategy) or {}
    meta = next((s for s in listing.get("strategies") or [] if s.get("name") == strategy), {})
    hooks = meta.get("hooks") or []
    if "heap_options" in hooks:
        # --gc-fixed-heap: libgc fills the capped heap before it collects, as the
        # JVM's -Xms = -Xmx heap does (a cap alone never makes its heap grow). The
        # worker lists the fixed_heap hook where it takes it (not for the
        # incremental collector, whose marking starts at libgc's own trigger).
        fixed = ("--gc-fixed-heap",) if "fixed_heap" in hooks else ()
        return Knob("boehm-cap", True, arg="--gc-max-heap-bytes", granularity=PAGE,
                    floor_bytes=PAGE, fixed_args=fixed)
    if config.get("heap_env"):
        return Knob("jvm-heap", True, env=config["heap_env"], granularity=KIB,
                    floor_bytes=JVM_SMALLEST_HEAP,
                    uncapped_env=((config["heap_env"], config.get("heap") or "1g"),))
    if "GOMEMLIMIT" in config:
        return Knob("go-memlimit", False, arg="--gomemlimit", fixed_args=("--gogc", "off"))
    return None


def check_settings(trials: int, precision: float) -> None:
    if not isinstance(trials, int) or trials < 1:
        raise UsageError(f"trials must be a whole number >= 1 (got {trials})")
    if not precision > 0:
        raise UsageError(f"precision must be > 0 (got {precision})")


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class _Probes:
    """The probes of one (workload, strategy): each heap size in a folder of its
    own, its trials numbered as repetitions there (a confirmation adds to them)."""

    def __init__(self, root, catalog, opts, workload, strategy, knob, progress):
        self.root, self.catalog, self.opts = root, catalog, opts
        self.workload, self.strategy, self.knob, self.progress = (workload, strategy, knob,
                                                                  progress)
        self.checksum = None     # the uncapped run's
        self.live = None
        self.done: dict[int, dict] = {}

    def run_trial(self, name: str, rep: int, args: list[str], env: dict[str, str],
                  timeout_s: float) -> tuple[dict, dict | None]:
        folder = RunFolder(self.root / name)
        folder.make_dirs()
        opts = dict(self.opts, timeout_s=timeout_s, worker_args={self.strategy: args},
                    worker_env={self.strategy: [f"{k}={v}" for k, v in env.items()]})
        record = runner.run_one(folder, self.catalog, opts, self.workload, self.strategy, rep)
        if self.progress:
            self.progress(record, args + [f"{k}={v}" for k, v in env.items()])
        detail = folder.load_detail(self.workload, self.strategy, rep, record) \
            if record["status"] == "ok" else None
        return record, detail

    def trial(self, record: dict, detail: dict | None) -> dict:
        status = summary.status_of_record(record)
        problem = record.get("problem")
        checksum = (detail or {}).get("checksum")
        if status == "ok" and detail is None:
            status, problem = "error", "the detail file could not be read back"
        elif status == "ok" and self.checksum is not None and checksum != self.checksum:
            status = "checksum_mismatch"
            problem = f"checksum {checksum} differs from the uncapped run's {self.checksum}"
        wall_ns = (detail or {}).get("wall_ns")
        return {"status": status, "checksum": checksum, "peak_rss_kib": record.get("peak_rss_kib"),
                "wall_s": wall_ns / 1e9 if wall_ns else None,
                "throughput_per_s": detail["units"] / (wall_ns / 1e9) if wall_ns else None,
                "process_wall_s": record.get("wall_s"), "problem": problem}

    def at(self, heap_bytes: float, trials: int, timeout_s: float) -> dict:
        """The probe at heap_bytes (rounded to the knob) with at least `trials` trials,
        or fewer when one fails (the others would fail the same way)."""
        heap = self.knob.round(heap_bytes)
        probe = self.done.setdefault(heap, {"heap_bytes": heap, "ok": True, "trials": []})
        args, env = self.knob.apply(heap)
        while probe["ok"] and len(probe["trials"]) < trials:
            rep = len(probe["trials"]) + 1
            t = self.trial(*self.run_trial(f"h{heap}", rep, args, env, timeout_s))
            probe["trials"].append(t)
            probe["ok"] = t["status"] == "ok"
        probe["status"] = next((t["status"] for t in probe["trials"] if t["status"] != "ok"),
                               "ok")
        probe["multiple"] = heap / self.live if self.live else None
        return probe

    def ok(self, heap_bytes: float, timeout_s: float) -> bool:
        return self.at(heap_bytes, 1, timeout_s)["ok"]

    def listed(self) -> list[dict]:
        return [self.done[h] for h in sorted(self.done)]


def heap_hint(knob: Knob, detail: dict, live: float) -> float:
    """Where the bracket starts: the heap the uncapped run reported, else 2 x live."""
    gc = detail.get("gc") if isinstance(detail.get("gc"), dict) else {}
    hint = {"boehm-cap": gc.get("heap_bytes"), "jvm-heap": gc.get("heap_used_bytes")
            }.get(knob.kind)
    return hint if isinstance(hint, (int, float)) and hint > 0 else 2 * live


def _bracket(probes: _Probes, start: float, timeout_s: float) -> tuple[int | None, int | None]:
    """(largest failing, smallest passing) sizes found by halving or doubling from start;
    lo None: the knob's floor passed; hi None: nothing passed up to MAX_GROWTH x start."""
    knob = probes.knob
    x = knob.round(start)
    if probes.ok(x, timeout_s):
        while True:
            lower = knob.round(x / STEP)
            if lower >= x:
                return None, x
            if not probes.ok(lower, timeout_s):
                return lower, x
            x = lower
    ceiling = x * MAX_GROWTH
    while True:
        lo, x = x, knob.round(x * STEP)
        if x > ceiling:
            return lo, None
        if probes.ok(x, timeout_s):
            return lo, x


def _bisect(probes: _Probes, lo: int, hi: int, precision: float, timeout_s: float) -> tuple:
    while hi / lo > 1 + precision:
        mid = probes.knob.round(math.sqrt(lo * hi))
        if mid >= hi or mid <= lo:
            break
        if probes.ok(mid, timeout_s):
            hi = mid
        else:
            lo = mid
    return lo, hi


def _confirm(probes: _Probes, lo, hi, trials, precision, timeout_s) -> tuple:
    """hi confirmed with every trial, moving up by the precision while it fails:
    (largest failing, confirmed minimum or None)."""
    for _ in range(CONFIRM_STEPS):
        if probes.at(hi, trials, timeout_s)["ok"]:
            return lo, hi
        lo, hi = hi, probes.knob.round(hi * (1 + precision))
    return lo, None


def _base_row(workload, strategy, catalog, knob) -> dict:
    family = catalog.strategies[strategy]
    return {"workload": workload, "strategy": strategy,
            "runtime": workers.runtime_of(family), "knob": knob.kind, "hard_cap": knob.hard,
            "live_bytes": None, "min_heap_bytes": None, "fails_at_bytes": None,
            "min_multiple": None, "peak_rss_kib_at_min": None, "wall_s_at_min": None,
            "throughput_at_min": None, "status": "not found", "problem": None,
            "uncapped": None, "probes": []}


def _at_probe(row: dict, probe: dict) -> None:
    """The row's figures at this probe: medians over its trials."""
    row["peak_rss_kib_at_min"] = _median(t["peak_rss_kib"] for t in probe["trials"])
    row["wall_s_at_min"] = _median(t["wall_s"] for t in probe["trials"])
    row["throughput_at_min"] = _median(t["throughput_per_s"] for t in probe["trials"])


def probe_timeout(uncapped_wall_s: float | None) -> float:
    return max(PROBE_TIMEOUT_MIN_S, PROBE_TIMEOUT_FACTOR * (uncapped_wall_s or 0))


def find_min_heap(folder, catalog, opts, workload, strategy, *, trials=DEFAULT_TRIALS,
                  precision=DEFAULT_PRECISION, progress=None) -> dict:
    """One row of minheap.json for (workload, strategy) (docs/experiments.md)."""
    check_settings(trials, precision)
    knob = knob_for(catalog, strategy)
    if knob is None:
        raise UsageError(f"strategy '{strategy}' has no heap knob (not a collector)")
    row = _base_row(workload, strategy, catalog, knob)
    probes = _Probes(folder / "probes" / workload / strategy, catalog, opts, workload,
                     strategy, knob, progress)
    uncapped_env = dict(knob.uncapped_env)
    if uncapped_env and opts.get("uncapped_heap"):
        uncapped_env = {knob.env: opts["uncapped_heap"]}
    record, detail = probes.run_trial("uncapped", 1, [], uncapped_env, opts["timeout_s"])
    uncapped = probes.trial(record, detail)
    row["uncapped"] = uncapped
    if uncapped["status"] != "ok" or not detail.get("live_bytes"):
        row["problem"] = (f'the uncapped run failed ({uncapped["status"]}): '
                          f'{uncapped["problem"]}' if uncapped["status"] != "ok"
                          else "the uncapped run reported no live_bytes")
        return row
    probes.checksum, probes.live = uncapped["checksum"], detail["live_bytes"]
    row["live_bytes"] = probes.live
    row["uncapped"]["heap_hint_bytes"] = heap_hint(knob, detail, probes.live)
    timeout_s = min(opts["timeout_s"], probe_timeout(uncapped["process_wall_s"]))
    if not knob.hard:
        return _soft_row(row, probes, trials, timeout_s)
    lo, hi = _bracket(probes, row["uncapped"]["heap_hint_bytes"], timeout_s)
    if hi is not None and lo is not None:
        lo, hi = _bisect(probes, lo, hi, precision, timeout_s)
    if hi is not None:
        lo, hi = _confirm(probes, lo, hi, trials, precision, timeout_s)
    row["probes"] = probes.listed()
    row["fails_at_bytes"] = lo
    if hi is None:
        row["problem"] = "no heap size passed every trial"
        return row
    row.update(status="ok", min_heap_bytes=hi, min_multiple=hi / probes.live)
    _at_probe(row, probes.done[hi])
    return row


def _soft_row(row: dict, probes: _Probes, trials: int, timeout_s: float) -> dict:
    """A soft knob: the limit at each multiple of the live data; the row's figures are
    those of the probe with the lowest peak RSS among those that passed."""
    for m in SOFT_MULTIPLES:
        probes.at(m * probes.live, trials, timeout_s)["limit_multiple"] = m
    row["probes"] = probes.listed()
    row["status"] = "soft knob"
    passed = [p for p in row["probes"] if p["ok"]]
    rss = {p["heap_bytes"]: _median(t["peak_rss_kib"] for t in p["trials"]) for p in passed}
    lowest = min((p for p in passed if rss[p["heap_bytes"]] is not None),
                 key=lambda p: rss[p["heap_bytes"]], default=None)
    if lowest is None:
        row["problem"] = "no limit passed every trial"
        return row
    row["soft_limit_bytes_at_min"] = lowest["heap_bytes"]
    _at_probe(row, lowest)
    return row


def load_or_find(folder, catalog, opts, workloads, strategies, *, trials=DEFAULT_TRIALS,
                 precision=DEFAULT_PRECISION, progress=None, any_build=False,
                 redo=()) -> dict:
    """minheap.json's contents: from folder/minheap.json where its key (size, seed,
    trials, precision, and per row its worker's digest) matches, else found and
    written there (cached per row, so an interrupted search resumes); the strategies
    in redo are found again. Pairs whose strategy has no knob or does not host the
    workload are left out."""
    check_settings(trials, precision)
    cache = minheap_runs.Cache(folder, catalog, opts, trials, precision, any_build)
    for w in workloads:
        for s in strategies:
            if (w, s) not in catalog.entries or knob_for(catalog, s) is None:
                continue
            if s in redo or cache.get("rows", w, s) is None:
                cache.put("rows", find_min_heap(folder, catalog, opts, w, s, trials=trials,
                                                precision=precision, progress=progress))
    return cache.data
