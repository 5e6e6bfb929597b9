"""mmbench pack RUN_DIR: a run's per-process files into RUN_DIR/per-process.tar.xz."""

from __future__ import annotations

import pathlib

from mmbench import archive
from mmbench.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pack", help="put a run folder's raw/, rss/ and logs/ into one per-process.tar.xz",
        description="Write DIR/per-process.tar.xz (deterministic: the same files give the same "
                    "bytes) from every raw/, rss/ and logs/ folder under DIR (a run, sweep or "
                    "scale folder) and the files an existing archive holds. `mmbench report` "
                    "and every other reader read the files from the archive when they are "
                    "not on disk (docs/run-folder.md).")
    p.add_argument("folders", metavar="DIR", nargs="+", type=pathlib.Path)
    p.add_argument("--remove", action="store_true",
                   help="delete the packed files (and the folders left empty) once the "
                        "archive reads back as written")
    p.set_defaults(func=pack_command)


def pack_command(args) -> int:
    for folder in args.folders:
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such folder")
        if not any((folder / name).is_file()
                   for name in ("manifest.json", "sweep.json", "scale.json")):
            raise UsageError(f"{folder}: not a run, sweep or scale folder (no manifest.json, "
                             "sweep.json or scale.json)")
    for folder in args.folders:
        try:
            path, members, removed = archive.pack(folder, remove=args.remove)
        except ValueError as e:
            raise UsageError(str(e)) from e
        size = path.stat().st_size
        print(f"mmbench pack: {path}: {members} files, {size / 2**20:.2f} MiB"
              + (f"; removed {len(removed)} files" if args.remove else ""))
    return 0
