"""scale.md uses the report's conventions: × for multiples and
ratios, — for a figure not measured, durations with their unit."""

from mmbench.reporting.experiments import scale_markdown


def test_scale_markdown_conventions():
    scale = {"size": "quick", "reps": 1, "cores": 2, "threads": [1, 2], "workloads": {
        "w": {"unit": "op", "rows": [
            {"strategy": "glibc", "threads": 1, "status": "ok", "throughput_per_s": 1200.0,
             "speedup": 1.0},
            {"strategy": "glibc", "threads": 2, "status": "ok", "throughput_per_s": 2300.0,
             "speedup": 1.9166},
            {"strategy": "pmr", "threads": 2, "status": "unsupported"}]}}}
    lines = [line for line in scale_markdown(scale).splitlines() if line.startswith("| ")]
    assert lines[2:] == ["| 1 | 1.20k (1.00×) | — |", "| 2 | 2.30k (1.92×) | unsupported |"]
