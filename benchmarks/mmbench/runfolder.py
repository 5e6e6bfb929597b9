"""Paths, atomic writes and readers of a run folder (docs/run-folder.md).

Every file is written to a temporary name in the same folder and renamed into
place, so a reader (or an interrupted run) never sees half a file.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pathlib
import tempfile
from typing import Optional

from mmbench.errors import UsageError

RAW = "raw"
RSS = "rss"
HGRM = "hgrm"
LOGS = "logs"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Files are created with the mode an ordinary open() would give them (0666 less
# the umask), as the worker's are, not mkstemp's 0600.
FILE_MODE = 0o666 & ~_umask()


def write_text_atomic(path, text: str) -> None:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json_atomic(path, data, allow_nan: bool = True) -> None:
    """allow_nan=False: a NaN or infinity raises ValueError instead of writing what
    is not JSON (Infinity, NaN)."""
    write_text_atomic(path, json.dumps(data, indent=1, sort_keys=False, allow_nan=allow_nan)
                      + "\n")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path) -> str:
    return sha256_hex(pathlib.Path(path).read_bytes())


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def new_folder(repo_root, out: Optional[str], prefix: str, not_empty: str) -> pathlib.Path:
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
    base = pathlib.Path(repo_root) / "results" / ("%s-%s" % (prefix, stamp))
    folder, n = base, 1
    while True:
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            n += 1
            folder = base.with_name("%s-%d" % (base.name, n))


def run_stem(workload: str, strategy: str, rep: int) -> str:
    """<workload>.<strategy>.r<N>, the name every per-process file starts with (reps from 1)."""
    return "%s.%s.r%d" % (workload, strategy, rep)


class RunFolder:
    """Names of the files in one run folder."""

    def __init__(self, root):
        self.root = pathlib.Path(root)

    @property
    def manifest(self) -> pathlib.Path:
        return self.root / "manifest.json"

    def raw(self, workload, strategy, rep, kind: str) -> pathlib.Path:
        """kind: gbench | detail | run"""
        return self.root / RAW / ("%s.%s.json" % (run_stem(workload, strategy, rep), kind))

    def rss(self, workload, strategy, rep) -> pathlib.Path:
        return self.root / RSS / ("%s.csv" % run_stem(workload, strategy, rep))

    def log(self, workload, strategy, rep, stream: str) -> pathlib.Path:
        """The worker's stdout / stderr as it printed them (logs/<stem>.stdout|.stderr)."""
        return self.root / LOGS / ("%s.%s" % (run_stem(workload, strategy, rep), stream))

    def hgrm(self, workload, strategy, kind: Optional[str] = None) -> pathlib.Path:
        """kind: None (latency) | corrected | gc"""
        suffix = ".%s.hgrm" % kind if kind else ".hgrm"
        return self.root / HGRM / ("%s.%s%s" % (workload, strategy, suffix))

    def make_dirs(self) -> None:
        for sub in (RAW, RSS, HGRM, LOGS):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    # Readers, for reports and plots.

    def load_manifest(self) -> dict:
        return read_json(self.manifest)

    def load_summary(self) -> dict:
        return read_json(self.root / "summary.json")

    def load_record(self, workload, strategy, rep) -> Optional[dict]:
        """run.json, or None when absent or not a JSON object (invalid UTF-8 included)."""
        path = self.raw(workload, strategy, rep, "run")
        try:
            record = read_json(path)
        except (FileNotFoundError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def integrity(self, workload, strategy, rep, record: Optional[dict] = None) -> str:
        """Whether an ok run's result files are as the runner wrote them: "ok";
        "missing" (a file is gone); "corrupt" (its sha256 differs from the one in
        run.json, which is written after them). A record from before digests were
        kept ("digests" absent) is taken as it is."""
        if record is None:
            record = self.load_record(workload, strategy, rep)
        digests = (record or {}).get("digests") or {}
        for kind in ("detail", "gbench"):
            try:
                data = self.raw(workload, strategy, rep, kind).read_bytes()
            except FileNotFoundError:
                if kind == "detail" or kind in digests:
                    return "missing"
                continue
            if kind in digests and sha256_hex(data) != digests[kind]:
                return "corrupt"
        return "ok"

    def load_detail(self, workload, strategy, rep, record: Optional[dict] = None
                    ) -> Optional[dict]:
        """detail.json, or None when absent, unreadable, or not what the runner recorded
        (its sha256 differs from run.json's): nothing unchecked is believed."""
        try:
            data = self.raw(workload, strategy, rep, "detail").read_bytes()
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
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        samples = []
        for line in lines[1:]:
            t, kib = line.split(",")
            samples.append((float(t), int(kib)))
        return samples
