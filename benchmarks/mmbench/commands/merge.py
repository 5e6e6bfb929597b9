"""mmbench merge SHARD... --out DIR: shard folders of one plan -> one run folder.

Refused (exit 2, one line) when the shards belong to different plans, builds or
revisions, overlap, or leave part of the plan out (unless --partial, which the
manifest and the report then say). Shards from different machines are kept
apart: the manifest maps each machine to its shards and workloads, and the
report shows a table per machine and one side by side (reporting/machines.py).
Since a shard holds whole workloads (shard.py), no summary figure pools runs of
two machines.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

from mmbench import runfolder, shard, summary
from mmbench.errors import UsageError
from mmbench.runfolder import RunFolder, read_json, write_json_atomic
from mmbench.runner import utc_now

COPIED = (runfolder.RAW, runfolder.RSS, runfolder.LOGS)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "merge", help="combine the shard folders of one plan into one run folder",
        description="Combine run folders written by `mmbench run --shard K/N` into one run "
                    "folder that report, compare and the plots read like any other. Refused "
                    "when the shards belong to different plans or builds, overlap, or miss "
                    "part of the plan (docs/cluster.md).")
    p.add_argument("shards", nargs="+", metavar="SHARD", help="shard run folders")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the merged run folder to create (absent or empty)")
    p.add_argument("--partial", action="store_true",
                   help="accept shards that leave workloads of the plan out, or did not "
                        "complete; the manifest and the report say what is missing")
    p.add_argument("--no-report", action="store_true",
                   help="do not write the report at the end")
    p.set_defaults(func=merge_command)


def _load(path: str) -> dict:
    folder = pathlib.Path(path)
    if not (folder / "manifest.json").is_file():
        raise UsageError(f"{path} is not a run folder (no manifest.json)")
    try:
        m = read_json(folder / "manifest.json")
    except (OSError, ValueError) as e:
        raise UsageError(f"{path}: unreadable manifest.json ({e})") from e
    if not isinstance(m, dict) or not isinstance(m.get("shard"), dict) or \
            not isinstance(m.get("plan"), dict):
        raise UsageError(f"{path} is not a shard (its manifest has no shard entry: run it with "
                         "`mmbench run --shard K/N`)")
    s = m["shard"]
    for key in ("index", "count", "plan_id", "identity", "workloads", "machine_key"):
        if key not in s:
            raise UsageError(f"{path}: the manifest's shard entry has no {key}")
    return {"path": folder.resolve(), "manifest": m, "shard": s}


def _name(sh: dict) -> str:
    return f"{sh['path']} (shard {sh['shard']['index']}/{sh['shard']['count']})"


def _differs(a: dict, b: dict) -> str:
    """What tells two identities apart, in words."""
    ia, ib = a["shard"]["identity"], b["shard"]["identity"]
    if ia.get("build") != ib.get("build"):
        fams = sorted(f for f in set(ia.get("build", {})) | set(ib.get("build", {}))
                      if (ia.get("build") or {}).get(f) != (ib.get("build") or {}).get(f))
        return f"different builds (worker binaries differ: {', '.join(fams)})"
    if ia.get("git") != ib.get("git"):
        ra, rb = ((i.get("git") or {}).get("revision") for i in (ia, ib))
        return f"different git revisions ({ra} vs {rb})"
    pa, pb = ia.get("plan") or {}, ib.get("plan") or {}
    oa, ob = pa.get("options") or {}, pb.get("options") or {}
    keys = [k for k in sorted(set(oa) | set(ob)) if oa.get(k) != ob.get(k)]
    keys += [k for k in ("workloads", "strategies", "pairs") if pa.get(k) != pb.get(k)]
    return f"different plans ({', '.join(keys or ['identities'])} differ)"


def check(shards: list[dict], partial: bool) -> dict:
    """The merge's verdict: {"missing": [workloads], "incomplete": [names]};
    UsageError for a refusal."""
    seen = {}
    for sh in shards:
        if sh["path"] in seen:
            raise UsageError(f"{sh['path']} is named twice")
        seen[sh["path"]] = sh
    for sh in shards:
        if shard.plan_id(sh["shard"]["identity"]) != sh["shard"]["plan_id"]:
            raise UsageError(f"{_name(sh)}: the plan identity in its manifest does not match its "
                             "plan_id (edited?)")
    first = shards[0]
    for sh in shards[1:]:
        if sh["shard"]["plan_id"] != first["shard"]["plan_id"]:
            raise UsageError(f"{_name(first)} and {_name(sh)} belong to "
                             f"{_differs(first, sh)}: they cannot be merged")
    owner = {}
    for sh in shards:
        for w in sh["shard"]["workloads"]:
            if w in owner:
                raise UsageError(f"{_name(owner[w])} and {_name(sh)} overlap: both ran "
                                 f"workload {w}")
            owner[w] = sh
    plan_workloads = shard.weights({"workloads": first["shard"]["identity"]["plan"]["workloads"],
                                    "pairs": first["shard"]["identity"]["plan"]["pairs"],
                                    "reps": 1})
    missing = [w for w in plan_workloads if w not in owner]
    incomplete = [_name(sh) for sh in shards if sh["manifest"].get("state") != "complete"]
    if (missing or incomplete) and not partial:
        count = first["shard"]["count"]
        have = sorted({sh["shard"]["index"] for sh in shards})
        absent = [k for k in range(1, count + 1) if k not in have]
        if missing:
            given = f" (shard {', '.join(map(str, absent))} of {count} not given)" \
                if absent else ""
            raise UsageError(f"the shards miss part of the plan: workload(s) "
                             f"{', '.join(missing)}{given}; give every shard, or --partial "
                             "to merge what there is")
        state = next(sh for sh in shards if _name(sh) == incomplete[0])["manifest"].get("state")
        raise UsageError(f"{incomplete[0]} did not complete (state {state}); complete it with "
                         "mmbench run --resume, or give --partial")
    return {"missing": missing, "incomplete": incomplete, "owner": owner}


def merged_plan(shards: list[dict], missing: list[str]) -> dict:
    """The full plan in its own order, with what each shard recorded for its workloads."""
    ident = shards[0]["shard"]["identity"]["plan"]
    base = shards[0]["manifest"]["plan"]
    present = {w: sh["manifest"]["plan"] for sh in shards for w in sh["shard"]["workloads"]}
    workloads = [w for w in ident["workloads"] if w in present or w in missing]
    plan = dict(base)
    plan.update({
        "workloads": workloads,
        "strategies": list(ident["strategies"]),
        "pairs": [list(p) for p in ident["pairs"] if p[0] in workloads],
        "reps_by_workload": {w: (present[w].get("reps_by_workload") or {}).get(
            w, base["reps"]) if w in present else base["reps"] for w in workloads},
        "order_seed": None,  # one per shard: manifest merge.shards
    })
    for key in ("units", "headline"):
        plan[key] = {w: (present.get(w) or base).get(key, {}).get(w) for w in workloads}
    plan["deliberate_leak"] = {k: v for sh in shards for k, v in
                               (sh["manifest"]["plan"].get("deliberate_leak") or {}).items()}
    return plan


def machines_entry(shards: list[dict]) -> dict:
    """machine key -> {machine facts, shards, workloads}, in shard order."""
    out: dict = {}
    for sh in shards:
        key = sh["shard"]["machine_key"]
        e = out.setdefault(key, {"machine": sh["manifest"].get("machine"),
                                 "overridden": bool(sh["shard"].get("machine_key_overridden")),
                                 "shards": [], "workloads": []})
        e["shards"].append(sh["shard"]["index"])
        e["workloads"] += sh["shard"]["workloads"]
    return out


def merge_command(args) -> int:
    shards = sorted((_load(p) for p in args.shards), key=lambda sh: sh["shard"]["index"])
    verdict = check(shards, args.partial)
    out = runfolder.new_folder(args.repo_root, args.out, "merge",
                               "{folder} exists and is not an empty folder; choose another --out")
    if any(out == sh["path"] for sh in shards):
        raise UsageError("--out must not be one of the shards")
    folder = RunFolder(out)
    folder.make_dirs()
    copy_files(shards, out)
    plan = merged_plan(shards, verdict["missing"])
    manifest = merged_manifest(args, shards, verdict, plan, out)
    write_json_atomic(folder.manifest, manifest, allow_nan=False)
    summary.write_hgrms(folder, plan)
    rows = summary.write_summary(folder, plan, manifest)
    manifest["noise_summary"] = summary.noise_summary(folder, plan)
    write_json_atomic(folder.manifest, manifest, allow_nan=False)
    print(f"merged {len(shards)} shard(s) of plan {manifest['merge']['plan_id']} from "
          f"{len(manifest['merge']['machines'])} machine(s) into {out}")
    if manifest["merge"]["partial"]:
        what = [f"missing workload(s): {', '.join(verdict['missing'])}"] \
            if verdict["missing"] else []
        what += [f"incomplete shard(s): {'; '.join(verdict['incomplete'])}"] \
            if verdict["incomplete"] else []
        print(f"mmbench merge: note: partial merge; {'; '.join(what)}", file=sys.stderr)
    sys.stdout.flush()
    failed = [r for r in rows if r["status"] not in ("ok", "unsupported")
              and r["workload"] not in verdict["missing"]]
    rc = 1 if failed else 0
    if not args.no_report:
        from mmbench.reporting.generate import generate
        result = generate(out, quiet=True)
        if not result.ok:
            rc = 1
    return rc


def copy_files(shards: list[dict], out: pathlib.Path) -> None:
    """Every shard's finished files into the merged folder; two shards holding one
    file is refused."""
    for sh in shards:
        for sub in COPIED:
            src = sh["path"] / sub
            if not src.is_dir():
                continue
            for f in sorted(src.iterdir()):
                if f.name.startswith(".") or not f.is_file():
                    continue  # a worker's unfinished .part file
                dest = out / sub / f.name
                if dest.exists():
                    raise UsageError(f"{_name(sh)} and another shard both hold {f.name}")
                shutil.copy2(f, dest)


def merged_manifest(args, shards: list[dict], verdict: dict, plan: dict,
                    out: pathlib.Path) -> dict:
    """The first shard's manifest with the merged plan, every shard's sessions, and
    a "merge" entry saying what was merged from where."""
    first = shards[0]["manifest"]
    machines = machines_entry(shards)
    manifest = dict(first)
    manifest.pop("shard", None)
    options = dict(first["options"])
    options.update(workloads=list(plan["workloads"]), out=str(out), order_seed=None)
    manifest.update({
        "argv": args.argv,
        "options": options,
        "plan": plan,
        "started": min(sh["manifest"].get("started") or "" for sh in shards) or None,
        "finished": max(sh["manifest"].get("finished") or "" for sh in shards) or None,
        "state": "complete",
        "sessions": [dict(s, shard=sh["shard"]["index"]) for sh in shards
                     for s in sh["manifest"].get("sessions") or []],
        "merge": merge_entry(shards, verdict, machines),
    })
    if len(machines) > 1:
        # One "machine" for the report's header line, which says there are several.
        infos = [e["machine"] or {} for e in machines.values()]
        manifest["machine"] = {
            "hostname": f"{len(infos)} machines: "
                        + ", ".join(str(i.get("hostname")) for i in infos),
            "cpu_model": f"{len(infos)} machines (see Machines): "
                         + "; ".join(sorted({str(i.get("cpu_model")) for i in infos})),
            "cores": None, "machines": list(machines)}
    return manifest


def merge_entry(shards: list[dict], verdict: dict, machines: dict) -> dict:
    first = shards[0]["shard"]
    return {
        "merged": utc_now(),
        "plan_id": first["plan_id"],
        "identity": first["identity"],
        "count": first["count"],
        "partial": bool(verdict["missing"] or verdict["incomplete"]),
        "missing_workloads": verdict["missing"],
        "incomplete_shards": verdict["incomplete"],
        "shards": [{"index": sh["shard"]["index"], "source": str(sh["path"]),
                    "machine_key": sh["shard"]["machine_key"],
                    "workloads": sh["shard"]["workloads"],
                    "state": sh["manifest"].get("state"),
                    "started": sh["manifest"].get("started"),
                    "finished": sh["manifest"].get("finished"),
                    "order_seed": (sh["manifest"].get("options") or {}).get("order_seed"),
                    "cpus": sh["manifest"].get("cpus"),
                    "machine_state": sh["manifest"].get("machine_state")}
                   for sh in shards],
        "machines": machines,
    }
