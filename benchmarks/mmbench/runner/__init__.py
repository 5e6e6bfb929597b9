"""The runner: what `mmbench run`, `stability`, `sweep`, `scale` and the
experiments share to start worker processes and keep a run folder.

  options   a run's options and plan (resolve_options, make_plan, parse_names)
  option_table  every run option, declared once (argparse, defaults, resume, checks)
  manifest  manifest.json: build, validate, lock, new folder, timestamps
  process   one worker process: run_request(RunRequest) -> its record (run.json)
  opening   open_session(args): the run folder, options, plan and manifest of a session
  session   a session of a run: with open_session(args) as s: s.run(); s.write_summary()
  targets   whether a workload needs another round (--target-se, --target-cv)
  host_probe  the host probe read around every worker (is the machine slow now?)
  progress  the progress line

Commands import these names from here; the modules' underscored names are theirs.
"""

from mmbench.runner.manifest import (build_manifest, describe_error, iso_time, lock_folder,
                                     new_run_folder, utc_now, validate_manifest)
from mmbench.runner.opening import open_session
from mmbench.runner.options import (DEFAULTS, MAX_PLANNED_RUNS, MAX_SEED, MAX_THREADS, SIZES,
                                    add_run_options, make_plan, parse_names, parse_preloads,
                                    resolve_options)
from mmbench.runner.process import (RunRequest, cpu_plan, run_one, run_request,
                                    sanitizer_report, worker_cpus)
from mmbench.runner.session import Session

__all__ = ["DEFAULTS", "MAX_PLANNED_RUNS", "MAX_SEED", "MAX_THREADS", "SIZES", "RunRequest",
           "Session", "add_run_options", "build_manifest", "cpu_plan", "describe_error",
           "iso_time", "lock_folder", "make_plan", "new_run_folder", "open_session",
           "parse_names", "parse_preloads", "resolve_options", "run_one", "run_request",
           "sanitizer_report", "utc_now", "validate_manifest", "worker_cpus"]
