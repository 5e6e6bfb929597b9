"""The programs worker (build/programs/mmbench-worker-programs): declarations,
its --list contract, the per-process allocator check, equal checksums across
allocators, and servers that never outlive it (docs/programs.md)."""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from mmbench.contract import EXIT_CODES, SIZES

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks" / "programs"))

from mmbench_programs import clients, declaration  # noqa: E402

ALLOCATORS = ("glibc", "mimalloc", "jemalloc", "tcmalloc")


@pytest.fixture(scope="session")
def worker():
    build = pathlib.Path(os.environ.get("MMBENCH_BUILD_DIR") or REPO / "build").resolve()
    path = build / "programs" / "mmbench-worker-programs"
    if not path.is_file():
        path = build / "mmbench-worker-programs"  # MMBENCH_BUILD_DIR=build/programs
    if not path.is_file():
        pytest.skip(f"no programs worker in {build}/programs: build it (cmake --build build "
                    "--target mmbench-worker-programs)")
    return path


def run_worker(worker, tmp_path, workload, strategy, programs_dir=None, size="quick",
               timeout=600):
    detail, gbench = tmp_path / f"{workload}.{strategy}.detail.json", tmp_path / "g.json"
    cmd = [str(worker), "--workload", workload, "--strategy", strategy, "--size", size,
           "--detail-out", str(detail), f"--benchmark_out={gbench}", "--work-dir", str(tmp_path)]
    if programs_dir:
        cmd += ["--programs-dir", str(programs_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = json.loads(detail.read_text()) if proc.returncode == 0 else None
    return proc, out


def declare(folder: pathlib.Path, name: str, text: str) -> pathlib.Path:
    folder.mkdir(exist_ok=True)
    (folder / "inputs").mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


SIZES_TOML = """
[sizes.quick]
n = 1000
[sizes.default]
n = 2000
[sizes.large]
n = 3000
"""


# ---------------------------------------------------------------- declarations


def test_every_shipped_declaration_loads():
    programs = declaration.load_folder(REPO / "programs")
    for name in ("sqlite3", "python3-gc", "python3-refcount", "lua-incremental",
                 "lua-generational", "z3", "gs", "redis", "memcached"):
        assert name in programs, sorted(programs)
    for p in programs.values():
        assert set(p.sizes) == set(SIZES) and p.packages and p.description, p.name
    assert programs["python3-refcount"].command[-2:] == ["--gc", "off"]
    assert programs["python3-gc"].env["PYTHONMALLOC"] == "malloc"


@pytest.mark.parametrize("text, message", [
    ('packages = ["x"]\ncommand = ["true"]\n' + SIZES_TOML, "description: missing"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true", "{nope}"]\n' + SIZES_TOML,
     "command: unknown placeholder {nope}"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true"]\n[sizes.quick]\nn = 1\n',
     "sizes: needs exactly quick, default, large"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true"]\nkind = "daemon"\n' + SIZES_TOML,
     "kind: must be one of batch, server"),
    ('description = "d"\npackages = ["x"]\ncommand = []\n' + SIZES_TOML,
     "command: must be a non-empty list of strings"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true"]\nenv = {LD_PRELOAD = "x"}\n'
     + SIZES_TOML, "the worker sets the dynamic loader's variables"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true"]\ncolour = 1\n' + SIZES_TOML,
     "colour: unknown key"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true"]\n[input]\ngenerator = "no.py"\n'
     + SIZES_TOML, "input.generator: no file 'no.py'"),
    ('description = "d"\npackages = ["x"]\ncommand = ["true"]\n[check]\nchecksum = "server"\n'
     + SIZES_TOML, "check.checksum"),
    ('description = "d" packages', "not readable TOML"),
])
def test_a_bad_declaration_says_which_key(tmp_path, text, message):
    path = declare(tmp_path / "programs", "bad", text)
    with pytest.raises(declaration.DeclarationError) as e:
        declaration.load_file(path)
    assert str(e.value).startswith("bad.toml: ") and message in str(e.value), str(e.value)


def test_a_bad_declaration_stops_the_worker_with_one_line(worker, tmp_path):
    declare(tmp_path / "programs", "bad", 'description = "d"\n')
    proc = subprocess.run([str(worker), "--list", "--programs-dir", str(tmp_path / "programs")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == EXIT_CODES["usage"]
    assert proc.stderr.strip().splitlines() == [
        "mmbench-worker-programs: bad declaration: bad.toml: packages: missing"]


def test_variants_make_one_workload_each(tmp_path):
    path = declare(tmp_path / "programs", "prog", 'description = "d"\npackages = ["x"]\n'
                   'command = ["true"]\n' + SIZES_TOML + '[variants.a]\nargs = ["--a", "{n}"]\n'
                   '[variants.b]\nenv = {B = "1"}\n')
    a, b = declaration.load_file(path)
    assert (a.name, a.command, a.env) == ("prog-a", ["true", "--a", "{n}"], {})
    assert (b.name, b.command, b.env) == ("prog-b", ["true"], {"B": "1"})


# ---------------------------------------------------------------- the contract


def test_listing_is_the_workers_contract(worker):
    listing = json.loads(subprocess.run([str(worker), "--list"], capture_output=True,
                                        text=True, check=True, timeout=60).stdout)
    assert tuple(listing["sizes"]) == SIZES and listing["exit_codes"] == EXIT_CODES
    assert [s["name"] for s in listing["strategies"]] == list(ALLOCATORS)
    programs = declaration.load_folder(REPO / "programs")
    assert {(e["workload"], e["strategy"]) for e in listing["entries"]} == {
        (w, s) for w in programs for s in ALLOCATORS}
    for e in listing["entries"]:
        assert e["suite"] == "programs" and "refuses" in e and e["malloc_family"] == e["strategy"]


def test_the_suites_default_strategies_are_the_four_allocators(worker):
    # What `mmbench run --suite programs` runs without --strategies.
    from mmbench import workers
    catalog = workers.load_catalog(worker.parent)
    assert catalog.default_strategies == ["glibc", "mimalloc", "jemalloc", "tcmalloc"]


def test_packages_are_every_declarations_and_allocators(worker):
    out = subprocess.run([str(worker), "--packages"], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    for package in ("sqlite3", "z3", "ghostscript", "redis-server", "redis-tools", "memcached",
                    "lua5.4", "libmimalloc2.0", "libjemalloc2", "libtcmalloc-minimal4"):
        assert package in out, out
    assert len(out) == len(set(out))


def test_a_missing_package_is_unsupported_naming_it(worker, tmp_path):
    declare(tmp_path / "programs", "ghost", 'description = "d"\npackages = ["ghost-pkg"]\n'
            'command = ["mmbench-no-such-program"]\n' + SIZES_TOML)
    listing = json.loads(subprocess.run(
        [str(worker), "--list", "--programs-dir", str(tmp_path / "programs")],
        capture_output=True, text=True, check=True, timeout=60).stdout)
    assert all("install Debian package ghost-pkg" in e["refuses"] for e in listing["entries"])
    proc, _ = run_worker(worker, tmp_path, "ghost", "glibc", tmp_path / "programs")
    assert proc.returncode == EXIT_CODES["unsupported"], proc.stderr
    assert "install Debian package ghost-pkg" in proc.stderr


# ---------------------------------------------------------------- the allocator check

ALLOCATING_C = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  unsigned long sum = 0;
  for (long i = 0; i < n; i++) {
    unsigned char *p = malloc(16 + i % 500);
    p[0] = (unsigned char)i;
    sum += p[0];
    free(p);
  }
  printf("%lu\n", sum);
  return 0;
}
"""
# An allocator of its own, exported from the executable: the dynamic linker
# binds every malloc (libc's own too) to it, ahead of any preload.
OWN_MALLOC_C = r"""
#include <stddef.h>
#include <string.h>
static char heap[64 << 20];
static size_t used;
void *malloc(size_t n) { void *p = heap + used; used += (n + 15) & ~(size_t)15; return p; }
void free(void *p) { (void)p; }
void *calloc(size_t a, size_t b) { return malloc(a * b); }
void *realloc(void *p, size_t n) { void *q = malloc(n); if (p) memmove(q, p, n); return q; }
"""


def compile_c(tmp_path, name, source, *flags):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    src, exe = tmp_path / f"{name}.c", tmp_path / name
    src.write_text(source)
    # -fno-builtin: the compiler must not elide a malloc/free pair it can see.
    proc = subprocess.run([cc, "-O1", "-fno-builtin", "-o", str(exe), str(src), *flags],
                          capture_output=True,
                          text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot build {name} ({' '.join(flags)}): {proc.stderr[-200:]}")
    return exe


def declare_c_program(tmp_path, name, command):
    declare(tmp_path / "programs", name, f'description = "test program"\npackages = ["test"]\n'
            f'command = {json.dumps(command)}\n' + SIZES_TOML)


def test_a_dynamic_program_is_served_by_each_allocator(worker, tmp_path):
    exe = compile_c(tmp_path, "alloc", ALLOCATING_C)
    declare_c_program(tmp_path, "alloc", [str(exe), "{n}"])
    sums = set()
    for strategy in ALLOCATORS:
        proc, out = run_worker(worker, tmp_path, "alloc", strategy, tmp_path / "programs")
        assert proc.returncode == 0, proc.stderr
        verified = out["allocator"]["verified"]
        assert verified["calls"]["malloc"] >= 1000 and verified["calls"]["free"] >= 1000
        assert out["allocator"]["family"] == strategy
        assert os.path.samefile(out["allocator"]["malloc_from"], out["allocator"]["library"])
        sums.add(out["checksum"])
    assert len(sums) == 1


@pytest.mark.parametrize("case", ["static", "own_malloc", "preload_dropped"])
def test_a_program_the_allocator_did_not_serve_is_refused(worker, tmp_path, case):
    if case == "static":
        exe = compile_c(tmp_path, "alloc", ALLOCATING_C, "-static")
        command, why = [str(exe), "{n}"], "left no report"
    elif case == "own_malloc":
        exe = compile_c(tmp_path, "alloc", ALLOCATING_C + OWN_MALLOC_C, "-rdynamic")
        command, why = [str(exe), "{n}"], "made no call to malloc"
    else:
        exe = compile_c(tmp_path, "alloc", ALLOCATING_C)
        command, why = ["env", "-u", "LD_PRELOAD", str(exe), "{n}"], "left no report"
    declare_c_program(tmp_path, "alloc", command)
    for strategy in ("glibc", "mimalloc"):
        proc, _ = run_worker(worker, tmp_path, "alloc", strategy, tmp_path / "programs")
        assert proc.returncode == EXIT_CODES["allocator_mismatch"], (strategy, proc.stderr)
        assert f"allocator mismatch: {strategy} did not serve the program" in proc.stderr
        assert why in proc.stderr, proc.stderr


def test_a_preload_that_is_no_allocator_is_refused(worker, tmp_path):
    """--preload NAME=PATH of a library that defines no malloc: the witness finds
    malloc elsewhere (libc) and the run is refused under NAME."""
    libz = next((p for p in ("/lib/x86_64-linux-gnu/libz.so.1",
                             "/usr/lib/x86_64-linux-gnu/libz.so.1")
                 if os.path.exists(p)), None)
    if not libz:
        pytest.skip("no libz.so.1 to preload")
    exe = compile_c(tmp_path, "alloc", ALLOCATING_C)
    declare_c_program(tmp_path, "alloc", [str(exe), "{n}"])
    detail = tmp_path / "d.json"
    proc = subprocess.run([str(worker), "--workload", "alloc", "--strategy", "glibc", "--label",
                           "notalloc", "--expect-malloc", libz, "--size", "quick",
                           "--programs-dir", str(tmp_path / "programs"), "--detail-out",
                           str(detail), f"--benchmark_out={tmp_path / 'g.json'}",
                           "--work-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_CODES["allocator_mismatch"], proc.stderr
    assert "notalloc did not serve the program: malloc of" in proc.stderr
    assert "libc.so.6, not " + libz in proc.stderr and not detail.exists()


def test_redis_under_a_preload_is_served_by_it_and_still_asks_jemalloc(worker, tmp_path):
    """Debian's redis links libjemalloc2: under another allocator (glibc included,
    routed by the witness) every malloc goes to that one, while redis still calls
    jemalloc's mallctl (statistics)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    for strategy, library in (("mimalloc", "libmimalloc"), ("glibc", "libc.so.6")):
        proc, out = run_worker(worker, tmp_path, "redis", strategy)
        assert proc.returncode == 0, proc.stderr
        assert library in out["allocator"]["malloc_from"]
        verified = out["allocator"]["verified"]
        assert verified["calls"]["malloc"] > 10000
        assert "libjemalloc" in verified["foreign_queries"]["mallctl"]["from"]


# ---------------------------------------------------------------- checksums

BATCH = ("sqlite3", "python3-gc", "python3-refcount", "lua-incremental", "lua-generational",
         "z3", "gs")


@pytest.mark.parametrize("workload", BATCH + ("redis", "memcached"))
def test_checksums_agree_across_allocators(worker, tmp_path, workload):
    program = declaration.load_folder(REPO / "programs")[workload]
    if not all(shutil.which(e) for e in program.executables):
        pytest.skip(f"{workload}: install Debian package {' '.join(program.packages)}")
    checksums = {}
    for strategy in ALLOCATORS:
        proc, out = run_worker(worker, tmp_path, workload, strategy)
        assert proc.returncode == 0, (strategy, proc.stderr[-2000:])
        assert out["units"] > 0 and out["wall_ns"] > 0 and out["latency"]["count"] > 0
        assert out["program"]["peak_rss_kib"] > 0
        checksums[strategy] = out["checksum"]
    assert len(set(checksums.values())) == 1, checksums


# ---------------------------------------------------------------- servers


def processes_in(folder: pathlib.Path) -> dict[int, str]:
    """pid -> command name of every process whose working directory is under folder
    (the worker starts the launcher, the server and the client in its run folder)."""
    found = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if cwd.startswith(str(folder)):
            found[int(entry.name)] = name
    return found


def wait_for(predicate, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("workload, server, client", [
    ("redis", "redis-server", "redis-benchmark"), ("memcached", "memcached", "python3")])
def test_no_process_outlives_a_killed_worker(worker, tmp_path, workload, server, client):
    if not shutil.which(server):
        pytest.skip(f"{server} is not installed")
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.Popen([str(worker), "--workload", workload, "--strategy", "glibc",
                             "--size", "large", "--detail-out", str(tmp_path / "d.json"),
                             f"--benchmark_out={tmp_path / 'g.json'}", "--work-dir", str(work)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = wait_for(lambda: (lambda p: p if {server, client} <= set(p.values()) else None)(
            processes_in(work)), 60)
        assert seen and {server, client} <= set(seen.values()), seen
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = wait_for(lambda: not processes_in(work), 10)
    assert left, f"left behind after SIGKILL of the worker: {processes_in(work)}"


def test_no_process_outlives_a_killed_runner(worker, tmp_path):
    """mmbench run killed with SIGKILL mid-run: its lifeline watcher kills the
    worker's group, and the launcher, the server and the client die with it."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, MMBENCH_BUILD_DIR=str(worker.parent), TMPDIR=str(work),
               MMBENCH_HOST_SLOW_MAX="100")
    runner = subprocess.Popen(
        [str(REPO / "mmbench"), "run", "--workloads", "redis", "--strategies", "glibc",
         "--size", "large", "--reps", "1", "--out", str(tmp_path / "run")], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = wait_for(lambda: (lambda p: p if {"redis-server", "redis-benchmark"} <= set(
            p.values()) else None)(processes_in(work)), 120)
        assert seen, processes_in(work)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    assert wait_for(lambda: not processes_in(work), 10), processes_in(work)


def server_declaration(tmp_path, *, server_extra=(), client_extra=()):
    text = (REPO / "programs" / "redis.toml").read_text()
    text = text.replace('"--io-threads", "1"]', '"--io-threads", "1"' + "".join(
        f', "{a}"' for a in server_extra) + "]")
    text = text.replace('"--precision", "3"]', '"--precision", "3"' + "".join(
        f', "{a}"' for a in client_extra) + "]")
    declare(tmp_path / "programs", "redis", text)


def test_a_server_that_does_not_start_is_an_error_with_its_log(worker, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server_declaration(tmp_path, server_extra=("--no-such-directive", "1"))
    proc, _ = run_worker(worker, tmp_path, "redis", "glibc", tmp_path / "programs")
    assert proc.returncode == EXIT_CODES["error"], proc.stderr
    assert "the server exited before it answered" in proc.stderr
    assert "no-such-directive" in proc.stderr  # redis' own complaint, from its log
    assert "kept " in proc.stderr and not processes_in(tmp_path)


def test_a_client_that_fails_is_an_error_and_the_server_is_stopped(worker, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server_declaration(tmp_path, client_extra=("--no-such-option",))
    proc, _ = run_worker(worker, tmp_path, "redis", "glibc", tmp_path / "programs")
    assert proc.returncode == EXIT_CODES["error"], proc.stderr
    assert "client redis-benchmark ended with status" in proc.stderr
    assert not processes_in(tmp_path)


REDIS_BENCHMARK_OUTPUT = """\
====== GET ======
  2000 requests completed in 0.06 seconds
  10 parallel clients

Latency by percentile distribution:
0.000% <= 0.079 milliseconds (cumulative count 15)
50.000% <= 0.159 milliseconds (cumulative count 1042)
99.951% <= 7.239 milliseconds (cumulative count 2000)
100.000% <= 7.239 milliseconds (cumulative count 2000)

Cumulative distribution of latencies:
17.700% <= 0.103 milliseconds (cumulative count 354)
99.850% <= 0.607 milliseconds (cumulative count 1997)
100.000% <= 8.103 milliseconds (cumulative count 2000)

Summary:
  throughput summary: 31746.03 requests per second
  latency summary (msec):
          avg       min       p50       p95       p99       max
        0.201     0.071     0.159     0.303     0.471     7.239
"""


def test_redis_benchmark_output_becomes_a_histogram():
    tests = clients.parse_redis_benchmark(REDIS_BENCHMARK_OUTPUT)
    assert list(tests) == ["GET"] and tests["GET"]["requests"] == 2000
    assert tests["GET"]["rps"] == 31746.03
    hist = clients.histogram_of_points(tests)
    assert hist["count"] == 2000 and hist["min"] == 71000 and hist["max"] == 7239000
    # The median sample is at most 159 µs (the 1042nd is <= 0.159 ms), above 103 µs.
    assert 103000 < hist["percentiles"]["50"] <= 159 * 1000 * 1.001
    assert hist["percentiles"]["9999"] == 7239000
