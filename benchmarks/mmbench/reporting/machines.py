"""The machine as a dimension of a merged run's report (`mmbench merge`, docs/cluster.md).

A merged folder's manifest maps each machine key to its shards and workloads
(merge.machines). With more than one machine, the report gets a legend, one
table per machine (the rows of the workloads that machine ran) and one side by
side (a column per machine); a partial merge gets a table of what is missing.
Nothing here pools machines: each row's figures come from one machine's runs.
"""

from __future__ import annotations

from mmbench import fmt
from mmbench.fmt import DASH, si, sig3
from mmbench.reporting.figures import RowFigures, all_figures
from mmbench.reporting.model import Cell, Table, ratio_text
from mmbench.runfolder import RunData


def _machines(data: RunData) -> dict:
    merge = data.manifest.get("merge") if isinstance(data.manifest, dict) else None
    machines = (merge or {}).get("machines")
    return machines if isinstance(machines, dict) else {}


def machine_of(data: RunData) -> dict:
    """workload -> machine label (M1, M2, ... in the manifest's order)."""
    out = {}
    for i, entry in enumerate(_machines(data).values(), 1):
        for w in (entry or {}).get("workloads") or []:
            out[w] = f"M{i}"
    return out


def _cells(f: RowFigures):
    thr = f"{si(f.throughput)} {f.unit or 'units'}/s" if f.throughput is not None else (
        fmt.NA if "throughput" in f.na and f.ok else DASH)
    rss = f"{sig3(f.peak_rss_mib)} MiB" if f.peak_rss_mib is not None else DASH
    return [Cell(f.status), Cell(thr, f.throughput), Cell(ratio_text(f), f.rel),
            Cell(rss, f.peak_rss_mib)]


def _partial_merge_table(merge: dict) -> Table:
    rows = [[Cell("missing workload"), Cell(w)] for w in merge.get("missing_workloads") or []]
    rows += [[Cell("incomplete shard"), Cell(s)] for s in merge.get("incomplete_shards") or []]
    return Table("Partial merge: part of the plan is missing", ["what", "which"], rows,
                 anchor="partial-merge", notes=[
                     "This folder was merged with --partial: its rows for the missing "
                     "workloads say 'missing', and the tables above cover only what the "
                     "given shards ran."])


def _legend_table(machines: dict, label: dict) -> Table:
    legend = []
    for key, e in machines.items():
        m = (e or {}).get("machine") or {}
        legend.append([Cell(label[key]), Cell(key + (" (key set by test knob)"
                                                     if e.get("overridden") else "")),
                       Cell(str(m.get("cpu_model") or DASH)),
                       Cell(str(m.get("cores") if m.get("cores") is not None else DASH)),
                       Cell(", ".join(str(s) for s in e.get("shards") or [])),
                       Cell(", ".join(e.get("workloads") or []))])
    return Table("Machines", ["machine", "key", "CPU", "cores", "shards", "workloads"],
                 legend, anchor="machines", notes=[
                     f"Shards from {len(machines)} machines. A shard holds whole "
                     "workloads, so every row below comes from one machine's runs "
                     "and ratios are paired within it; figures of different machines "
                     "are never pooled. Comparing across machines compares the hardware too."])


def _side_cell(f: RowFigures) -> Cell:
    if f.rel is not None:
        return Cell(fmt.ratio(f.rel), f.rel)
    if f.peak_rss_mib is not None:  # a row whose headline is not its speed
        return Cell(f"{sig3(f.peak_rss_mib)} MiB", f.peak_rss_mib)
    return Cell(f.status)


def _side_by_side_table(figs: list[RowFigures], machines: dict, label: dict,
                        where: dict) -> Table:
    side = [[Cell(f.workload), Cell(f.strategy)]
            + [_side_cell(f) if where.get(f.workload) == label[key] else Cell(DASH)
               for key in machines] for f in figs]
    return Table("Machines side by side (throughput vs glibc, paired within a machine; "
                 "peak RSS where the headline is not throughput)",
                 ["workload", "strategy"] + [label[k] for k in machines], side,
                 anchor="machines-side-by-side",
                 notes=[f"{DASH}: the workload did not run on that machine."])


def tables(data: RunData) -> list[Table]:
    """The report's tables of a merge: what a partial merge lacks; with more than
    one machine, a legend, each machine's rows and all side by side."""
    machines = _machines(data)
    merge = data.manifest.get("merge") or {}
    out = [_partial_merge_table(merge)] if merge.get("partial") else []
    if len(machines) < 2:
        return out
    label = {key: f"M{i}" for i, key in enumerate(machines, 1)}
    out.append(_legend_table(machines, label))
    figs = all_figures(data)
    where = machine_of(data)
    for key in machines:
        rows = [[Cell(f.workload), Cell(f.strategy)] + _cells(f) for f in figs
                if where.get(f.workload) == label[key]]
        out.append(Table(f"Machine {label[key]}: {key}",
                         ["workload", "strategy", "status", "throughput", "vs glibc",
                          "peak RSS"], rows, anchor=f"machine-{label[key].lower()}"))
    out.append(_side_by_side_table(figs, machines, label, where))
    return out
