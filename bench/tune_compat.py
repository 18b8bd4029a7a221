"""Every private or version-sensitive Ray Tune name bench uses, and nothing else.

Live runs, replay and the strategies reach these names only through this module, and
tests/bench/test_tune_compat.py exercises each of them against the installed Ray, so an upgrade that
renames or changes one fails there, by name. Ray is imported inside the functions: importing
this module stays free (`bench list` does not start Ray).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ray.tune import Tuner
    from ray.tune.experiment import Experiment, Trial
    from ray.tune.schedulers import HyperBandScheduler, TrialScheduler
    from ray.tune.search import SearchAlgorithm, Searcher

    from bench.replay.trials import SimTrial

# --- Tune's environment settings ----------------------------------------------------------
#: Seconds between Ray Tune experiment-state snapshots (Tune's default, "auto", waits at least
#: 10 s). A killed driver retrains at most this much of each running trial on resume; the
#: epochs it retrains are dropped, not counted twice.
SNAPSHOT_PERIOD_S = 2.0

# What the user set before bench started wins over bench's defaults.
_USER_SETTINGS = {name: os.environ.get(name)
                  for name in ("TUNE_GLOBAL_CHECKPOINT_S", "TUNE_MAX_PENDING_TRIALS_PG")}


def configure_tune(workers: int) -> dict[str, str]:
    """Set Tune's snapshot period and pending-trial limit for one run; returns the values in force.

    Tune creates up to 200 pending trials ahead of time for random and grid sampling, and on
    restore requeues them in an order of its own, so a resumed run would try other
    configurations than an uninterrupted one. With as many pending trials as workers, trials are
    created when they can start, and a resumed run continues the same sequence.
    """
    defaults = {"TUNE_GLOBAL_CHECKPOINT_S": str(SNAPSHOT_PERIOD_S),
                "TUNE_MAX_PENDING_TRIALS_PG": str(max(1, workers))}
    settings = {name: _USER_SETTINGS[name] or value for name, value in defaults.items()}
    os.environ.update(settings)
    return settings


# --- the local Ray session bench starts --------------------------------------------------
#: Ray's `_system_config` for a local Ray that bench starts (never sent to a cluster it joins).
#: By default the raylet prestarts one idle Python worker per CPU when the first driver connects;
#: Tune's trial actors start workers of their own and never use them, so each `bench run` paid
#: about 0.85 s of CPU (2 CPUs) for workers that only idled (docs/development.md has the side-by-side
#: figures; tests/live/test_ray_session.py checks that none start).
LOCAL_RAY_SYSTEM_CONFIG = {"prestart_worker_first_driver": False}


def local_ray_system_config() -> dict[str, Any]:
    """LOCAL_RAY_SYSTEM_CONFIG when `ray.init()` without an address will start a local Ray; {} when it
    will join a cluster instead, which Ray does when RAY_ADDRESS is set or a `ray start` on this
    machine left its address (`ray_current_cluster` in Ray's temp folder), and then refuses any
    `_system_config`. Ray's own decision (`canonicalize_bootstrap_address`), asked before it acts."""
    from ray._private.services import canonicalize_bootstrap_address

    try:
        # Ray annotates the address as str, but documents and handles None (no address given).
        joins = canonicalize_bootstrap_address(None) is not None  # type: ignore[arg-type]
    except (ValueError, ConnectionError):
        joins = True  # ray.init meets the same error and reports it
    return {} if joins else dict(LOCAL_RAY_SYSTEM_CONFIG)


# --- file names in Tune's experiment folder -----------------------------------------------
#: TuneController.save_to_dir writes the trials here (`experiment_state_file_name`).
EXPERIMENT_STATE_PREFIX = "experiment_state-"
EXPERIMENT_STATE_GLOB = f"{EXPERIMENT_STATE_PREFIX}*.json"
#: BasicVariantGenerator's own state, saved right after the experiment state.
SEARCHER_STATE_PREFIX = "basic-variant-state-"
#: CallbackList.save_to_dir: written after the callbacks' get_state ran (so a copy taken from
#: inside get_state belongs to the previous save).
CALLBACK_STATE_PREFIX = "callback-states-"
#: Temporary files in Tune's driver staging folder.
STAGING_TEMP_PREFIX = "tmp-"


def error_pickle_file() -> str:
    """The pickled error Tune writes in a failed trial's folder (`ray.air.constants.EXPR_ERROR_PICKLE_FILE`).

    A restored Tune unpickles it for the final results, and an empty one (a driver killed while
    Tune wrote it) ends the restored run in `EOFError` after all its work is done.
    """
    from ray.air.constants import EXPR_ERROR_PICKLE_FILE

    return EXPR_ERROR_PICKLE_FILE


def staging_dir(trial: Trial) -> str:
    """The driver staging folder where Tune writes its experiment state (`Trial.local_experiment_path`)."""
    return trial.local_experiment_path


# --- Tune's controller, as replay stands in for it ----------------------------------------
def max_pending_trials(search_alg: SearchAlgorithm) -> int:
    """`tune_controller._get_max_pending_trials`: Tune's default cap on PENDING trials."""
    from ray.tune.execution.tune_controller import _get_max_pending_trials

    return _get_max_pending_trials(search_alg)


class ControllerFacade:
    """The private methods Tune's schedulers call on its TuneController, forwarded to public ones.

    PBT calls `_schedule_trial_save` (ray/tune/schedulers/pbt.py); `_set_trial_status` is the
    controller's own status change, mirrored so a scheduler that calls it finds it.
    """

    schedule_trial_save: Callable[..., Any]  # the subclass's public methods
    set_trial_status: Callable[..., None]

    def _schedule_trial_save(self, trial: SimTrial, result: dict | None = None) -> Any:
        return self.schedule_trial_save(trial, result)

    def _set_trial_status(self, trial: SimTrial, status: str) -> None:
        self.set_trial_status(trial, status)


def saved_result(checkpoint: Any, metrics: dict) -> Any:
    """A save that already happened, as `_schedule_trial_save` returns it: a resolved
    `ray.train._internal.session._FutureTrainingResult` around a `_TrainingResult`."""
    from ray.train._internal.session import _TrainingResult

    return _saved_future_class()(_TrainingResult(checkpoint=checkpoint, metrics=metrics))


_SAVED_FUTURE: list[type] = []


def _saved_future_class() -> type:
    if not _SAVED_FUTURE:
        from ray.train._internal.session import _FutureTrainingResult

        class SavedFuture(_FutureTrainingResult):
            """PBT checks for `_FutureTrainingResult` and resolves it."""

            def __init__(self, training_result: Any) -> None:
                self.future = None  # type: ignore[assignment]  # resolved: no object ref to wait on
                self._result = training_result

            def resolve(self, block: bool = True) -> Any:
                return self._result

        _SAVED_FUTURE.append(SavedFuture)
    return _SAVED_FUTURE[0]


class CheckpointManagerStub:
    """What PBT reads (`checkpoint_config`) and writes (`_latest_checkpoint_result`, the
    checkpoint an exploit restores) on a trial's `run_metadata.checkpoint_manager`."""

    __slots__ = ("checkpoint_config", "_latest_checkpoint_result")

    def __init__(self, checkpoint_config: Any) -> None:
        self.checkpoint_config = checkpoint_config
        self._latest_checkpoint_result: Any = None


def take_restored_checkpoint(trial: SimTrial) -> Any:
    """The checkpoint result PBT set for `trial` to restore (cleared once taken), or None."""
    manager = trial.run_metadata.checkpoint_manager
    restored = manager._latest_checkpoint_result
    manager._latest_checkpoint_result = None
    return restored


def clear_restored_checkpoint(trial: SimTrial) -> None:
    """A trial saved its own checkpoint: nothing older is restored."""
    trial.run_metadata.checkpoint_manager._latest_checkpoint_result = None


@contextlib.contextmanager
def trials_made_by(make: Callable[..., Any]) -> Iterator[None]:
    """While active, Ray's searchers create trials with `make(spec, trial_id=..., ...)`.

    Swaps `_create_trial_from_spec` in `basic_variant` and `search_generator`. Process-wide
    while it lasts: do not run a live Tune experiment in another thread meanwhile.
    """
    from ray.tune.search import basic_variant, search_generator

    original = basic_variant._create_trial_from_spec, search_generator._create_trial_from_spec

    def create(spec: dict, parser: Any, **trial_kwargs: Any) -> Any:
        return make(spec, **trial_kwargs)

    basic_variant._create_trial_from_spec = search_generator._create_trial_from_spec = create
    try:
        yield
    finally:
        basic_variant._create_trial_from_spec, search_generator._create_trial_from_spec = original


def bare_experiment(experiment: Experiment, name: str) -> None:
    """Fill the private fields an `Experiment` subclass skipping `Experiment.__init__` needs
    (`_run_identifier`, `_stopper`), for the searchers' `add_configurations`."""
    experiment.name = name  # type: ignore[attr-defined]  # Experiment.__init__ sets it; the subclass skips it
    experiment._run_identifier = name
    experiment._stopper = None


def set_search_properties(search_alg: Searcher, scheduler: TrialScheduler, metric: str, mode: str,
                          param_space: dict, spec: dict) -> tuple[bool, bool]:
    """`_set_search_properties_backwards_compatible` for the searcher and scheduler, as `tune.run` calls it.

    Returns:
        (searcher accepted, scheduler accepted); the searcher is skipped (True) without a param_space.
    """
    from ray.tune.schedulers.util import _set_search_properties_backwards_compatible as scheduler_props
    from ray.tune.search.util import _set_search_properties_backwards_compatible as searcher_props

    searcher_ok = not param_space or searcher_props(search_alg.set_search_properties, metric, mode,
                                                    param_space, **spec)
    return bool(searcher_ok), bool(scheduler_props(scheduler.set_search_properties, metric, mode, **spec))


# --- live runs ------------------------------------------------------------------------------
def name_unstarted_trial_dirs(trials: list[Trial]) -> list[str]:
    """Give trials Tune never started their directory name; returns their ids.

    Tune names a trial's directory (`Trial.init_local_path`, which sets the private
    `trial.storage.trial_dir_name`) only when it requests an actor for the trial. A trial still
    waiting for one when `stop_all` ends the experiment (Hyperband, BOHB, PBT and PB2 keep
    trials pending) has none, and `Tuner.fit` then fails building its ResultGrid after
    `on_experiment_end` ("Should not access `trial_fs_path` without setting `trial_dir_name`").
    Tune's own restore names every restored trial the same way.
    """
    named = []
    for trial in trials:
        if trial.storage.trial_dir_name is None:  # type: ignore[union-attr]  # a started experiment's trials have storage
            trial.init_local_path()
            named.append(trial.trial_id)
    return named


def tuner_scheduler(tuner: Tuner) -> TrialScheduler | None:
    """The scheduler object a Tuner (new or restored from its `tuner.pkl`) will run with."""
    return tuner._local_tuner._tune_config.scheduler  # type: ignore[union-attr]  # bench's Tuners are local


#: Attributes that Tune sets on a scheduler when the experiment starts (`set_search_properties`);
#: a restored state keeps the fresh values, or Tune would refuse the scheduler's own metric.
_SEARCH_PROPERTIES = ("_metric", "_mode", "_metric_op")


def scheduler_state(scheduler: TrialScheduler | None) -> bytes | None:
    """A saved state of a scheduler that Tune's own save leaves out, or None when none is kept.

    Tune 2.60 saves no scheduler state (`TuneController.__getstate__` drops `_scheduler_alg`;
    `Tuner.restore` rebuilds the scheduler as it was built). AsyncHyperBandScheduler (ASHA) has
    `save(path)`, which pickles its `__dict__` (its rungs, keyed by trial id), and `restore(path)`,
    neither called by Tune; this is that pickle. HyperBand, median stopping, PBT and PB2 key their
    state by Trial objects, which a restore replaces with new ones: theirs is not kept.
    """
    import pickle

    from ray.tune.schedulers import AsyncHyperBandScheduler

    if type(scheduler) is not AsyncHyperBandScheduler:
        return None
    return pickle.dumps(scheduler.__dict__, protocol=4)


def restore_scheduler_state(scheduler: TrialScheduler, state: bytes) -> None:
    """Put a `scheduler_state` back into a scheduler built afresh, before `Tuner.fit` starts it."""
    import pickle

    fresh = {name: getattr(scheduler, name) for name in _SEARCH_PROPERTIES}
    scheduler.__dict__.update(pickle.loads(state))  # what AsyncHyperBandScheduler.restore does
    for name, value in fresh.items():
        setattr(scheduler, name, value)


# --- strategies -----------------------------------------------------------------------------
def hyperband_largest_bracket(scheduler: HyperBandScheduler) -> int:
    """Trials in synchronous HyperBand's largest bracket (`_get_n0(_s_max_1 - 1)`)."""
    return scheduler._get_n0(scheduler._s_max_1 - 1)
