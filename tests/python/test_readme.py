"""The README's generated blocks: they agree with results/reference, and the
check fails on a planted difference or a missing block."""

import shutil
import subprocess

from conftest import MMBENCH, REPO


def _readme(*args):
    return subprocess.run([str(MMBENCH), "readme", *map(str, args)], capture_output=True,
                          text=True, cwd=str(REPO), timeout=60)


def test_committed_readme_agrees_with_reference():
    proc = _readme("--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_planted_figure_is_caught(tmp_path):
    readme = tmp_path / "README.md"
    text = (REPO / "README.md").read_text()
    start = text.index("<!-- mmbench:results-table -->")
    row = text.index("| binary_trees |", start)
    cell = text.index("|", text.index("throughput ×", row)) + 1
    end = text.index("|", cell)
    readme.write_text(text[:cell] + " 9.99 " + text[end:])
    proc = _readme("--check", "--readme", readme)
    assert proc.returncode == 1
    assert "9.99" in proc.stdout and "binary_trees" in proc.stdout
    assert _readme("--readme", readme).returncode == 0
    assert readme.read_text() == text


def test_missing_block_is_an_error(tmp_path):
    readme = tmp_path / "README.md"
    text = (REPO / "README.md").read_text()
    readme.write_text(text.replace("<!-- mmbench:results-findings -->", ""))
    proc = _readme("--check", "--readme", readme)
    assert proc.returncode == 2
    assert "results-findings" in proc.stderr


def test_findings_follow_the_summary(tmp_path):
    """A changed figure in summary.json changes the generated line."""
    import json
    run = tmp_path / "results" / "reference"
    shutil.copytree(REPO / "results" / "reference", run,
                    ignore=shutil.ignore_patterns("raw", "rss", "logs", "plots", "hgrm"))
    summary = json.loads((run / "summary.json").read_text())
    for row in summary["rows"]:
        if (row["workload"], row["strategy"]) == ("teardown", "boehm"):
            row["ratio_vs_ref"] = 7.77
    (run / "summary.json").write_text(json.dumps(summary))
    from mmbench.reporting import readme
    assert "boehm 7.77×" in readme.findings(run)


def test_sweep_block_quotes_its_stability_verdict(tmp_path):
    """With a stability.md beside the committed sweep, the block quotes its verdict;
    without one, it says that no second sweep was judged."""
    from mmbench.reporting import readme
    sweep = tmp_path / "results" / "sweep"
    sweep.mkdir(parents=True)
    import json
    doc = json.loads((REPO / "tests" / "fixtures" / "sweep" / "sweep.json").read_text())
    (sweep / "sweep.json").write_text(json.dumps(dict(doc, reps=3)))
    assert "No second sweep was judged" in readme.sweep_hertz_berger(tmp_path)
    (sweep / "stability.md").write_text(
        "A: x\nB: y\n\nratio cells: 12; moved > 10%: 1; moved > 25%: 0\n"
        "within-cell CV: median 2.00%, worst 9.00%\nverdict: fit to publish\n")
    block = readme.sweep_hertz_berger(tmp_path)
    assert "No second sweep" not in block
    assert "ratio cells: 12; moved > 10%: 1" in block and "verdict: fit to publish" in block
