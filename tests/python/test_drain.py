"""Memory given back (worker --drain, `mmbench run --drain`): the worker's own
RSS readings against /proc/<pid>/statm read by this test from outside during
the drain phase, and the end-to-end run folder (verdict table,
MMU and retained-memory plots, epsilon among the strategies)."""

import os
import re
import subprocess

import pytest

from conftest import load_json

LINE = re.compile(r"^mmbench-drain: (start|100ms|1s|released) rss_kib=(-?\d+)$")
PAGE_KIB = os.sysconf("SC_PAGESIZE") // 1024


def _statm_kib(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE_KIB


@pytest.mark.parametrize("strategy, call", [("glibc", "malloc_trim(0)"),
                                            ("boehm", "GC_gcollect_and_unmap"),
                                            ("epsilon", None)])
def test_drain_figures_match_statm_read_from_outside(build_dir, tmp_path, strategy, call):
    detail = tmp_path / "detail.json"
    proc = subprocess.Popen(
        [str(build_dir / "mmbench-worker-glibc"), "--workload", "binary_trees", "--strategy",
         strategy, "--size", "quick", "--drain", "--detail-out", str(detail),
         "--benchmark_format=console"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    outside = {}
    reported = {}
    # The worker announces each reading just before sleeping >= 100 ms, so the
    # process is idle in the state it measured while we read statm.
    for line in proc.stderr:
        m = LINE.match(line.strip())
        if m:
            reported[m.group(1)] = int(m.group(2))
            outside[m.group(1)] = _statm_kib(proc.pid)
    assert proc.wait(timeout=60) == 0
    drain = load_json(detail)["drain"]
    assert drain["release_call"] == call
    assert set(reported) == {"start", "100ms", "1s", "released"}
    for phase, key in (("start", "rss_start_kib"), ("100ms", "rss_100ms_kib"),
                       ("1s", "rss_1s_kib"), ("released", "rss_released_kib")):
        if phase == "released" and call is None:
            assert drain[key] is None  # epsilon has no release call
            continue
        assert drain[key] == reported[phase] > 0
        # Same process, same idle state: the kernel's figure seen from outside.
        assert abs(outside[phase] - drain[key]) <= max(64, 0.01 * drain[key]), (phase, outside)


def test_run_with_epsilon_and_drain_writes_the_verdict(run_mmbench, tmp_path):
    folder = tmp_path / "run"
    run_mmbench("run", "--workloads", "binary_trees", "--strategies", "glibc,boehm,epsilon",
                "--size", "quick", "--reps", "2", "--drain", "--out", folder, check_rc=0)
    rows = {r["strategy"]: r for r in load_json(folder / "summary.json")["rows"]}
    assert set(rows) == {"glibc", "boehm", "epsilon"}
    assert all(r["status"] == "ok" for r in rows.values())
    for r in rows.values():
        assert r["drain_rss_start_kib"] > 0 and r["drain_rss_1s_kib"] > 0
        assert r["lbo_wall"] is not None and r["lbo_wall"] >= 0
    assert rows["boehm"]["mmu_10ms"] is not None and rows["glibc"]["mmu_10ms"] is None
    # The strategy with the minimum distilled cost has LBO 0 unless that cost
    # was distilled (a collector's pauses taken out).
    mdc = rows["glibc"]["lbo_wall_mdc_strategy"]
    if mdc != "boehm":
        assert rows[mdc]["lbo_wall"] == 0
    md = (folder / "report.md").read_text()
    verdict = md.split("## Verdict")[1].split("##")[0]
    body = [line for line in verdict.splitlines() if line.startswith("| binary_trees")]
    assert len(body) == 3 and not any("not measured" in line for line in body)
    assert all(re.search(r"MiB \(\d+%\)", line) for line in body)  # retained and its share
    plots = {p.name for p in (folder / "plots").iterdir()}
    assert {"mmu_binary_trees.png", "retained_rss.png"} <= plots
