"""Bounded worker logs: head and tail kept, the cut said, small logs untouched."""

from mmbench.runner import logs


def test_a_flood_is_cut_to_head_and_tail(tmp_path):
    path = tmp_path / "w.s.r1.stderr"
    head, tail = b"first line\n", b"last words\n"
    with open(path, "wb") as f:
        f.write(head)
        for _ in range(200):
            f.write(b"x" * 2**20)  # 200 MiB of noise
        f.write(tail)
    size = path.stat().st_size
    assert logs.bound_logs(tmp_path, "w.s.r1") == {path.name: size}
    kept = path.read_bytes()
    assert len(kept) <= logs.LOG_LIMIT_BYTES + 100
    assert kept.startswith(head) and kept.endswith(tail)
    assert b"[mmbench: %d of %d bytes cut" % (size - logs.LOG_LIMIT_BYTES, size) in kept


def test_small_logs_and_other_processes_are_untouched(tmp_path):
    small = tmp_path / "w.s.r1.stdout"
    small.write_bytes(b"ok\n")
    other = tmp_path / "w.s.r10.stderr"
    other.write_bytes(b"y" * (logs.LOG_LIMIT_BYTES + 1))
    assert logs.bound_logs(tmp_path, "w.s.r1") is None
    assert small.read_bytes() == b"ok\n"
    assert other.stat().st_size == logs.LOG_LIMIT_BYTES + 1
    assert logs.bound_file(tmp_path / "absent") is None
