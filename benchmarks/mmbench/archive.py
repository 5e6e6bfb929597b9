"""A committed run's per-process files in one archive, read as if still on disk.

A run folder's raw/, rss/ and logs/ (at any depth: a sweep's points/*/raw/ too)
are thousands of small files that only the runner and the reports read. `mmbench
pack RUN_DIR` puts them into RUN_DIR/per-process.tar.xz, so that a checkout
holds one file per run (docs/run-folder.md). The readers in runfolder.py ask
this module for a file: the file on disk when there is one, else its copy in
the archive of the nearest folder above it that has one. Nothing is unpacked.

The archive is deterministic (sorted members, mtime 0, uid/gid 0, mode 0644,
xz preset 9e), so packing the same files twice gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import lzma
import os
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

ARCHIVE_NAME = "per-process.tar.xz"
PER_PROCESS_DIRS = ("raw", "rss", "logs")


# ------------------------------------------------------------------ reading
def read_bytes(path) -> bytes:
    """The file's bytes, from disk or else from its run's archive; FileNotFoundError
    when neither holds it."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        data = _archived(path)
        if data is None:
            raise
        return data


def exists(path) -> bool:
    path = Path(path)
    return path.exists() or _archived(path) is not None


def names(folder) -> list[str]:
    """The names of the files in folder: on disk when it is a folder, else those of
    the archive's members directly in it (sorted; [] when neither has any)."""
    folder = Path(folder)
    if folder.is_dir():
        return sorted(p.name for p in folder.iterdir())
    found = _archive_above(folder)
    if found is None:
        return []
    archive, inside = found
    return sorted(PurePosixPath(name).name for name in _members(*_key(archive))
                  if PurePosixPath(name).parent.as_posix() == inside)


def _archive_above(path: Path) -> tuple[Path, str] | None:
    """(the nearest archive in a folder above path, path relative to that folder)."""
    for folder in path.parents:
        candidate = folder / ARCHIVE_NAME
        if candidate.is_file():
            return candidate, path.relative_to(folder).as_posix()
    return None


def _archived(path: Path) -> bytes | None:
    found = _archive_above(path)
    if found is None:
        return None
    archive, inside = found
    return _members(*_key(archive)).get(inside)


def _key(archive: Path) -> tuple[str, int, int]:
    st = archive.stat()
    return str(archive), st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=2)
def _members(archive: str, _mtime_ns: int, _size: int) -> dict[str, bytes]:
    """{member name: bytes} of every regular file in the archive, read once: an xz
    stream cannot seek, so the members are decompressed in one pass. The key's
    mtime and size make a re-packed archive read afresh."""
    with tarfile.open(archive, "r:xz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


# ------------------------------------------------------------------ packing
def per_process_files(run_dir: Path) -> dict[str, Path]:
    """{name relative to run_dir: path} of every file in a raw/, rss/ or logs/ folder
    at any depth under run_dir, less dot files (a worker's unfinished .part)."""
    found = {}
    for folder, dirs, files in os.walk(run_dir):
        dirs.sort()
        if Path(folder).name not in PER_PROCESS_DIRS:
            continue
        for name in files:
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file():
                found[path.relative_to(run_dir).as_posix()] = path
    return dict(sorted(found.items()))


def archive_bytes(members: dict[str, bytes]) -> bytes:
    """A deterministic .tar.xz of members ({name: bytes}), in name order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz", format=tarfile.PAX_FORMAT,
                      preset=9 | lzma.PRESET_EXTREME) as tar:
        for name in sorted(members):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(members[name]), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(members[name]))
    return buffer.getvalue()


def pack(run_dir, remove: bool = False) -> tuple[Path, int, list[Path]]:
    """Write RUN_DIR/per-process.tar.xz from the per-process files on disk and those
    already archived (a file on disk replaces its archived copy); with remove, delete
    the packed files and the folders left empty. Returns (archive, members, removed).
    ValueError when there is nothing to pack."""
    run_dir = Path(run_dir)
    archive = run_dir / ARCHIVE_NAME
    members = dict(_members(*_key(archive))) if archive.is_file() else {}
    on_disk = per_process_files(run_dir)
    if not members and not on_disk:
        raise ValueError(f"{run_dir}: no per-process files (raw/, rss/, logs/) to pack")
    members.update((name, path.read_bytes()) for name, path in on_disk.items())
    data = archive_bytes(members)
    _write_atomic(archive, data)
    if _members(*_key(archive)) != members:  # read back before anything is deleted
        raise OSError(f"{archive}: does not read back as written")
    removed = []
    if remove:
        for path in on_disk.values():
            path.unlink()
            removed.append(path)
        for folder in sorted({p.parent for p in on_disk.values()}, key=lambda p: -len(p.parts)):
            while folder != run_dir and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
    return archive, len(members), removed


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
