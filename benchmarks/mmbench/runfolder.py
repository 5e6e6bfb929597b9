"""The run folder (docs/run-folder.md): its paths, its state, and readers.

Two kinds of reader: RunFolder's, for the runner and the summary, which check
a result's digest and answer None for what they cannot believe; and
load() -> RunData, for reports and plots, which never raises on bad input: a
missing, unreadable or malformed file is recorded in RunData.problems with its
path, and the caller carries on with what could be read.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import pathlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmbench import archive
from mmbench.errors import UsageError
from mmbench.files import (FILE_MODE, file_sha256, number, numbers, read_json, sha256_hex,
                           write_json_atomic, write_text_atomic)

# Writers and parsers live in files.py; the run folder's users take them from here.
__all__ = ["FILE_MODE", "HGRM", "LOCK", "LOGS", "RAW", "RSS", "RunData", "RunFolder",
           "file_sha256", "load", "machine_line", "new_folder", "number",
           "numbers", "read_json", "run_stem", "sha256_hex", "write_json_atomic",
           "write_text_atomic"]

RAW = "raw"
RSS = "rss"
HGRM = "hgrm"
LOGS = "logs"
LOCK = ".lock"  # flock held by the runner for the whole run, its pid inside


def new_folder(repo_root, out: str | None, prefix: str, not_empty: str) -> pathlib.Path:
    """The folder a new run or experiment writes into, created empty.

    With out: that folder, which must be absent or empty, else UsageError(not_empty
    formatted with folder=the resolved path). Without: results/PREFIX-YYYYmmdd-HHMMSS
    under repo_root, with -2, -3, ... appended when that name is already taken."""
    if out:
        folder = pathlib.Path(out).resolve()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(not_empty.format(folder=folder))
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = pathlib.Path(repo_root) / "results" / (f"{prefix}-{stamp}")
    folder, n = base, 1
    while True:
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            n += 1
            folder = base.with_name(f"{base.name}-{n}")


def run_stem(workload: str, strategy: str, rep: int) -> str:
    """<workload>.<strategy>.r<N>, the name every per-process file starts with (reps from 1)."""
    return f"{workload}.{strategy}.r{rep}"


class RunFolder:
    """Names of the files in one run folder."""

    def __init__(self, root):
        self.root = pathlib.Path(root)

    @property
    def manifest(self) -> pathlib.Path:
        return self.root / "manifest.json"

    def raw(self, workload, strategy, rep, kind: str) -> pathlib.Path:
        """kind: gbench | detail | run"""
        return self.root / RAW / (f"{run_stem(workload, strategy, rep)}.{kind}.json")

    def rss(self, workload, strategy, rep) -> pathlib.Path:
        return self.root / RSS / (f"{run_stem(workload, strategy, rep)}.csv")

    def log(self, workload, strategy, rep, stream: str) -> pathlib.Path:
        """The worker's stdout / stderr as it printed them (logs/<stem>.stdout|.stderr)."""
        return self.root / LOGS / (f"{run_stem(workload, strategy, rep)}.{stream}")

    def hgrm(self, workload, strategy, kind: str | None = None) -> pathlib.Path:
        """kind: None (latency) | corrected | gc"""
        suffix = f".{kind}.hgrm" if kind else ".hgrm"
        return self.root / HGRM / (f"{workload}.{strategy}{suffix}")

    def make_dirs(self) -> None:
        for sub in (RAW, RSS, HGRM, LOGS):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    # Checked readers, for the runner and the summary.

    def load_manifest(self) -> dict:
        return read_json(self.manifest)

    def load_summary(self) -> dict:
        return read_json(self.root / "summary.json")

    def load_record(self, workload, strategy, rep) -> dict | None:
        """run.json, or None when absent or not a JSON object (invalid UTF-8 included)."""
        path = self.raw(workload, strategy, rep, "run")
        try:
            record = read_json(path)
        except (FileNotFoundError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def integrity(self, workload, strategy, rep, record: dict | None = None) -> str:
        """Whether an ok run's result files are as the runner wrote them: "ok";
        "missing" (a file is gone); "corrupt" (its sha256 differs from the one in
        run.json, which is written after them). A record from before digests were
        kept ("digests" absent) is taken as it is."""
        if record is None:
            record = self.load_record(workload, strategy, rep)
        digests = (record or {}).get("digests") or {}
        for kind in ("detail", "gbench"):
            try:
                data = archive.read_bytes(self.raw(workload, strategy, rep, kind))
            except FileNotFoundError:
                if kind == "detail" or kind in digests:
                    return "missing"
                continue
            if kind in digests and sha256_hex(data) != digests[kind]:
                return "corrupt"
        return "ok"

    def load_detail(self, workload, strategy, rep, record: dict | None = None
                    ) -> dict | None:
        """detail.json, or None when absent, unreadable, or not what the runner recorded
        (its sha256 differs from run.json's): nothing unchecked is believed."""
        try:
            data = archive.read_bytes(self.raw(workload, strategy, rep, "detail"))
        except FileNotFoundError:
            return None
        if record is None:
            record = self.load_record(workload, strategy, rep)
        expected = ((record or {}).get("digests") or {}).get("detail")
        if expected and sha256_hex(data) != expected:
            return None
        try:
            detail = json.loads(data.decode("utf-8"))
        except ValueError:  # JSONDecodeError, UnicodeDecodeError
            return None
        return detail if isinstance(detail, dict) else None

    def load_rss(self, workload, strategy, rep):
        """[(t_s, rss_kib), ...] of one process, [] when not sampled."""
        path = self.rss(workload, strategy, rep)
        try:
            lines = archive.read_bytes(path).decode("utf-8").splitlines()
        except FileNotFoundError:
            return []
        samples = []
        for line in lines[1:]:
            t, kib = line.split(",")
            samples.append((float(t), int(kib)))
        return samples


# ---------------------------------------------------------------- reports' reader

# summary.csv columns that are numbers (everything else stays a string).
_NUMERIC_SUMMARY_COLUMNS = {
    "reps", "throughput_per_s", "throughput_ci95", "wall_s", "peak_rss_kib", "live_kib",
    "lat_p50_ns", "lat_p90_ns", "lat_p99_ns", "lat_p999_ns", "lat_max_ns", "gc_pauses",
    "gc_pause_p99_ns", "gc_pause_max_ns",
}


@dataclass
class RunData:
    run_dir: Path
    manifest: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _json_cache: dict = field(default_factory=dict, repr=False)

    # --- generic readers -------------------------------------------------
    def problem(self, path: Path, what: str) -> None:
        message = f"{path}: {what}"
        if message not in self.problems:
            self.problems.append(message)

    def read_json(self, path: Path, *, required: bool = True) -> Any:
        """Parsed JSON, or None (and a problem naming the file) if it cannot be read."""
        path = Path(path)
        if path in self._json_cache:
            return self._json_cache[path]
        value = None
        try:
            value = read_json(path)
        except FileNotFoundError:
            if required:
                self.problem(path, "missing")
        except json.JSONDecodeError as e:
            self.problem(path, f"malformed JSON ({e.msg} at line {e.lineno} column {e.colno})")
        except (OSError, UnicodeDecodeError) as e:
            self.problem(path, f"unreadable ({e})")
        self._json_cache[path] = value
        return value

    # --- per (workload, strategy) files -----------------------------------
    def rep_files(self, workload: str, strategy: str, kind: str) -> dict[int, Path]:
        """{rep: path} of raw/<w>.<s>.r<N>.<kind> (kind: detail.json, run.json) or rss csv."""
        folder = self.run_dir / (RSS if kind == "csv" else RAW)
        pattern = re.compile(re.escape(f"{workload}.{strategy}.") + r"r(\d+)\." + re.escape(kind))
        found = {}
        for name in archive.names(folder):
            m = pattern.fullmatch(name)
            if m:
                found[int(m.group(1))] = folder / name
        return dict(sorted(found.items()))

    def expected_reps(self, row: dict) -> list[int]:
        n = number(row.get("reps"))
        if n is None or n < 1:
            return []
        return list(range(1, int(n) + 1))

    def details(self, row: dict) -> dict[int, dict]:
        """{rep: detail JSON} of a row's repetitions that ran cleanly and could be read.

        A repetition the runner recorded as failed is skipped silently (its
        failure is in the row's status); a clean one whose file is missing or
        malformed is a problem.
        """
        w, s = row.get("workload", ""), row.get("strategy", "")
        files = self.rep_files(w, s, "detail.json")
        rep_status = row.get("rep_status") if isinstance(row.get("rep_status"), list) else []
        out = {}
        for rep in sorted(set(files) | set(self.expected_reps(row))):
            status = rep_status[rep - 1] if 0 < rep <= len(rep_status) else None
            if status not in (None, "ok"):
                continue
            path = files.get(rep, RunFolder(self.run_dir).raw(w, s, rep, "detail"))
            if row.get("status") != "ok" and not archive.exists(path):
                continue
            d = self.read_json(path)
            if isinstance(d, dict):
                out[rep] = d
            elif d is not None:
                self.problem(path, "not a JSON object")
        return out

    def rss_timeline(self, row: dict, rep: int) -> tuple[list[float], list[float]] | None:
        """(t_s, rss_kib) of rss/<w>.<s>.r<rep>.csv, or None if absent/unreadable."""
        path = RunFolder(self.run_dir).rss(row.get("workload"), row.get("strategy"), rep)
        if not archive.exists(path):
            return None
        t, kib = [], []
        try:
            with io.StringIO(archive.read_bytes(path).decode("utf-8"), newline="") as f:
                for rec in csv.DictReader(f):
                    a, b = number(rec.get("t_s")), number(rec.get("rss_kib"))
                    if a is not None and b is not None:
                        t.append(a)
                        kib.append(b)
        except (OSError, csv.Error, UnicodeDecodeError) as e:
            self.problem(path, f"unreadable ({e})")
            return None
        if not t:
            self.problem(path, "no samples (expected a t_s,rss_kib header and rows)")
            return None
        return t, kib

    def median_rep(self, row: dict) -> int:
        """The repetition whose wall time is the median (rep 1 if unknown)."""
        walls = row.get("wall_samples")
        if isinstance(walls, list) and walls and all(number(w) is not None for w in walls):
            order = sorted(range(len(walls)), key=lambda i: number(walls[i]))
            return order[(len(order) - 1) // 2] + 1
        return 1

    # --- conveniences -----------------------------------------------------
    def workloads(self) -> list[str]:
        """The rows' workloads, in order of first appearance."""
        return list(dict.fromkeys(r.get("workload") for r in self.rows))

    def rows_of(self, workload: str) -> list[dict]:
        return [r for r in self.rows if r.get("workload") == workload]

    def find(self, workload: str, strategy: str) -> dict | None:
        for r in self.rows:
            if r.get("workload") == workload and r.get("strategy") == strategy:
                return r
        return None

    def strategies(self) -> list[str]:
        """The rows' strategies, in order of first appearance."""
        return list(dict.fromkeys(r.get("strategy") for r in self.rows))


def _rows_from_csv(data: RunData, path: Path) -> list[dict] | None:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        data.problem(path, "missing")
        return None
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        data.problem(path, f"unreadable ({e})")
        return None
    for r in rows:
        for k in _NUMERIC_SUMMARY_COLUMNS & r.keys():
            r[k] = number(r[k])
    return rows


def load(run_dir: str | os.PathLike) -> RunData:
    """Read manifest.json and the summary rows (summary.json, else summary.csv)."""
    data = RunData(Path(run_dir))
    if not data.run_dir.is_dir():
        data.problems.append(f"{data.run_dir}: not a run folder (no such directory)")
        return data
    manifest = data.read_json(data.run_dir / "manifest.json")
    if isinstance(manifest, dict):
        data.manifest = manifest
    summary_path = data.run_dir / "summary.json"
    summary = data.read_json(summary_path)
    rows = None
    if isinstance(summary, dict) and isinstance(summary.get("rows"), list):
        rows = [r for r in summary["rows"] if isinstance(r, dict) and r.get("workload")]
    elif summary is not None:
        data.problem(summary_path, 'no "rows" list')
    if rows is None:
        rows = _rows_from_csv(data, data.run_dir / "summary.csv")
        if rows is not None:
            data.problems.append(
                f"{data.run_dir / 'summary.csv'}: used instead of summary.json "
                "(no per-repetition samples: no confidence intervals)")
    data.rows = rows or []
    for r in data.rows:
        r.setdefault("status", "missing")
        r["workload"], r["strategy"] = str(r.get("workload")), str(r.get("strategy", "?"))
    return data


def _find_key(manifest: Any, names: tuple[str, ...]) -> Any:
    """The first value under any of names, searched breadth-first."""
    queue = [manifest]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            for n in names:
                if (n in node and not isinstance(node[n], (dict, list))
                        and node[n] not in ("", None)):
                    return node[n]
            queue.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            queue.extend(v for v in node if isinstance(v, (dict, list)))
    return None


def machine_line(data: RunData) -> str:
    """One line: CPU model, cores, size, date; for plot footers and report headings."""
    m = data.manifest
    cpu = _find_key(m, ("cpu_model", "model_name", "cpu"))
    cores = _find_key(m, ("cores", "cpu_count", "logical_cpus", "nproc", "online_cpus"))
    size = _find_key(m, ("size",))
    if size is None and data.rows:
        size = data.rows[0].get("size")
    date = _find_key(m, ("started", "date", "start_time", "created", "timestamp"))
    parts = []
    if cpu is not None:
        parts.append(str(cpu) + (f", {cores} cores" if cores is not None else ""))
    elif cores is not None:
        parts.append(f"{cores} cores")
    if size is not None:
        parts.append(f"size {size}")
    if date is not None:
        parts.append(str(date))
    return " · ".join(parts) if parts else f"run {data.run_dir.name}"
