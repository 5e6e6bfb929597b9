"""A server program, run as a careful operator would: on 127.0.0.1, on a free
port, with a private data directory (the run's folder); waited for until it
answers (bounded), loaded with verification data, driven by a bounded client,
read back, stopped with SIGTERM (SIGKILL after a grace period), and never left
behind (launch.py). Any failure is the worker's error, with the server's and
the client's logs printed on its stderr and their folder kept.
"""

from __future__ import annotations

import socket
import sys
import time

from mmbench_programs import allocators, batch, clients, detail, launch, protocols

READY_TIMEOUT_S = 10.0
STOP_GRACE_S = 10.0
LOG_TAIL_BYTES = 8000


class Failed(Exception):
    """The server did not start or stop, or its client failed."""


def free_port() -> int:
    """A port nobody listens on now (the kernel's choice for an ephemeral bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((protocols.HOST, 0))
        return s.getsockname()[1]


def wait_ready(server: launch.Program, protocol: str, port: int, timeout_s: float):
    """A connected protocol client once the server answers; Failed if it exits or
    does not answer within timeout_s."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        if not server.running():
            raise Failed(f"the server exited before it answered on port {port}")
        try:
            client = protocols.connect(protocol, port)
            if client.ping():
                return client
            client.conn.close()
        except (OSError, protocols.ProtocolError) as e:
            last = e
        time.sleep(0.02)
    raise Failed(f"the server did not answer on 127.0.0.1:{port} within {timeout_s:g} s "
                 f"(last: {last})")


def _print_logs(work, names) -> None:
    for name in names:
        try:
            with open(work.file(name), "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - LOG_TAIL_BYTES))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        print(f"---- {name} (last {LOG_TAIL_BYTES} bytes) ----\n{text}", file=sys.stderr)


def _drive(args, program, server, work, fields) -> dict:
    spec = program.server
    client = wait_ready(server, spec["protocol"], fields["port"],
                        float(spec.get("ready_timeout_s", READY_TIMEOUT_S)))
    data = protocols.verification_data(args.seed, int(spec.get("verify_keys", 1000)))
    try:
        protocols.store(client, data)
        cpu_before = server.cpu_ns()
        load = clients.DRIVERS[program.client["driver"]](args, program, fields, work)
        cpu_after = server.cpu_ns()
        readback = protocols.digest(client, data)
    finally:
        client.conn.close()
    load["cpu_ns"] = (cpu_after - cpu_before) if cpu_before is not None and \
        cpu_after is not None else None
    load["readback"] = readback
    return load


def run(args, program, alloc: allocators.Allocator, work, shim: str) -> dict:
    work.port = free_port()
    fields = work.fields(program, args)
    argv = [a.format_map(fields) for a in program.command]
    env = work.program_env(program, alloc, shim)
    grace = float(program.server.get("stop_grace_s", STOP_GRACE_S))
    with open(work.file("server.stdout"), "wb") as out, \
            open(work.file("server.stderr"), "wb") as err:
        server = launch.Program(args.launch, argv, env, work.path, None, out, err,
                                args.sample_s)
        try:
            load = _drive(args, program, server, work, fields)
        except (clients.ClientFailed, protocols.ProtocolError, OSError, Failed) as e:
            server.stop(grace)
            _print_logs(work, ("server.stdout", "server.stderr", "client.stdout",
                               "client.stderr"))
            raise Failed(f"{program.name}: {e}") from e
        except BaseException:
            server.kill()  # interrupted: no server outlives the worker's run
            raise
        done = server.stop(grace)
    record = batch.process_record(server, done, argv, program.packages)
    if done.signal is not None or done.status != program.check["exit_status"]:
        _print_logs(work, ("server.stdout", "server.stderr"))
        how = f"signal {done.signal}" if done.signal is not None else f"status {done.status}"
        raise Failed(f"{program.name} did not stop cleanly on SIGTERM within {grace:g} s ({how})")
    verified = allocators.verify(allocators.read_report(work.reports, server.pid), alloc)
    summary = ";".join(f"{k}={v}" for k, v in sorted(load["completed"].items()))
    figure = {"checksum": detail.checksum16(f"{summary};readback={load['readback']}".encode()),
              "units": load["units"], "wall_ns": load["wall_ns"], "cpu_ns": load["cpu_ns"],
              "latency": load["latency"], "counters": load["counters"]}
    return {"figure": figure, "process": record, "verified": verified, "client": load["client"]}
