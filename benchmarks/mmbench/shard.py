"""Shards of a plan (`mmbench run --shard K/N`), a plan's identity, the machine key.

The sharding rule (docs/cluster.md): a shard is a set of whole workloads, every
strategy and every round of each. Nothing the summary pairs or compares crosses
a shard: the ratio to glibc is paired within a round of one workload, checksums
are compared across the strategies of one workload, and adaptive rounds are
decided per workload. Workloads go to shards by longest-processing-time first on
their run count (pairs x rounds): deterministic from (plan, N), disjoint,
covering, and balanced to within one workload's runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

from mmbench import machine
from mmbench.errors import UsageError

# Test knob: the machine key this process records instead of the real one (to
# make "two machines" out of one box in tests). Recorded as overridden.
MACHINE_KEY_ENV = "MMBENCH_MACHINE_KEY"

# Options that define what a plan measures: every shard of one plan must agree.
IDENTITY_OPTIONS = ("size", "threads", "seed", "reps", "max_reps", "target_cv", "target_se",
                    "min_time", "drain", "preloads", "worker_env", "worker_args")


def parse(text: str) -> tuple[int, int]:
    """'K/N' -> (K, N), 1 <= K <= N; UsageError otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m:
        raise UsageError(f"--shard wants K/N (this is shard K of N, counted from 1), got '{text}'")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N (N >= 1)")
    return k, n


def weights(plan: dict) -> dict[str, int]:
    """workload -> runs it holds in the plan (hosted pairs x rounds), plan order;
    workloads that no worker hosts are left out."""
    out: dict[str, int] = {}
    for w, _s in plan["pairs"]:
        reps = int((plan.get("reps_by_workload") or {}).get(w, plan["reps"]))
        out[w] = out.get(w, 0) + reps
    return {w: out[w] for w in plan["workloads"] if w in out}


def partition(plan: dict, n: int) -> list[list[str]]:
    """The workloads of each of n shards (index 0 = shard 1/n), each in plan order.
    Longest first onto the least-loaded shard (ties: the lower index)."""
    wts = weights(plan)
    if n > len(wts):
        raise UsageError(f"{n} shards, but the plan has {len(wts)} workload(s): a shard holds "
                         f"whole workloads (docs/cluster.md), so use at most {len(wts)}")
    order = {w: i for i, w in enumerate(wts)}
    loads = [0] * n
    shards: list[list[str]] = [[] for _ in range(n)]
    for w in sorted(wts, key=lambda w: (-wts[w], order[w])):
        i = min(range(n), key=lambda i: (loads[i], i))
        shards[i].append(w)
        loads[i] += wts[w]
    return [sorted(s, key=order.get) for s in shards]


def restrict(plan: dict, workloads: list[str]) -> None:
    """Narrow a plan (in place) to these workloads."""
    keep = set(workloads)
    plan["workloads"] = [w for w in plan["workloads"] if w in keep]
    plan["pairs"] = [p for p in plan["pairs"] if p[0] in keep]
    for key in ("reps_by_workload", "units", "headline"):
        if key in plan:
            plan[key] = {w: v for w, v in plan[key].items() if w in keep}
    if "deliberate_leak" in plan:
        plan["deliberate_leak"] = {k: v for k, v in plan["deliberate_leak"].items()
                                   if k.split("/", 1)[0] in keep}


def _sha256_file(path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None


def build_identity(catalog) -> dict[str, str | None]:
    """family -> sha256 of its worker binary: the build, whatever path it lies at."""
    return {family: _sha256_file(w.path) for family, w in sorted(catalog.workers.items())}


def identity(opts: dict, plan: dict, catalog, git: dict) -> dict:
    """What every shard of one plan shares: the full plan, the build, the revision."""
    return {
        "plan": {"workloads": list(plan["workloads"]), "strategies": list(plan["strategies"]),
                 "pairs": [list(p) for p in plan["pairs"]],
                 "options": {k: opts.get(k) for k in IDENTITY_OPTIONS}},
        "build": build_identity(catalog),
        "git": {"revision": (git or {}).get("revision"), "dirty": (git or {}).get("dirty")},
    }


def plan_id(ident: dict) -> str:
    text = json.dumps(ident, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def machine_key(info: dict | None = None) -> tuple[str, bool]:
    """(key, overridden): hostname | CPU model | cores | memory in GiB, or the test
    knob $MMBENCH_MACHINE_KEY."""
    override = os.environ.get(MACHINE_KEY_ENV, "").strip()
    if override:
        return override, True
    info = info or machine.machine_info()
    mem = info.get("total_memory_kib")
    gib = round(mem / 1048576) if mem else "?"
    return (f"{info.get('hostname')} | {info.get('cpu_model')} | {info.get('cores')} cores | "
            f"{gib} GiB"), False


def apply(shard_text: str | None, opts: dict, plan: dict, catalog, repo_root,
          previous: dict | None) -> dict | None:
    """The run's hook: with --shard K/N (or resuming a shard), narrow opts and plan
    to this shard's workloads and return the manifest's "shard" entry; else None."""
    before = (previous or {}).get("shard")
    if shard_text is None and not before:
        return None
    if previous is not None and not before:
        raise UsageError("--shard with --resume of a run that is not a shard: a resume "
                         "completes the whole run it started")
    git = machine.git_info(repo_root)
    if before:
        # A resumed shard: opts/plan hold its workloads already; same build, same revision.
        if shard_text is not None and parse(shard_text) != (before.get("index"),
                                                            before.get("count")):
            raise UsageError(f"--shard {shard_text} differs from the resumed shard's "
                             f"{before.get('index')}/{before.get('count')}")
        ident = before.get("identity") or {}
        now = {"build": build_identity(catalog), "git": {
            "revision": git.get("revision"), "dirty": git.get("dirty")}}
        for key, what in (("build", "worker binaries"), ("git", "git revision")):
            if ident.get(key) != now[key]:
                raise UsageError(f"cannot resume this shard: its {what} differ from the plan's; "
                                 "every shard of a plan must use the same build")
        key, _ = machine_key()
        if key != before.get("machine_key"):
            raise UsageError(f"cannot resume this shard on {key}: it started on "
                             f"{before.get('machine_key')}, and the runs of one workload "
                             "must come from one machine; run it afresh into a new folder")
        return before
    k, n = parse(shard_text)
    ident = identity(opts, plan, catalog, git)
    mine = partition(plan, n)[k - 1]
    restrict(plan, mine)
    opts["workloads"] = [w for w in opts["workloads"] if w in mine]
    key, overridden = machine_key()
    return {"index": k, "count": n, "workloads": mine, "plan_id": plan_id(ident),
            "identity": ident, "machine_key": key, "machine_key_overridden": overridden}
