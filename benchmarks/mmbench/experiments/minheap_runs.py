"""minheap.json as a cache, and what `mmbench minheap` measures beside the
minimum heaps: the manual strategies uncapped, each strategy's footprint (the
baseline workload's peak RSS) and from them the smallest memory that does the
job, per workload and strategy.

The file's key is (size, seed, trials, precision); each row also carries the
digest of the worker that made it (its file and its --list), so a rebuilt
worker's rows are found again and the others kept."""

from __future__ import annotations

import hashlib
import json
import pathlib

from mmbench import workers
from mmbench.experiments import points
from mmbench.files import read_json, write_json_atomic

# What a cached row depends on besides its worker: --min-time and
# --managed-min-time too, since the probes' passes (and the times at the minimum)
# change with them, and the heap of a JVM's uncapped run.
KEY = ("experiment", "size", "seed", "min_time", "managed_min_time", "uncapped_heap",
       "trials", "precision")
SECTIONS = ("rows", "manual", "baselines")
BASELINE = "baseline"
MANUAL_DEFAULT = ("glibc", "mimalloc", "jemalloc", "arena", "shared_ptr")


def worker_digest(worker: workers.Worker) -> str:
    digest = hashlib.sha256(pathlib.Path(worker.path).read_bytes())
    digest.update(json.dumps(worker.listing, sort_keys=True).encode())
    return digest.hexdigest()[:16]


class Cache:
    """folder/minheap.json: sections of rows keyed by (workload, strategy), each row
    written to the file as soon as it is put."""

    def __init__(self, folder, catalog: workers.Catalog, opts: dict, trials: int,
                 precision: float, any_build: bool = False):
        self.path = pathlib.Path(folder) / "minheap.json"
        self.catalog = catalog
        self.any_build = any_build   # keep rows that another build of the workers made
        self._digests: dict[str, str] = {}
        self.data = {"experiment": "minheap", "size": opts["size"], "seed": opts["seed"],
                     "min_time": opts.get("min_time"),
                     "managed_min_time": opts.get("managed_min_time"),
                     "uncapped_heap": opts.get("uncapped_heap"), "trials": trials,
                     "precision": precision}
        old = None
        if self.path.exists():
            try:
                old = read_json(self.path)
            except (OSError, ValueError):
                old = None
        same = isinstance(old, dict) and all(old.get(k) == self.data[k] for k in KEY)
        for section in SECTIONS:
            rows = old.get(section) if same else None
            self.data[section] = [r for r in rows if isinstance(r, dict)] \
                if isinstance(rows, list) else []
        if same:
            for k, v in old.items():
                self.data.setdefault(k, v)

    def digest(self, strategy: str) -> str:
        family = self.catalog.strategies[strategy]
        if family not in self._digests:
            self._digests[family] = worker_digest(self.catalog.workers[family])
        return self._digests[family]

    def get(self, section: str, workload: str, strategy: str) -> dict | None:
        """The cached row, if its worker is still the one that made it (any_build: any
        worker; the row keeps the digest of the one that did)."""
        for row in self.data[section]:
            if row.get("workload") == workload and row.get("strategy") == strategy:
                same = self.any_build or row.get("worker_digest") == self.digest(strategy)
                return row if same else None
        return None

    def put(self, section: str, row: dict) -> dict:
        row = dict(row, worker_digest=self.digest(row["strategy"]))
        rows = [r for r in self.data[section] if (r.get("workload"), r.get("strategy")) !=
                (row["workload"], row["strategy"])]
        self.data[section] = rows + [row]
        self.write()
        return row

    def write(self) -> None:
        write_json_atomic(self.path, self.data)


def _point_row(p: points.Point, catalog: workers.Catalog) -> dict:
    return {"workload": p.workload, "strategy": p.strategy,
            "runtime": workers.runtime_of(catalog.strategies[p.strategy]),
            "status": p.status, "peak_rss_kib": p.peak_rss_kib, "wall_s": p.wall_s,
            "throughput_per_s": p.throughput_per_s, "live_bytes": p.live_bytes,
            "checksum": p.checksum, "problem": p.problem}


def measure_uncapped(cache: Cache, folder, opts: dict, section: str, pairs, trials: int,
                     progress=None) -> None:
    """Each (workload, strategy) of pairs uncapped, `trials` times, unless cached."""
    for w, s in pairs:
        if (w, s) not in cache.catalog.entries or cache.get(section, w, s) is not None:
            continue
        p = points.measure(pathlib.Path(folder) / section / w, cache.catalog, opts, w, s,
                           trials, progress=progress)
        cache.put(section, _point_row(p, cache.catalog))


def _find(rows: list[dict], workload: str, strategy: str) -> dict | None:
    return next((r for r in rows if r["workload"] == workload and r["strategy"] == strategy),
                None)


def _footprint(data: dict, strategy: str) -> float | None:
    base = _find(data["baselines"], BASELINE, strategy)
    return base["peak_rss_kib"] if base and base["status"] == "ok" else None


def _collector_entry(row: dict, footprint: float | None) -> dict:
    entry = {"workload": row["workload"], "strategy": row["strategy"],
             "runtime": row["runtime"], "footprint_kib": footprint,
             "throughput_per_s": row["throughput_at_min"], "status": row["status"]}
    if row["status"] == "soft knob":
        return dict(entry, kind="collector (soft knob)", basis="lowest peak RSS (soft knob)",
                    memory_kib=row["peak_rss_kib_at_min"])
    need = None
    if row["status"] == "ok" and footprint is not None:
        need = row["min_heap_bytes"] / 1024 + footprint
    return dict(entry, kind="collector", basis="minimum heap + runtime footprint",
                memory_kib=need)


def _manual_entry(row: dict, footprint: float | None) -> dict:
    need = None
    if row["status"] == "ok" and row["peak_rss_kib"] is not None and footprint is not None:
        need = max(row["peak_rss_kib"] - footprint, 0)
    return {"workload": row["workload"], "strategy": row["strategy"], "runtime": row["runtime"],
            "kind": "manual", "basis": "peak RSS - harness footprint", "memory_kib": need,
            "footprint_kib": footprint, "throughput_per_s": row["throughput_per_s"]
            if row["status"] == "ok" else None, "status": row["status"]}


def smallest(data: dict, workloads: list[str]) -> list[dict]:
    """Per workload, every strategy's smallest memory that does the job, smallest
    first (those without a figure last)."""
    out = []
    for w in workloads:
        entries = [_collector_entry(r, _footprint(data, r["strategy"]))
                   for r in data["rows"] if r["workload"] == w]
        entries += [_manual_entry(r, _footprint(data, r["strategy"]))
                    for r in data["manual"] if r["workload"] == w]
        out += sorted(entries, key=lambda e: (e["memory_kib"] is None, e["memory_kib"] or 0))
    return out
