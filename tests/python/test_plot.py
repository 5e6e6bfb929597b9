"""`mmbench plot` on the fixture run folder, and on folders it cannot draw."""

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"


def _plot(*args):
    return subprocess.run([str(REPO / "mmbench"), "plot", *map(str, args)],
                          capture_output=True, text=True)


def _figure_names():
    names = ["overview", "throughput_relative", "peak_rss"]
    for w in ("binary_trees", "baseline"):
        names += [f"latency_{w}", f"latency_cdf_{w}", f"latency_hist_{w}", f"rss_{w}"]
    return names


def test_plot_writes_one_png_per_figure(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    done = _plot(run)
    assert done.returncode == 0, done.stderr
    for n in _figure_names():
        png = (run / "plots" / f"{n}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", n
        assert png[25] == 3, n  # IHDR colour type 3: a palette image
    assert not list((run / "plots").glob("*.svg"))  # SVG only when asked for


def test_svg_on_request_and_figures_are_the_same_bytes_each_time(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    assert _plot("--svg", run).returncode == 0
    first = {p.name: p.read_bytes() for p in (run / "plots").iterdir()}
    for n in _figure_names():
        assert b"<svg" in first[f"{n}.svg"][:1000], n
    assert b"<dc:date>" not in first["overview.svg"]
    # Boehm's stop-the-world pauses are a line of their own in the percentile plot
    assert b"boehm GC pause" in first["latency_binary_trees.svg"]
    shutil.rmtree(run / "plots")
    assert _plot("--svg", run).returncode == 0
    assert {p.name: p.read_bytes() for p in (run / "plots").iterdir()} == first


def test_plot_refuses_a_folder_it_cannot_draw(tmp_path):
    done = _plot(tmp_path)
    assert done.returncode == 2
    assert "not a run, sweep or scale folder" in done.stderr
    assert not (tmp_path / "plots").exists()


def test_every_named_strategy_has_a_colour_of_its_own():
    """A sweep figure holds Boehm, seven managed collectors and the manual points:
    told apart by colour as well as by marker and line style."""
    from plot import style
    looks = style.STRATEGY_STYLES
    for name in ("boehm", "jvm-serial", "jvm-parallel", "jvm-g1", "jvm-zgc",
                 "jvm-shenandoah", "jvm-epsilon", "go"):
        assert name in looks
    colours = [colour for colour, _, _, _ in looks.values()]
    assert len(set(colours)) == len(colours)
