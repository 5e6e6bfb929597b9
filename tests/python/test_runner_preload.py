"""`mmbench run --preload NAME=PATH` (a preloaded allocator as a strategy of its own),
the `unsupported` status, the default strategy set and `--strategies all`, and the
per-strategy configuration that the manifest and `mmbench list --verbose` carry."""

import json
import os
import re

import pytest

from conftest import load_json

from mmbench import workers
from mmbench.runfolder import RunFolder

TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"
LIBM = "/usr/lib/x86_64-linux-gnu/libm.so.6"  # loads, but defines no malloc


def _rows(folder):
    return {(r["workload"], r["strategy"]): r for r in load_json(folder / "summary.json")["rows"]}


@pytest.fixture(scope="module")
def glibc_hosted(catalog):
    if catalog.strategies.get("glibc") != "glibc":
        pytest.skip("no glibc worker with its glibc strategy built")


# ---------------------------------------------------------------- --preload


@pytest.fixture(scope="module")
def tcmalloc_run(run_mmbench, glibc_hosted, tmp_path_factory):
    if not os.path.exists(TCMALLOC):
        pytest.skip(f"{TCMALLOC} not installed (Debian libtcmalloc-minimal4)")
    folder = tmp_path_factory.mktemp("preload") / "run"
    proc = run_mmbench("run", "--workloads", "binary_trees,baseline", "--strategies", "glibc",
                       "--preload", f"tcmalloc={TCMALLOC}", "--preload", f"bogus={LIBM}",
                       "--size", "quick", "--reps", "2", "--out", folder, "--no-report")
    return folder, proc


def test_preloaded_tcmalloc_rows_are_ok_and_agree_with_glibc(tcmalloc_run):
    folder, proc = tcmalloc_run
    rows = _rows(folder)
    rf = RunFolder(folder)
    for w in ("binary_trees", "baseline"):
        row = rows[(w, "tcmalloc")]
        assert row["status"] == "ok" and row["rep_status"] == ["ok", "ok"], row
        assert row["checksum"] == rows[(w, "glibc")]["checksum"]
        assert row["peak_rss_kib"] > 0 and row["throughput_per_s"] > 0
        for r in (1, 2):
            detail = load_json(rf.raw(w, "tcmalloc", r, "detail"))
            assert "tcmalloc" in detail["allocator"]["malloc_from"]
            assert detail["strategy"] == "tcmalloc" and detail["hosted_by"] == "glibc"
            record = load_json(rf.raw(w, "tcmalloc", r, "run"))
            cmd = record["cmd"]
            assert cmd[cmd.index("--strategy") + 1] == "glibc"
            assert cmd[cmd.index("--label") + 1] == "tcmalloc"
            assert cmd[cmd.index("--expect-malloc") + 1] == TCMALLOC
            assert record["extra_env"] == {"LD_PRELOAD": TCMALLOC}
            assert record["preload"] == TCMALLOC and record["hosted_by"] == "glibc"
            # Files are keyed by the preload's name; glibc's own are not touched.
            assert rf.rss(w, "tcmalloc", r).exists() and rf.hgrm(w, "tcmalloc").exists()
            glibc_detail = load_json(rf.raw(w, "glibc", r, "detail"))
            assert glibc_detail["allocator"]["family"] == "glibc"
    # Like any strategy in the printed table and in summary.md.
    assert re.search(r"^\| binary_trees\s*\| tcmalloc\s*\| ok ", proc.stdout, re.M), proc.stdout
    assert "| tcmalloc" in (folder / "summary.md").read_text()


@pytest.fixture(scope="module")
def bogus_run(run_mmbench, glibc_hosted, tmp_path_factory):
    """A preload that loads but serves no malloc (libm), on its own: needs no tcmalloc."""
    folder = tmp_path_factory.mktemp("bogus") / "run"
    proc = run_mmbench("run", "--workloads", "binary_trees,baseline", "--strategies", "glibc",
                       "--preload", f"bogus={LIBM}",
                       "--size", "quick", "--reps", "2", "--out", folder, "--no-report")
    return folder, proc


def test_preload_that_does_not_serve_malloc_is_allocator_mismatch(bogus_run):
    folder, proc = bogus_run
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the bogus preload failed
    rows = _rows(folder)
    for w in ("binary_trees", "baseline"):
        assert rows[(w, "bogus")]["status"] == "allocator_mismatch"
        assert rows[(w, "bogus")]["rep_status"] == ["allocator_mismatch"] * 2
        record = load_json(RunFolder(folder).raw(w, "bogus", 1, "run"))
        assert record["exit_code"] == 3 and "not the preloaded" in record["stderr_tail"]
        assert not RunFolder(folder).raw(w, "bogus", 1, "detail").exists()


def test_preloads_are_recorded_in_the_manifest(tcmalloc_run):
    folder, _ = tcmalloc_run
    m = load_json(folder / "manifest.json")
    assert m["options"]["preloads"] == {"tcmalloc": TCMALLOC, "bogus": LIBM}
    assert m["plan"]["strategies"] == ["glibc", "tcmalloc", "bogus"]
    tc = m["preloads"]["tcmalloc"]
    assert tc["path"] == TCMALLOC and tc["hosted_by"] == "glibc"
    assert "tcmalloc" in tc["allocator"]["malloc_from"]
    assert tc["config"]["LD_PRELOAD"] == TCMALLOC
    assert "error" in m["preloads"]["bogus"] and "allocator" not in m["preloads"]["bogus"]
    assert "tcmalloc" not in m["workers"]["glibc"]["strategies"]


def test_resume_keeps_the_preloads(tcmalloc_run, run_mmbench, tmp_path):
    import shutil
    folder, _ = tcmalloc_run
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    # Only the bogus preload's runs are not ok: they are rerun, still under LD_PRELOAD.
    proc = run_mmbench("run", "--resume", copy, "--no-report")
    assert proc.returncode == 1
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 4
    assert all("/bogus r" in line and "allocator_mismatch" in line for line in lines)
    proc = run_mmbench("run", "--resume", copy, "--preload", f"tcmalloc={LIBM}", "--no-report")
    assert proc.returncode == 2 and "differs from the resumed run" in proc.stderr


@pytest.mark.parametrize("preload, must_mention", [
    ("tcmalloc=/no/such/libtcmalloc.so", "/no/such/libtcmalloc.so"),
    (f"glibc={LIBM}", "built-in strategy"),
    ("just-a-name", "NAME=PATH"),
    (f"a/b={LIBM}", "letters, digits"),
])
def test_bad_preloads_exit_2(run_mmbench, glibc_hosted, tmp_path, preload, must_mention):
    proc = run_mmbench("run", "--workloads", "baseline", "--preload", preload,
                       "--out", tmp_path / "run", "--no-report")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert must_mention in proc.stderr
    assert not (tmp_path / "run").exists()


def test_catalog_refuses_preload_named_like_a_strategy(catalog):
    fresh = workers.load_catalog(catalog.build_dir)
    for name in fresh.strategies:
        with pytest.raises(workers.UsageError):
            fresh.add_preload(name, LIBM)
    fresh.add_preload("mine", LIBM)
    assert fresh.strategies["mine"] == "glibc" and fresh.hosted_strategy("mine") == "glibc"
    hosted = {w for (w, s) in fresh.entries if s == "glibc"}
    assert {w for (w, s) in fresh.entries if s == "mine"} == hosted
    assert fresh.default_strategies[-1] == "mine"


# ---------------------------------------------------------------- default set, all


def test_default_strategies_are_the_built_core_ones(catalog):
    core = [s for s in workers.CORE_STRATEGIES if s in catalog.strategies]
    assert catalog.default_strategies == core
    assert set(core) <= set(workers.CORE_STRATEGIES)


def test_strategies_all_runs_every_strategy(run_mmbench, catalog, tmp_path):
    proc = run_mmbench("run", "--workloads", "baseline", "--strategies", "all", "--size",
                       "quick", "--reps", "1", "--out", tmp_path / "run", "--no-report")
    hosted = [s for s in catalog.strategies if ("baseline", s) in catalog.entries]
    assert load_json(tmp_path / "run" / "manifest.json")["plan"]["strategies"] == list(
        catalog.strategies)
    rows = _rows(tmp_path / "run")
    assert sorted(s for _, s in rows) == sorted(hosted)
    assert all(r["status"] == "ok" for r in rows.values()), proc.stdout + proc.stderr
    assert proc.returncode == 0


# ---------------------------------------------------------------- unsupported


def test_pmr_under_threads_is_unsupported_not_a_failure(run_mmbench, catalog, tmp_path):
    threaded = "producer_consumer"
    pmr = [s for s in catalog.strategies if s.startswith("pmr") and
           (threaded, s) in catalog.entries]
    if not pmr or (threaded, "glibc") not in catalog.entries:
        pytest.skip(f"no pmr strategy hosting {threaded} built")
    proc = run_mmbench("run", "--workloads", threaded, "--strategies",
                       ",".join(["glibc"] + pmr), "--threads", "2", "--size", "quick",
                       "--reps", "2", "--out", tmp_path / "run", "--no-report")
    rows = _rows(tmp_path / "run")
    assert rows[(threaded, "glibc")]["status"] == "ok"
    for s in pmr:
        assert rows[(threaded, s)]["status"] == "unsupported"
        assert rows[(threaded, s)]["rep_status"] == ["unsupported", "unsupported"]
        record = load_json(RunFolder(tmp_path / "run").raw(threaded, s, 1, "run"))
        assert record["exit_code"] == 6 and record["status"] == "unsupported"
    # Shown like other statuses, and not counted as a failure.
    assert re.search(fr"^\| {threaded}\s*\| {re.escape(pmr[0])}\s*\| unsupported ",
                     proc.stdout, re.M), proc.stdout
    assert "Unsupported" in (tmp_path / "run" / "summary.md").read_text()
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------- configuration


def test_manifest_records_each_workers_describe_with_config(tiny_run, catalog):
    folder, _ = tiny_run
    m = load_json(folder / "manifest.json")
    for family, worker in catalog.workers.items():
        recorded = m["workers"][family]
        hosted = {s for s, f in catalog.strategies.items() if f == family}
        assert set(recorded["config"]) == hosted
        assert recorded["allocator"]["family"] == recorded["identity"]["family"]
        assert recorded["path"] == str(worker.path)
    glibc_config = m["workers"]["glibc"]["config"]
    assert "GLIBC_TUNABLES" in glibc_config["glibc"]
    if "boehm" in glibc_config:
        assert glibc_config["boehm"]["incremental"] is False
        assert "free_space_divisor" in glibc_config["boehm"]
    if "mimalloc" in m["workers"]:
        assert "options" in m["workers"]["mimalloc"]["config"]["mimalloc"]
    if "jemalloc" in m["workers"]:
        assert "opt" in m["workers"]["jemalloc"]["config"]["jemalloc"]


def test_list_verbose_prints_each_strategys_config(run_mmbench, catalog):
    proc = run_mmbench("list", "--verbose", check_rc=0)
    text = proc.stdout.split("Strategy configuration")[1].split("\nWorkers")[0]
    for s in catalog.strategies:
        assert re.search(rf"^  {re.escape(s)}\s+\S", text, re.M), s
    glibc_line = re.search(r"^  glibc\s+(.*)$", text, re.M).group(1)
    assert glibc_line.startswith("GLIBC_TUNABLES=")
    if "boehm" in catalog.strategies:
        # The entry wraps: its first line and those indented below it.
        boehm = re.search(r"^  boehm\s+(.*(?:\n {5,}\S.*)*)", text, re.M).group(1)
        assert "incremental=false" in boehm and "fixed_heap=false" in boehm
    if "jemalloc" in catalog.strategies:
        assert re.search(r"^  jemalloc\s+.*\bopt\.narenas=\d+", text, re.M | re.S)
        assert "opt.opt." not in text
    listing = json.loads(run_mmbench("list", "--json", "--verbose", check_rc=0).stdout)
    assert listing["default_strategies"] == catalog.default_strategies
    assert set(listing["workers"]["glibc"]["config"]) == {
        s for s, f in catalog.strategies.items() if f == "glibc"}
