"""mmbench: the command-line runner and the readers of its run folders.

Layout (see docs/run-folder.md for the files a run writes):
  cli.py          argparse front end; discovers every module in commands/
  commands/       one module per subcommand, each with register(subparsers)
  workers.py      finds the worker binaries and asks them what they host
  execute.py      runs one worker process: wait4 rusage, RSS sampling, timeout
  runfolder.py    atomic writes and readers of a run folder's files
  summary.py      per-(workload, strategy) rows, checksum check, tables
  hgrm.py         HDR histograms: merge, percentiles, .hgrm text write/parse
  machine.py      what the manifest records about the machine and the build
  interpreter.py  which Python runs us and whether it can plot
"""

__version__ = "0.1"
