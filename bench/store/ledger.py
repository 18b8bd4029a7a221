"""The run ledger: every reported result in arrival order, compute spent, and when the run ends.

Live runs feed it from a Tune callback (bench.live.callbacks), in the order the driver processes
results, which is the order the report's trajectories use; replay feeds it from the simulated
controller. Both build their rows here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from bench.budget import StopRule
from bench.store.results import PartialLog

if TYPE_CHECKING:

    from bench.spec import RunSpec
    from bench.store.dataset import CostModel


@dataclass(eq=False, repr=False)  # a ledger is identified by its run, and holds every row
class RunLedger:
    """Per-epoch rows, compute spent and best accuracy of one run.

    Args:
        identity: columns every row carries (run_id, strategy, workload, ...).
        normalise: maps a trial's config to the hyperparameter values it trained with.
        max_epochs: a trial that reports this many epochs has completed.
        stop_rule: budget and target.
        log: where rows are appended as they arrive (None: memory only).
        on_row: called with each row (progress bars).
        cost: charges an epoch of a configuration its load-free cost in seconds
            (bench.store.dataset.CostModel.epoch_cost_s); None charges the measured epoch_compute_s.
            Budgets in seconds and every report read this cost (epoch_cost_s).
    """

    identity: dict
    normalise: Callable[[Mapping[str, Any]], dict]
    max_epochs: int
    stop_rule: StopRule
    log: PartialLog | None = None
    on_row: Callable[[dict], None] | None = None
    cost: Callable[[Mapping[str, Any]], float] | None = None
    rows: list[dict] = field(default_factory=list, init=False)
    run_epochs: int = field(default=0, init=False)
    run_compute_s: float = field(default=0.0, init=False)
    best_accuracy: float | None = field(default=None, init=False)
    best_config: dict | None = field(default=None, init=False)
    outcomes: dict[str, str] = field(default_factory=dict, init=False)
    trial_epochs: dict[str, int] = field(default_factory=dict, init=False)
    trial_diverged: dict[str, bool] = field(default_factory=dict, init=False)
    stopping: bool = field(default=False, init=False)
    #: Why the run is stopping: "target" once the best accuracy reached it, else the budget. A class
    #: default, so a ledger pickled before this field existed (a resumed run) reads as the budget.
    stop_reason: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.identity = dict(self.identity)

    @classmethod
    def for_run(cls, spec: RunSpec, run_id: str, *, replay: bool, cost_model: CostModel | None,
                normalise: Callable[[Any], Any] | None = None, **kwargs: Any) -> Self:
        """The ledger of run `run_id` of `spec` (live or replayed),
        charging `cost_model` when there is one."""
        return cls(
            identity={"run_id": run_id, "strategy": spec.strategy.name, "workload": spec.workload.name,
                      "workload_version": spec.workload.version, "seed": spec.seed, "replay": replay},
            normalise=normalise or spec.workload.space.normalise, max_epochs=spec.workload.max_epochs,
            stop_rule=StopRule(spec.budget, spec.target),
            cost=None if cost_model is None else cost_model.epoch_cost_s, **kwargs,
        )

    def __getstate__(self) -> dict:
        # Ray Tune pickles its run config with the experiment state; open files and
        # progress bars stay with the driver that made them.
        # The cost model stays too: Tune pickles this every few seconds, and a restored copy
        # resolves to the live ledger (bench.store.journal).
        return {**self.__dict__, "log": None, "on_row": None, "cost": None}

    def charge(self, hyperparameters: Mapping[str, Any], result: Mapping[str, Any]) -> float:
        """What an epoch costs in the run's compute unit (see `cost`)."""
        if self.cost is None:
            return float(result["epoch_compute_s"])
        return float(self.cost(hyperparameters))

    def record(self, trial_id: str, config: Mapping[str, Any], result: Mapping[str, Any], node: str) -> dict:
        self.run_epochs += 1
        hyperparameters = self.normalise(config)
        epoch_cost_s = self.charge(hyperparameters, result)
        self.run_compute_s += epoch_cost_s
        row = {
            **self.identity,
            "trial_id": trial_id,
            **hyperparameters,
            "epoch": int(result["epoch"]),
            "val_accuracy": float(result["val_accuracy"]),
            "val_loss": float(result["val_loss"]),
            "train_loss": float(result["train_loss"]),
            "epoch_compute_s": float(result["epoch_compute_s"]),
            "epoch_cost_s": epoch_cost_s,
            "trial_compute_s": float(result["trial_compute_s"]),
            "run_compute_s": self.run_compute_s,
            "run_epochs": self.run_epochs,
            "train_flops": float(result.get("train_flops", 0.0)),
            "result_index": len(self.rows),
            "timestamp": time.time(),
            "node": node,
            "diverged": bool(result.get("diverged", False)),
            "outcome": None,
        }
        self.rows.append(row)
        self.trial_epochs[trial_id] = row["epoch"]
        self.trial_diverged[trial_id] = row["diverged"]
        if self.best_accuracy is None or row["val_accuracy"] > self.best_accuracy:
            self.best_accuracy, self.best_config = row["val_accuracy"], hyperparameters
        if self.log is not None:
            self.log.append(row)
        if self.on_row is not None:
            self.on_row(row)
        return row

    def should_stop(self) -> bool:
        reached = self.stop_rule.target_reached(self.best_accuracy)
        stop = reached or self.stop_rule.exhausted(self.run_epochs, self.run_compute_s)
        if stop and self.stop_reason is None:
            self.stop_reason = "target" if reached else "budget"
        self.stopping = self.stopping or stop
        return stop

    def _stopped_outcome(self) -> str:
        """What a trial the run's own stop ended is: stopped at the target, or cut by the budget."""
        return "stopped_at_target" if self.stop_reason == "target" else "budget_cut"

    def trial_finished(self, trial_id: str) -> None:
        if trial_id in self.outcomes:
            return
        if self.trial_diverged.get(trial_id):
            self.outcomes[trial_id] = "diverged"
        elif self.trial_epochs.get(trial_id, 0) >= self.max_epochs:
            self.outcomes[trial_id] = "completed"
        elif self.stopping:
            self.outcomes[trial_id] = self._stopped_outcome()
        else:
            self.outcomes[trial_id] = "stopped_early"

    def trial_errored(self, trial_id: str) -> None:
        self.outcomes[trial_id] = "errored"

    def trial_left(self, trial_id: str, paused: bool) -> None:
        """A trial still open when the run ended."""
        if trial_id in self.outcomes:
            return
        if (paused and not self.trial_diverged.get(trial_id)
            and self.trial_epochs.get(trial_id, 0) < self.max_epochs):
            self.outcomes[trial_id] = "paused"
        else:
            self.stopping = True  # whatever ended it, the scheduler did not
            self.trial_finished(trial_id)

    def finalise_rows(self) -> list[dict]:
        for row in self.rows:
            row["outcome"] = self.outcomes.get(row["trial_id"]) or self._stopped_outcome()
        return self.rows
