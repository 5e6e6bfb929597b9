"""mmbench report on fixture run folders: tables, robustness, statistics."""

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

from mmbench import fmt, hgrm  # noqa: E402
from mmbench import stats  # noqa: E402
from mmbench.reporting.generate import generate  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"


@pytest.fixture
def run(tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)
    return dst


def _rows(run_dir):
    return json.loads((run_dir / "summary.json").read_text())["rows"]


def test_report_writes_tables_plots_and_html(run, capsys):
    result = generate(run, quiet=True)
    assert result.ok, result.problems
    md = (run / "report.md").read_text()
    for w in {r["workload"] for r in _rows(run)}:
        assert f"## {w}" in md
    assert "AMD" in md or "cores" in md  # the machine heads the report
    assert (run / "report.html").stat().st_size > 10000
    assert (run / "plots" / "overview.png").is_file()
    assert capsys.readouterr().out == ""  # quiet prints no tables


def test_failed_row_shows_status_and_no_figures(run):
    generate(run, quiet=True)
    md = (run / "report.md").read_text()
    crash_lines = [line for line in md.splitlines() if line.startswith("| shared_ptr | crash")]
    assert crash_lines and set(crash_lines[0].split("|")[3:-1]) == {" — "}
    records = list(csv.DictReader(io.StringIO((run / "report.csv").read_text())))
    crash = [r for r in records if r["status"] == "crash"][0]
    assert crash["throughput_per_s"] == "" and crash["peak_rss_mib"] == ""


def test_csv_is_numeric_and_best_marks_the_extreme(run):
    generate(run, quiet=True)
    records = list(csv.DictReader(io.StringIO((run / "report.csv").read_text())))
    ok = [r for r in records if r["workload"] == "binary_trees" and r["status"] == "ok"]
    for r in ok:
        float(r["throughput_per_s"]), float(r["peak_rss_mib"]), float(r["lat_p99_us"])
    fastest = max(ok, key=lambda r: float(r["throughput_per_s"]))
    assert "throughput_per_s" in fastest["best"].split(";")
    glibc = [r for r in ok if r["strategy"] == "glibc"][0]
    assert float(glibc["rel_throughput"]) == 1.0


def test_deliberate_leak_rows_are_labelled(run):
    summary = json.loads((run / "summary.json").read_text())
    for r in summary["rows"]:
        if r["workload"] == "baseline":
            r["deliberate_leak"] = True
    (run / "summary.json").write_text(json.dumps(summary))
    generate(run, quiet=True)
    md = (run / "report.md").read_text()
    assert "## baseline (deliberate leak)" in md
    assert "| glibc | ok, deliberate leak |" in md


def test_missing_detail_file_is_named_and_rest_produced(run, capsys):
    missing = run / "raw" / "binary_trees.boehm.r2.detail.json"
    missing.unlink()
    result = generate(run, quiet=True)
    assert any(str(missing) in p and "missing" in p for p in result.problems)
    assert str(missing) in capsys.readouterr().err
    assert (run / "report.md").is_file() and (run / "report.html").is_file()
    assert (run / "plots" / "latency_binary_trees.png").is_file()


def test_malformed_summary_falls_back_to_csv(run):
    (run / "summary.json").write_text('{"rows": [ {"workload": ')
    result = generate(run, quiet=True)
    assert any(str(run / "summary.json") in p and "malformed JSON" in p
               for p in result.problems)
    md = (run / "report.md").read_text()
    assert "## binary_trees" in md and "## baseline" in md
    assert (run / "report.csv").is_file() and (run / "report.html").is_file()


def test_malformed_detail_and_manifest_are_named(run):
    bad = run / "raw" / "baseline.glibc.r1.detail.json"
    bad.write_text("{not json")
    (run / "manifest.json").write_text("[1, 2")
    result = generate(run, quiet=True)
    assert any(str(bad) in p for p in result.problems)
    assert any(str(run / "manifest.json") in p for p in result.problems)
    assert "## baseline" in (run / "report.md").read_text()


def test_report_command_exit_codes(run, tmp_path):
    env_cmd = [str(REPO / "mmbench"), "report", "--quiet"]
    assert subprocess.run(env_cmd + [str(run)], capture_output=True).returncode == 0
    (run / "raw" / "baseline.arena.r3.detail.json").unlink()
    done = subprocess.run(env_cmd + [str(run)], capture_output=True, text=True)
    assert done.returncode == 1 and "baseline.arena.r3.detail.json" in done.stderr
    assert subprocess.run(env_cmd + [str(tmp_path / "nope")],
                          capture_output=True).returncode == 2


def test_without_matplotlib_tables_still_come_out(run):
    code = ("import sys; sys.modules['matplotlib'] = None; "
            f"sys.path.insert(0, {str(REPO / 'benchmarks')!r}); "
            "from mmbench.reporting.generate import generate; "
            f"generate({str(run)!r}, quiet=True)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "plots skipped" in done.stderr and sys.executable in done.stderr
    assert (run / "report.md").is_file() and (run / "report.html").is_file()
    assert not (run / "plots").exists()


def test_fieller_reduces_to_t_interval_with_exact_denominator():
    num = [9.0, 10.0, 11.0, 10.5, 9.5]
    ci = stats.ratio_of_means_ci(num, [2.0, 2.0, 2.0])
    t = stats.t_quantile_975(len(num) - 1)
    half = t * (sum((x - 10) ** 2 for x in num) / 4 / 5) ** 0.5
    assert ci.ratio == pytest.approx(5.0)
    assert ci.low == pytest.approx((10 - half) / 2) and ci.high == pytest.approx((10 + half) / 2)


def test_fieller_unbounded_when_denominator_indistinct_from_zero():
    ci = stats.ratio_of_means_ci([1.0, 1.1, 0.9], [0.1, -0.1, 0.05])
    assert ci.low is None and ci.high is None


def test_merged_percentiles_follow_hdr_rule():
    a = {"count": 3, "min": 1, "max": 30, "buckets": [[1, 1, 1], [10, 10, 1], [28, 31, 1]]}
    b = {"count": 1, "min": 10, "max": 10, "buckets": [[10, 10, 1]]}
    m = hgrm.merge_json([a, b])
    assert m.count == 4
    assert m.value_at(50) == 10        # 2nd smallest of 4
    assert m.value_at(100) == 30       # capped at the exact max, not the bucket's top


def test_number_formatting():
    assert fmt.sig3(0.0012345) == "0.00123"
    assert fmt.sig3(123456) == "123000"
    assert fmt.si(2_295_025) == "2.30M"
    assert fmt.format_duration(850_000) == "850 µs"
    assert fmt.format_duration(1_204_000) == "1.20 ms"
