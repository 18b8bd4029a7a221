"""One epoch of real training, timed and scored the same way for live trials and dataset recordings."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workloads.base import EpochMetrics, EpochTrainer, Workload


def scored_accuracy(workload: Workload, metrics: EpochMetrics) -> tuple[bool, float]:
    """Whether an epoch diverged (non-finite loss) and the accuracy it is scored at (chance if so)."""
    diverged = not (math.isfinite(metrics.train_loss) and math.isfinite(metrics.val_loss))
    return diverged, workload.chance_accuracy if diverged else float(metrics.val_accuracy)


def training_device(options: Mapping[str, Any]) -> str:
    """Where a live trial or a recorded training trains: CUDA when this process sees a GPU and the
    workload's options do not ask for the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() and options.get("device") != "cpu" else "cpu"


def charged_share(device: str, gpu_share: float) -> float:
    """The part of an epoch's measured seconds it is charged: its share of the GPU it trains on, so
    packed and unpacked sweeps compare; all of it on the CPU (a CPU trial owns the cores it was given)."""
    return gpu_share if device == "cuda" else 1.0


def measure_epoch(trainer: EpochTrainer, device: str) -> tuple[EpochMetrics, float]:
    """Train one epoch; returns its metrics and its seconds (CUDA synchronised on both ends)."""
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    metrics = trainer.train_epoch()
    if device == "cuda":
        torch.cuda.synchronize()
    return metrics, time.perf_counter() - start


def train_curve(workload: Workload, config: dict[str, Any], seed: int,
                options: Mapping[str, Any] | None = None, device: str = "cpu",
                device_share: float = 1.0) -> list[list[float]]:
    """Train `config` with training seed `seed` to max_epochs (or divergence), as a live trial does.

    Used by the dataset recording (bench.recording); `options` are the workload's (`data_dir`). On
    a GPU shared by `1 / device_share` trainings, an epoch is charged its measured seconds times
    `device_share`, as a live trial packed the same way is (bench.live.trainable.TorchTrial).

    Returns:
        one [epoch, val_accuracy, val_loss, train_loss, epoch_compute_s, train_flops, diverged] per epoch.
    """
    from workloads import TrainerContext

    trainer = workload.make_trainer(workload.space.normalise(config),
                                    TrainerContext(device=device, cpu_threads=1, seed=seed,
                                                   options=dict(options or {})))
    share = charged_share(device, device_share)
    rows = []
    for epoch in range(1, workload.max_epochs + 1):
        metrics, measured = measure_epoch(trainer, device)
        seconds = measured * share
        diverged, accuracy = scored_accuracy(workload, metrics)
        rows.append([epoch, accuracy, float(metrics.val_loss), float(metrics.train_loss), seconds,
                     float(metrics.train_flops), diverged])
        if diverged:
            break
    return rows
