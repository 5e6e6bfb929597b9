"""The machine as a dimension of a merged run's report (`mmbench merge`, docs/cluster.md).

A merged folder's manifest maps each machine key to its shards and workloads
(merge.machines). With more than one machine, the report gets a legend, one
table per machine (the rows of the workloads that machine ran) and one side by
side (a column per machine); a partial merge gets a table of what is missing.
Nothing here pools machines: each row's figures come from one machine's runs.
"""

from __future__ import annotations

from mmbench.fmt import DASH, si, sig3
from mmbench.reporting.figures import RowFigures, all_figures
from mmbench.runfolder import RunData

# tables.py imports this module; its formatting is imported inside the functions.


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
    from mmbench.reporting.tables import Cell, _rel_text
    thr = f"{si(f.throughput)} {f.unit or 'units'}/s" if f.throughput is not None else DASH
    rss = f"{sig3(f.peak_rss_mib)} MiB" if f.peak_rss_mib is not None else DASH
    return [Cell(f.status), Cell(thr, f.throughput), Cell(_rel_text(f), f.rel),
            Cell(rss, f.peak_rss_mib)]


def tables(data: RunData) -> list:
    """Table objects (tables.Table) for the report; [] for a run from one machine
    that is not a partial merge."""
    from mmbench.reporting.tables import Cell, Table
    machines = _machines(data)
    merge = data.manifest.get("merge") or {}
    out = []
    missing = merge.get("missing_workloads") or []
    incomplete = merge.get("incomplete_shards") or []
    if merge.get("partial"):
        rows = [[Cell("missing workload"), Cell(w)] for w in missing]
        rows += [[Cell("incomplete shard"), Cell(s)] for s in incomplete]
        out.append(Table("Partial merge: part of the plan is missing", ["what", "which"], rows,
                         anchor="partial-merge", notes=[
                             "This folder was merged with --partial: its rows for the "
                             "missing workloads say 'missing', and the tables above cover "
                             "only what the given shards ran."]))
    if len(machines) < 2:
        return out
    label = {key: f"M{i}" for i, key in enumerate(machines, 1)}
    legend = []
    for key, e in machines.items():
        m = (e or {}).get("machine") or {}
        legend.append([Cell(label[key]), Cell(key + (" (key set by test knob)"
                                                     if e.get("overridden") else "")),
                       Cell(str(m.get("cpu_model") or DASH)),
                       Cell(str(m.get("cores") if m.get("cores") is not None else DASH)),
                       Cell(", ".join(str(s) for s in e.get("shards") or [])),
                       Cell(", ".join(e.get("workloads") or []))])
    out.append(Table("Machines", ["machine", "key", "CPU", "cores", "shards", "workloads"],
                     legend, anchor="machines", notes=[
                         f"Shards from {len(machines)} machines. A shard holds whole "
                         "workloads, so every row below comes from one machine's runs "
                         "and ratios are paired within it; figures of different machines "
                         "are never pooled. Comparing across machines compares the hardware too."]))
    figs = all_figures(data)
    where = machine_of(data)
    for key in machines:
        mine = [f for f in figs if where.get(f.workload) == label[key]]
        rows = [[Cell(f.workload), Cell(f.strategy)] + _cells(f) for f in mine]
        out.append(Table(f"Machine {label[key]}: {key}",
                         ["workload", "strategy", "status", "throughput", "vs glibc",
                          "peak RSS"], rows, anchor=f"machine-{label[key].lower()}"))
    side = []
    for f in figs:
        cells = [Cell(f.workload), Cell(f.strategy)]
        for key in machines:
            if where.get(f.workload) == label[key]:
                if f.rel is not None:
                    cells.append(Cell(f"{sig3(f.rel)}×", f.rel))
                elif f.peak_rss_mib is not None:  # a footprint or fixed-rate row
                    cells.append(Cell(f"{sig3(f.peak_rss_mib)} MiB", f.peak_rss_mib))
                else:
                    cells.append(Cell(f.status))
            else:
                cells.append(Cell(DASH))
        side.append(cells)
    out.append(Table("Machines side by side (throughput vs glibc, paired within a machine; "
                     "peak RSS where the headline is not throughput)",
                     ["workload", "strategy"] + [label[k] for k in machines], side,
                     anchor="machines-side-by-side",
                     notes=["—: the workload did not run on that machine."]))
    return out
