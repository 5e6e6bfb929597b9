"""A managed runtime's own out-of-memory deaths are status oom, not error: Go's fatal
error, the JVM's uncaught OutOfMemoryError, and HotSpot refusing to start in a heap
too small for its collector (what minheap's lowest probes and the sweep meet)."""

import pytest

from conftest import load_json

from mmbench.execute import ProcessResult
from mmbench.runfolder import RunFolder
from mmbench.runner.process import status_of


def _result(exit_code: int, stderr: str) -> ProcessResult:
    return ProcessResult(exit_code=exit_code, signal=None, timed_out=False, wall_s=0.1,
                         user_s=0.0, sys_s=0.0, peak_rss_kib=1, samples=[], started=0.0,
                         finished=0.1, stderr_tail=stderr)


@pytest.mark.parametrize("exit_code, stderr", [
    (2, "fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\n"),
    (1, 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n'),
    (1, "Error occurred during initialization of VM\nToo small maximum heap\n"),
])
def test_runtime_out_of_memory_is_oom(exit_code, stderr):
    assert status_of(_result(exit_code, stderr)) == "oom"


@pytest.mark.parametrize("exit_code, stderr", [
    (1, "Error occurred during initialization of VM\nCould not reserve enough space\n"),
    (1, "worker: bad argument --heap\n"),
    (0, "java.lang.OutOfMemoryError caught and handled\n"),  # exit 0 stays ok
])
def test_other_failures_are_not_oom(exit_code, stderr):
    assert status_of(_result(exit_code, stderr)) == ("ok" if exit_code == 0 else "error")


def test_real_jvm_worker_in_a_heap_too_small_to_start_is_oom(run_mmbench, catalog, tmp_path):
    """HotSpot's own refusal, through the JVM worker's launcher (which sends VM
    output to stderr): Shenandoah needs 10 regions of 256 KiB, so 2100 KiB fails."""
    if catalog.strategies.get("jvm-shenandoah") is None:
        pytest.skip("no jvm-shenandoah strategy in this build")
    out = tmp_path / "run"
    run_mmbench("run", "--size", "quick", "--reps", "1", "--workloads", "binary_trees",
                "--strategies", "jvm-shenandoah", "--no-report", "--out", out,
                env_extra={"MMBENCH_JVM_HEAP": "2100k"})
    record = load_json(RunFolder(out).raw("binary_trees", "jvm-shenandoah", 1, "run"))
    assert record["status"] == "oom", record
