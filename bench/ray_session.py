"""Start a local Ray or join a cluster, once per process."""

from __future__ import annotations

import logging
import os

from bench.errors import BenchError

# Tune's own CSV/JSON/TensorBoard loggers and console tables duplicate what bench records.
os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "100")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")


def ensure_ray(address: str | None = None, num_cpus: int | None = None) -> dict:
    """Connect to Ray (an existing session is reused) and return the cluster's resources.

    Args:
        address: None for a local Ray with the dashboard off; "auto", "host:port" or
            "ray://host:port" to join an existing cluster.
    """
    import ray

    if not ray.is_initialized():
        kwargs = dict(include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
        if address is None:
            kwargs["num_cpus"] = num_cpus
        try:
            ray.init(address=address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BenchError(
                f"cannot reach a Ray cluster at {address!r} ({reason}); accepted: auto, "
                "host:port or ray://host:port of a running cluster"
            ) from None
    return dict(ray.cluster_resources())
