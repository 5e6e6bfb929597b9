"""Figures (matplotlib, Agg backend): run.py and bars.py draw a run folder's, sweep.py a
heap-size sweep's, scale.py a thread-scaling experiment's; style.py gives every
strategy one look. `mmbench plot DIR` draws whichever DIR holds; `mmbench
report`, `sweep` and `scale` call the same functions.

Importing this package needs matplotlib (Debian's python3-matplotlib, for
/usr/bin/python3); the commands that draw say so when it is missing.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

plt.rcParams.update({"font.size": 9, "axes.grid": True, "grid.alpha": 0.3,
                     "svg.fonttype": "none", "savefig.dpi": 110,
                     "svg.hashsalt": "mmbench",  # reproducible SVG ids
                     "figure.constrained_layout.use": True})
