"""Every run option, declared once: its flag, default, type, help, what a resume
does with it and the check its value must pass. argparse (add_run_options), the
defaults, the resume rules (runner.options) and the manifest's checks
(runner.manifest) are all derived from RUN_OPTIONS."""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable

from mmbench import workers
from mmbench.contract import SIZES

MAX_THREADS = 4096          # the worker's own limit
MAX_SEED = 2**64 - 1        # the worker's seed is a uint64
MAX_TIMEOUT_S = 7 * 86400   # far beyond any run, well within threading.TIMEOUT_MAX

# What a resumed run does with an option that is not given again.
KEPT = "kept"      # the resumed run's value (else the default)
FIXED = "fixed"    # the resumed run's value; a different one given is refused
ONCE = "once"      # this invocation's value only (argparse's default when not given)


@dataclasses.dataclass(frozen=True)
class Check:
    """What a value must satisfy. message: the error, formatted with flag= and
    value=; a manifest's value that fails it is refused too."""
    ok: Callable[[object], bool]
    message: str


@dataclasses.dataclass(frozen=True)
class RunOption:
    key: str                    # its name in the run's options (and the manifest)
    help: str                   # may name {default}
    default: object = None      # None: none here (the option is resolved elsewhere)
    type: Callable | None = None  # argparse type; None: a flag without a value
    metavar: str | None = None
    resume: str = KEPT
    check: Check | None = None
    manifest: str | None = None  # "required" / "optional": checked in a resumed manifest
    flag: str | None = None     # the command-line flag when not --key
    given: object = True        # a flag's value when given (--no-pin: pin = False)

    @property
    def option(self) -> str:
        return self.flag or "--" + self.key.replace("_", "-")

    @property
    def dest(self) -> str:
        return self.option[2:].replace("-", "_")


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _names(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)


def _seconds_check(low: str = ">= 0") -> Check:
    return Check(lambda v: _number(v) and v >= 0,
                 "{flag} must be a finite number of seconds " + low + " (got {value:g})")


def _positive(v) -> bool:
    return _number(v) and v > 0


_POSITIVE = Check(_positive, "{flag} must be > 0 (got {value:g})")
_NAMES = Check(_names, "{flag} must name at least one (got {value!r})")
_AT_LEAST_1 = Check(lambda v: _int(v) and v >= 1, "{flag} must be >= 1 (got {value})")
_STRATEGIES_HELP = (
    "comma-separated strategies, or 'all' for every built one (default: the core set "
    f'{", ".join(workers.CORE_STRATEGIES)}, those that are built, plus any --preload; '
    "`mmbench list` marks them)")

# In the order of `mmbench run --help`; a resumed manifest's options are checked
# in this order too.
RUN_OPTIONS = (
    RunOption("workloads", "comma-separated workloads (default: all that are built)",
              metavar="A,B", type=str, check=_NAMES, manifest="required"),
    RunOption("strategies", _STRATEGIES_HELP, metavar="X,Y", type=str,
              check=_NAMES, manifest="required"),
    RunOption("reps", "rounds: repetitions of every pair, one process each, in a fresh random "
              "order per round (default {default})", 3, int, "N", check=_AT_LEAST_1,
              manifest="required"),
    RunOption("max_reps", "further rounds, up to N in all, for a workload whose ratios or cells "
              "vary by more than --target-se or --target-cv, while --budget lasts (default "
              "{default}; with --reps alone: = --reps, exactly that many rounds)", 16, int, "N",
              check=_AT_LEAST_1, manifest="required"),
    RunOption("target_cv", "coefficient of variation of a cell's time over its repetitions "
              "above which its workload gets another round (default {default:g})", 0.02,
              float, "F", check=_POSITIVE, manifest="optional"),
    RunOption("target_se", "standard error of a workload's per-round throughput ratios to "
              "glibc (of their logs: ~ a fraction) above which it gets another round; each "
              "pass gives one to every workload short of its targets (default {default:g})",
              0.02, float, "F", check=_POSITIVE, manifest="optional"),
    RunOption("min_time", "seconds of steady-state iterations per process after the first, "
              "timed one; 0: one iteration (default {default:g})", 0.2, float, "S", FIXED,
              Check(lambda v: _number(v) and 0 <= v <= 3600,
                    "{flag} must be between 0 and 3600 seconds (got {value:g})"), "required"),
    RunOption("managed_min_time", "seconds of steady-state iterations per process for a "
              "managed runtime (JVM, Go), at least --min-time where that is not 0: their pass "
              "times vary with where the collector's cycles fall (default {default:g})", 1.0,
              float, "S", FIXED,
              Check(lambda v: _number(v) and 0 <= v <= 3600,
                    "{flag} must be between 0 and 3600 seconds (got {value:g})"), "optional"),
    RunOption("drain", "after the last pass, keep each worker alive ~1.3 s and record its RSS "
              "at the start of that drain phase, after 100 ms and 1 s, and after the "
              "strategy's own release call (malloc_trim, mi_collect, jemalloc purge, "
              "GC_gcollect_and_unmap): memory given back (off by default: it costs ~1.3 s per "
              "run)", False),
    RunOption("max_reruns", "re-run a repetition disturbed by steal, pressure or migrations at "
              "most N times (default {default})", 2, int, "N",
              check=Check(lambda v: _int(v) and v >= 0, "{flag} must be >= 0 (got {value})")),
    RunOption("max_wait", "while the host probe reads the machine slower than usual, wait "
              "before starting a worker, at most S seconds over the whole run (default "
              "{default:g}; 0: never wait)", 30.0, float, "S", check=_seconds_check(),
              manifest="optional"),
    RunOption("rerun_budget", "spend at most S seconds on re-runs of disturbed repetitions "
              "over the whole run (default {default:g}); past it a disturbed repetition stays "
              "as it is, marked", 45.0, float, "S", check=_seconds_check(), manifest="optional"),
    RunOption("budget", "start no further round (beyond --reps) once the run has taken S "
              "seconds (default {default:g}: the default suite then ends within 10 minutes on "
              "a 2-core machine, report included)", 420.0, float, "S", check=_seconds_check(),
              manifest="optional"),
    RunOption("order_seed", "seed of the random order within rounds (default: drawn and "
              "recorded)", None, int, "N",
              check=Check(lambda v: _int(v) and v >= 0, "{flag} must be >= 0 (got {value})"),
              manifest="optional"),
    RunOption("pin", "do not pin the worker to CPUs apart from the runner's", True,
              flag="--no-pin", given=False),
    RunOption("size", "work size: {sizes} (default {default})", "default", str, "SIZE", FIXED,
              Check(lambda v: v in SIZES, "unknown size '{value}'; valid sizes: "
                    + ", ".join(SIZES)), "required"),
    RunOption("suite", "what runs: 'workloads' (the synthetic workloads) or 'programs' (the "
              "real programs of programs/, docs/programs.md); default {default}", "workloads",
              str, "NAME", FIXED, Check(lambda v: v in workers.SUITES,
                                        "unknown suite '{value}'; valid suites: "
                                        + ", ".join(workers.SUITES)), "optional"),
    RunOption("threads", "threads, for workloads that use them (default {default})", 1, int,
              "N", FIXED, Check(lambda v: _int(v) and 1 <= v <= MAX_THREADS,
                                f"{{flag}} must be between 1 and {MAX_THREADS} (got {{value}})"),
              "required"),
    RunOption("seed", "workload seed (default {default})", 42, int, "N", FIXED,
              Check(lambda v: _int(v) and 0 <= v <= MAX_SEED,
                    "{flag} must be between 0 and 2^64-1 (got {value})"), "required"),
    RunOption("out", "run folder to create (default results/run-YYYYmmdd-HHMMSS)", type=str,
              metavar="DIR", resume=ONCE),
    # Non-finite numbers are refused: inf/nan would mean no limit or break the
    # timer, and the manifest must stay valid JSON.
    RunOption("timeout_s", "seconds before a worker is killed (default {default:g}; 0: no "
              "limit)", 300.0, float, "S", ONCE,
              Check(lambda v: _number(v) and 0 <= v <= MAX_TIMEOUT_S,
                    "{flag} must be a finite number of seconds between 0 (no limit) and "
                    f"{MAX_TIMEOUT_S} (got {{value}})"), flag="--timeout"),
    RunOption("sample_ms", "RSS sampling period in ms (default {default:g})", 10.0, float, "MS",
              ONCE, Check(lambda v: _number(v) and 0 < v <= 60000,
                          "{flag} must be a finite number of milliseconds above 0 and at most "
                          "60000 (got {value})")),
)
OPTIONS_BY_KEY = {o.key: o for o in RUN_OPTIONS}
DEFAULTS = {o.key: o.default for o in RUN_OPTIONS if o.default is not None}
# Options that define what is measured: a resumed run must not change them.
FIXED_ON_RESUME = tuple(o.key for o in RUN_OPTIONS if o.resume == FIXED)


def help_text(o: RunOption) -> str:
    return o.help.format(default=o.default, sizes=" | ".join(SIZES))


def add_run_options(p: argparse.ArgumentParser, leave_out: tuple[str, ...] = ()) -> None:
    """The options that say what a run measures and where it goes, as `mmbench
    run` and `mmbench stability` take them; those keyed in leave_out are the
    command's own."""
    for o in RUN_OPTIONS:
        if o.key in leave_out:
            continue
        if o.type is None:
            p.add_argument(o.option, action="store_true", help=help_text(o))
        else:
            # A value kept on resume has no argparse default: not given is None.
            default = o.default if o.resume == ONCE else None
            p.add_argument(o.option, type=o.type, default=default, metavar=o.metavar,
                           help=help_text(o))


def accepts(o: RunOption, value) -> bool:
    return o.check is None or bool(o.check.ok(value))


def problem(o: RunOption, value) -> str | None:
    """The error for a value of the option's type that fails its check, or None."""
    if accepts(o, value):
        return None
    return o.check.message.format(flag=o.option, value=value)
