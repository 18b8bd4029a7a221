"""The Ray cluster a run uses: its nodes, and the Tune settings that make runs resumable."""

from __future__ import annotations

import logging
import os

#: Seconds between Ray Tune experiment-state snapshots (Tune's default, "auto", waits at least
#: 10 s). A killed driver retrains at most this much of each running trial on resume; the
#: epochs it retrains are dropped, not counted twice.
SNAPSHOT_PERIOD_S = 2.0

# What the user set before bench started wins over bench's defaults.
_USER_SETTINGS = {name: os.environ.get(name) for name in ("TUNE_GLOBAL_CHECKPOINT_S", "TUNE_MAX_PENDING_TRIALS_PG")}


def configure_tune(workers: int) -> dict[str, str]:
    """Set Tune's snapshot period and pending-trial limit for one run; returns the values in force.

    Tune creates up to 200 pending trials ahead of time for random and grid sampling, and on
    restore requeues them in an order of its own, so a resumed run would try other
    configurations than an uninterrupted one. With as many pending trials as workers, trials are
    created when they can start, and a resumed run continues the same sequence.
    """
    defaults = {"TUNE_GLOBAL_CHECKPOINT_S": str(SNAPSHOT_PERIOD_S), "TUNE_MAX_PENDING_TRIALS_PG": str(max(1, workers))}
    settings = {name: _USER_SETTINGS[name] or value for name, value in defaults.items()}
    os.environ.update(settings)
    return settings


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
        stale = (record.getMessage().find("Error handling checkpoint") >= 0 and isinstance(error, FileNotFoundError)
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
