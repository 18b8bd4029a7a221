"""Light stand-ins for the Ray Tune objects a strategy touches: trials, checkpoints, the experiment.

Ray's own searchers create trials through a private function; during replay it is swapped
(bench.tune_compat.trials_made_by) for `SimTrial` (a full `Trial` builds storage contexts and parses argv,
which costs more than replaying a whole trial). Every attribute Ray's schedulers and searchers
read on a trial is here; nothing about the algorithms is.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from ray.tune import CheckpointConfig
from ray.tune.experiment import Experiment, Trial

from bench.tune_compat import CheckpointManagerStub, bare_experiment

PENDING, RUNNING, PAUSED, TERMINATED, ERROR = (
    Trial.PENDING, Trial.RUNNING, Trial.PAUSED, Trial.TERMINATED, Trial.ERROR,
)
#: The live runner keeps 4 checkpoints per trial (PBT reads this when a trial is added).
CHECKPOINT_CONFIG = CheckpointConfig(num_to_keep=4)


class SimCheckpoint(NamedTuple):
    """Where a trial's training stood when it saved: what a live checkpoint restores."""

    trial_id: str
    epoch: int
    iteration: int
    trial_compute_s: float
    time_total_s: float


class _RunMetadata:
    __slots__ = ("checkpoint_manager",)

    def __init__(self) -> None:
        self.checkpoint_manager = CheckpointManagerStub(CHECKPOINT_CONFIG)


class _TemporaryState:
    __slots__ = ("saving_to", "restoring_from", "ray_actor")

    def __init__(self) -> None:
        self.saving_to = None
        self.restoring_from = None
        self.ray_actor = None


class SimTrial:
    """A trial as Ray's schedulers and searchers see it, plus its position on its recorded curve."""

    __slots__ = (
        "trial_id", "config", "evaluated_params", "experiment_tag", "status", "last_result", "index",
        "label", "run_metadata", "temporary_state", "local_path", "curve", "epoch", "iteration",
        "compute_s", "time_total_s", "since_restore", "own_checkpoint", "event_seq", "flat_config",
        "recorded_epoch", "decision",
    )

    def __init__(self, trial_id: str, config: dict, evaluated_params: dict, experiment_tag: str,
                 index: int, local_path: str) -> None:
        self.trial_id = trial_id
        self.config = config
        self.evaluated_params = evaluated_params
        self.experiment_tag = experiment_tag
        self.status = PENDING
        self.last_result: dict = {}
        self.index = index
        # Ray's trial ids are random (uuid); stored rows use the creation order instead.
        self.label = f"replay_{index:05d}"
        self.run_metadata = _RunMetadata()
        self.temporary_state = _TemporaryState()
        self.local_path = local_path
        self.curve: tuple | None = None
        self.epoch = 0
        self.iteration = 0
        self.compute_s = 0.0
        self.time_total_s = 0.0
        self.since_restore = 0
        self.own_checkpoint: SimCheckpoint | None = None
        self.event_seq = -1
        self.flat_config: dict | None = None
        # The last epoch the ledger recorded for this trial's current training history.
        self.recorded_epoch = 0
        self.decision: str | None = None  # held back until the epoch's checkpoint is saved

    # --- the Trial interface -------------------------------------------------------------
    def is_finished(self) -> bool:
        return self.status == TERMINATED or self.status == ERROR

    @property
    def is_saving(self) -> bool:
        """Between a result and the save of its checkpoint (Tune holds the decision meanwhile)."""
        return self.decision is not None

    def set_config(self, config: dict) -> None:
        self.config = config
        self.curve = None
        self.flat_config = None

    def set_experiment_tag(self, experiment_tag: str) -> None:
        self.experiment_tag = experiment_tag

    @property
    def checkpoint(self) -> SimCheckpoint | None:
        return self.own_checkpoint

    @property
    def local_experiment_path(self) -> str:
        os.makedirs(self.local_path, exist_ok=True)  # PBT appends its exploit log here
        return self.local_path

    local_dir = local_experiment_path

    def __str__(self) -> str:
        return self.trial_id

    __repr__ = __str__

    # --- simulation state ------------------------------------------------------------------
    def snapshot(self) -> SimCheckpoint:
        return SimCheckpoint(self.trial_id, self.epoch, self.iteration, self.compute_s, self.time_total_s)


class ReplayExperiment(Experiment):
    """An Experiment that only carries the spec searchers read (no trainable, no storage)."""

    def __init__(self, config: dict, num_samples: int) -> None:  # noqa: D107 - no Experiment.__init__ on purpose
        bare_experiment(self, "replay")
        # Tune deep-copies and walks the spec for every sample: keep only what searchers read.
        self.spec = {"run": "replay", "config": config, "num_samples": num_samples}

    @property
    def public_spec(self) -> dict:
        """What `tune.run` passes to set_search_properties (stop and time budget are bench's own)."""
        return {"stop": {}, "num_samples": self.spec["num_samples"], "time_budget_s": None}
