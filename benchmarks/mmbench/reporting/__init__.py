"""Turning a run folder into tables, statistics and an HTML report.

Modules: figures (a row's figures, paired ratios), stats (confidence intervals,
tests), tables (Markdown/CSV), html (self-contained report), generate (all of
it, plots included). Reading the folder is mmbench.runfolder's, histograms
mmbench.hgrm's, number formats mmbench.fmt's.
"""
