"""The replay's stand-in for Tune's controller: the TuneController that Ray Tune's schedulers and
searchers talk to, on simulated workers.

`ControllerSurface` is what they call on it: `ray.tune.execution.tune_controller.TuneController`
hands schedulers a wrapper exposing `search_alg`, `get_trials`, `get_live_trials`, the status
change, `pause_trial`, `stop_trial` and the trial save (private names, mapped by
bench.tune_compat.ControllerFacade); it provides those, with the same order of notifications.

`SimController` follows TuneController's loop step by step: ask the searcher for trials until the
pending queue is full, let the scheduler choose a trial to run, fill free workers, process one
result, act on the scheduler's decision (CONTINUE, PAUSE, STOP, NOOP) and notify searcher,
scheduler and the run ledger in the same order. Trials checkpoint every epoch (as bench's
trainable does), so a paused trial resumes where it stopped; a PBT exploit restores another
trial's checkpoint under a new configuration.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from ray.tune.schedulers import FIFOScheduler, TrialScheduler

from bench.replay.clock import RESULT, RETURNED, SAVED, WorkerClock
from bench.replay.trials import ERROR, PAUSED, PENDING, RUNNING, TERMINATED, SimTrial
from bench.tune_compat import (
    ControllerFacade,
    clear_restored_checkpoint,
    saved_result,
    take_restored_checkpoint,
)

if TYPE_CHECKING:
    from ray.tune.search import SearchAlgorithm

    from bench.store.curves import CurveBook, ModelBook
    from bench.store.ledger import RunLedger

CONTINUE, PAUSE, STOP, NOOP = (TrialScheduler.CONTINUE, TrialScheduler.PAUSE, TrialScheduler.STOP,
                               TrialScheduler.NOOP)



def flatten(result: dict) -> dict:
    """`ray.tune.utils.flatten_dict` for a result whose only nested value is its config."""
    flat = {k: v for k, v in result.items() if k != "config"}
    for key, value in result.get("config", {}).items():
        flat[f"config/{key}"] = value
    return flat


class ControllerSurface(ControllerFacade):
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


class SimController(ControllerSurface):
    """TuneController's loop steps on simulated workers (arguments: see ControllerSurface)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # FIFO's choice (the first PENDING, else the first PAUSED trial) is a pure function of the
        # statuses, so with no free worker and no PAUSED trial to promote it changes nothing.
        self._pure_choice = type(self._scheduler_alg).choose_trial_to_run is FIFOScheduler.choose_trial_to_run
        self.left_open: int | None = None  # set when the loop ends (bench.replay.engine)

    # --- the loop's steps --------------------------------------------------------------------
    def make_trial(self, spec: dict, trial_id: str, experiment_tag: str = "",
                   evaluated_params: dict | None = None, **unused: Any) -> SimTrial:
        return SimTrial(trial_id, spec.get("config", {}), evaluated_params or {}, experiment_tag,
                        index=len(self._trials), local_path=self.trial_path)

    def update_trial_queue(self) -> None:
        """Ask the searcher for trials while fewer than max_pending are PENDING."""
        alg = self._search_alg
        if self._n_pending >= self.max_pending or alg.is_finished():
            return
        while self._n_pending < self.max_pending:
            # a SimTrial: the engine runs the loop inside light_trials()
            trial: SimTrial | None = alg.next_trial()  # type: ignore[assignment]  # see above
            if trial is None:
                return
            self._trials.append(trial)
            self._live_trials.add(trial)
            self._scheduler_alg.on_trial_add(self, trial)  # type: ignore[arg-type]  # replay's controller and SimTrial stand in for Tune's
            self._n_pending += 1
            self._pending.append(trial)

    def start_trials(self) -> bool:
        """The scheduler's choice first, then PENDING trials in queue order, on free workers.

        Returns:
            whether a trial started (Tune then runs another step before the trial's first result).
        """
        clock = self.clock
        if not clock.free and not self._n_paused and self._pure_choice:
            return False
        chosen: SimTrial | None = self._scheduler_alg.choose_trial_to_run(self)  # type: ignore[arg-type, assignment]  # as above
        if chosen is not None and chosen.status == PAUSED:
            self.set_trial_status(chosen, PENDING)
        pending = self._pending
        started = False
        trial: SimTrial | None
        while clock.free:
            if chosen is not None and chosen.status == PENDING:
                trial, chosen = chosen, None
            else:
                trial = None
                while pending:
                    candidate = pending.popleft()
                    if candidate.status == PENDING:
                        trial = candidate
                        break
                if trial is None:
                    break
            self._start(trial)
            started = True
        return started

    def _start(self, trial: SimTrial) -> None:
        self.set_trial_status(trial, RUNNING)
        if trial.curve is None:
            trial.curve = self.book.curve_for(trial.config)
            trial.flat_config = {f"config/{k}": v for k, v in trial.config.items()}
        restored = take_restored_checkpoint(trial)
        if restored is not None:  # PBT exploit: another trial's checkpoint, a new configuration
            trial.own_checkpoint = checkpoint = restored.checkpoint
            trial.iteration = int(restored.metrics.get("training_iteration", 0))
            trial.time_total_s = float(restored.metrics.get("time_total_s", 0.0))
            trial.recorded_epoch = 0  # a new training history: its epochs are new compute
            self.clones += 1
        else:
            checkpoint = trial.own_checkpoint
            if checkpoint is not None:
                trial.iteration, trial.time_total_s = checkpoint.iteration, checkpoint.time_total_s
        if checkpoint is not None:
            trial.epoch, trial.compute_s = checkpoint.epoch, checkpoint.trial_compute_s
        trial.since_restore = 0
        if trial.epoch >= self.max_epochs:
            self.clock.schedule(trial, 0.0, kind=RETURNED)
        else:
            self.clock.schedule(trial, self._epoch_cost_s(trial, trial.epoch))

    @staticmethod
    def _epoch_cost_s(trial: SimTrial, epoch_index: int) -> float:
        curve = trial.curve
        return curve[epoch_index][3] if epoch_index < len(curve) else curve[-1][3]  # type: ignore[index, arg-type]  # set by _start

    def on_event(self, trial: SimTrial, kind: int) -> None:
        if kind == RESULT:
            self._on_result(trial)
        elif kind == SAVED:
            decision, trial.decision = trial.decision, None
            self._act(trial, decision)  # type: ignore[arg-type]  # a SAVED event holds its decision
        else:  # RETURNED: Tune repeats the last result with done=True and stops the trial
            trial.last_result["done"] = True
            self.stop_trial(trial)

    def _on_result(self, trial: SimTrial) -> None:
        curve = trial.curve
        index = trial.epoch
        # A PBT clone may land on a curve that diverged before this epoch: it diverges here.
        recorded = curve[index] if index < len(curve) else curve[-1]  # type: ignore[index, arg-type]  # set by _start
        accuracy, val_loss, train_loss, compute_s, flops, diverged = recorded
        epoch = trial.epoch = index + 1
        trial.iteration += 1
        trial.since_restore += 1
        trial.compute_s += compute_s
        trial.time_total_s += compute_s
        result = {
            "epoch": epoch, "val_accuracy": accuracy, "val_loss": val_loss, "train_loss": train_loss,
            "epoch_compute_s": compute_s, "trial_compute_s": trial.compute_s, "train_flops": flops,
            "diverged": diverged, "done": False, "training_iteration": trial.iteration,
            "trial_id": trial.trial_id, "time_this_iter_s": compute_s, "time_total_s": trial.time_total_s,
            "iterations_since_restore": trial.since_restore,
            "timestamp": int(self.start_wall_s + self.clock.now),
        }
        flat = result.copy()
        flat.update(trial.flat_config)  # type: ignore[arg-type]  # set by _start
        decision = self._scheduler_alg.on_trial_result(self, trial, flat)  # type: ignore[arg-type]  # replay's controller and SimTrial stand in for Tune's
        result["config"] = trial.config
        if decision == STOP:
            result["done"] = True
        else:
            self._search_alg.on_trial_result(trial.trial_id, flat)
        if epoch > trial.recorded_epoch:
            row = self.ledger.record(trial.label, trial.config, result, "replay")
            row["timestamp"] = self.start_wall_s + self.clock.now
            trial.recorded_epoch = epoch
        # else: an epoch trained again after restoring an older checkpoint; the live ledger
        # (bench.store.journal.DurableLedger) records and counts it once, and so does replay.
        trial.last_result = result
        if not diverged and trial.status == RUNNING:
            trial.own_checkpoint = trial.snapshot()
            clear_restored_checkpoint(trial)
        if decision == NOOP:
            return  # the scheduler has acted on the trial itself (PBT pauses it to exploit another)
        if decision == PAUSE or not diverged:
            # An epoch that reported a checkpoint (or a pause, which saves one) is saved first;
            # Tune holds the decision until the save resolves, one step later.
            trial.decision = decision
            self.clock.schedule(trial, 0.0, kind=SAVED)
        else:
            self._act(trial, decision)

    def _act(self, trial: SimTrial, decision: str) -> None:
        if decision == CONTINUE:
            epoch = trial.epoch
            if epoch >= self.max_epochs or trial.last_result.get("diverged"):
                self.clock.schedule(trial, 0.0, kind=RETURNED)
            else:
                self.clock.schedule(trial, self._epoch_cost_s(trial, epoch))
        elif decision == PAUSE:
            self.pause_trial(trial)
        elif decision == STOP:
            self.stop_trial(trial)

    def stop_all(self) -> None:
        """Budget spent or target reached: Tune ends the search and every open trial."""
        self._search_alg.set_finished()
        for trial in self._trials:
            if trial.status != ERROR and trial.status != TERMINATED:
                self.set_trial_status(trial, TERMINATED)

    def finish(self) -> None:
        """Tune's on_experiment_end: trials still open are paused or cut by the budget."""
        for trial in self._trials:
            self.ledger.trial_left(trial.label, paused=trial.status == PAUSED)
