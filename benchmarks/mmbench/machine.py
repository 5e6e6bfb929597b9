"""What a manifest records about the machine, the build and the libraries."""

from __future__ import annotations

import os
import pathlib
import platform
import re
import socket
import subprocess
import sys

# Environment variables that change how an allocator or the collector behaves.
TUNING_ENV_PREFIXES = ("GC_", "MIMALLOC_", "MALLOC_ARENA_", "MALLOC_")
TUNING_ENV_NAMES = ("MALLOC_CONF", "JE_MALLOC_CONF", "GLIBC_TUNABLES", "LD_PRELOAD")


def _run(cmd, cwd=None, timeout=20) -> str | None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def total_memory_kib() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def machine_info() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "kernel": os.uname().release,
        "arch": os.uname().machine,
        "total_memory_kib": total_memory_kib(),
        "load_average_at_start": load,
    }


def git_info(repo: pathlib.Path) -> dict:
    revision = _run(["git", "rev-parse", "HEAD"], cwd=repo)
    if revision is None:
        return {"revision": None, "dirty": None}
    status = _run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo)
    return {"revision": revision, "dirty": bool(status) if status is not None else None,
            "branch": _run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=repo)}


def cmake_cache(build_dir: pathlib.Path) -> dict[str, str]:
    values = {}
    try:
        text = (build_dir / "CMakeCache.txt").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return values
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_.-]*):[A-Z_]+=(.*)$", line)
        if m:
            values[m.group(1)] = m.group(2)
    return values


def cmake_compiler_id(build_dir: pathlib.Path) -> dict[str, str]:
    """CMAKE_CXX_COMPILER_ID / _VERSION as CMake detected them for this build."""
    found = {}
    for path in sorted(build_dir.glob("CMakeFiles/*/CMakeCXXCompiler.cmake")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for key in ("CMAKE_CXX_COMPILER_ID", "CMAKE_CXX_COMPILER_VERSION"):
            m = re.search(rf'^set\({key} "([^"]*)"\)', text, re.M)
            if m:
                found[key] = m.group(1)
    return found


def compiler_info(build_dir: pathlib.Path) -> dict:
    cache = cmake_cache(build_dir)
    detected = cmake_compiler_id(build_dir)
    path = cache.get("CMAKE_CXX_COMPILER")
    source = "CMakeCache.txt" if path else "c++ on PATH"
    version = _run([path or "c++", "--version"])
    build_type = cache.get("CMAKE_BUILD_TYPE")
    flags = " ".join(x for x in (cache.get("CMAKE_CXX_FLAGS", ""),
                                 cache.get(f'CMAKE_CXX_FLAGS_{(build_type or "").upper()}', ""))
                     if x).strip()
    return {
        "path": path or "c++",
        "source": source,
        "version": version.splitlines()[0] if version else None,
        "id": detected.get("CMAKE_CXX_COMPILER_ID"),
        "cmake_version": detected.get("CMAKE_CXX_COMPILER_VERSION"),
        "build_type": build_type,
        "flags": flags or None,
    }


def dpkg_version(package: str) -> str | None:
    out = _run(["dpkg-query", "-W", "-f=${Version}", package])
    return out or None


def tuning_environment(env=None) -> dict[str, str]:
    env = os.environ if env is None else env
    return {k: v for k, v in sorted(env.items())
            if k in TUNING_ENV_NAMES or k.startswith(TUNING_ENV_PREFIXES)}


def library_versions(describes: dict[str, dict], gc_version: str | None,
                     gbench_context: dict | None = None) -> dict:
    """Versions of everything a figure depends on. `describes`: family -> --describe JSON."""
    def allocator_version(family):
        d = describes.get(family)
        return d.get("allocator", {}).get("version") if d else None

    glibc = allocator_version("glibc")
    if not glibc:
        try:
            glibc = os.confstr("CS_GNU_LIBC_VERSION")
        except (ValueError, OSError):
            glibc = None
    gb = dpkg_version("libbenchmark-dev")
    if not gb and gbench_context:
        gb = gbench_context.get("library_version")
    return {
        "google_benchmark": gb,
        "google_benchmark_build_type": (gbench_context or {}).get("library_build_type"),
        "boehm_gc": gc_version,
        "boehm_gc_package": dpkg_version("libgc-dev"),
        "mimalloc": allocator_version("mimalloc"),
        "mimalloc_package": dpkg_version("libmimalloc-dev"),
        "jemalloc": allocator_version("jemalloc"),
        "jemalloc_package": dpkg_version("libjemalloc-dev"),
        "glibc": glibc,
        "python": platform.python_version(),
        "python_executable": sys.executable,
    }
