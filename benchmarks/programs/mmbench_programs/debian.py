"""Installed Debian package versions, for the record (which build of a program
or an allocator produced a figure)."""

from __future__ import annotations

import functools
import subprocess


@functools.cache
def _installed() -> dict[str, str]:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n"],
                             capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def versions(packages) -> dict[str, str | None]:
    """{package: installed version, or None when it is not installed (or no dpkg)}."""
    installed = _installed()
    return {p: installed.get(p) for p in packages}
