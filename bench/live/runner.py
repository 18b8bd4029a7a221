"""Run one strategy on one workload through Ray Tune under one budget, and store the result."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError
from bench.spec import RunSpec, build_strategy, seed_generators
from bench.store.manifest import RunSummary, finish_run, run_manifest, summarise
from bench.store.results import PartialLog, write_epochs, write_manifest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from ray.tune.schedulers import TrialScheduler

    from bench.live.progress import RunProgress
    from bench.live.resume import Reopened
    from bench.store.journal import DurableLedger


def _progress_bar(spec: RunSpec) -> tuple[RunProgress | None, Callable[..., Any] | None]:
    if not spec.progress:
        return None, None
    from bench.live.progress import RunProgress

    bar = RunProgress(spec.strategy.name, spec.budget, spec.target)
    return bar, bar.advance


def execute(spec: RunSpec) -> RunSummary:
    """Run the strategy through Ray Tune and write the run folder."""
    from bench import tune_compat
    from bench.live import faults, interrupt, ray_log, resume
    from bench.live.cluster import hide_stale_checkpoint_errors, trial_resources
    from bench.live.experiment import make_trainable, make_tuner
    from bench.live.ray_session import ensure_ray
    from bench.store import run_lock
    from bench.store.dataset import workload_cost_model
    from bench.store.journal import DurableLedger, TrialJournal

    injected_fault = os.environ.get(faults.INJECT_ENV)
    faults.parse_injection(injected_fault)
    cluster = ensure_ray(spec.address)
    resources = trial_resources(cluster, spec.workers, spec.trials_per_gpu)
    seed_generators(spec.seed)
    # what the strategy's libraries say: for RUN/driver.log, not the terminal
    with ray_log.held_log() as held:
        built = build_strategy(spec)
    slots = built.trial_slots(spec.workers)
    built.cap_generator(slots)
    tune_settings = tune_compat.configure_tune(slots)
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
            started = dt.datetime.now(dt.UTC).isoformat()
            manifest = run_manifest(
                spec, run_id, "running", started, replay=False, workers=spec.workers,
                trial_resources=resources, address=spec.address, cost_model=cost_model,
                torch_cpu_threads_per_trial=spec.workload.cpu_threads(resources["cpu"]),
            )
            manifest["max_failures"] = spec.max_failures
            manifest["trials_per_gpu"] = spec.trials_per_gpu
            if injected_fault:
                manifest["injected_fault"] = injected_fault
        manifest["tune_settings"] = tune_settings
        write_manifest(folder, manifest)
        ledger = DurableLedger.for_run(spec, run_id, replay=False, cost_model=cost_model,
                                       log=PartialLog(folder), journal=TrialJournal(folder))
    except OSError as exc:
        if faults.storage_error(exc) is None:
            raise
        raise BenchError(faults.describe_storage_error(faults.storage_error(exc), folder)) from None  # type: ignore[arg-type]  # checked above

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
        held.write_to(folder)
        bar, ledger.on_row = _progress_bar(spec)
        if bar is not None and ledger.rows:
            bar.resume(ledger.stop_rule.spent(ledger.run_epochs, ledger.run_compute_s), ledger.best_accuracy)
        restore_from = resume.tune_path(folder) if reopened is not None and reopened.tune_state else None
        tuner = make_tuner(spec, built, slots, folder, ledger, make_trainable(spec, resources), restore_from)
        ledger.scheduler = tune_compat.tuner_scheduler(tuner)
        if restore_from is not None:
            saved_state = reopened.scheduler_state  # type: ignore[union-attr]  # restoring: a reopened run
            reopened.resume_record["scheduler_state"] = _restore_scheduler(ledger.scheduler, saved_state)  # type: ignore[union-attr]  # as above
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
                journal.close()  # type: ignore[union-attr]  # both set by for_run above
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


def _restore_scheduler(scheduler: TrialScheduler | None, state: bytes | None) -> str:
    """Put the scheduler's saved state back (ASHA's rungs); says what was done, for the resume record."""
    from bench import tune_compat

    if state is not None:
        tune_compat.restore_scheduler_state(scheduler, state)  # type: ignore[arg-type]  # saved by a scheduler
        return "restored"
    if tune_compat.scheduler_state(scheduler) is None:
        name = "FIFOScheduler, Tune's default" if scheduler is None else type(scheduler).__name__
        return f"not kept ({name}: Ray Tune saves none, and bench keeps only ASHA's)"
    return "none saved (the run was killed before its first save)"


def _finish(folder: Path, manifest: dict, status: str, rows: list[dict], summary: RunSummary,
            ledger: DurableLedger, reopened: Reopened | None, hyperparameters: list[str],
            quiet: bool = False) -> None:
    """Write the table (complete runs only) and the final manifest; a full disk keeps the old one.

    Args:
        quiet: the run is already failing on its storage with one line; add no warning before it.
    """
    from bench.live.cluster import node_table
    from bench.live.faults import storage_error

    try:
        if reopened is not None:
            reopened.resume_record["replayed_epochs_dropped"] = ledger.replayed_epochs
        finish_run(folder, manifest, status, rows, hyperparameters, summary, write_rows=write_epochs,
                   errors=ledger.error_list(), retries=ledger.retries,
                   replayed_epochs_dropped=manifest.get("replayed_epochs_dropped", 0)
                   + ledger.replayed_epochs,
                   nodes={**manifest.get("nodes", {}), **node_table()})
    except OSError as exc:
        if storage_error(exc) is None:
            raise
        # The manifest on disk still says the run is unfinished, so it stays resumable.
        if not quiet:
            print(f"warning: could not update {folder}: {exc}", file=sys.stderr)


