"""mmbench compare on synthetic run folders with known answers."""

import json
import statistics
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def make_run(folder: Path, throughput, rss_kib=10240, status="ok"):
    folder.mkdir(parents=True)
    row = {"workload": "w", "strategy": "glibc", "status": status, "reps": len(throughput),
           "throughput_per_s": sorted(throughput)[len(throughput) // 2] if throughput else None,
           "throughput_samples": list(throughput), "wall_s": 1.0, "peak_rss_kib": rss_kib,
           "lat_p99_ns": 1000, "lat_max_ns": 5000}
    (folder / "summary.json").write_text(json.dumps({"rows": [row]}))
    (folder / "manifest.json").write_text("{}")
    return folder


def compare(a, b, *extra):
    return subprocess.run([str(REPO / "mmbench"), "compare", str(a), str(b), *extra],
                          capture_output=True, text=True)


def make_rows(folder: Path, rows):
    """rows: [(strategy, throughput samples)] of workload w."""
    folder.mkdir(parents=True)
    out = [{"workload": "w", "strategy": s, "status": "ok", "reps": len(t),
            "throughput_per_s": sorted(t)[len(t) // 2], "throughput_samples": list(t),
            "wall_s": 1.0, "peak_rss_kib": 10240} for s, t in rows]
    (folder / "summary.json").write_text(json.dumps({"rows": out}))
    (folder / "manifest.json").write_text("{}")
    return folder


def test_clearly_slower_with_10_reps_is_a_significant_regression(tmp_path):
    a = make_run(tmp_path / "a", [100 + i for i in range(10)])
    b = make_run(tmp_path / "b", [80 + i for i in range(10)])
    done = compare(a, b)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "significant (Welch p=" in done.stdout and "REGRESSION" in done.stdout
    assert "WARNING" not in done.stdout


def test_identical_distributions_are_not_significant(tmp_path):
    samples = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99]
    done = compare(make_run(tmp_path / "a", samples), make_run(tmp_path / "b", samples[::-1]))
    assert done.returncode == 0, done.stdout
    assert "not significant" in done.stdout and "Regressions (threshold 10%, alpha 0.05): none" \
        in done.stdout


def test_three_reps_can_flag_a_halved_throughput(tmp_path):
    # The U test could never reach 0.05 at 3 vs 3 (smallest p = 0.1); Welch on logs can.
    done = compare(make_run(tmp_path / "a", [100, 101, 102]),
                   make_run(tmp_path / "b", [50, 51, 52]))
    assert done.returncode == 1, done.stdout
    assert "throughput x0.50" in done.stdout


def test_significant_change_below_threshold_is_not_a_regression(tmp_path):
    # 5% slower with 0.1% spread: significant, but smaller than the 10% threshold.
    a = make_run(tmp_path / "a", [100.0, 100.1, 99.9, 100.05, 99.95])
    b = make_run(tmp_path / "b", [95.0, 95.1, 94.9, 95.05, 94.95])
    done = compare(a, b)
    assert done.returncode == 0, done.stdout
    assert "x0.950" in done.stdout and ", significant (Welch" in done.stdout
    assert compare(a, b, "--threshold", "3").returncode == 1


def test_holm_correction_spares_a_marginal_cell_among_many(tmp_path):
    # One cell 12% slower with a spread that gives p ~ 0.02 alone: flagged when
    # it is the only test, not when 20 unchanged cells share the family.
    base = [100, 108, 92, 104, 96]
    slower = [x * 0.88 for x in base]
    single = compare(make_rows(tmp_path / "a1", [("s0", base)]),
                     make_rows(tmp_path / "b1", [("s0", slower)]))
    flat = [(f"s{i}", base) for i in range(1, 21)]
    many = compare(make_rows(tmp_path / "a2", [("s0", base)] + flat),
                   make_rows(tmp_path / "b2", [("s0", slower)] + flat))
    assert single.returncode == 1, single.stdout
    assert many.returncode == 0, many.stdout


def test_peak_rss_growth_beyond_threshold_is_a_regression(tmp_path):
    # No RSS repetitions in these rows: the medians against the threshold alone.
    a = make_run(tmp_path / "a", [100, 101, 102], rss_kib=10000)
    b = make_run(tmp_path / "b", [100, 101, 102], rss_kib=10600)
    assert compare(a, b, "--threshold", "5").returncode == 1
    assert compare(a, b).returncode == 0


def test_welch_and_holm_against_independent_values():
    from mmbench import stats
    from scipy import stats as sps
    import math
    a, b = [10.0, 11.0, 12.5, 10.5], [12.0, 13.5, 12.8, 14.0, 13.1]
    t = stats.welch_log_ratio(a, b)
    ref = sps.ttest_ind([math.log(x) for x in b], [math.log(x) for x in a], equal_var=False)
    assert abs(t.p_value - ref.pvalue) < 1e-9
    assert abs(t.ratio - statistics.geometric_mean(b) / statistics.geometric_mean(a)) < 1e-12
    assert t.low < t.ratio < t.high
    # Hand-worked Holm: sorted p 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2: stop.
    assert stats.holm([0.01, 0.04, 0.03, 0.005], 0.05) == [True, False, False, True]
    assert stats.holm([None, 0.001], 0.05) == [False, True]


def test_failure_in_b_is_a_regression(tmp_path):
    a = make_run(tmp_path / "a", [100, 101, 102])
    b = make_run(tmp_path / "b", [], status="crash")
    done = compare(a, b)
    assert done.returncode == 1 and "status ok -> crash" in done.stdout


def test_bad_input_exits_2(tmp_path):
    a = make_run(tmp_path / "a", [100, 101, 102])
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "summary.json").write_text("{oops")
    done = compare(a, tmp_path / "bad")
    assert done.returncode == 2 and "summary.json" in done.stderr
    assert compare(a, tmp_path / "missing").returncode == 2
