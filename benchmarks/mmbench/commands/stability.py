"""mmbench stability: does a run agree with itself? The check to run before publishing.

Two forms:
- `mmbench stability [run options]` runs the suite once with twice the rounds
  (randomized interleaved, as `run`), then splits it into two runs made of the
  odd and the even rounds (folders a/ and b/), so the two halves saw the same
  machine over the same minutes;
- `mmbench stability --from RUN_A RUN_B` judges two existing run folders, e.g.
  two `./bench.sh` runs back to back.

It prints, for the paired ratios to glibc of every throughput cell: how many
moved by more than 10% and 25% between the two, the median and worst
coefficient of variation within cells, and a verdict.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import shutil
import statistics

from mmbench import summary
from mmbench.runner import DEFAULTS, add_run_options, open_session
from mmbench.errors import UsageError
from mmbench.runfolder import RunFolder, read_json, write_json_atomic

# The verdict's bounds: the share of ratio cells that may move by more than
# MOVED_LIMIT, the largest move allowed, and the median within-cell CV allowed.
MOVED_LIMIT = 0.10
MOVED_SHARE_MAX = 0.10
MOVED_MAX = 0.25
MEDIAN_CV_MAX = 0.03


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "stability", help="check that a run reproduces: two interleaved halves, or two runs",
        description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--from", dest="runs", nargs=2, metavar=("RUN_A", "RUN_B"), type=pathlib.Path,
                   help="judge these two run folders instead of running")
    add_run_options(p)  # the run's own options, as `mmbench run` takes them
    p.set_defaults(func=stability_command)


def _cells(rows: list[dict]) -> dict:
    return {(r["workload"], r["strategy"]): r for r in rows}


def moved(a: float, b: float) -> float:
    """How far b is from a: the larger over the smaller, minus 1, negative when b is
    the smaller; the same size whichever run comes first (0.8 -> 1.0 and 1.0 -> 0.8
    both move by 25%)."""
    return (max(a, b) / min(a, b) - 1) * (1 if b >= a else -1)


def judge(rows_a: list[dict], rows_b: list[dict]) -> dict:
    """The figures and verdict for two runs' summary rows."""
    a, b = _cells(rows_a), _cells(rows_b)
    moves = []
    for key in sorted(set(a) & set(b)):
        ra, rb = a[key], b[key]
        if ra.get("headline", "throughput") != "throughput" or \
                ra.get("strategy") == summary.REFERENCE_STRATEGY:
            continue
        if ra.get("ratio_vs_ref") and rb.get("ratio_vs_ref"):
            moves.append((key, ra["ratio_vs_ref"], rb["ratio_vs_ref"],
                          moved(ra["ratio_vs_ref"], rb["ratio_vs_ref"])))
    cvs = [r["cv_wall"] for rows in (rows_a, rows_b) for r in rows
           if r.get("cv_wall") is not None and r.get("headline", "throughput") == "throughput"]
    moved10 = [m for m in moves if abs(m[3]) > MOVED_LIMIT]
    moved25 = [m for m in moves if abs(m[3]) > MOVED_MAX]
    median_cv = statistics.median(cvs) if cvs else None
    reasons = []
    if not moves:
        reasons.append("no ratio cell in common")
    if moves and len(moved10) > MOVED_SHARE_MAX * len(moves):
        reasons.append(f"{len(moved10)} of {len(moves)} ratios moved by more than 10% "
                       f"(at most {int(MOVED_SHARE_MAX * len(moves))} allowed)")
    if moved25:
        reasons.append(f"{len(moved25)} ratio(s) moved by more than 25%")
    if median_cv is None or median_cv > MEDIAN_CV_MAX:
        shown = "?" if median_cv is None else f"{100 * median_cv:.1f}%"
        reasons.append(f"median within-cell CV {shown} above 3%")
    return {"cells": len(moves), "moved_10": len(moved10), "moved_25": len(moved25),
            "median_cv": median_cv, "worst_cv": max(cvs) if cvs else None,
            "moves": moves, "fit": not reasons, "reasons": reasons}


def render(v: dict) -> str:
    lines = ["| workload | strategy | x glibc A | x glibc B | moved |", "|---|---|---:|---:|---:|"]
    for (w, s), ra, rb, moved in sorted(v["moves"], key=lambda m: -abs(m[3])):
        flag = " **" if abs(moved) > MOVED_LIMIT else ""
        lines.append(f"| {w} | {s} | {ra:.3f} | {rb:.3f} | {100 * moved:+.1f}%{flag} |")
    lines.append("")
    lines.append(f'ratio cells: {v["cells"]}; moved > 10%: {v["moved_10"]}; '
                 f'moved > 25%: {v["moved_25"]}')
    if v["median_cv"] is not None:
        lines.append(f'within-cell CV: median {100 * v["median_cv"]:.2f}%, '
                     f'worst {100 * v["worst_cv"]:.2f}%')
    lines.append("verdict: " + ("fit to publish" if v["fit"] else
                                "NOT fit to publish: " + "; ".join(v["reasons"])))
    return "\n".join(lines) + "\n"


def by_runtime(rows_a: list[dict], rows_b: list[dict]) -> dict[str, dict]:
    """judge() within each runtime of two runs' rows ({} for a single runtime): which
    rows do not reproduce, C++ strategies or a managed runtime's."""
    runtimes = sorted({r["runtime"] for r in rows_a + rows_b if r.get("runtime")})
    if len(runtimes) < 2:
        return {}
    return {rt: judge([r for r in rows_a if r.get("runtime") == rt],
                      [r for r in rows_b if r.get("runtime") == rt]) for rt in runtimes}


def render_by_runtime(verdicts: dict[str, dict]) -> str:
    lines = [f'{rt}: {v["cells"]} ratio cells; moved > 10%: {v["moved_10"]}; '
             f'moved > 25%: {v["moved_25"]}; median within-cell CV '
             + ("?" if v["median_cv"] is None else f'{100 * v["median_cv"]:.2f}%')
             + ("; fit" if v["fit"] else "; not fit") for rt, v in verdicts.items()
             if v["cells"]]
    return ("\nby runtime (the same bounds within each):\n" + "\n".join(lines) + "\n"
            if lines else "")


def _rows(folder: pathlib.Path) -> list[dict]:
    try:
        return read_json(folder / "summary.json")["rows"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UsageError(f"{folder}: no readable summary.json ({e})") from e


_STEM = re.compile(r"^(?P<stem>.+)\.r(?P<rep>\d+)\.(?P<kind>.+)$")


def split_halves(folder: pathlib.Path) -> list[pathlib.Path]:
    """Copies the odd and the even rounds of a run into folder/a and folder/b,
    renumbered 1, 2, ..., each with its own manifest and summary."""
    manifest = read_json(folder / "manifest.json")
    halves = []
    for name, parity in (("a", 1), ("b", 0)):
        half = RunFolder(folder / name)
        half.make_dirs()
        for sub in ("raw", "rss", "logs"):
            src = folder / sub
            if not src.is_dir():
                continue
            for f in src.iterdir():
                m = _STEM.match(f.name)
                if not m or int(m.group("rep")) % 2 != parity:
                    continue
                rep = (int(m.group("rep")) + 1) // 2
                dest = folder / name / sub / (f'{m.group("stem")}.r{rep}.{m.group("kind")}')
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, dest)
        plan = dict(manifest["plan"])
        plan["reps"] = (plan["reps"] + parity) // 2
        plan["reps_by_workload"] = {w: (n + parity) // 2 for w, n in
                                    (plan.get("reps_by_workload") or {}).items()}
        m2 = dict(manifest, plan=plan, stability_half=name, split_from=str(folder))
        write_json_atomic(half.manifest, m2)
        summary.write_summary(half, plan, m2)
        halves.append(half.root)
    return halves


def stability_command(args) -> int:
    if args.runs:
        a, b = args.runs
    else:
        run_args = argparse.Namespace(**vars(args))
        run_args.reps = 2 * (args.reps or DEFAULTS["reps"])
        run_args.max_reps = 2 * (args.max_reps or DEFAULTS["max_reps"])
        run_args.budget = 2 * (args.budget or DEFAULTS["budget"])
        for key in ("max_wait", "rerun_budget"):  # twice the rounds, twice the allowance
            given = getattr(args, key)
            setattr(run_args, key, 2 * (DEFAULTS[key] if given is None else given))
        run_args.resume = run_args.shard = None
        run_args.preload, run_args.worker_arg, run_args.worker_env = [], [], []
        with open_session(run_args) as session:
            if session.run() == "interrupted":
                print(f"interrupted: complete it with  mmbench run --resume {session.folder.root}")
                return 130
            session.write_summary()
        a, b = split_halves(pathlib.Path(run_args.run_folder))
    rows_a, rows_b = _rows(a), _rows(b)
    verdict = judge(rows_a, rows_b)
    print(f"A: {a}\nB: {b}\n")
    print(render(verdict) + render_by_runtime(by_runtime(rows_a, rows_b)), end="")
    return 0 if verdict["fit"] else 1
