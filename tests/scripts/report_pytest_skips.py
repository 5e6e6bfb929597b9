#!/usr/bin/python3
"""ctest's view of the pytest session's skips (python_tests.skips).

python_tests writes one line per skipped pytest test (tests/python/conftest.py).
None: passes. Some: prints them and exits 77, which ctest reports as skipped,
so they show in its summary instead of hiding inside one passing test. The
file must be newer than the start of this ctest run's python_tests: a missing
file means python_tests did not run, which fails.

Usage: report_pytest_skips.py FILE
"""
import os
import sys


def main(path):
    if not os.path.exists(path):
        print(f"FAIL: {path} missing: python_tests did not run to the end")
        return 1
    with open(path, encoding="utf-8") as f:
        skipped = [line.rstrip("\n") for line in f if line.strip()]
    os.remove(path)  # the next run must write its own
    if not skipped:
        print("OK: pytest skipped nothing")
        return 0
    print(f"SKIPPED: {len(skipped)} pytest test(s) did not run:")
    for line in skipped:
        print("  " + line)
    return 77


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
