"""Just enough of two servers' protocols, over 127.0.0.1 only, for the worker's
own requests: readiness, and the verification data whose read-back digest is
the run's checksum (the same across allocators when the server works).
"""

from __future__ import annotations

import hashlib
import random
import socket

HOST = "127.0.0.1"
VERIFY_PREFIX = "mmbench:verify:"


class ProtocolError(Exception):
    pass


class Connection:
    def __init__(self, port: int, timeout_s: float):
        self.sock = socket.create_connection((HOST, port), timeout=timeout_s)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ProtocolError("the server closed the connection")
        self.buf += chunk

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


class Redis:
    name = "redis"

    def __init__(self, conn: Connection):
        self.conn = conn

    def _command(self, *parts: bytes) -> None:
        out = [b"*%d\r\n" % len(parts)]
        for p in parts:
            out.append(b"$%d\r\n%s\r\n" % (len(p), p))
        self.conn.send(b"".join(out))

    def ping(self) -> bool:
        self._command(b"PING")
        return self.conn.line() == b"+PONG"

    def set(self, key: bytes, value: bytes) -> None:
        self._command(b"SET", key, value)
        reply = self.conn.line()
        if reply != b"+OK":
            raise ProtocolError(f"SET answered {reply[:80]!r}")

    def get(self, key: bytes) -> bytes | None:
        self._command(b"GET", key)
        head = self.conn.line()
        if head == b"$-1":
            return None
        if not head.startswith(b"$"):
            raise ProtocolError(f"GET answered {head[:80]!r}")
        data = self.conn.exactly(int(head[1:]) + 2)
        return data[:-2]


class Memcached:
    name = "memcached"

    def __init__(self, conn: Connection):
        self.conn = conn

    def ping(self) -> bool:
        self.conn.send(b"version\r\n")
        return self.conn.line().startswith(b"VERSION")

    def set(self, key: bytes, value: bytes) -> None:
        self.conn.send(b"set %s 0 0 %d\r\n%s\r\n" % (key, len(value), value))
        reply = self.conn.line()
        if reply != b"STORED":
            raise ProtocolError(f"set answered {reply[:80]!r}")

    def get(self, key: bytes) -> bytes | None:
        self.conn.send(b"get %s\r\n" % key)
        head = self.conn.line()
        if head == b"END":
            return None
        parts = head.split()
        if len(parts) != 4 or parts[0] != b"VALUE":
            raise ProtocolError(f"get answered {head[:80]!r}")
        data = self.conn.exactly(int(parts[3]) + 2)[:-2]
        if self.conn.line() != b"END":
            raise ProtocolError("get: no END after the value")
        return data


PROTOCOLS = {"redis": Redis, "memcached": Memcached}


def connect(protocol: str, port: int, timeout_s: float = 5.0):
    return PROTOCOLS[protocol](Connection(port, timeout_s))


def verification_data(seed: int, keys: int) -> list[tuple[bytes, bytes]]:
    rng = random.Random(seed)
    return [((VERIFY_PREFIX + str(i)).encode(),
             bytes(rng.randrange(97, 123) for _ in range(rng.randrange(1, 400))))
            for i in range(keys)]


def store(client, data) -> None:
    for key, value in data:
        client.set(key, value)


def digest(client, data) -> str:
    """SHA-256 over what the server gives back for each key (a missing key counts too)."""
    h = hashlib.sha256()
    for key, _ in data:
        value = client.get(key)
        h.update(key + b"=" + (b"<missing>" if value is None else value) + b"\n")
    return h.hexdigest()
