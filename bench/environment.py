"""Library versions and hardware, recorded in every manifest so a result can be reproduced."""

from __future__ import annotations

import contextlib
import glob
import os
import platform
import socket
import sys
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

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


#: Device files that any GPU torch can use as a CUDA device needs on Linux: NVIDIA's (nvidiactl,
#: nvidia0, ...; nvhost-* and nvmap on Jetson boards), ROCm's kfd and WSL's dxg. Containers given a
#: GPU have them mounted too.
LINUX_GPU_DEVICE_FILES = ("/dev/nvidia*", "/dev/nvhost*", "/dev/nvmap", "/dev/kfd", "/dev/dxg")


def certainly_no_gpu() -> bool:
    """True where torch can see no CUDA device, known without importing torch (1.3-1.7 s of CPU, the
    largest part of a replay command's start): macOS (torch has no CUDA there), and Linux without any
    of LINUX_GPU_DEVICE_FILES. False means "ask torch", never "there is a GPU"."""
    if sys.platform == "darwin":
        return True
    if sys.platform.startswith("linux"):
        return not any(glob.glob(pattern) for pattern in LINUX_GPU_DEVICE_FILES)
    return False


def gpu_names() -> list[str]:
    """Names of the CUDA devices torch sees (empty without a GPU).

    torch is asked unless it is not yet loaded and `certainly_no_gpu()`: a replay, a report or a
    driver that never trains then starts without it."""
    if "torch" not in sys.modules and certainly_no_gpu():
        return []
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


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """One BLAS/OpenMP thread while a replay simulates: its figures must not depend on the core count.

    The model-based searchers (pb2, bayesopt: scikit-learn Gaussian processes) fit with BLAS, whose
    sums change in the last bits with the number of threads, and that changes which configuration
    is explored next: pb2 seed 1 reached 0.9377 with 2 threads and 0.9374 with 1 on the shipped
    dataset. With one thread a replay gives the same run table on a laptop, a many-core box, a
    serial matrix and N matrix workers (which would otherwise run N x cores threads on N cores).
    The surrogate is fitted under it too (its network's weights differed by 1e-12 between 1 and 2
    threads). Applies to the libraries loaded when it is entered: enter it after the imports.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
