"""What a workload is: a search space, an epoch budget and a trainer factory."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workloads.space import SearchSpace


@dataclass(frozen=True)
class TrainerContext:
    """Where and how a trial trains.

    Args:
        device: "cpu" or "cuda".
        cpu_threads: torch threads to use on CPU (the CPUs given to the trial).
        seed: the training seed (weights init, batch order, augmentation).
        options: workload-specific options (for example `data_dir` for cifar10).
    """

    device: str = "cpu"
    cpu_threads: int = 1
    seed: int = 0
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EpochMetrics:
    """What one epoch of training produced (compute time is measured by the caller)."""

    train_loss: float
    val_loss: float
    val_accuracy: float
    train_flops: float


class EpochTrainer(ABC):
    """Trains one configuration epoch by epoch; its state round-trips through checkpoints."""

    @abstractmethod
    def train_epoch(self) -> EpochMetrics:
        """Run one epoch of training followed by a validation pass."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue training exactly where it stopped."""

    @abstractmethod
    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a state from `state_dict`."""

    def apply_hyperparameters(self, config: Mapping[str, Any]) -> None:  # noqa: B027  # an optional hook
        """Adopt changed mutable hyperparameters after a restore (PBT, PB2). Default: nothing."""


@dataclass(frozen=True)
class Workload:
    """A training workload under search.

    Args:
        name: registry name.
        version: bumped whenever a change alters its learning curves.
        summary: one line for `bench list`.
        space: the five hyperparameters with ranges and grid values.
        max_epochs: epochs a configuration trains at most.
        num_classes: for the chance accuracy recorded when a trial diverges.
        make_trainer: builds an EpochTrainer for a normalised config.
        prefers_gpu: True for workloads meant for a GPU.
        check_ready: raises BenchError when the workload cannot run here (data missing).
        max_cpu_threads: torch threads a trial uses on CPU at most, whatever CPUs it holds
            (None: as many as it holds).
        reference_table: the folder of the learning-curve table this workload ships (a plugin's
            own; None: results/reference/NAME-vVERSION in bench), the default for replay, the
            report's reference and `--until target`.
        cost_axes: the hyperparameters an epoch's compute depends on (batch size, width, ...):
            a recorded dataset's cost model is a function of these (bench.store.cost_fit). Empty:
            no cost model; replay of its dataset then charges recorded seconds at grid points.
    """

    name: str
    version: str
    summary: str
    space: SearchSpace
    max_epochs: int
    num_classes: int
    make_trainer: Callable[[Mapping[str, Any], TrainerContext], EpochTrainer]
    prefers_gpu: bool = False
    check_ready: Callable[[Mapping[str, Any]], None] = lambda options: None
    max_cpu_threads: int | None = None
    reference_table: str | None = None
    cost_axes: tuple[str, ...] = ()

    def cpu_threads(self, cpus_held: float) -> int:
        """Torch threads for a trial holding `cpus_held` CPUs: at least one."""
        threads = max(1, int(cpus_held))
        return min(threads, self.max_cpu_threads) if self.max_cpu_threads else threads

    @property
    def chance_accuracy(self) -> float:
        return 1.0 / self.num_classes

    @property
    def grid_budget_epochs(self) -> int:
        """What exhaustive grid search costs, in epochs."""
        return self.space.grid_size() * self.max_epochs
