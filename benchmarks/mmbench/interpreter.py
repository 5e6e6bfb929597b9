"""Which Python interpreter runs mmbench, and whether it can draw plots.

Debian's /usr/bin/python3 has matplotlib; a python3 earlier on PATH may not.
The ./mmbench script prefers an interpreter that has it; run and list work
without it, and commands that plot call require_matplotlib() to fail clearly.
"""

import importlib.util
import sys

from mmbench.errors import UsageError


def has_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def describe() -> str:
    """One line: the interpreter's path, version and whether it can plot."""
    version = ".".join(str(v) for v in sys.version_info[:3])
    plots = "matplotlib available" if has_matplotlib() else "NO matplotlib: plots unavailable"
    return f"{sys.executable} (Python {version}, {plots})"


def require_matplotlib(what: str = "plots") -> None:
    """Raise a UsageError naming the interpreter when matplotlib cannot be imported."""
    if not has_matplotlib():
        raise UsageError(
            f"{what} need matplotlib, which {sys.executable} cannot import; run ./mmbench with an "
            "interpreter that has it (Debian: apt-get install python3-matplotlib, used by "
            "/usr/bin/python3)")
