"""Bounded worker logs: a process that floods its output leaves at most
LOG_LIMIT_BYTES per log file in the run folder, its head and its tail, with a
line saying how much was cut from the middle."""

from __future__ import annotations

import os
import pathlib

LOG_LIMIT_BYTES = 2 * 2**20
CUT_NOTE = b"\n[mmbench: %d of %d bytes cut from the middle of this log]\n"


def bound_file(path: pathlib.Path, limit: int = LOG_LIMIT_BYTES) -> int | None:
    """Cut path to its first and last limit/2 bytes when it is larger than limit;
    its original size when cut, else None."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size <= limit:
        return None
    half = limit // 2
    with open(path, "rb") as f:
        head = f.read(half)
        f.seek(size - half)
        tail = f.read(half)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(head + CUT_NOTE % (size - 2 * half, size) + tail)
    os.replace(tmp, path)
    return size


def bound_logs(logs_dir: pathlib.Path, stem: str,
               limit: int = LOG_LIMIT_BYTES) -> dict[str, int] | None:
    """Bound every log of one process (logs/<stem>.*: stdout, stderr, a runtime's
    GC log); {file name: original size} of those cut, or None."""
    cut = {}
    for path in sorted(logs_dir.glob(f"{stem}.*")):
        if not path.name.startswith(".") and (size := bound_file(path, limit)) is not None:
            cut[path.name] = size
    return cut or None
