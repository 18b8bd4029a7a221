"""What Ray Tune's schedulers and searchers call on Tune's controller, for simulated trials.

`ray.tune.execution.tune_controller.TuneController` hands schedulers a wrapper exposing
`search_alg`, `get_trials`, `get_live_trials`, the status change, `pause_trial`, `stop_trial`
and the trial save (private names, mapped by bench.tune_compat.ControllerFacade); this class provides those,
with the same order of notifications.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from bench.replay.clock import WorkerClock
from bench.replay.trials import ERROR, PAUSED, PENDING, RUNNING, TERMINATED, SimTrial
from bench.tune_compat import ControllerFacade, saved_result

if TYPE_CHECKING:
    from ray.tune.schedulers import TrialScheduler
    from ray.tune.search import SearchAlgorithm

    from bench.store.curves import CurveBook, ModelBook
    from bench.store.ledger import RunLedger


def flatten(result: dict) -> dict:
    """`ray.tune.utils.flatten_dict` for a result whose only nested value is its config."""
    flat = {k: v for k, v in result.items() if k != "config"}
    for key, value in result.get("config", {}).items():
        flat[f"config/{key}"] = value
    return flat


class TuneInterface(ControllerFacade):
    """Trials, their statuses and the calls Ray's strategy objects make on Tune's controller.

    Args:
        search_alg, scheduler: the strategy's objects, prepared as `tune.run` would.
        clock: the simulated workers.
        book: the recorded curves (CurveBook).
        ledger: the run's RunLedger (rows, budget, target, outcomes).
        max_pending: Tune's cap on PENDING trials.
        max_epochs: the workload's epochs; a trainable returns after its last one.
        trial_path: folder given to trials as their experiment path (PBT logs its policy there).
        start_wall_s: the replay's real start time; row timestamps are it plus simulated time.
    """

    def __init__(self, search_alg: SearchAlgorithm, scheduler: TrialScheduler, clock: WorkerClock,
                 book: CurveBook | ModelBook, ledger: RunLedger, max_pending: int, max_epochs: int,
                 trial_path: str, start_wall_s: float) -> None:
        self._search_alg = search_alg
        self._scheduler_alg = scheduler
        self.clock = clock
        self.book = book
        self.ledger = ledger
        self.max_pending = max_pending
        self.max_epochs = max_epochs
        self.trial_path = trial_path
        self.start_wall_s = start_wall_s
        self._trials: list[SimTrial] = []
        self._live_trials: set[SimTrial] = set()
        self._pending: deque[SimTrial] = deque()
        self._n_pending = 0
        self._n_paused = 0
        self.clones = 0

    # --- what schedulers and searchers call -------------------------------------------------
    @property
    def search_alg(self) -> SearchAlgorithm:
        return self._search_alg

    def get_trials(self) -> list[SimTrial]:
        return self._trials

    def get_live_trials(self) -> set[SimTrial]:
        return self._live_trials

    def set_trial_status(self, trial: SimTrial, status: str) -> None:
        old = trial.status
        if old == status:
            return
        if old == RUNNING:
            self.clock.release(trial)
            trial.decision = None
        elif old == PENDING:
            self._n_pending -= 1
        elif old == PAUSED:
            self._n_paused -= 1
        if status == RUNNING:
            self.clock.start(trial)
        elif status == PENDING:
            self._n_pending += 1
            self._pending.append(trial)
        elif status == PAUSED:
            self._n_paused += 1
        trial.status = status

    def pause_trial(self, trial: SimTrial, should_checkpoint: bool = True) -> None:
        if trial.status in (RUNNING, PENDING):
            self.set_trial_status(trial, PAUSED)

    def stop_trial(self, trial: SimTrial) -> None:
        """`TuneController.stop_trial`: notify scheduler, searcher and ledger, then terminate."""
        status = trial.status
        if status == ERROR or status == TERMINATED:
            return
        if status == PENDING or status == PAUSED:
            self._scheduler_alg.on_trial_remove(self, trial)  # type: ignore[arg-type]  # replay's controller and SimTrial stand in for Tune's
            self._search_alg.on_trial_complete(trial.trial_id)
        elif status == RUNNING:
            last = flatten(trial.last_result)
            self._scheduler_alg.on_trial_complete(self, trial, last)  # type: ignore[arg-type]  # replay's controller and SimTrial stand in for Tune's
            self._search_alg.on_trial_complete(trial.trial_id, result=last)
        self.ledger.trial_finished(trial.label)
        self.set_trial_status(trial, TERMINATED)
        self._live_trials.discard(trial)

    def schedule_trial_save(self, trial: SimTrial, result: dict | None = None) -> Any:
        metrics = result if result is not None else trial.last_result
        return saved_result(trial.snapshot(), metrics)
