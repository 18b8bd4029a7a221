"""Library versions and hardware, recorded in every manifest so a result can be reproduced."""

from __future__ import annotations

import os
import platform
import socket
import sys
from importlib import metadata

LIBRARIES = (
    "ray", "torch", "torchvision", "optuna", "hyperopt", "nevergrad", "bayesian-optimization",
    "hpbandster", "ConfigSpace", "scikit-learn", "numpy", "pandas", "pyarrow", "bench",
)


def library_versions() -> dict[str, str]:
    """Installed versions of every library a run's outcome depends on."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def gpu_names() -> list[str]:
    """Names of the CUDA devices torch sees (empty without a GPU)."""
    try:
        import torch
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]


def hardware() -> dict:
    """The machine this process runs on."""
    gpus = gpu_names()
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "gpus": gpus,
        "gpu_count": len(gpus),
        "python_executable": sys.executable,
    }


def hardware_fingerprint(info: dict | None = None) -> str:
    """A short key that is equal for machines whose compute timings are comparable."""
    info = info or hardware()
    gpus = ",".join(info.get("gpus") or []) or "no-gpu"
    return f"{info['cpu_model']}|{info['cpu_count']}cpu|{gpus}"
