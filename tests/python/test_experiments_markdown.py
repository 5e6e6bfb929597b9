"""sweep.md and scale.md use the report's conventions: × for multiples and
ratios, — for a figure not measured, durations with their unit."""

from mmbench.reporting.experiments import scale_markdown, sweep_markdown


def _point(multiple, status, binding):
    ok = status == "ok"
    return {"multiple": multiple, "in_grid": True, "status": status, "cap_binding": binding,
            "relative_time": 1.5 if ok else None, "heap_over_live": 2.25 if ok else None,
            "rss_over_live": 3.0 if ok else None, "pause_p50_ns": 1e6, "pause_p99_ns": 2e6,
            "pause_max_ns": 4e6, "lat_p99_ns": 5e5, "lat_max_ns": 9e6}


SWEEP = {"strategy": "boehm", "references": ["glibc"], "size": "quick", "reps": 1,
         "workloads": {"binary_trees": {
             "live_bytes": 2**20, "uncapped_heap_bytes": 3 * 2**20, "best_reference": "glibc",
             "best_reference_wall_s": 0.25,
             "minimum": {"multiple": 1.5, "cap_bytes": 1.5 * 2**20,
                         "largest_failing_multiple": 1.25},
             "points": [_point(1.25, "oom", True), _point(4.0, "ok", False),
                        _point(None, "ok", False)],
             "divisor_points": [], "references": {
                 "glibc": {"status": "ok", "wall_s": 0.25, "relative_time": 1.0,
                           "lat": {"max": 2e6}}}}}}


def test_sweep_markdown_conventions():
    md = sweep_markdown(SWEEP)
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line][1:]
    oom, capped, uncapped = ([c.strip() for c in r.strip("|").split("|")] for r in rows)
    assert oom[:4] == ["1.25", "oom", "binds", "—"] and oom[6:] == ["—", "—"]
    assert capped == ["4.00", "ok", "cap not binding", "1.50×", "2.25×", "3.00×",
                      "1.00 / 2.00 / 4.00", "0.500 / 9.00"]
    assert uncapped[:3] == ["uncapped", "ok", "—"]
    assert "**1.50× live**" in md and "1.25× fails" in md and "(250 ms)" in md
    assert "glibc ok 250 ms (1.00×)" in md
    assert " x " not in md


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
