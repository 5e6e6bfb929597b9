"""What the runner and the worker binaries agree on: size names and exit codes.

The worker declares the same facts in its `--list` JSON ("sizes",
"exit_codes"); tests/python/test_contract.py fails when the two disagree, so
this file is the Python side's one declaration of them.
"""

from __future__ import annotations

from mmbench.errors import UsageError

# Work sizes, smallest first (workloads/*.cpp pick their figures per size).
SIZES = ("quick", "default", "large")

# Worker exit codes, by meaning.
EXIT_CODES = {
    "ok": 0,
    "usage": 2,               # bad command line
    "allocator_mismatch": 3,  # malloc is not served by the allocator the run expects
    "oom": 4,                 # out of memory (a heap cap, or the address-space limit)
    "error": 5,               # any other error the worker names (e.g. a pass doing other work)
    "unsupported": 6,         # the strategy refuses the combination (pmr under threads)
}
EXIT_OK = EXIT_CODES["ok"]
EXIT_ALLOCATOR_MISMATCH = EXIT_CODES["allocator_mismatch"]
EXIT_OOM = EXIT_CODES["oom"]
EXIT_UNSUPPORTED = EXIT_CODES["unsupported"]


def check_size(size: str) -> str:
    """size, or UsageError naming the valid ones."""
    if size not in SIZES:
        raise UsageError(f"unknown size '{size}'; valid sizes: {', '.join(SIZES)}")
    return size
