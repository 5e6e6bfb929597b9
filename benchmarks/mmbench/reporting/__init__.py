"""Turning a run folder into tables and reports, with one set of conventions
(mmbench.fmt: — not measured, n/a not applicable, × a ratio).

Modules: figures (a summary row's figures in report units, and which do not
apply), model (Table/Cell and shared cell texts), tables and verdict (the
report's tables), markdown, csv_report and html (report.md/.csv/.html),
summary_md (summary.md and the run's terminal table), experiments (sweep.md,
scale.md), machines (a merge's per-machine tables), generate (all of it,
plots included). Reading the folder is mmbench.runfolder's.
"""
