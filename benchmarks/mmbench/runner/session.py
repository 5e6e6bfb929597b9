"""One session of a run (opened by runner.opening.open_session): the plan run in
randomized interleaved rounds, disturbed repetitions re-run, and rounds added
while a workload's ratios or cells vary too much (docs/reproducibility.md)."""

from __future__ import annotations

import os
import random
import signal
import sys
import time

from mmbench import noise, summary, workers
from mmbench.runfolder import RunFolder, read_json, write_json_atomic
from mmbench.runner import targets
from mmbench.runner.host_probe import HostProbe, open_host_probe
from mmbench.runner.manifest import describe_error, utc_now
from mmbench.runner.process import RunRequest, cpu_plan, run_request, worker_cpus
from mmbench.runner.progress import Progress

# What an attempt's record keeps of an earlier attempt of the same repetition.
ATTEMPT_KEYS = ("started", "status", "wall_s", "figure_wall_s", "noise", "disturbed")
RESUMED_ATTEMPT_KEYS = ATTEMPT_KEYS + ("problem", "exit_code", "signal")


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


class Session:
    """A run folder and the plan to complete in it, opened by `open_session`."""

    def __init__(self, args, catalog: workers.Catalog, folder: RunFolder, opts: dict,
                 plan: dict, manifest: dict, previous: dict | None):
        self.args = args
        self.catalog = catalog
        self.folder = folder
        self.opts = opts
        self.plan = plan
        self.manifest = manifest
        self.previous = previous
        self.state = "complete"
        self.skipped = 0
        self.executed = 0
        self.kept: dict[tuple, dict[int, dict]] = {}  # (w, s) -> rep -> ok record with a figure
        self.probes = noise.SpeedProbes()  # of the undisturbed runs so far
        self.deferred: list = []      # disturbed runs to try again at the end of their round
        self.host_probe: HostProbe | None = None
        self.waited_s = 0.0           # spent waiting for a slow host (--max-wait)
        self.rerun_s = 0.0            # spent on re-runs of disturbed runs (--rerun-budget)
        # Runs finished in the current round (w, s, r) -> reruns0, for the round's
        # re-check against the host probe's final reference.
        self.round_done: dict[tuple, int] = {}
        self.gbench_context = None
        self.cpus = cpu_plan(opts["pin"])
        self.order = random.Random(opts["order_seed"])
        self.progress: Progress | None = None

    # ------------------------------------------------------------ the plan

    def round_of(self, r: int, workloads: list[str]) -> list:
        """Round r of these workloads: every pair once, the workloads in a fresh
        random order and each workload's strategies one after another, in a fresh
        random order of their own. A workload's strategies then run seconds
        apart, in the same state of the host, so the per-round ratios that pair
        them cancel a slow minute (Abedi & Brecht's randomized multiple
        interleaved trials, a workload's block being the trial)."""
        order = [w for w in dict.fromkeys(w for w, _ in self.plan["pairs"]) if w in workloads]
        self.order.shuffle(order)
        runs = []
        for w in order:
            block = [s for w2, s in self.plan["pairs"] if w2 == w]
            self.order.shuffle(block)
            runs += [(w, s, r) for s in block]
        return runs

    def planned_runs(self) -> list:
        """(workload, strategy, rep) of the first --reps rounds, then of the rounds an
        earlier session of a resumed run had already added."""
        opts = self.opts
        runs = [run for r in range(1, opts["reps"] + 1)
                for run in self.round_of(r, opts["workloads"])]
        for w, n in self.plan["reps_by_workload"].items():
            runs += [run for r in range(opts["reps"] + 1, n + 1) for run in self.round_of(r, [w])]
        return runs

    # ------------------------------------------------------------ one repetition

    def _announce(self, cmd, extra_env):
        if self.args.verbose and not sys.stdout.isatty():
            env_text = "".join(f"{k}={v} " for k, v in extra_env.items())
            print(f"$ {env_text}{' '.join(cmd)}", flush=True)

    def execute_run(self, w: str, s: str, r: int) -> None:
        """Run repetition r of (w, s) unless a resumed run holds it, intact."""
        attempts = []
        if self.previous is not None:
            rec = self.folder.load_record(w, s, r)
            integrity = (self.folder.integrity(w, s, r, rec)
                         if rec and rec.get("status") == "ok" else None)
            if integrity == "ok":
                self.skipped += 1
                self.progress.skipped()
                self._keep_figure(rec)
                return
            if rec:
                # Run again, keeping what the earlier session's attempt saw (a crash,
                # a result that no longer matches its digest, ...).
                earlier = {k: rec.get(k) for k in RESUMED_ATTEMPT_KEYS}
                if integrity in ("corrupt", "missing"):
                    why = ("no longer match the digests in run.json" if integrity == "corrupt"
                           else "are missing")
                    earlier.update(status=integrity, problem=f"its result files {why}")
                attempts = list(rec.get("attempts") or []) + [earlier]
        self.attempt(w, s, r, attempts, len(attempts))

    def attempt(self, w: str, s: str, r: int, attempts: list, reruns0: int) -> None:
        waited, probe_before = self.wait_for_usual_speed()
        t0 = time.monotonic()
        self.progress.start(w, s, r)
        runtime = workers.runtime_of(self.catalog.entries[(w, s)].get("family"))
        reference = self.probes.reference(runtime)
        record = run_request(RunRequest(
            self.folder, self.catalog, self.opts, w, s, r,
            cpus=worker_cpus(self.cpus, self.catalog.entries[(w, s)],
                             self.catalog.threads_of(s, self.opts["threads"])),
            attempts=attempts, speed_reference=reference, host_probe=self.host_probe,
            probe_before=probe_before, announce=self._announce,
            noise_extra={"host_wait_s": round(waited, 3)} if waited else None))
        if len(attempts) > reruns0:
            self.rerun_s += time.monotonic() - t0
        if record["status"] == "ok" and not record["disturbed"]:
            self.probes.add(runtime, (record.get("noise") or {}).get("speed_probe_ns") or [])
        if record["disturbed"] and self._may_rerun(attempts, reruns0):
            self._defer(record, attempts, reruns0)
            return
        self.executed += 1
        self.progress.finished(record)
        self.round_done[(w, s, r)] = reruns0
        self._keep_figure(record)
        if (self.gbench_context is None and record["status"] == "ok"
                and workers.runtime_of(record.get("family")) == workers.CPP_RUNTIME):
            try:
                self.gbench_context = read_json(self.folder.raw(w, s, r, "gbench")).get("context")
            except (OSError, ValueError):
                pass

    def wait_for_usual_speed(self) -> tuple[float, int | None]:
        """Read the host probe before a run and, while it reads the machine slower
        than usual, wait (a run started in a slow window would be re-run
        anyway), at most --max-wait seconds over the session. Returns
        the seconds waited and the last reading (the run's reading before)."""
        probe = self.host_probe
        if probe is None:
            return 0.0, None
        t0 = time.monotonic()
        first = None
        while True:
            reading = probe.read()
            ratio = probe.ratio([reading])
            spent = time.monotonic() - t0
            if ratio is None or ratio <= noise.HOST_SLOW_MAX or \
                    self.waited_s + spent >= self.opts["max_wait"]:
                break
            first = first or ratio
            time.sleep(min(1.0, self.opts["max_wait"] - self.waited_s - spent))
        if first:
            self.waited_s += spent
            self.progress.note(f"host {100 * (first - 1):.0f}% slower than its usual best "
                               f"(host probe): waited {spent:.1f} s ({self.waited_s:.1f} of "
                               f'at most {self.opts["max_wait"]:g} s in this run)')
        return (spent if first else 0.0), reading

    def _rerun_budget_left(self) -> bool:
        return self.rerun_s < self.opts["rerun_budget"]

    def _may_rerun(self, attempts: list, reruns0: int) -> bool:
        """Within --max-reruns for this repetition and --rerun-budget for the run."""
        return len(attempts) - reruns0 < self.opts["max_reruns"] and self._rerun_budget_left()

    def _keep_as_is(self, w: str, s: str, r: int) -> None:
        """A deferred re-run that --rerun-budget no longer allows: its last,
        disturbed attempt is its record (already written), counted as done."""
        record = self.folder.load_record(w, s, r)
        self.executed += 1
        if record:
            self.progress.finished(record, started=False)
            self._keep_figure(record)

    def _defer(self, record: dict, attempts: list, reruns0: int, finished: bool = False) -> None:
        """Run this disturbed repetition again at the end of its round, when
        whatever disturbed it (a busy host lasts a minute or more) may have
        passed, keeping what this attempt saw."""
        attempts = attempts + [{k: record[k] for k in ATTEMPT_KEYS}]
        self.deferred.append((record["workload"], record["strategy"], record["rep"], attempts,
                              reruns0))
        self.progress.deferred(record, finished)

    def _keep_figure(self, record: dict) -> None:
        """The runs the adaptive rounds look at: ok runs with a figure."""
        key, rep = (record["workload"], record["strategy"]), record["rep"]
        if record["status"] == "ok" and record.get("figure_wall_s"):
            self.kept.setdefault(key, {})[rep] = record
        else:
            self.kept.get(key, {}).pop(rep, None)

    def recheck(self, runs, rerun: bool) -> None:
        """Judge these finished runs again against the host probe's reference as
        it is now: it only falls as readings come in, so a run made in a slow
        window at the start of a session, when the probe had not yet seen the
        machine at its usual speed, is found here. Its record says so; with
        `rerun`, it is run again (bounded by --max-reruns, as any disturbed run)."""
        if self.host_probe is None or self.host_probe.reference() is None:
            return
        for (w, s, r), reruns0 in runs:
            record = self.folder.load_record(w, s, r)
            if not record or record.get("status") != "ok":
                continue
            run_noise = record.get("noise") or {}
            ratio = self.host_probe.ratio(run_noise.get("host_probe_ns") or [])
            if ratio is None or ratio <= noise.HOST_SLOW_MAX or \
                    (run_noise.get("host_probe_ratio") or 0) > noise.HOST_SLOW_MAX:
                continue
            run_noise.update(host_probe_ratio=ratio, host_probe_rechecked=True)
            record["disturbed"] = noise.disturbance(run_noise,
                                                    pinned=record.get("cpus") is not None)
            write_json_atomic(self.folder.raw(w, s, r, "run"), record)
            self._keep_figure(record)
            attempts = list(record.get("attempts") or [])
            if rerun and self._may_rerun(attempts, reruns0):
                self.executed -= 1
                self._defer(record, attempts, reruns0, finished=True)

    def flush_deferred(self) -> None:
        """The end of a round: re-check its runs against the host probe, then run
        its disturbed repetitions again, until none is left to run."""
        self.recheck(list(self.round_done.items()), rerun=True)
        self.round_done.clear()
        while self.deferred:
            pending = list(self.deferred)
            self.deferred.clear()
            for item in pending:
                if self._rerun_budget_left():
                    self.attempt(*item)
                else:
                    self._keep_as_is(*item[:3])
            self.recheck(list(self.round_done.items()), rerun=True)
            self.round_done.clear()

    # ------------------------------------------------------------ the rounds

    def need(self, w: str) -> float:
        """How far workload w is from its targets, 1 = just met (targets.need)."""
        return targets.need(self.plan, self.kept, self.opts, w)

    def _wanting_another_round(self) -> list[str]:
        """The workloads below --max-reps that have not met their targets."""
        return [w for w in self.opts["workloads"]
                if self.plan["reps_by_workload"][w] < self.opts["max_reps"] and self.need(w) > 1]

    def _rounds(self, runs: list) -> None:
        current_round = None
        for w, s, r in runs:
            if r != current_round:
                self.flush_deferred()
                current_round = r
            self.execute_run(w, s, r)
        self.flush_deferred()
        # Adaptive repetitions, while the budget lasts: another round for every
        # workload that has not met its targets, until it has --max-reps rounds,
        # so the time goes where the uncertainty is. Every wanting workload gets
        # its round in each pass, in a fresh random order, so that no workload's
        # extra rounds all fall into one slow minute of the host.
        while time.monotonic() - self.progress.t0 < self.opts["budget"]:
            wanting = self._wanting_another_round()
            if not wanting:
                break
            for w in wanting:
                self.plan["reps_by_workload"][w] += 1
            # a resume knows the new rounds
            write_json_atomic(self.folder.manifest, self.manifest, allow_nan=False)
            self.order.shuffle(wanting)
            extra = []
            for w in wanting:
                extra += self.round_of(self.plan["reps_by_workload"][w], [w])
            self.progress.total += len(extra)
            for run in extra:
                self.execute_run(*run)
            self.flush_deferred()

    def run(self) -> str:
        """Run what the plan still lacks; the session's end state: complete,
        interrupted (Ctrl-C, SIGTERM, SIGHUP) or failed (re-raised)."""
        manifest = self.manifest
        manifest["cpus"] = self.cpus
        manifest["machine_state"] = noise.machine_state()
        if self.cpus["runner"]:
            os.sched_setaffinity(0, self.cpus["runner"])  # this thread and the threads it starts
        runs = self.planned_runs()
        self.host_probe = open_host_probe(self.catalog.build_dir, (self.cpus["worker"] or [])[:1])
        self.progress = Progress(len(runs))
        old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
        old_hup = signal.signal(signal.SIGHUP, _raise_interrupt)  # a closed terminal
        try:
            self._rounds(runs)
        except KeyboardInterrupt:
            self.state = "interrupted"
        except BaseException as e:
            # Anything unexpected (a full disk, a bug): the manifest says the run failed
            # and why, never "complete"; --resume completes it.
            self.state = "failed"
            manifest["error"] = describe_error(e)
            raise
        finally:
            self.progress.close()
            if self.host_probe is not None:
                # The final reference judges every run of the session once more
                # (records only: the summary leaves disturbed runs out of its timings).
                self.recheck([((w, s, r), 0) for w, s, r in self._all_runs()], rerun=False)
                manifest["host_probe"] = self.host_probe.describe()
                self.host_probe.close()
            signal.signal(signal.SIGTERM, old_term)
            signal.signal(signal.SIGHUP, old_hup)
            self._record_end()
        return self.state

    def _all_runs(self) -> list:
        plan = self.plan
        return [(w, s, r) for w, s in plan["pairs"]
                for r in range(1, plan["reps_by_workload"].get(w, self.opts["reps"]) + 1)]

    def _record_end(self) -> None:
        manifest = self.manifest
        if self.gbench_context:
            manifest["versions"]["google_benchmark_build_type"] = self.gbench_context.get(
                "library_build_type")
            if not manifest["versions"].get("google_benchmark"):
                manifest["versions"]["google_benchmark"] = self.gbench_context.get(
                    "library_version")
        manifest["finished"] = utc_now()
        manifest["state"] = self.state
        if self.state != "failed":
            manifest.pop("error", None)
        manifest["sessions"][-1].update(finished=manifest["finished"], executed=self.executed,
                                        skipped=self.skipped, state=self.state,
                                        waited_s=round(self.waited_s, 3),
                                        rerun_s=round(self.rerun_s, 3))
        try:
            write_json_atomic(self.folder.manifest, manifest, allow_nan=False)
        except OSError as e:
            if self.state != "failed":
                raise
            # Already failing (e.g. the disk is full): the original error is the one to
            # report; the manifest left saying "running" is detected by --resume.
            print(f"mmbench run: note: could not record the failure in {self.folder.manifest}: "
                  f"{describe_error(e)}", file=sys.stderr)

    def write_summary(self) -> list[dict]:
        """hgrm files, summary.json/.csv/.md and the manifest's noise summary; the rows."""
        summary.write_hgrms(self.folder, self.plan)
        rows = summary.write_summary(self.folder, self.plan, self.manifest)
        self.manifest["noise_summary"] = summary.noise_summary(self.folder, self.plan)
        write_json_atomic(self.folder.manifest, self.manifest)
        return rows
