"""execute_replay: one strategy against a learning-curve table, in simulated time."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.environment import one_blas_thread
from bench.errors import BenchError
from bench.replay import writer
from bench.replay.clock import RESULT, WorkerClock
from bench.replay.controller import SimController
from bench.replay.strategy_setup import check_replayable, max_pending_trials, prepare
from bench.spec import build_strategy, seed_generators
from bench.store.curves import curve_book
from bench.store.dataset import table_cost_model
from bench.store.ledger import RunLedger
from bench.store.manifest import RunSummary, summarise
from bench.store.run_log import held_log, quiet
from bench.tune_compat import trials_made_by

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from bench.spec import RunSpec
    from bench.store.tables import Table

#: Simulated workers when the spec leaves it open (the issue's reference setting).
DEFAULT_WORKERS = 4


def check_table(spec: RunSpec, table: Table) -> None:
    """Refuse a table recorded for another workload or grid than the spec's."""
    workload = table.meta["workload"]
    if workload["name"] != spec.workload.name:
        raise BenchError(f"{table.path}: a table for workload {workload['name']!r}, not "
                         f"{spec.workload.name!r}")
    if workload["version"] != spec.workload.version:
        raise BenchError(
            f"{table.path}: recorded for {spec.workload.name} version {workload['version']}, "
            f"but the workload is now version {spec.workload.version}; re-record it"
        )
    if workload["space"] != spec.workload.space.as_dict():
        raise BenchError(f"{table.path}: recorded with a search space other than {spec.workload.name}'s (its "
                         f"hyperparameter ranges or grid differ); re-record it")
    if workload.get("max_epochs") != spec.workload.max_epochs:
        raise BenchError(f"{table.path}: recorded {workload.get('max_epochs')} epochs per curve, "
                         f"the workload has {spec.workload.max_epochs}; re-record it")


def check_specs(specs: list[RunSpec], table: Table) -> None:
    """Refuse, before any run starts, a table or a strategy that replay cannot run."""
    for spec in {spec.strategy.name: spec for spec in specs}.values():
        check_table(spec, table)
        with quiet():  # the run builds it again and logs what its libraries say in its folder
            check_replayable(spec.strategy.name, build_strategy(spec))


@contextlib.contextmanager
def _quiet_tune() -> Iterator[None]:
    """Ray's schedulers log every exploit and bracket at INFO; a replay makes thousands a second."""
    logger = logging.getLogger("ray.tune")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _sklearn_parameter_checks_off() -> Iterator[None]:
    """scikit-learn without its per-call parameter validation, where it is loaded.

    pb2 (Ray's PB2 fits scikit-learn Gaussian processes and maximises its acquisition with
    thousands of `predict` calls) and bayesopt spend part of a replay's CPU re-validating the same
    estimator parameters (a tenth of a default pb2 replay; docs/development.md). The surrogate's
    predictions of a dataset's curves run inside it too. `skip_parameter_validation` skips only the
    checks of arguments' types and ranges, not of the data: every fit and prediction, and so every
    decision, is the same (tests/replay/test_engine.py compares a pb2 replay with and without it).
    """
    if "sklearn" not in sys.modules:  # the strategy never loaded it (built before this is entered)
        yield
        return
    import sklearn

    with sklearn.config_context(skip_parameter_validation=True):
        yield


def _simulate(controller: SimController, ledger: RunLedger) -> None:
    """TuneController.step, repeated: queue trials, start them, process one result, check stop."""
    clock = controller.clock
    while True:
        controller.update_trial_queue()
        if controller.start_trials():
            continue  # an actor starts in one step, its first result comes in a later one
        event = clock.pop()
        if event is None:
            break  # every trial is done (or the rest can never start, as a live run would hang)
        trial, kind = event
        controller.on_event(trial, kind)
        # Tune asks the stopper after every step; only a recorded result can change its answer.
        if kind == RESULT and ledger.should_stop():
            controller.stop_all()
            break
    # Trials neither finished nor cut by the budget or target: the strategy left them waiting.
    controller.left_open = 0 if ledger.stopping else sum(not t.is_finished() for t in controller.get_trials())
    controller.finish()


def execute_replay(spec: RunSpec, table: Table) -> RunSummary:
    """Run `spec.strategy` against `table` and write a run folder in the live format.

    The strategy's own Ray Tune searcher and scheduler make every decision; only execution is
    simulated: each epoch costs its recorded epoch_compute_s on one of `spec.workers` simulated
    workers, and results arrive in simulated-time order. Ray is not started.

    Args:
        spec: a bench.spec.RunSpec (workers 0 means DEFAULT_WORKERS; address is ignored).
        table: a loaded bench.store.tables.Table for the spec's workload.
    """
    # What the strategy's libraries log or warn (nevergrad's bounds, BayesOpt's log scales) goes to the
    # run's driver.log, as in a live run, not to the terminal.
    with held_log() as held:
        summary = _execute(spec, table)
    held.write_to(summary.folder)
    return summary


def _execute(spec: RunSpec, table: Table) -> RunSummary:
    wall_start = time.perf_counter()
    started_wall_s = time.time()
    started_at = dt.datetime.now(dt.UTC).isoformat()
    check_table(spec, table)
    workers = spec.workers or DEFAULT_WORKERS
    if workers < 1:
        raise BenchError(f"workers must be a positive integer, not {workers}")
    seed_generators(spec.seed)  # the same seeding as a live run
    built = build_strategy(spec)
    check_replayable(spec.strategy.name, built)
    cost_model = table_cost_model(table)
    book = curve_book(table, spec.workload.space, spec.seed)
    slots = built.trial_slots(workers)
    built.cap_generator(slots)
    search_alg, scheduler = prepare(built, slots)
    cluster_cpus = float((table.meta.get("hardware") or {}).get("cpu_count") or 1)
    run_id = f"{spec.run_id}-replay"
    folder = (Path(spec.out_dir) / run_id).resolve()
    ledger = RunLedger.for_run(spec, run_id, replay=True, cost_model=cost_model,
                               normalise=_cached(spec.workload.space.normalise))
    controller = SimController(
        search_alg, scheduler, WorkerClock(workers), book, ledger,
        max_pending=max_pending_trials(search_alg, slots, cluster_cpus), max_epochs=spec.workload.max_epochs,
        trial_path=str(folder / "ray"), start_wall_s=started_wall_s,
    )
    status = "failed"
    try:
        # Searchers create SimTrials for the whole run (replay is synchronous: nothing else in this
        # process creates Tune trials meanwhile).
        with (_quiet_tune(), one_blas_thread(), _sklearn_parameter_checks_off(),
              trials_made_by(controller.make_trial)):
            _simulate(controller, ledger)
        status = "complete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        rows = ledger.finalise_rows()
        simulated_s = controller.clock.now
        # Overhead is the simulated workers' idle share.
        summary = summarise(run_id, folder, status, ledger, rows, time.perf_counter() - wall_start,
                            simulated_s * workers)
        simulation = {
            "workers": workers, "simulated_wall_s": simulated_s, "max_pending_trials": controller.max_pending,
            "trials_created": len(controller.get_trials()), "clones": controller.clones,
            "trials_left_open": controller.left_open,
            "replay_wall_s": summary.wall_s,
        }
        approximations = [writer.CLONE_APPROXIMATION] if controller.clones else []
        writer.write_run(folder, spec, run_id, workers, status, started_at,
                         writer.table_record(table, spec.seed, book.mapping), simulation, approximations,
                         cost_model, rows, summary)
    return summary


def _cached(normalise: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`normalise` remembered per config object: a trial reports many epochs with one config.

    Entries keep their config alive, so an id is never reused while it is cached; PBT gives a
    trial a new config object rather than editing the old one.
    """
    cache: dict[int, tuple] = {}

    def cached(config: Any) -> Any:
        entry = cache.get(id(config))
        if entry is None or entry[0] is not config:
            entry = cache[id(config)] = (config, normalise(config))
        return entry[1]

    return cached


