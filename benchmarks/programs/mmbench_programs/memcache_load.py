"""A bounded memcached load generator over 127.0.0.1 (the memcached-text driver).

One connection; requests in pipelined batches (90% get, 10% set, keys drawn
from --keys with a fixed seed); each batch's round trip is one latency value.
Writes {requests, errors, hits, wall_ns, batch_latency_ns: [...]} to --out.
Standard library only: it runs as its own process, beside the server.
"""

import argparse
import json
import random
import socket
import time


def batch_of(rng: random.Random, n: int, keys: int, value: bytes) -> tuple[bytes, int]:
    out, sets = [], 0
    for _ in range(n):
        key = b"key:%d" % rng.randrange(keys)
        if rng.random() < 0.1:
            out.append(b"set %s 0 0 %d noreply\r\n%s\r\n" % (key, len(value), value))
            sets += 1
        else:
            out.append(b"get %s\r\n" % key)
    return b"".join(out), n - sets


def read_answers(sock: socket.socket, gets: int, buf: bytes) -> tuple[bytes, int]:
    """Reads until `gets` END lines arrived; returns what is left and the hits."""
    hits = 0
    while gets:
        while b"END\r\n" not in buf:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buf += chunk
        head, buf = buf.split(b"END\r\n", 1)
        hits += head.count(b"VALUE ")
        gets -= 1
    return buf, hits


def main() -> None:
    p = argparse.ArgumentParser()
    for name in ("port", "requests", "batch", "keys", "value_bytes", "seed"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    value = bytes(rng.randrange(97, 123) for _ in range(a.value_bytes))
    sock = socket.create_connection(("127.0.0.1", a.port), timeout=30)
    latencies, done, hits, buf = [], 0, 0, b""
    start = time.monotonic_ns()
    while done < a.requests:
        n = min(a.batch, a.requests - done)
        payload, gets = batch_of(rng, n, a.keys, value)
        t0 = time.monotonic_ns()
        sock.sendall(payload)
        buf, got = read_answers(sock, gets, buf)
        latencies.append(time.monotonic_ns() - t0)
        hits += got
        done += n
    wall = time.monotonic_ns() - start
    sock.close()
    with open(a.out, "w") as f:
        json.dump({"requests": done, "errors": 0, "hits": hits, "wall_ns": wall,
                   "batch_latency_ns": latencies}, f)


if __name__ == "__main__":
    main()
