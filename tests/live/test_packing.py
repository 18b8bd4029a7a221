"""Trials per GPU and concurrent trials chosen from the hardware, and each trial's Ray resources."""

from __future__ import annotations

import pytest

from bench.live import packing
from bench.live.cluster import trial_resources


@pytest.mark.parametrize("memory_gib, cpus, gpus, expected", [
    (141.0, 16, 1, 8),   # H200: capped at MAX_TRIALS_PER_GPU
    (80.0, 16, 1, 8),    # H100
    (40.0, 16, 1, 5),    # A100 40 GB: memory-bound
    (16.0, 16, 1, 2),
    (6.0, 16, 1, 1),     # less than one trial's memory still runs one
    (141.0, 4, 1, 4),    # one CPU per trial at least
    (141.0, 16, 4, 4),   # 16 CPUs over 4 GPUs
    (None, 16, 1, 1),    # GPUs on other nodes: memory unknown
    (141.0, 16, 0, 1),
])
def test_default_trials_per_gpu(memory_gib, cpus, gpus, expected):
    assert packing.default_trials_per_gpu(memory_gib, cpus, gpus) == expected


def test_cpu_machine_runs_one_trial_per_cpu():
    chosen = packing.choose({"CPU": 2.0}, None, None, None)
    assert (chosen.trials_per_gpu, chosen.workers) == (1, 2)
    assert chosen.line() == "hardware: no GPU, 2 CPUs -> 2 concurrent trials, 1 CPU each"


def test_gpu_machine_packs_by_default_and_says_so():
    chosen = packing.choose({"CPU": 16.0, "GPU": 1.0}, None, None, 139.8)
    assert (chosen.trials_per_gpu, chosen.workers) == (8, 8)
    assert chosen.line() == ("hardware: 1 GPU (140 GiB each), 16 CPUs -> 8 trials per GPU (default), "
                             "8 concurrent trials, each 1/8 GPU and 2 CPU")
    given = packing.choose({"CPU": 16.0, "GPU": 2.0}, None, 2, 139.8)
    assert (given.trials_per_gpu, given.workers) == (2, 4) and "(given)" in given.line()
    assert packing.choose({"CPU": 16.0, "GPU": 1.0}, 3, None, 139.8).workers == 3


def test_each_packed_trial_gets_its_share_of_a_gpu():
    assert trial_resources({"CPU": 16.0, "GPU": 1.0}, 8, 8) == {"cpu": 2.0, "gpu": 0.125}
    assert trial_resources({"CPU": 16.0, "GPU": 2.0}, 4, 2) == {"cpu": 4.0, "gpu": 0.5}
    assert trial_resources({"CPU": 2.0}, 2, 1) == {"cpu": 1.0}
