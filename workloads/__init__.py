"""Workloads under search, by name."""

from __future__ import annotations

import os

from bench.errors import BenchError
from bench.plugins import Plugins, import_object
from bench.registry import Registry
from workloads.base import EpochMetrics, EpochTrainer, TrainerContext, Workload
from workloads.space import Hyperparameter, SearchSpace

REGISTRY: Registry[Workload] = Registry("workload")


def get(name: str) -> Workload:
    """A workload by name: built-in, plugin (entry point `bench.workloads`) or `module:attribute`."""
    workload = PLUGINS.find(name)
    if workload is None:
        known = [*REGISTRY.names(), *(n for n in PLUGINS.names() if n not in REGISTRY)]
        raise BenchError(f"unknown workload {name!r}; accepted: {', '.join(known)}, or module:attribute "
                         f"naming a workloads.Workload")
    return workload


def _check_workload(obj) -> None:
    if not isinstance(obj, Workload):
        raise TypeError(f"is a {type(obj).__name__}, not a workloads.Workload")


def _register_builtin() -> None:
    from workloads.cifar10 import CIFAR10
    from workloads.digits import DIGITS

    REGISTRY.register(DIGITS.name, DIGITS)
    REGISTRY.register(CIFAR10.name, CIFAR10)


def _register_plugins() -> None:
    """Register workloads named in BENCH_WORKLOADS ("module:attribute,...").

    The variable is inherited by Ray's worker processes, so trials find the same workloads.
    """
    for entry in filter(None, (e.strip() for e in os.environ.get("BENCH_WORKLOADS", "").split(","))):
        workload = import_object(entry, "BENCH_WORKLOADS entry")
        if not isinstance(workload, Workload):
            raise BenchError(f"BENCH_WORKLOADS entry {entry!r} is not a workloads.Workload")
        if workload.name not in REGISTRY:
            REGISTRY.register(workload.name, workload)


_register_builtin()
_register_plugins()
PLUGINS: Plugins[Workload] = Plugins("workload", "bench.workloads", REGISTRY, _check_workload,
                                     env_var="BENCH_WORKLOADS")

__all__ = [
    "REGISTRY", "PLUGINS", "get", "Workload", "EpochTrainer", "EpochMetrics", "TrainerContext",
    "Hyperparameter", "SearchSpace",
]
