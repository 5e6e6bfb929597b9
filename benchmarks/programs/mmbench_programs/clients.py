"""The load generators that drive a server, and what their output says.

A driver runs its client as a process of its own (through the launcher, so it
dies with the worker), without the allocator under test, for a bounded number
of requests, and returns the requests done, the client's wall time, the
latency histogram (ns) and per-test counters.
"""

from __future__ import annotations

import json
import os
import re
import sys

from mmbench import hgrm
from mmbench_programs import launch

MEMCACHED_LOAD = os.path.join(os.path.dirname(__file__), "memcache_load.py")
_TEST = re.compile(r"^====== (.+?) ======$", re.MULTILINE)
_DONE = re.compile(r"^\s*(\d+) requests completed in ([\d.]+) seconds$", re.MULTILINE)
_POINT = re.compile(r"^\s*[\d.]+% <= ([\d.]+) milliseconds \(cumulative count (\d+)\)$",
                    re.MULTILINE)
_RPS = re.compile(r"throughput summary: ([\d.]+) requests per second")
_SUMMARY = re.compile(r"avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*([\d.]+)\s+([\d.]+)\s+"
                      r"[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)")


class ClientFailed(Exception):
    pass


def _ns(ms: str) -> int:
    return int(round(float(ms) * 1e6))


def parse_redis_benchmark(text: str) -> dict:
    """Per test: requests, rps, and its latency as (value_ns, cumulative count)
    points, both of its tables merged (HdrHistogram's percentiles and its
    cumulative distribution, values at 1 µs precision with --precision 3)."""
    text = text.replace("\r", "\n")
    tests = {}
    heads = list(_TEST.finditer(text))
    for i, head in enumerate(heads):
        body = text[head.end():heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        done, summary = _DONE.search(body), _SUMMARY.search(body)
        if not done or not summary:
            continue  # a progress line that repeats the title
        points = sorted({(_ns(v), int(c)) for v, c in _POINT.findall(body)})
        rps = _RPS.search(body)
        tests[head.group(1)] = {
            "requests": int(done.group(1)), "seconds": float(done.group(2)),
            "rps": float(rps.group(1)) if rps else None, "mean_ns": _ns(summary.group(1)),
            "min_ns": _ns(summary.group(2)), "max_ns": _ns(summary.group(3)), "points": points}
    return tests


def histogram_of_points(tests: dict) -> dict:
    """One histogram of every test: each step of a cumulative curve counted at its
    upper value (redis-benchmark says "<= value"), in the workers' bucket layout."""
    by_lowest: dict = {}
    total_sum = 0.0
    for t in tests.values():
        seen = 0
        for value, cumulative in sorted(t["points"], key=lambda p: (p[1], p[0])):
            if cumulative > seen:
                lo, hi = hgrm.bucket_bounds(value)
                by_lowest.setdefault(lo, [lo, hi, 0])[2] += cumulative - seen
                seen = cumulative
        total_sum += t["mean_ns"] * t["requests"]
    hist = hgrm.Histogram(buckets=[by_lowest[k] for k in sorted(by_lowest)],
                          exact_min=min(t["min_ns"] for t in tests.values()),
                          exact_max=max(t["max_ns"] for t in tests.values()),
                          exact_sum=total_sum)
    return hist.to_json()


def _run_client(args, argv, work, name: str):
    out_path, err_path = work.file(f"{name}.stdout"), work.file(f"{name}.stderr")
    with open(os.devnull, "rb") as stdin, open(out_path, "wb") as out, \
            open(err_path, "wb") as err:
        proc = launch.Program(args.launch, argv, work.client_env(), work.path, stdin, out,
                              err, args.sample_s)
        done = proc.wait(args.client_timeout_s)
    if done.signal is not None or done.status != 0:
        how = f"signal {done.signal}" if done.signal is not None else f"status {done.status}"
        raise ClientFailed(f"client {argv[0]} ended with {how} (output: {out_path}, {err_path})")
    with open(out_path, "rb") as f:
        return done, f.read().decode("utf-8", "replace")


def redis_benchmark(args, program, fields: dict, work) -> dict:
    argv = [a.format_map(fields) for a in program.client["command"]]
    done, text = _run_client(args, argv, work, "client")
    tests = parse_redis_benchmark(text)
    if not tests:
        raise ClientFailed("redis-benchmark printed no test results "
                           f"({work.file('client.stdout')})")
    expected = int(fields["requests"]) if "requests" in fields else None
    short = [n for n, t in tests.items() if expected is not None and t["requests"] != expected]
    if short:
        raise ClientFailed(f"redis-benchmark completed fewer requests than asked in {short[0]}")
    return {"units": sum(t["requests"] for t in tests.values()), "wall_ns": done.wall_ns,
            "latency": histogram_of_points(tests), "client": _client_record(argv, done),
            "counters": {f"{n.lower().replace(' ', '_')}_rps": t["rps"]
                         for n, t in tests.items()},
            "completed": {n: t["requests"] for n, t in tests.items()}}


def memcached_text(args, program, fields: dict, work) -> dict:
    result_path = work.file("client.json")
    params = ("requests", "batch", "keys", "value_bytes")
    argv = [sys.executable, "-I", "-S", MEMCACHED_LOAD, "--port", str(fields["port"]),
            "--out", result_path, "--seed", str(fields["seed"])] + [
        f"--{k.replace('_', '-')}={fields[k]}" for k in params]
    done, _ = _run_client(args, argv, work, "client")
    with open(result_path) as f:
        result = json.load(f)
    if result["requests"] != int(fields["requests"]) or result["errors"]:
        raise ClientFailed(f"memcached client: {result['requests']} requests done, "
                           f"{result['errors']} errors")
    return {"units": result["requests"], "wall_ns": result["wall_ns"],
            "latency": hgrm.from_values(result["batch_latency_ns"]).to_json(),
            "client": _client_record(argv, done), "counters": {
                "hits": result["hits"], "batch": int(fields["batch"])},
            "completed": {"mixed": result["requests"]}}


def _client_record(argv, done) -> dict:
    return {"command": argv, "wall_ns": done.wall_ns, "user_s": done.user_s,
            "sys_s": done.sys_s, "peak_rss_kib": done.peak_rss_kib}


DRIVERS = {"redis-benchmark": redis_benchmark, "memcached-text": memcached_text}
