"""The Ray Tune function trainable: trains one configuration epoch by epoch, reports and checkpoints.

What an epoch is comes from a trial source: `TorchTrial` trains the workload's model;
`bench.live.table_trainable.TableTrial` reports a recorded table instead (workload option
`replay_table`). Both go through one loop, so checkpoints, lineage and fault injection agree.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.live.table_trainable import TableTrial
    from workloads.base import Workload

STATE_FILE = "state.pt"


class TorchTrial:
    """Real training of one configuration on the device the trial was given (a trial source: hyperparameters,
    restore, train_epoch, save)."""

    def __init__(self, config: Mapping[str, Any], workload: Workload, workload_options: Mapping[str, Any],
                 training_seed: int, cpu_threads: int, device_share: float) -> None:
        import ray

        import workloads
        from bench.live.epochs import charged_share, training_device

        self.workload = workload
        self.hyperparameters = workload.space.normalise(config)
        self.device = training_device(workload_options)
        context = workloads.TrainerContext(device=self.device, cpu_threads=cpu_threads, seed=training_seed,
                                           options=dict(workload_options))
        self.trainer = workload.make_trainer(self.hyperparameters, context)
        self.device_share = charged_share(self.device, device_share)
        # unique per node, even for two nodes on one host
        self.node_id = ray.get_runtime_context().get_node_id()

    def restore(self, folder: str) -> dict:
        import torch

        state = torch.load(os.path.join(folder, STATE_FILE), weights_only=False)
        self.trainer.load_state_dict(state["trainer"])
        self.trainer.apply_hyperparameters(self.hyperparameters)
        return state

    def train_epoch(self, index: int) -> dict:
        from bench.live.epochs import measure_epoch, scored_accuracy

        metrics, seconds = measure_epoch(self.trainer, self.device)
        diverged, accuracy = scored_accuracy(self.workload, metrics)
        return {"val_accuracy": accuracy, "val_loss": float(metrics.val_loss),
                "train_loss": float(metrics.train_loss), "epoch_compute_s": seconds * self.device_share,
                "train_flops": float(metrics.train_flops), "diverged": diverged, "node_id": self.node_id}

    def save(self, folder: str, state: dict) -> None:
        import torch

        torch.save({"trainer": self.trainer.state_dict(), **state}, os.path.join(folder, STATE_FILE))


def train_trial(
    config: Mapping[str, Any],
    workload_name: str,
    workload_options: Mapping[str, Any],
    training_seed: int,
    cpu_threads: int,
    device_share: float,
) -> None:
    """Train `config` from its checkpoint (if any) to the workload's max_epochs, reporting every epoch.

    `device_share` is the trial's fraction of the device (see TorchTrial).
    """
    import workloads

    workload = workloads.get(workload_name)
    trial: TorchTrial | TableTrial
    if "replay_table" in workload_options:  # report a recorded table instead of training
        from bench.live.table_trainable import TableTrial

        trial = TableTrial(config, workload, workload_options["replay_table"], training_seed)
    else:
        trial = TorchTrial(config, workload, workload_options, training_seed, cpu_threads, device_share)
    report_epochs(trial, workload.max_epochs)


def report_epochs(trial: TorchTrial | TableTrial, max_epochs: int) -> None:
    """The epoch loop: restore the trial's checkpoint, then report and checkpoint each epoch until the end."""
    from ray import tune

    from bench.live.faults import injection_from_env

    trial_id = tune.get_context().get_trial_id()
    injection = injection_from_env()
    epoch, trial_compute_s, lineage = 0, 0.0, trial_id
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            state = trial.restore(folder)
        epoch, trial_compute_s = state["epoch"], state["trial_compute_s"]
        lineage = _lineage(trial_id, state, epoch, trial.hyperparameters)
    while epoch < max_epochs:
        if injection is not None:
            injection.fire(trial_id, epoch + 1)
        fields = trial.train_epoch(epoch)
        epoch += 1
        trial_compute_s += fields["epoch_compute_s"]
        report = {"epoch": epoch, **fields, "trial_compute_s": trial_compute_s, "lineage": lineage}
        if fields["diverged"]:
            tune.report(report)
            return
        with tempfile.TemporaryDirectory() as folder:
            trial.save(folder, {"epoch": epoch, "trial_compute_s": trial_compute_s, "trial_id": trial_id,
                                "lineage": lineage})
            tune.report(report, checkpoint=tune.Checkpoint.from_directory(folder))


def _lineage(trial_id: str, state: Mapping[str, Any], epoch: int, config: Mapping[str, Any]) -> str:
    """The training history a restored trial continues.

    Restoring its own checkpoint (a retry, a resumed run) continues the same history, so
    epochs it trains again are recognised as replays; a PBT exploit of another trial's
    checkpoint starts a new one. The exploit's new configuration is part of its origin: a trial
    that exploits the same checkpoint twice with different configurations trains new epochs
    (without it, the second clone's epochs were dropped as trained again).
    """
    if state.get("trial_id", trial_id) == trial_id:
        return state.get("lineage", trial_id)
    settings = ",".join(f"{name}={config[name]!r}" for name in sorted(config))
    origin = f"{trial_id}<{state.get('lineage', state['trial_id'])}@{epoch}:{settings}"
    return f"{trial_id}~{hashlib.sha256(origin.encode()).hexdigest()[:12]}"
