"""Run one strategy on one workload through Ray Tune under one budget, and store the result."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from bench import environment
from bench.budget import Budget, StopRule
from bench.errors import BenchError
from bench.results import SCHEMA_VERSION, PartialLog, write_epochs, write_manifest
from strategies import METRIC, MODE, BuildContext, ResolvedStrategy
from workloads import Workload


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines one run; stored in its manifest."""

    strategy: ResolvedStrategy
    workload: Workload
    seed: int
    budget: Budget
    samples: int
    workers: int
    out_dir: Path
    target: float | None = None
    address: str | None = None
    workload_options: Mapping[str, Any] = field(default_factory=dict)
    trials_per_gpu: int = 1
    command: tuple[str, ...] = ()
    progress: bool = True
    resume: Path | None = None  # an unfinished run folder to continue (bench.resume)
    max_failures: int = 2  # retries of a failed trial before it is recorded as errored (bench.faults)

    @property
    def run_id(self) -> str:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        return f"{self.strategy.name.replace('+', '_')}-{self.workload.name}-seed{self.seed}-{stamp}"


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    folder: Path
    status: str
    best_accuracy: float | None
    best_config: dict | None
    compute_epochs: int
    compute_s: float
    trials_started: int
    trials_stopped_early: int
    overhead_share: float
    wall_s: float

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def trial_resources(cluster: Mapping[str, float], workers: int, trials_per_gpu: int) -> dict:
    """CPUs and GPU share per trial, so that `workers` trials fit side by side."""
    gpus = cluster.get("GPU", 0)
    cpus = cluster.get("CPU", 1)
    per_trial = {"cpu": max(1.0, math.floor(cpus / workers)) if cpus >= workers else cpus / workers}
    if gpus >= 1:
        per_trial["gpu"] = 1.0 / trials_per_gpu
    return per_trial


def workload_record(spec: RunSpec) -> dict:
    """The manifest's description of the workload a run used (live and replay alike)."""
    return {
        "name": spec.workload.name, "version": spec.workload.version,
        "max_epochs": spec.workload.max_epochs, "space": spec.workload.space.as_dict(),
        "grid_budget_epochs": spec.workload.grid_budget_epochs,
        "options": {k: str(v) for k, v in spec.workload_options.items()},
    }


def compute_unit(cost_model) -> dict:
    """The manifest's record of what a run's epoch_cost_s are (live and replay alike)."""
    from bench.dataset import MEASURED_UNIT

    return MEASURED_UNIT if cost_model is None else cost_model.record()


def _manifest(spec: RunSpec, run_id: str, resources: dict, status: str, started: str, cost_model) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "status": status,
        "replay": False,
        "strategy": spec.strategy.describe(),
        "workload": workload_record(spec),
        "seed": spec.seed,
        "budget": spec.budget.as_dict(),
        "target": spec.target,
        "samples": spec.samples,
        "workers": spec.workers,
        "trial_resources": resources,
        "torch_cpu_threads_per_trial": spec.workload.cpu_threads(resources["cpu"]),
        "address": spec.address,
        "metric": METRIC,
        "mode": MODE,
        "compute_unit": compute_unit(cost_model),
        "versions": environment.library_versions(),
        "hardware": environment.hardware(),
        "command": list(spec.command),
        "started_at": started,
    }


def _progress_bar(spec: RunSpec):
    if not spec.progress:
        return None, None
    from bench.progress import RunProgress

    bar = RunProgress(spec.strategy.name, spec.budget, spec.target)
    return bar, bar.advance


def execute(spec: RunSpec) -> RunSummary:
    """Run the strategy through Ray Tune and write the run folder."""
    from ray import tune

    from bench import faults, interrupt, ray_log, resume, run_lock
    from bench.cluster import configure_tune, hide_stale_checkpoint_errors
    from bench.journal import DurableLedger, JournalCallback, TrialJournal
    from bench.dataset import workload_cost_model
    from bench.ray_session import ensure_ray
    from bench.recorder import LedgerStopper
    from bench.trainable import train_trial

    injected_fault = os.environ.get(faults.INJECT_ENV)
    faults.parse_injection(injected_fault)
    cluster = ensure_ray(spec.address)
    resources = trial_resources(cluster, spec.workers, spec.trials_per_gpu)
    # Seeds every generator Ray's schedulers (PBT, PB2) and the default searcher draw from.
    random.seed(spec.seed)
    import numpy as np

    np.random.seed(spec.seed)
    built = spec.strategy.build(
        BuildContext(space=spec.workload.space, max_epochs=spec.workload.max_epochs, seed=spec.seed,
                     samples=spec.samples)
    )
    slots = built.trial_slots(spec.workers)
    tune_settings = configure_tune(slots)
    cost_model = workload_cost_model(spec.workload)
    folder = spec.resume or spec.out_dir
    try:
        if spec.resume is not None:
            run_lock.acquire(spec.resume)  # before reopen writes anything: one driver per folder
        reopened = resume.reopen(spec.resume, spec.command) if spec.resume is not None else None
        if reopened is not None:
            folder, manifest = reopened.folder, reopened.manifest
            run_id = manifest["run_id"]
        else:
            run_id = spec.run_id
            folder = (spec.out_dir / run_id).resolve()
            folder.mkdir(parents=True, exist_ok=False)
            run_lock.acquire(folder)
            started = dt.datetime.now(dt.timezone.utc).isoformat()
            manifest = _manifest(spec, run_id, resources, "running", started, cost_model)
            manifest["max_failures"] = spec.max_failures
            if injected_fault:
                manifest["injected_fault"] = injected_fault
        manifest["tune_settings"] = tune_settings
        write_manifest(folder, manifest)
        ledger = DurableLedger(
            identity={"run_id": run_id, "strategy": spec.strategy.name, "workload": spec.workload.name,
                      "workload_version": spec.workload.version, "seed": spec.seed, "replay": False},
            normalise=spec.workload.space.normalise,
            max_epochs=spec.workload.max_epochs,
            stop_rule=StopRule(spec.budget, spec.target),
            log=PartialLog(folder),
            journal=TrialJournal(folder),
            cost=None if cost_model is None else cost_model.epoch_cost_s,
        )
    except OSError as exc:
        if faults.storage_error(exc) is None:
            raise
        raise BenchError(faults.describe_storage_error(faults.storage_error(exc), folder)) from None

    wall_start = time.perf_counter()
    status = "failed"
    interrupted = False
    storage_failed = False
    bar = None
    tune_log = None
    ray_to_file = contextlib.ExitStack()
    if reopened is not None:
        ledger.adopt(reopened.rows, reopened.events)
        hide_stale_checkpoint_errors()
    ledger.attach()  # Tune's pickled run config resolves to this ledger on restore
    try:
        # Ray's ERROR records and tracebacks about a failure or a Ctrl-C go to RUN/driver.log, so the
        # terminal ends with bench's one line saying what happened and what to do.
        tune_log = ray_to_file.enter_context(ray_log.to_run_log(folder))
        bar, ledger.on_row = _progress_bar(spec)
        if bar is not None and ledger.rows:
            bar.resume(ledger.stop_rule.spent(ledger.run_epochs, ledger.run_compute_s), ledger.best_accuracy)
        trainable = tune.with_resources(
            tune.with_parameters(
                train_trial, workload_name=spec.workload.name, workload_options=dict(spec.workload_options),
                training_seed=spec.seed, cpu_threads=spec.workload.cpu_threads(resources["cpu"]),
                device_share=resources.get("gpu", 1.0),
            ),
            resources,
        )
        tuner = tune.Tuner.restore(
            str(resume.tune_path(folder)), trainable=trainable, resume_unfinished=True, resume_errored=False,
        ) if reopened is not None and reopened.tune_state else tune.Tuner(
            trainable,
            param_space=built.param_space,
            tune_config=tune.TuneConfig(
                metric=METRIC, mode=MODE, search_alg=built.search_alg, scheduler=built.scheduler,
                num_samples=built.num_samples, max_concurrent_trials=slots, reuse_actors=True,
            ),
            run_config=tune.RunConfig(
                name="tune", storage_path=str(folder / "ray"), stop=LedgerStopper(ledger),
                callbacks=[JournalCallback(ledger)], verbose=0,
                checkpoint_config=tune.CheckpointConfig(num_to_keep=4),
                failure_config=tune.FailureConfig(max_failures=spec.max_failures),
            ),
        )
        interrupted = interrupt.fit(tuner)
        status = "interrupted" if interrupted else "complete"
        if ledger.storage_failure is not None:
            status = "failed"
            raise ledger.storage_failure
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception as exc:
        storage = faults.storage_error(exc) or ledger.storage_failure or faults.probe_storage(folder)
        if storage is None:
            raise
        status = "failed"
        storage_failed = True
        raise BenchError(faults.describe_storage_error(storage, folder)) from None
    finally:
        ray_to_file.close()
        ledger.detach()
        wall_s = time.perf_counter() - wall_start
        for journal in (ledger.log, ledger.journal):
            try:
                journal.close()
            except OSError:
                pass  # a full disk: what was flushed before stays readable
        if bar is not None:
            bar.close()
        rows = ledger.finalise_rows()
        # Packed trials are charged their GPU share, so their worker time is that share too.
        summary = summarise(run_id, folder, status, ledger, rows, wall_s,
                            wall_s * spec.workers * resources.get("gpu", 1.0))
        try:
            _finish(folder, manifest, status, rows, summary, ledger, reopened, spec.workload.space.names,
                    quiet=storage_failed)
        finally:
            run_lock.release(folder)  # after the final manifest: a second driver sees the run's real status
    if status == "complete" and tune_log is not None and tune_log.error_records:
        print(f"note: Ray Tune logged {tune_log.error_records} error(s) (failed trials, retries); see "
              f"{folder / ray_log.LOG_FILE}", file=sys.stderr)
    if interrupted:
        print(f"run {run_id} interrupted; the {len(rows)} epochs done are saved. Resume with:\n"
              f"  python -m bench run --resume {folder}", file=sys.stderr)
        raise KeyboardInterrupt
    return summary


def _finish(folder, manifest, status, rows, summary, ledger, reopened, hyperparameters, quiet=False) -> None:
    """Write the table (complete runs only) and the final manifest; a full disk keeps the old one.

    Args:
        quiet: the run is already failing on its storage with one line; add no warning before it.
    """
    from bench.cluster import node_table
    from bench.faults import storage_error

    try:
        if status == "complete":
            write_epochs(folder, rows, hyperparameters)
        if reopened is not None:
            reopened.resume_record["replayed_epochs_dropped"] = ledger.replayed_epochs
        manifest.update(
            status=status, ended_at=dt.datetime.now(dt.timezone.utc).isoformat(), rows=len(rows),
            summary=summary.as_dict(), errors=ledger.error_list(), retries=ledger.retries,
            replayed_epochs_dropped=manifest.get("replayed_epochs_dropped", 0) + ledger.replayed_epochs,
            nodes={**manifest.get("nodes", {}), **node_table()},
        )
        write_manifest(folder, manifest)
    except OSError as exc:
        if storage_error(exc) is None:
            raise
        # The manifest on disk still says the run is unfinished, so it stays resumable.
        if not quiet:
            print(f"warning: could not update {folder}: {exc}", file=sys.stderr)


def summarise(run_id, folder, status, ledger, rows, wall_s, worker_s) -> RunSummary:
    """A run's summary; `worker_s` is the worker time it had (the base of overhead_share)."""
    trials = {row["trial_id"] for row in rows}
    compute_s = sum(row["epoch_cost_s"] for row in rows)
    measured_s = sum(row["epoch_compute_s"] for row in rows)
    return RunSummary(
        run_id=run_id, folder=folder, status=status,
        best_accuracy=ledger.best_accuracy, best_config=ledger.best_config,
        compute_epochs=len(rows), compute_s=compute_s,
        trials_started=len(trials),
        trials_stopped_early=sum(1 for t in trials if ledger.outcomes.get(t) == "stopped_early"),
        overhead_share=max(0.0, 1.0 - measured_s / worker_s) if worker_s > 0 else 0.0,
        wall_s=wall_s,
    )


def check_writable(out_dir: Path, what: str = "results") -> None:
    """Fail early, before anything is written, when `what` cannot be stored under out_dir."""
    import os

    accepted = "accepted: a writable folder, or a path to create in one, with names the file system allows"
    probe = Path(out_dir)
    shown = str(out_dir) if len(str(out_dir)) <= 120 else f"{str(out_dir)[:100]}..."
    try:
        while not probe.exists():
            probe = probe.parent
        usable = probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)
    except OSError as exc:  # a name longer than the file system allows, a loop of links
        raise BenchError(f"cannot write {what} under {shown}: {exc.strerror or exc}; {accepted}") from None
    long = [part for part in Path(out_dir).parts if len(os.fsencode(part)) > _name_max(probe)]
    if long:
        raise BenchError(f"cannot write {what} under {shown}: a folder name of "
                         f"{len(os.fsencode(long[0]))} bytes is too long; {accepted}")
    if not usable:
        kind = "a file, not a writable folder" if not probe.is_dir() else "not a writable folder"
        raise BenchError(f"cannot write {what} under {out_dir}: {probe} is {kind}; {accepted}")


def _name_max(folder: Path) -> int:
    """The longest file name the file system holding `folder` allows (255 on Linux and macOS)."""
    import os

    try:
        return os.pathconf(folder if folder.is_dir() else folder.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def default_workers(cluster: Mapping[str, float], trials_per_gpu: int) -> int:
    gpus = int(cluster.get("GPU", 0))
    if gpus:
        return gpus * trials_per_gpu
    return max(1, int(cluster.get("CPU", 1)))


def resolve_samples(samples: int | None, workload: Workload) -> int:
    if samples is None:
        return workload.space.grid_size()
    if samples < 1:
        raise BenchError(f"--samples must be a positive integer, not {samples}")
    return samples


def raise_if_bad_target(target: float | None) -> None:
    if target is not None and not (0.0 < target <= 1.0):
        raise BenchError(f"--target is a validation accuracy in (0, 1], not {target}")
