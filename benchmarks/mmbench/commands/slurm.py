"""mmbench slurm: a plan as a Slurm job array (one exclusive node per shard) plus a
merge job that waits for it (--dependency=afterok). docs/cluster.md.

    mmbench slurm --shards N --out DIR [slurm options] -- [mmbench run options]

writes DIR/slurm/array.sbatch and DIR/slurm/merge.sbatch, submits both with
sbatch (unless --dry-run) and records the job ids in DIR/slurm/jobs.json.
Shard K runs into DIR/shard-K, the merge into DIR/merged. Without Slurm the
same shards and merge run by hand (the scripts show the commands).
"""

from __future__ import annotations

import argparse
import math
import pathlib
import shlex
import shutil
import subprocess
import sys

from mmbench import machine, shard, workers
from mmbench.runner import make_plan, resolve_options
from mmbench.errors import UsageError
from mmbench.runfolder import write_json_atomic, write_text_atomic

# Seconds one (workload, strategy, repetition) process takes at most in the
# suite on a slow node, before --min-time and --drain.
RUN_ESTIMATE_S = {"quick": 1.0, "default": 3.0, "large": 15.0}
DRAIN_S = 1.3           # what --drain adds per process (run.py)
SAFETY = 3.0            # the per-task limit is this many times the estimate ...
FIXED_S = 300.0         # ... plus start-up, build check and report
MERGE_LIMIT = "00:30:00"
RUN_OPTIONS_SET_HERE = ("--out", "--resume", "--shard")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "slurm", help="submit a plan as a Slurm job array of shards plus a merge job",
        description="Write and submit (sbatch) a job array that runs shard K of N of the plan "
                    "on an exclusive node per task (`mmbench run --shard K/N`), and a merge "
                    "job that runs `mmbench merge` once every task succeeded "
                    "(--dependency=afterok). Run options follow `--`. docs/cluster.md.")
    p.add_argument("--shards", type=int, required=True, metavar="N",
                   help="array tasks (shards); at most the plan's workloads")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="study folder on a file system every node sees: shard-K/, merged/, "
                        "slurm/ (scripts, logs, job ids)")
    p.add_argument("--partition", metavar="P", help="sbatch --partition")
    p.add_argument("--account", metavar="A", help="sbatch --account")
    p.add_argument("--time-limit", type=int, metavar="MIN",
                   help=f"per-task limit in minutes (default: derived from the plan: {SAFETY:g} x "
                        f"runs of the largest shard x per-run estimate, plus {FIXED_S} s)")
    p.add_argument("--max-requeue", type=int, default=1, metavar="N",
                   help="requeue a failed task (it resumes its shard) at most N times "
                        "(default 1)")
    p.add_argument("--sbatch-arg", action="append", default=[], metavar="ARG",
                   help="extra #SBATCH line for the array job, e.g. --sbatch-arg=--constraint=x "
                        "(repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="write the scripts and print the sbatch commands; submit nothing")
    p.add_argument("--wait", action="store_true",
                   help="wait until the merge job ends (sbatch --wait); exit with its status")
    p.add_argument("run_args", nargs=argparse.REMAINDER, metavar="-- RUN OPTIONS",
                   help="options for `mmbench run` (not --out, --resume, --shard)")
    p.set_defaults(func=slurm_command)


def _run_options(run_args):
    """The run options as `mmbench run` parses them."""
    if run_args and run_args[0] == "--":
        run_args = run_args[1:]
    for a in run_args:
        if a.split("=", 1)[0] in RUN_OPTIONS_SET_HERE:
            raise UsageError(f"{a.split('=')[0]} is set by mmbench slurm (each shard runs into "
                             "DIR/shard-K); leave it out of the run options")
    from mmbench import cli  # the whole command line, for `mmbench run`'s options
    parser, _ = cli.build_parser()
    try:
        ns = parser.parse_args(["run"] + list(run_args))
    except SystemExit as e:
        raise UsageError("the run options after -- are not valid `mmbench run` options: "
                         + " ".join(run_args)) from e
    return list(run_args), ns


def task_seconds(opts: dict, plan: dict, parts) -> float:
    """The per-task limit: the largest shard's runs at --max-reps, each taking the
    size's estimate plus --min-time (and the drain), times SAFETY, plus FIXED_S."""
    per_run = RUN_ESTIMATE_S[opts["size"]] + opts["min_time"] + (DRAIN_S if opts.get("drain")
                                                                 else 0.0)
    pairs = {w: sum(1 for p in plan["pairs"] if p[0] == w) for w in plan["workloads"]}
    runs = max(sum(pairs.get(w, 0) * opts["max_reps"] for w in part) for part in parts)
    return SAFETY * runs * per_run * (1 + opts["max_reruns"] / 10.0) + FIXED_S


def _hms(seconds: float) -> str:
    s = int(math.ceil(seconds / 60.0)) * 60
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:00"


def array_script(args, out: pathlib.Path, n: int, run_args, limit: str, pid: str) -> str:
    mmbench = shlex.quote(str(args.repo_root / "mmbench"))
    build = shlex.quote(str(args.build_dir))
    head = ["#!/bin/bash",
            f"# Written by mmbench slurm: shard K of {n} of plan {pid} per array task.",
            f"#SBATCH --job-name=mmbench-{pid}",
            f"#SBATCH --array=1-{n}",
            "#SBATCH --nodes=1",
            "#SBATCH --ntasks=1",
            "#SBATCH --exclusive",
            f"#SBATCH --time={limit}",
            "#SBATCH --requeue",
            "#SBATCH --open-mode=append",
            f"#SBATCH --output={out / 'slurm' / 'shard-%a.out'}"]
    head += [f"#SBATCH --partition={args.partition}"] if args.partition else []
    head += [f"#SBATCH --account={args.account}"] if args.account else []
    head += [f"#SBATCH {a}" for a in args.sbatch_arg]
    body = r"""
set -uo pipefail
k=$SLURM_ARRAY_TASK_ID
out=%(out)s
shard="$out/shard-$k"
hostfile="$out/slurm/shard-$k.host"
host=$(hostname)
echo "mmbench slurm: shard $k/%(n)d on $host, attempt $((${SLURM_RESTART_COUNT:-0} + 1))"
if [[ "${MMBENCH_SLURM_FAIL_TASK:-}" == "$k" && ${SLURM_RESTART_COUNT:-0} -eq 0 ]]; then
  # Test knob (tests/slurm): this task's first attempt fails, to exercise the requeue.
  echo "mmbench slurm: MMBENCH_SLURM_FAIL_TASK=$k: the first attempt fails"
  rc=3
elif [[ -f "$shard/manifest.json" && "$(cat "$hostfile" 2>/dev/null)" == "$host" ]]; then
  # Requeued onto the same node: complete what the earlier attempt left.
  %(mmbench)s --build-dir %(build)s run --resume "$shard"
  rc=$?
else
  # First attempt, or requeued onto another node: one workload's runs must come
  # from one machine, so an earlier attempt elsewhere is set aside.
  [[ -e "$shard" ]] && mv "$shard" "$shard.set-aside-$(date +%%s)"
  echo "$host" > "$hostfile"
  %(mmbench)s --build-dir %(build)s run --shard "$k/%(n)d" --out "$shard" %(run_args)s
  rc=$?
fi
# mmbench run: 0 all rows ok; 1 complete, but some row failed (the merged report
# shows it); anything else: the shard did not complete.
if [[ $rc -eq 1 ]]; then
  echo "mmbench slurm: shard $k complete with failed rows (see its summary)"
  exit 0
fi
if [[ $rc -ne 0 && ${SLURM_RESTART_COUNT:-0} -lt %(max_requeue)d ]]; then
  echo "mmbench slurm: shard $k failed (exit $rc); requeued"
  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
fi
exit $rc
""" % {"out": shlex.quote(str(out)), "n": n, "mmbench": mmbench, "build": build,
       "run_args": " ".join(shlex.quote(a) for a in run_args),
       "max_requeue": args.max_requeue}
    return "\n".join(head) + "\n" + body


def merge_script(args, out: pathlib.Path, n: int, pid: str) -> str:
    mmbench = shlex.quote(str(args.repo_root / "mmbench"))
    shards = " ".join(shlex.quote(str(out / (f"shard-{k}"))) for k in range(1, n + 1))
    head = ["#!/bin/bash",
            f"# Written by mmbench slurm: merges the {n} shards of plan {pid}.",
            f"#SBATCH --job-name=mmbench-merge-{pid}",
            "#SBATCH --nodes=1",
            "#SBATCH --ntasks=1",
            f"#SBATCH --time={MERGE_LIMIT}",
            f"#SBATCH --output={out / 'slurm' / 'merge.out'}"]
    head += [f"#SBATCH --partition={args.partition}"] if args.partition else []
    head += [f"#SBATCH --account={args.account}"] if args.account else []
    build, merged = shlex.quote(str(args.build_dir)), shlex.quote(str(out / "merged"))
    return "\n".join(head) + (f"\n\nexec {mmbench} --build-dir {build} merge {shards} "
                              f"--out {merged}\n")


def _sbatch(cmd) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except OSError as e:
        raise UsageError(f"cannot run sbatch: {e}") from e
    except subprocess.TimeoutExpired as e:
        raise UsageError("sbatch did not answer within 120 s") from e
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip())[-300:]
        raise UsageError(f"{' '.join(cmd[:2])} failed: {said}")
    return proc.stdout.strip().split(";")[0]


def slurm_command(args) -> int:
    if args.shards < 1:
        raise UsageError(f"--shards must be >= 1 (got {args.shards})")
    if args.max_requeue < 0:
        raise UsageError(f"--max-requeue must be >= 0 (got {args.max_requeue})")
    if args.time_limit is not None and args.time_limit < 1:
        raise UsageError(f"--time-limit must be >= 1 minute (got {args.time_limit})")
    run_args, ns = _run_options(args.run_args)
    catalog = workers.load_catalog(args.build_dir)
    opts = resolve_options(ns, catalog, None)
    plan = make_plan(opts, catalog)
    parts = shard.partition(plan, args.shards)
    ident = shard.identity(opts, plan, catalog, machine.git_info(args.repo_root))
    pid = shard.plan_id(ident)[:8]
    seconds = args.time_limit * 60 if args.time_limit else task_seconds(opts, plan, parts)
    limit = _hms(seconds)
    out = pathlib.Path(args.out).resolve()
    if (out / "slurm").exists():
        raise UsageError(f"{out} already holds a submission (slurm/); choose another --out")
    if not args.dry_run and shutil.which("sbatch") is None:
        raise UsageError("sbatch is not on PATH: no Slurm here. Run the shards by hand "
                         "(mmbench run --shard K/N) and merge them (docs/cluster.md), or "
                         "use --dry-run to see the scripts")
    (out / "slurm").mkdir(parents=True)
    array_path, merge_path = out / "slurm" / "array.sbatch", out / "slurm" / "merge.sbatch"
    write_text_atomic(array_path, array_script(args, out, args.shards, run_args, limit, pid))
    write_text_atomic(merge_path, merge_script(args, out, args.shards, pid))
    held = "; ".join(f"{k}: {','.join(p)}" for k, p in enumerate(parts, 1))
    print(f"plan {pid}: {len(plan['workloads'])} workload(s) in {args.shards} shard(s): {held}")
    why = "--time-limit" if args.time_limit else "derived from the plan"
    print(f"per-task time limit: {limit} ({why})")
    array_cmd = ["sbatch", "--parsable", str(array_path)]
    merge_cmd = ["sbatch", "--parsable", "--kill-on-invalid-dep=yes",
                 "--dependency=afterok:ARRAY_JOB_ID", str(merge_path)]
    if args.dry_run:
        print(f"dry run: would submit\n  {' '.join(array_cmd)}\n  {' '.join(merge_cmd)}")
        return 0
    array_id = _sbatch(array_cmd)
    merge_cmd[3] = f"--dependency=afterok:{array_id}"
    if args.wait:
        merge_cmd.insert(2, "--wait")
    jobs = {"array_job": array_id, "merge_job": None, "plan": pid, "time_limit": limit,
            "shards": [str(out / f"shard-{k}") for k in range(1, args.shards + 1)],
            "merged": str(out / "merged")}
    write_json_atomic(out / "slurm" / "jobs.json", jobs)
    print(f"submitted array job {array_id} ({args.shards} tasks)")
    sys.stdout.flush()
    if args.wait:
        print("waiting for the merge job (sbatch --wait) ...", flush=True)
        proc = subprocess.run(merge_cmd, capture_output=True, text=True)
        jobs["merge_job"] = (proc.stdout.strip().splitlines() or [""])[0].split(";")[0] or None
        write_json_atomic(out / "slurm" / "jobs.json", jobs)
        print(f"merge job ended with exit {proc.returncode}; merged run folder: {out / 'merged'}")
        return 0 if proc.returncode == 0 else 1
    merge_id = _sbatch(merge_cmd)
    jobs["merge_job"] = merge_id
    write_json_atomic(out / "slurm" / "jobs.json", jobs)
    print(f"submitted merge job {merge_id} (after array job {array_id} succeeds); merged run "
          f"folder will be {out / 'merged'}")
    return 0
