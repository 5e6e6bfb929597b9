"""The README's result section, generated from a committed run folder.

Every figure the README states about a run comes from here, so prose cannot
drift from results/reference/: `mmbench readme` rewrites the blocks between
`<!-- mmbench:NAME -->` and `<!-- /mmbench:NAME -->`, `--check` fails on any
difference.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import re

from mmbench import fmt
from mmbench.reporting import figures, tables

BLOCK = re.compile(r"(<!-- mmbench:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)"
                   r"(<!-- /mmbench:(?P=name) -->)", re.S)
REFERENCE = "results/reference"
SWEEP = "results/sweep"


def _load(run_dir: pathlib.Path) -> tuple[dict, list[dict]]:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    rows = json.loads((run_dir / "summary.json").read_text())["rows"]
    return manifest, rows


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def intro(run_dir: pathlib.Path, rel: str) -> str:
    """One paragraph: which run, where, when, with which protocol, how long it took."""
    manifest, _ = _load(run_dir)
    machine, versions = manifest["machine"], manifest["versions"]
    started = datetime.datetime.fromisoformat(manifest["started"])
    finished = datetime.datetime.fromisoformat(manifest["finished"])
    plan = manifest["plan"]
    reps = sorted(set(plan["reps_by_workload"].values()))
    sessions = manifest.get("sessions", [])
    waited = sum(s.get("waited_s", 0) for s in sessions)
    rerun = sum(s.get("rerun_s", 0) for s in sessions)
    gib = machine["total_memory_kib"] / 2**20
    return (
        f"The reference run ([{rel}/]({rel}/), report [{rel}/report.md]({rel}/report.md)), "
        f"made by the tool and committed unedited: git revision "
        f"`{manifest['git']['revision'][:7]}`, {started:%Y-%m-%d at %H:%M} UTC, size "
        f"`{plan['size']}`, {len(plan['strategies'])} strategies × {len(plan['workloads'])} "
        f"workloads, {reps[0] if len(reps) == 1 else f'{reps[0]} to {reps[-1]}'} rounds per "
        f"workload, each (workload, strategy, "
        f"round) a fresh process. Machine: {machine['cpu_model']}, {machine['cores']} cores, "
        f"{gib:.1f} GiB, kernel {machine['kernel']}; glibc {versions.get('glibc')}, mimalloc "
        f"{versions.get('mimalloc')}, jemalloc {versions.get('jemalloc', '').split('-')[0]}, "
        f"Boehm GC {versions.get('boehm_gc')}. The run took "
        f"{_minutes((finished - started).total_seconds())} ({_minutes(waited)} of it waiting "
        f"for a slow host, {_minutes(rerun)} re-running disturbed repetitions).\n")


def stability(run_dir: pathlib.Path, rel: str) -> str:
    """The verdict of `mmbench stability --from` on this run and a second one,
    as the tool wrote it into the folder's stability.md."""
    summary = stability_summary(run_dir / "stability.md")
    if summary is None:
        return "No second run was judged against this one (no stability.md).\n"
    return (f"A second default run on the same machine, back to back with it, judged with "
            f"`mmbench stability --from` ([{rel}/stability.md]({rel}/stability.md)): {summary}.\n")


def stability_summary(path: pathlib.Path) -> str | None:
    """The figures and verdict lines of a stability.md `mmbench stability --from`
    wrote, joined; None when there is no such file."""
    if not path.is_file():
        return None
    lines = path.read_text().splitlines()
    summary = [ln for ln in lines if ln.startswith(("ratio cells:", "within-cell CV:",
                                                    "verdict:"))]
    if len(summary) != 3:
        raise ValueError(f"{path}: not the output of mmbench stability --from")
    return "; ".join(summary)


def overview(run_dir: pathlib.Path) -> str:
    """The report's Overview section (table and legend), as `mmbench report` wrote it."""
    report = (run_dir / "report.md").read_text()
    match = re.search(r"^## Overview\n\n(.*?)(?=^## )", report, re.S | re.M)
    if match is None:
        raise ValueError(f"{run_dir}/report.md has no '## Overview' section")
    return match.group(1).rstrip("\n") + "\n"


def _mib(kib: float) -> str:
    return fmt.sig3(kib / 1024) + " MiB"


def _mark(row: dict) -> str:
    """The overview's mark for a collector that collected less than once per pass."""
    few = figures.few_collections(row.get("gc_collections"), row.get("iterations_per_run"),
                                  row.get("headline") or "throughput")
    return tables.FEW_COLLECTIONS_MARK if few else ""


def _finding(workload: str, rows: list[dict]) -> str:
    """One line: the spread of the headline figure and of peak RSS across strategies."""
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        return f"- **{workload}**: no strategy finished."
    by_rss = sorted(ok, key=lambda r: r["peak_rss_kib"])
    rss = (f"peak RSS from {_mib(by_rss[0]['peak_rss_kib'])} ({by_rss[0]['strategy']}) to "
           f"{_mib(by_rss[-1]['peak_rss_kib'])} ({by_rss[-1]['strategy']})")
    headline = ok[0]["headline"]
    if headline == "footprint":
        return f"- **{workload}** (the harness's own footprint): {rss}."
    live = max(r["live_kib"] or 0 for r in ok)
    rss += f" for {_mib(live)} live"
    if headline == "frame_time":
        by_p99 = sorted(ok, key=lambda r: r["lat_p99_ns"])
        return (f"- **{workload}**: frame-time p99 from "
                f"{fmt.format_duration(by_p99[0]['lat_p99_ns'])} ({by_p99[0]['strategy']}) to "
                f"{fmt.format_duration(by_p99[-1]['lat_p99_ns'])} ({by_p99[-1]['strategy']}); "
                f"{rss}.")
    timed = sorted((r for r in ok if r.get("ratio_vs_ref") is not None),
                   key=lambda r: -r["ratio_vs_ref"])
    ratios = ", ".join(f"{r['strategy']} {fmt.sig3(r['ratio_vs_ref'])}×{_mark(r)}"
                       for r in timed)
    leak = " (the manual strategies that forget frees leak on purpose)" \
        if any(r.get("deliberate_leak") for r in ok) else ""
    return f"- **{workload}**{leak}: throughput against glibc, fastest first: {ratios}; {rss}."


def findings(run_dir: pathlib.Path) -> str:
    """One line per workload, in the run's workload order."""
    manifest, rows = _load(run_dir)
    lines = []
    for workload in manifest["plan"]["workloads"]:
        lines.append(_finding(workload, [r for r in rows if r["workload"] == workload]))
    return "\n".join(lines) + "\n"


def sweep_hertz_berger(repo: pathlib.Path, rel: str = SWEEP) -> str:
    """The Hertz–Berger table of the committed sweep (sweep_md), or a line saying
    that none of the current format is committed (an older sweep.json is not an
    error: it waits to be remade)."""
    from mmbench.reporting import sweep_md

    heading = "### Garbage collection against heap size (Hertz–Berger)\n\n"
    path = repo / rel / "sweep.json"
    result = json.loads(path.read_text()) if path.is_file() else None
    if result is None or not sweep_md.is_current_format(result):
        found = "none" if result is None else "one in an older format"
        return (f"{heading}No sweep of the current format is committed in [{rel}/]({rel}/) "
                f"({found}); `mmbench sweep` writes one, and this block then holds its "
                "Hertz–Berger table.\n")
    rounds = result.get("reps")
    judged = stability_summary(repo / rel / "stability.md")
    if judged is not None:
        caveat = (f" Judged against a second sweep with `mmbench stability --from` "
                  f"([{rel}/stability.md]({rel}/stability.md)): {judged}.")
    else:  # one sweep, not two: the block says how little rests on it
        caveat = (" No second sweep was judged against it (`mmbench stability --from`): "
                  "treat single points as noisy." if rounds is not None else "")
    return (f"{heading}From the committed sweep ([{rel}/sweep.md]({rel}/sweep.md), made by "
            f"`mmbench sweep` and committed unedited, size `{result.get('size')}`, "
            f"{rounds} round(s)).{caveat}\n\n"
            + sweep_md.hertz_berger_markdown(result, heading=None))


def blocks(repo: pathlib.Path, rel: str = REFERENCE) -> dict[str, str]:
    """Every generated block's text, by block name."""
    run_dir = repo / rel
    return {"results-intro": intro(run_dir, rel) + "\n" + stability(run_dir, rel),
            "results-table": overview(run_dir),
            "results-findings": findings(run_dir),
            "sweep-hertz-berger": sweep_hertz_berger(repo)}


def render(text: str, generated: dict[str, str]) -> tuple[str, list[str]]:
    """text with every known block replaced; the names of blocks text has but
    `generated` lacks, and of generated blocks text lacks, as problems."""
    seen, problems = set(), []

    def replace(match: re.Match) -> str:
        name = match["name"]
        seen.add(name)
        if name not in generated:
            problems.append(f"unknown block '{name}'")
            return match.group(0)
        return match.group(1) + generated[name] + match.group(4)

    out = BLOCK.sub(replace, text)
    problems += [f"block '{name}' is missing" for name in generated if name not in seen]
    return out, problems
