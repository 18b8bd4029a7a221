"""The Ray cluster a run uses: its nodes, resources per trial,
and a filter for a stale error Tune logs on restore.

The Tune settings that make runs resumable are bench.tune_compat.configure_tune (replay applies them too)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping


class StaleCheckpointFilter(logging.Filter):
    """Hide Tune's error for deleting a checkpoint that a killed driver had already deleted.

    Tune's snapshot can lag behind checkpoint deletion by up to `num_to_keep` checkpoints; on
    restore it tries to delete those again. The checkpoint bookkeeping is updated before the
    delete, so nothing is lost; only the logged traceback is wrong.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        stale = (record.getMessage().find("Error handling checkpoint") >= 0
                 and isinstance(error, FileNotFoundError)
                 and "/checkpoint_" in str(error))
        self.hidden += stale
        return not stale


def hide_stale_checkpoint_errors() -> StaleCheckpointFilter:
    stale = StaleCheckpointFilter()
    logging.getLogger("ray.tune.execution.tune_controller").addFilter(stale)
    return stale


def node_table() -> dict[str, dict]:
    """Every node of the connected Ray cluster: node id -> address, host name, CPUs, GPUs, alive."""
    import ray

    if not ray.is_initialized():
        return {}
    return {
        node["NodeID"]: {
            "ip": node.get("NodeManagerAddress"), "hostname": node.get("NodeManagerHostname"),
            "cpus": node.get("Resources", {}).get("CPU", 0), "gpus": node.get("Resources", {}).get("GPU", 0),
            "alive": bool(node.get("Alive")),
        }
        for node in ray.nodes()
    }


def trial_resources(cluster: Mapping[str, float], workers: int, trials_per_gpu: int) -> dict:
    """CPUs and GPU share per trial, so that `workers` trials fit side by side."""
    gpus = cluster.get("GPU", 0)
    cpus = cluster.get("CPU", 1)
    per_trial = {"cpu": max(1.0, math.floor(cpus / workers)) if cpus >= workers else cpus / workers}
    if gpus >= 1:
        per_trial["gpu"] = 1.0 / trials_per_gpu
    return per_trial


def default_workers(cluster: Mapping[str, float], trials_per_gpu: int) -> int:
    """Concurrent trials when the user gives none: GPUs x trials per GPU, else the CPUs."""
    gpus = int(cluster.get("GPU", 0))
    if gpus:
        return gpus * trials_per_gpu
    return max(1, int(cluster.get("CPU", 1)))


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on this machine now: for the head and agents of a Ray
    cluster started here with `ray start` (scripts/matrix_speed.py, tests/resilience/test_two_nodes.py)."""
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
