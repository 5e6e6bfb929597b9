"""Experiments from the literature, built on `mmbench run`'s process runner:
sweep (GC heap size vs. time and pauses, after Hertz & Berger 2005) and scale
(throughput against threads). See docs/experiments.md."""
