"""Per-process files packed into per-process.tar.xz (`mmbench pack`) and read back
from it by every reader, as if they were still on disk."""

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from mmbench import archive, runfolder, summary
from mmbench.reporting.generate import generate

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "runs" / "small"
MMBENCH = REPO / "mmbench"


@pytest.fixture
def run(tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)
    return dst


def _pack(*args):
    return subprocess.run([str(MMBENCH), "pack", *map(str, args)], capture_output=True,
                          text=True)


def _plan(run_dir):
    m = json.loads((run_dir / "manifest.json").read_text())
    return {k: m[k] for k in ("workloads", "strategies", "reps", "size")}


def _readings(run_dir):
    """What the runner's and the reports' readers make of a run folder."""
    folder, data = runfolder.RunFolder(run_dir), runfolder.load(run_dir)
    rows = summary.build_rows(folder, _plan(run_dir))
    per_row = [(data.details(r), data.rss_timeline(r, 1), folder.load_rss(
        r["workload"], r["strategy"], 1)) for r in data.rows]
    return rows, per_row, data.problems


def test_pack_removes_the_files_and_every_reader_reads_the_archive(run, tmp_path):
    before = _readings(run)
    files = sorted(p.relative_to(run).as_posix() for sub in ("raw", "rss")
                   for p in (run / sub).iterdir())
    done = _pack("--remove", run)
    assert done.returncode == 0, done.stderr
    assert f"{len(files)} files" in done.stdout
    assert not (run / "raw").exists() and not (run / "rss").exists()
    with tarfile.open(run / archive.ARCHIVE_NAME) as tar:
        assert tar.getnames() == files
        assert {(m.mtime, m.uid, m.gid, m.mode) for m in tar} == {(0, 0, 0, 0o644)}
    after = _readings(run)
    assert after == before
    assert after[0] and any(details for details, _, _ in after[1])


def test_report_from_the_archive_equals_the_report_from_the_folders(run, tmp_path):
    generate(run, quiet=True)
    tables = {n: (run / n).read_bytes() for n in ("report.md", "report.csv")}
    assert _pack("--remove", run).returncode == 0
    for n in tables:
        (run / n).unlink()
    result = generate(run, quiet=True)
    assert result.ok, result.problems
    assert {n: (run / n).read_bytes() for n in tables} == tables


def test_packing_is_deterministic_and_repacking_keeps_what_is_archived(run, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    (other / "raw" / "baseline.glibc.r1.run.json").touch()  # a later mtime changes nothing
    assert _pack(run).returncode == 0 and _pack(other).returncode == 0
    first = (run / archive.ARCHIVE_NAME).read_bytes()
    assert first == (other / archive.ARCHIVE_NAME).read_bytes()
    assert (run / "raw").is_dir()  # without --remove the files stay
    shutil.rmtree(run / "rss")
    assert _pack(run).returncode == 0  # rss/ only in the archive now: kept
    assert (run / archive.ARCHIVE_NAME).read_bytes() == first


def test_a_file_on_disk_wins_over_its_archived_copy(run):
    assert _pack(run).returncode == 0
    path = runfolder.RunFolder(run).rss("baseline", "glibc", 1)
    path.write_text("t_s,rss_kib\n0.5,7\n")
    assert runfolder.RunFolder(run).load_rss("baseline", "glibc", 1) == [(0.5, 7)]
    path.unlink()
    assert runfolder.RunFolder(run).load_rss("baseline", "glibc", 1) != [(0.5, 7)]
    assert archive.exists(path) and not archive.exists(path.with_name("nothing.csv"))
    with pytest.raises(FileNotFoundError):
        archive.read_bytes(path.with_name("nothing.csv"))


def test_pack_refuses_what_it_cannot_pack(run, tmp_path):
    done = _pack(tmp_path / "absent")
    assert done.returncode == 2 and "no such folder" in done.stderr
    done = _pack(tmp_path)
    assert done.returncode == 2 and "not a run, sweep or scale folder" in done.stderr
    for sub in ("raw", "rss"):
        shutil.rmtree(run / sub)
    done = _pack(run)
    assert done.returncode == 2 and "no per-process files" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (run / archive.ARCHIVE_NAME).exists()


def test_nested_per_process_folders_are_found_below_the_archive(tmp_path):
    """A sweep's points/<workload>/<point>/raw/ reads from the sweep's archive."""
    point = tmp_path / "sweep" / "points" / "lru_cache" / "m2"
    (point / "raw").mkdir(parents=True)
    (point / "raw" / "lru_cache.boehm.r1.run.json").write_text('{"status": "ok"}')
    (tmp_path / "sweep" / "sweep.json").write_text("{}")
    assert _pack("--remove", tmp_path / "sweep").returncode == 0
    assert not (tmp_path / "sweep" / "points").exists()
    record = runfolder.RunFolder(point).load_record("lru_cache", "boehm", 1)
    assert record == {"status": "ok"}
    assert archive.names(point / "raw") == ["lru_cache.boehm.r1.run.json"]
