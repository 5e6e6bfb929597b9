"""`mmbench plot` on the fixture run folder, and on folders it cannot draw."""

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"


def test_plots_script_writes_png_and_svg(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    done = subprocess.run([str(REPO / "mmbench"), "plot", str(run)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    names = ["overview", "throughput_relative", "peak_rss"]
    for w in ("binary_trees", "baseline"):
        names += [f"latency_{w}", f"latency_cdf_{w}", f"latency_hist_{w}", f"rss_{w}"]
    for n in names:
        png, svg = run / "plots" / f"{n}.png", run / "plots" / f"{n}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", n
        assert b"<svg" in svg.read_bytes()[:1000], n
    # Boehm's stop-the-world pauses are a line of their own in the percentile plot
    assert "boehm GC pause" in (run / "plots" / "latency_binary_trees.svg").read_text()


def test_plot_refuses_a_folder_it_cannot_draw(tmp_path):
    done = subprocess.run([str(REPO / "mmbench"), "plot", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "not a run, sweep or scale folder" in done.stderr
    assert not (tmp_path / "plots").exists()
