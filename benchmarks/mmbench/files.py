"""Writing files whole and reading them back: atomic writes, digests, JSON, and
the numbers a JSON or CSV value may hold.

Every file is written to a temporary name in the same folder and renamed into
place, so a reader (or an interrupted run) never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import tempfile
from typing import Any

from mmbench import archive


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
    # A committed run's per-process files may be in its per-process.tar.xz.
    return json.loads(archive.read_bytes(path).decode("utf-8"))


def number(value: Any) -> float | None:
    """A finite float from a JSON/CSV value, or None for empty, null, NaN or junk."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def numbers(values: Any) -> list[float]:
    """The finite numbers in a list (anything else in it is dropped)."""
    if not isinstance(values, list):
        return []
    return [x for x in (number(v) for v in values) if x is not None]
