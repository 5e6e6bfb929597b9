"""One measured point of an experiment: a (workload, strategy) run `reps` times
with some worker arguments, in a run folder of its own (the per-process files
are named by workload, strategy and rep only, so each point needs its own
folder). The processes are started by the runner's run_one, exactly as
`mmbench run` starts them."""

from __future__ import annotations

import dataclasses
import importlib
import pathlib
import statistics
import sys

from mmbench import hgrm, runfolder, summary, workers
from mmbench import runner
from mmbench.contract import check_size
from mmbench.runfolder import RunFolder, write_json_atomic, write_text_atomic


def new_folder(repo_root: pathlib.Path, out: str | None, prefix: str) -> pathlib.Path:
    return runfolder.new_folder(repo_root, out, prefix,
                                "{folder} exists and is not an empty folder; choose another --out")


def names(text: str | None, valid: list[str], kind: str,
          default: list[str] | None = None) -> list[str]:
    if text is None:
        return list(default if default is not None else valid)
    return runner.parse_names(text, valid, kind)


def base_options(size: str, threads: int, seed: int, timeout_s: float, sample_ms: float) -> dict:
    """The options dict run_one expects (see runner.resolve_options)."""
    check_size(size)
    return {"size": size, "threads": threads, "seed": seed, "timeout_s": timeout_s,
            "sample_ms": sample_ms, "worker_args": {}, "worker_env": {}}


@dataclasses.dataclass
class Point:
    """What a point's processes measured; figures are medians over the clean reps and
    histograms are merged over them."""
    workload: str
    strategy: str
    folder: str
    status: str                    # ok, or the first failure (oom, timeout, crash, ...)
    rep_status: list[str]
    wall_s: float | None        # workload's measured region (detail wall_ns)
    throughput_per_s: float | None
    peak_rss_kib: float | None  # wait4 ru_maxrss
    live_bytes: float | None
    gc_heap_bytes: float | None
    gc_collections: float | None
    lat: dict[str, float | None]    # per-unit latency p50/p99/max, ns
    pause: dict[str, float | None]  # GC stop-the-world p50/p99/max, ns (Boehm only)
    checksum: str | None
    problem: str | None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _percentiles(h: hgrm.Histogram) -> dict[str, float | None]:
    if not h.count:
        return {"p50": None, "p99": None, "max": None, "count": 0}
    return {"p50": h.value_at_percentile(50), "p99": h.value_at_percentile(99), "max": h.max,
            "count": h.count}


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


status_of = summary.status_of_record


def measure(folder_path: pathlib.Path, catalog: workers.Catalog, opts: dict, workload: str,
            strategy: str, reps: int, extra_args: list[str] | None = None,
            progress=None) -> Point:
    """Run (workload, strategy) reps times with extra worker arguments into folder_path."""
    folder = RunFolder(folder_path)
    folder.make_dirs()
    point_opts = dict(opts, worker_args={strategy: list(extra_args or [])})
    records, details = [], []
    for rep in range(1, reps + 1):
        record = runner.run_one(folder, catalog, point_opts, workload, strategy, rep)
        records.append(record)
        if progress:
            progress(record, extra_args)
        if record["status"] == "ok":
            details.append(folder.load_detail(workload, strategy, rep))
        elif status_of(record) in ("oom", "unsupported"):
            break  # deterministic: the other reps would fail the same way
    rep_status = [status_of(r) for r in records]
    failures = [s for s in rep_status if s != "ok"]
    details = [d for d in details if d]
    ok_records = [r for r in records if r["status"] == "ok"]
    lat = hgrm.merge_details(details, hgrm.latency_of)
    gcs = [d["gc"] for d in details if d.get("gc")]
    pauses = hgrm.merge_details(details, hgrm.gc_pauses_of)
    wall = [d["wall_ns"] / 1e9 for d in details if d.get("wall_ns")]
    checksums = sorted({d["checksum"] for d in details})
    if len(checksums) > 1 and not failures:
        failures = ["checksum_mismatch"]
    return Point(
        workload=workload, strategy=strategy, folder=str(folder_path),
        status=failures[0] if failures else "ok", rep_status=rep_status,
        wall_s=_median(wall),
        throughput_per_s=_median(d["units"] / (d["wall_ns"] / 1e9) for d in details
                                 if d.get("wall_ns")),
        peak_rss_kib=_median(r.get("peak_rss_kib") for r in ok_records),
        live_bytes=_median(d.get("live_bytes") for d in details),
        gc_heap_bytes=_median(g.get("heap_bytes") for g in gcs),
        gc_collections=_median(g.get("collections") for g in gcs),
        lat=_percentiles(lat), pause=_percentiles(pauses),
        checksum=checksums[0] if len(checksums) == 1 else None,
        problem=next((r.get("problem") for r in records if r.get("problem")), None))


def print_progress(record: dict, extra_args) -> None:
    args_text = " " + " ".join(extra_args) if extra_args else ""
    text = (f'{record["workload"]}/{record["strategy"]} r{record["rep"]}{args_text}: '
            f'{status_of(record)}')
    if record["status"] == "ok":
        text += f'  {record["wall_s"]:.2f} s'
    print(text, flush=True)


def finish(root: pathlib.Path, experiment: str, result: dict, to_csv, to_markdown,
           manifest: dict, repo_root: pathlib.Path) -> int:
    """Write EXPERIMENT.json, .csv (to_csv(result)) and .md (to_markdown(result)) into
    root, mark the manifest complete, print the table and the figures drawn by
    plot.EXPERIMENT's plot_EXPERIMENT. 1 if the figures could not be drawn
    (the data is written all the same), else 0."""
    write_json_atomic(root / (f"{experiment}.json"), result)
    write_text_atomic(root / (f"{experiment}.csv"), to_csv(result))
    markdown = to_markdown(result)
    write_text_atomic(root / (f"{experiment}.md"), markdown)
    manifest.update(state="complete", finished=runner.utc_now())
    write_json_atomic(root / "manifest.json", manifest)
    print(markdown, end="")
    rc = 0
    try:
        plot_module = importlib.import_module(f"plot.{experiment}")
        for path in getattr(plot_module, f"plot_{experiment}")(root):
            print(f"plot: {path}")
    except ImportError as e:
        print(f"mmbench {experiment}: no plots ({e}); the data is in {root}", file=sys.stderr)
        rc = 1
    print(f"{experiment} folder: {root}")
    return rc
