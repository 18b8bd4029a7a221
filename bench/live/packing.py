"""How many trials share each GPU and how many run at once, chosen from the hardware a run sees."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

#: GPU memory one trial may need: the largest cifar10 grid configuration (width 64, batch
#: 1024, bf16 activations) is estimated at about 6 GiB with the dataset and a CUDA context;
#: 8 leaves headroom. An estimate, not a measurement: scripts/gpu_throughput.py prints the
#: peak memory per configuration on a GPU.
TRIAL_MEMORY_GIB = 8.0
#: More time-sliced CUDA contexts per GPU than this rarely add throughput (the throughput
#: script measures 1, 2, 4 and 8).
MAX_TRIALS_PER_GPU = 8


@dataclass(frozen=True)
class Packing:
    """Trials per GPU, concurrent trials and CPUs per trial, with what they were chosen from."""

    trials_per_gpu: int
    workers: int
    gpus: int
    cpus: float
    gpu_memory_gib: float | None
    chosen: str  # "default" or "given"

    def line(self) -> str:
        """One line for the start of a run."""
        cpus_per_trial = max(1, math.floor(self.cpus / self.workers)) if self.cpus >= self.workers else None
        per_trial = f"{cpus_per_trial} CPU" if cpus_per_trial else f"{self.cpus / self.workers:.2g} CPU"
        if not self.gpus:
            return (f"hardware: no GPU, {self.cpus:g} CPUs -> {self.workers} concurrent trials, "
                    f"{per_trial} each")
        memory = "memory unknown" if self.gpu_memory_gib is None else f"{self.gpu_memory_gib:.0f} GiB each"
        return (f"hardware: {self.gpus} GPU ({memory}), {self.cpus:g} CPUs -> "
                f"{self.trials_per_gpu} trials per GPU ({self.chosen}), {self.workers} concurrent trials, "
                f"each 1/{self.trials_per_gpu} GPU and {per_trial}")


def local_gpu_memory_gib() -> float | None:
    """The smallest total memory of the CUDA devices this process sees; None without CUDA."""
    from bench.environment import gpu_names

    if not gpu_names():  # without GPU device files, answered without importing torch (a CPU run's driver)
        return None
    import torch

    sizes = [torch.cuda.get_device_properties(i).total_memory for i in range(torch.cuda.device_count())]
    return min(sizes) / 2**30 if sizes else None


def default_trials_per_gpu(gpu_memory_gib: float | None, cpus: float, gpus: int) -> int:
    """As many trials as fit in GPU memory, at most MAX_TRIALS_PER_GPU and one CPU each; 1 if unknown."""
    if not gpus or gpu_memory_gib is None:
        return 1
    by_memory = math.floor(gpu_memory_gib / TRIAL_MEMORY_GIB)
    by_cpus = math.floor(cpus / gpus)
    return max(1, min(MAX_TRIALS_PER_GPU, by_memory, by_cpus))


def choose(cluster: Mapping[str, float], workers: int | None, trials_per_gpu: int | None,
           gpu_memory_gib: float | None) -> Packing:
    """Fill in what the user left out: trials per GPU from GPU memory, workers = GPUs x trials per GPU
    (else CPUs)."""
    gpus = int(cluster.get("GPU", 0))
    cpus = float(cluster.get("CPU", 1))
    chosen = "given" if trials_per_gpu is not None else "default"
    if trials_per_gpu is None:
        trials_per_gpu = default_trials_per_gpu(gpu_memory_gib, cpus, gpus)
    if workers is None:
        workers = gpus * trials_per_gpu if gpus else max(1, int(cpus))
    return Packing(trials_per_gpu, workers, gpus, cpus, gpu_memory_gib, chosen)
