"""Workloads under search, by name."""

from __future__ import annotations

from bench.registry import Registry
from workloads.base import EpochMetrics, EpochTrainer, TrainerContext, Workload
from workloads.space import Hyperparameter, SearchSpace

REGISTRY: Registry[Workload] = Registry("workload")


def get(name: str) -> Workload:
    return REGISTRY.get(name)


def _register_builtin() -> None:
    from workloads.cifar10 import CIFAR10
    from workloads.digits import DIGITS

    REGISTRY.register(DIGITS.name, DIGITS)
    REGISTRY.register(CIFAR10.name, CIFAR10)


_register_builtin()

__all__ = [
    "REGISTRY", "get", "Workload", "EpochTrainer", "EpochMetrics", "TrainerContext",
    "Hyperparameter", "SearchSpace",
]
