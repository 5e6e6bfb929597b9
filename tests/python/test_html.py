"""report.html: self-contained, and rendered by a real headless browser."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
from mmbench.reporting.generate import generate  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"
WORKLOADS = ("binary_trees", "baseline")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = tmp_path_factory.mktemp("html") / "run"
    shutil.copytree(FIXTURE, run)
    result = generate(run, quiet=True)
    assert result.ok, result.problems
    return run / "report.html"


def test_html_is_self_contained(report):
    text = report.read_text()
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text)
    assert not re.search(r'(?i)<(script|link)\b', text)
    srcs = re.findall(r'src="([^"]*)"', text)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


def _chromium(*args):
    profile = tempfile.mkdtemp(prefix="mmbench-chromium-")
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             *args], capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install -y "
                                             "chromium) - browser rendering not checked")
def test_browser_renders_every_workload_table_and_plot(report, tmp_path):
    dom = _chromium("--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for w in WORKLOADS:
        assert f'id="table-wl-{w}"' in dom.stdout
        assert f'id="fig-latency_{w}"' in dom.stdout and f'id="fig-rss_{w}"' in dom.stdout
    assert 'id="table-overview"' in dom.stdout and 'id="fig-overview"' in dom.stdout
    for log in (dom.stderr,):
        assert "Uncaught" not in log and "ERROR:CONSOLE" not in log

    shot = tmp_path / "shot.png"
    done = _chromium(f"--screenshot={shot}", "--window-size=1280,4000", report.as_uri())
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    assert shot.stat().st_size > 50_000
    import matplotlib.image
    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] >= 4000 and pixels.shape[1] >= 1280
    grey = pixels[..., :3].mean(axis=2)
    assert grey.std() > 0.05           # not a blank page
    assert len(set((grey * 255).astype(int).ravel().tolist())) > 50
