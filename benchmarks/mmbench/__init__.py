"""mmbench: the command-line runner and the readers of its run folders.

Layout (see docs/run-folder.md for the files a run writes):
  cli.py          argparse front end; discovers every module in commands/
  commands/       one module per subcommand, each with register(subparsers)
  workers.py      finds the worker binaries and asks them what they host
  execute.py      runs one worker process: wait4 rusage, RSS sampling, timeout
  files.py        atomic writes, digests, JSON and number parsing
  runfolder.py    a run folder's paths and readers
  runstate.py     whether a folder's run is still going or ended early
  summary.py      per-(workload, strategy) rows, checksum check (summary.json/.csv)
  reporting/      every table: summary.md, report.md/.csv/.html, experiments' .md
  hgrm.py         HDR histograms: merge, percentiles, .hgrm text write/parse
  machine.py      what the manifest records about the machine and the build
  interpreter.py  which Python runs us and whether it can plot
"""

__version__ = "0.1"
