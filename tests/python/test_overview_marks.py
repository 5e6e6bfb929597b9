"""The overview marks a collector whose heap held most passes without a collection
(fewer collections in the measured span than passes): its figure is then mostly
the cost of allocating, and the table says so once, in a note."""

from pathlib import Path

from mmbench.reporting import figures, tables
from mmbench.runfolder import RunData


def _row(strategy: str, collections, passes: float) -> dict:
    return {"workload": "binary_trees", "strategy": strategy, "status": "ok",
            "headline": "throughput", "throughput_per_s": 1000.0, "ratio_vs_ref": 1.5,
            "ratio_ci95_lo": 1.4, "ratio_ci95_hi": 1.6, "peak_rss_kib": 6000.0,
            "live_kib": 4096.0, "reps": 3, "unit": "tree", "gc_collections": collections,
            "iterations_per_run": passes}


def _overview(rows):
    data = RunData(Path("."), rows=rows)
    return tables.overview_table([figures.row_figures(data, r) for r in rows])


def test_a_collector_with_fewer_collections_than_passes_is_marked():
    table = _overview([_row("glibc", None, 5), _row("jvm-g1", 0, 5), _row("boehm", 116, 5),
                       _row("jvm-zgc", 4, 5)])
    first = [c.text for c in table.rows[0][2:]]
    assert first == ["1.50", "1.50" + tables.FEW_COLLECTIONS_MARK, "1.50",
                     "1.50" + tables.FEW_COLLECTIONS_MARK]
    assert tables.FEW_COLLECTIONS_NOTE in table.notes


def test_no_mark_and_no_note_when_every_collector_collects_each_pass():
    table = _overview([_row("glibc", None, 5), _row("boehm", 5, 5)])
    assert all(tables.FEW_COLLECTIONS_MARK not in c.text for row in table.rows for c in row)
    assert tables.FEW_COLLECTIONS_NOTE not in table.notes
