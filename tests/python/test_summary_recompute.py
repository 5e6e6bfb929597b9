"""Summary rows recomputed from a run folder's files are the ones committed
with it, to the byte: the summary is a function of the folder (a resumed or
re-reported run gets the same rows)."""

import json
from pathlib import Path

import pytest

from mmbench import summary
from mmbench.runfolder import RunFolder

REPO = Path(__file__).resolve().parents[2]
FOLDERS = {"small fixture": REPO / "tests" / "fixtures" / "runs" / "small",
           "reference run": REPO / "results" / "reference"}


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_summary_rows_recomputed_identically(name):
    root = FOLDERS[name]
    manifest = json.loads((root / "manifest.json").read_text())
    plan = manifest["plan"]
    folder = RunFolder(root)
    first = plan["workloads"][0], plan["strategies"][0]
    if folder.load_record(*first, 1) is None:
        pytest.skip(f"{root}: no per-process files to recompute from")
    rows = summary.build_rows(folder, plan)
    committed = (root / "summary.json").read_text()
    assert json.loads(committed)["rows"], "nothing to compare"
    recomputed = json.dumps({"columns": summary.COLUMNS, "rows": rows}, indent=1) + "\n"
    assert recomputed == committed
    assert summary.to_csv(rows) == (root / "summary.csv").read_text()
