"""The allocators a program runs under, how each is put in place, and the check
that it really served the program's allocations (the shim's per-process report).

Each run preloads the allocation witness (alloc_shim.c) first and tells it the
target library; the witness forwards malloc and its family there, so even a
program linked with another allocator (Debian's redis links jemalloc) is
served by the one under test, and it reports, per process, which library each
function went to and how often it was called.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib

from mmbench_programs import debian

LIBDIR = pathlib.Path("/usr/lib/x86_64-linux-gnu")
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
# The standard family: each must go to the allocator under test.
STANDARD = ("malloc", "free", "calloc", "realloc", "posix_memalign", "aligned_alloc",
            "memalign", "valloc", "malloc_usable_size")
# jemalloc's own entry points. Asking another allocator's statistics or size
# classes is recorded; handing it memory (or taking memory from it) is refused.
QUERIES = ("mallctl", "mallctlnametomib", "mallctlbymib", "nallocx", "malloc_stats_print")
TRANSFERS = ("mallocx", "rallocx", "xallocx", "sallocx", "dallocx", "sdallocx")


@dataclasses.dataclass
class Allocator:
    name: str            # the strategy's name
    family: str          # glibc | mimalloc | jemalloc | tcmalloc | preload
    library: str         # the file that must serve malloc
    package: str         # the Debian package that ships it
    preload: bool        # whether it is LD_PRELOADed (glibc is already there)

    def available(self) -> bool:
        return os.path.isfile(self.library)

    def identity(self) -> dict:
        return {"family": self.family, "malloc_from": os.path.realpath(self.library),
                "library": self.library, "package": self.package,
                "version": debian.versions([self.package])[self.package]
                or library_version(self.library)}


BUILTIN = {
    "glibc": Allocator("glibc", "glibc", LIBC, "libc6", False),
    "mimalloc": Allocator("mimalloc", "mimalloc", str(LIBDIR / "libmimalloc.so.2"),
                          "libmimalloc2.0", True),
    "jemalloc": Allocator("jemalloc", "jemalloc", str(LIBDIR / "libjemalloc.so.2"),
                          "libjemalloc2", True),
    "tcmalloc": Allocator("tcmalloc", "tcmalloc", str(LIBDIR / "libtcmalloc_minimal.so.4"),
                          "libtcmalloc-minimal4", True),
}


def preloaded(name: str, path: str) -> Allocator:
    """A `--preload NAME=PATH` allocator (the runner names it with --label)."""
    return Allocator(name, "preload", os.path.abspath(path), "(given with --preload)", True)


def library_version(path: str) -> str | None:
    """Where dpkg does not know the library: the version in its real file name
    (libmimalloc.so.2.0 -> 2.0), or glibc's from gnu_get_libc_version."""
    if path == LIBC:
        import ctypes
        fn = ctypes.CDLL(LIBC).gnu_get_libc_version
        fn.restype = ctypes.c_char_p
        return fn().decode()
    real = os.path.basename(os.path.realpath(path))
    _, sep, version = real.partition(".so.")
    return version if sep else None


def program_env(alloc: Allocator, shim: str, report_dir: str) -> dict[str, str]:
    """The loader's variables for a program run under alloc."""
    preload = [shim] + ([alloc.library] if alloc.preload else [])
    return {"LD_PRELOAD": ":".join(preload), "MMBENCH_SHIM_TARGET": alloc.library,
            "MMBENCH_SHIM_REPORT_DIR": report_dir}


class Mismatch(Exception):
    """The allocator under test did not serve the program's allocations."""


def _same(a: str, b: str) -> bool:
    try:
        return bool(a) and os.path.samefile(a, b)
    except OSError:
        return False


def read_report(report_dir: str, pid: int) -> dict:
    path = pathlib.Path(report_dir) / f"{pid}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise Mismatch(f"the allocation witness left no report for pid {pid} ({e}): the program "
                       "did not load it (statically linked, set-user-ID, LD_PRELOAD dropped) or "
                       "did not exit through exit()") from e


def verify(report: dict, alloc: Allocator) -> dict:
    """The allocator check of one process: its summary for the detail JSON, or
    Mismatch saying why the allocator under test cannot be credited."""
    functions = report.get("functions") or {}
    calls = {f: int((functions.get(f) or {}).get("calls", 0)) for f in functions}
    allocations = sum(calls.get(f, 0) for f in ("malloc", "calloc", "realloc", "posix_memalign",
                                                 "aligned_alloc", "memalign", "valloc"))
    if allocations == 0:
        raise Mismatch(f"{report.get('exe')} made no call to malloc or its family through the "
                       "dynamic symbol: its allocations are served by something else "
                       "(an allocator of its own, or none at all)")
    for f in STANDARD:
        source = (functions.get(f) or {}).get("from", "")
        if calls.get(f) and not _same(source, alloc.library):
            raise Mismatch(f"{f} of {report.get('exe')} went to {source or 'nothing'}, "
                           f"not {alloc.library}")
    foreign = {}
    for f in QUERIES + TRANSFERS:
        source = (functions.get(f) or {}).get("from", "")
        if calls.get(f) and not _same(source, alloc.library):
            if f in TRANSFERS:
                raise Mismatch(f"{report.get('exe')} called {f} of {source or 'nothing'} "
                               f"{calls[f]} times: memory handled by another allocator")
            foreign[f] = {"from": source, "calls": calls[f]}
    return {"exe": report.get("exe"), "pid": report.get("pid"), "allocation_calls": allocations,
            "calls": {f: n for f, n in calls.items() if n},
            "foreign_queries": foreign}
