"""Reading a run folder and turning it into tables, statistics and an HTML report.

Modules: rundata (loading, with problems collected rather than raised),
histo (merged bucket histograms), stats (confidence intervals, tests),
tables (Markdown/CSV), html (self-contained report), generate (all of it).
"""
