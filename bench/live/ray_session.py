"""Start a local Ray or join a cluster, once per process."""

from __future__ import annotations

import logging
import os
from typing import Any

from bench.errors import BenchError

# Tune's own CSV/JSON/TensorBoard loggers and console tables duplicate what bench records.
os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "100")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")


def parse_address(address: str) -> tuple[str, int] | None:
    """(host, port) of a host:port or ray://host:port address; None for auto and local; bad ones refused."""
    if address in ("auto", "local"):
        return None
    hostport = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = hostport.rpartition(":")
    if not address.strip() or not sep or not port.isdigit():
        raise BenchError(f"bad Ray address {address!r}; accepted: auto, host:port or ray://host:port")
    return host, int(port)


def check_reachable(address: str, timeout_s: float = 3.0) -> None:
    """Fail fast on an address nothing listens on (ray.init would retry for minutes)."""
    import socket

    host, port = parse_address(address)  # type: ignore[misc]  # never auto or local here (ensure_ray)
    try:
        with socket.create_connection((host or "127.0.0.1", port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise BenchError(
            f"cannot reach a Ray cluster at {address!r} ({exc.strerror or exc}); accepted: auto, "
            "host:port or ray://host:port of a running cluster"
        ) from None


def ensure_ray(address: str | None = None, num_cpus: int | None = None) -> dict:
    """Connect to Ray (an existing session is reused) and return the cluster's resources.

    Args:
        address: None for a local Ray with the dashboard off; "auto", "host:port" or
            "ray://host:port" to join an existing cluster.
    """
    import ray

    if not ray.is_initialized():
        kwargs: dict[str, Any] = dict(include_dashboard=False, logging_level=logging.ERROR,
                                      log_to_driver=False)
        if address is None:
            from bench.tune_compat import local_ray_system_config

            kwargs.update(num_cpus=num_cpus, _system_config=local_ray_system_config())
        if address not in (None, "auto", "local"):
            check_reachable(address)
        try:
            ray.init(address=address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BenchError(
                f"cannot reach a Ray cluster at {address!r} ({reason}); accepted: auto, "
                "host:port or ray://host:port of a running cluster"
            ) from None
    return dict(ray.cluster_resources())
