"""The Ray Tune function trainable: trains one configuration epoch by epoch and reports."""

from __future__ import annotations

import math
import os
import tempfile
import time
from typing import Any, Mapping

STATE_FILE = "state.pt"


def scored_accuracy(workload, metrics) -> tuple[bool, float]:
    """Whether an epoch diverged (non-finite loss) and the accuracy it is scored at (chance if so).

    Live trials and the dataset recording (bench.dataset.train_curve) score epochs the same way.
    """
    diverged = not (math.isfinite(metrics.train_loss) and math.isfinite(metrics.val_loss))
    return diverged, workload.chance_accuracy if diverged else float(metrics.val_accuracy)


def measure_epoch(trainer, device: str):
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    metrics = trainer.train_epoch()
    if device == "cuda":
        torch.cuda.synchronize()
    return metrics, time.perf_counter() - start


def train_trial(
    config: Mapping[str, Any],
    workload_name: str,
    workload_options: Mapping[str, Any],
    training_seed: int,
    cpu_threads: int,
    device_share: float,
) -> None:
    """Train `config` from its checkpoint (if any) to the workload's max_epochs.

    Reports once per epoch. `device_share` is the trial's fraction of the device: each
    epoch's measured seconds are multiplied by it, so packed and unpacked sweeps compare.
    """
    if "replay_table" in workload_options:  # report a recorded table instead of training (bench.replay)
        from bench.replay.table_trainable import report_from_table

        return report_from_table(config, workload_name, workload_options["replay_table"], training_seed)
    import torch
    from ray import tune

    import workloads

    workload = workloads.get(workload_name)
    hyperparameters = workload.space.normalise(config)
    device = "cuda" if torch.cuda.is_available() and workload_options.get("device") != "cpu" else "cpu"
    context = workloads.TrainerContext(
        device=device, cpu_threads=cpu_threads, seed=training_seed, options=dict(workload_options)
    )
    trainer = workload.make_trainer(hyperparameters, context)
    if device == "cpu":
        device_share = 1.0  # a CPU trial owns the cores it was given

    import ray

    from bench.faults import injection_from_env

    trial_id = tune.get_context().get_trial_id()
    node_id = ray.get_runtime_context().get_node_id()  # unique per node, even for two nodes on one host
    injection = injection_from_env()
    epoch, trial_compute_s, lineage = 0, 0.0, trial_id
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            state = torch.load(os.path.join(folder, STATE_FILE), weights_only=False)
        trainer.load_state_dict(state["trainer"])
        trainer.apply_hyperparameters(hyperparameters)
        epoch, trial_compute_s = state["epoch"], state["trial_compute_s"]
        lineage = _lineage(trial_id, state, epoch, hyperparameters)

    while epoch < workload.max_epochs:
        if injection is not None:
            injection.fire(trial_id, epoch + 1)
        metrics, seconds = measure_epoch(trainer, device)
        epoch += 1
        epoch_compute_s = seconds * device_share
        trial_compute_s += epoch_compute_s
        diverged, accuracy = scored_accuracy(workload, metrics)
        report = {
            "epoch": epoch,
            "val_accuracy": accuracy,
            "val_loss": float(metrics.val_loss),
            "train_loss": float(metrics.train_loss),
            "epoch_compute_s": epoch_compute_s,
            "trial_compute_s": trial_compute_s,
            "train_flops": float(metrics.train_flops),
            "diverged": diverged,
            "node_id": node_id,
            "lineage": lineage,
        }
        if diverged:
            tune.report(report)
            return
        with tempfile.TemporaryDirectory() as folder:
            torch.save(
                {"trainer": trainer.state_dict(), "epoch": epoch, "trial_compute_s": trial_compute_s,
                 "trial_id": trial_id, "lineage": lineage},
                os.path.join(folder, STATE_FILE),
            )
            tune.report(report, checkpoint=tune.Checkpoint.from_directory(folder))


def _lineage(trial_id: str, state: Mapping[str, Any], epoch: int, config: Mapping[str, Any]) -> str:
    """The training history a restored trial continues.

    Restoring its own checkpoint (a retry, a resumed run) continues the same history, so
    epochs it trains again are recognised as replays; a PBT exploit of another trial's
    checkpoint starts a new one. The exploit's new configuration is part of its origin: a trial
    that exploits the same checkpoint twice with different configurations trains new epochs
    (without it, the second clone's epochs were dropped as trained again).
    """
    import hashlib

    if state.get("trial_id", trial_id) == trial_id:
        return state.get("lineage", trial_id)
    settings = ",".join(f"{name}={config[name]!r}" for name in sorted(config))
    origin = f"{trial_id}<{state.get('lineage', state['trial_id'])}@{epoch}:{settings}"
    return f"{trial_id}~{hashlib.sha256(origin.encode()).hexdigest()[:12]}"
