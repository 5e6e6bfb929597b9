"""Summarize scripts/host_slowdown.c's output: each probe against the malloc
loop, per 5 s bucket (each column over its own median), and how well each
probe follows the loop (docs/reproducibility.md, section 1).

Usage: /usr/bin/python3 scripts/host_slowdown_report.py OUTPUT.txt
"""

import sys

import numpy as np

NAMES = ["latency", "ilp", "l2", "tree512k", "tree2m", "tree8m", "malloc_loop"]


def main(path: str) -> int:
    data = np.loadtxt(path, ndmin=2)
    if data.shape[1] != len(NAMES) + 1 or len(data) < 10:
        print(f"{path}: expected at least 10 lines of {len(NAMES) + 1} columns",
              file=sys.stderr)
        return 2
    rel = data[:, 1:] / np.median(data[:, 1:], axis=0)
    bucket = (data[:, 0] // 5).astype(int)
    rows = np.array([np.median(rel[bucket == b], axis=0) for b in np.unique(bucket)])
    print("t_s " + " ".join(f"{n:>11}" for n in NAMES))
    for b, row in zip(np.unique(bucket), rows):
        print(f"{5 * b:>3} " + " ".join(f"{x:>11.2f}" for x in row))
    loop = rows[:, -1]
    print("correlation with malloc_loop (5 s buckets): " + ", ".join(
        f"{n} {np.corrcoef(rows[:, i], loop)[0, 1]:.3f}" for i, n in enumerate(NAMES[:-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]) if len(sys.argv) == 2 else 2)
