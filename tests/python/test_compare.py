"""mmbench compare on synthetic run folders with known answers."""

import json
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


def test_clearly_slower_with_10_reps_is_a_significant_regression(tmp_path):
    a = make_run(tmp_path / "a", [100 + i for i in range(10)])
    b = make_run(tmp_path / "b", [80 + i for i in range(10)])
    done = compare(a, b)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "significant (U test" in done.stdout and "REGRESSION" in done.stdout
    assert "WARNING" not in done.stdout


def test_identical_distributions_are_not_significant(tmp_path):
    samples = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99]
    done = compare(make_run(tmp_path / "a", samples), make_run(tmp_path / "b", samples[::-1]))
    assert done.returncode == 0, done.stdout
    assert "not significant" in done.stdout and "Regressions (threshold 5%, alpha 0.05): none" \
        in done.stdout


def test_three_reps_warn_and_cannot_flag_throughput(tmp_path):
    done = compare(make_run(tmp_path / "a", [100, 101, 102]),
                   make_run(tmp_path / "b", [50, 51, 52]))
    assert done.returncode == 0
    assert "WARNING: 3 vs 3 repetitions cannot reach alpha=0.05 (smallest possible p=0.1)" \
        in done.stdout


def test_peak_rss_growth_beyond_threshold_is_a_regression(tmp_path):
    a = make_run(tmp_path / "a", [100, 101, 102], rss_kib=10000)
    b = make_run(tmp_path / "b", [100, 101, 102], rss_kib=10600)
    assert compare(a, b).returncode == 1
    assert compare(a, b, "--threshold", "10").returncode == 0


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
