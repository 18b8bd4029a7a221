"""A synthetic learning-curve table in the real format, for tests that must not train 243 configurations.

Curves are plausible (a best learning rate and weight decay, saturating accuracy, divergence
at learning rate 1 with high momentum) and deterministic per repeat.
"""

from __future__ import annotations

import math

import numpy as np

from bench.store.tables import CURVE_COLUMNS, write_table


def synthetic_curves(workload, repeats: int = 1, seed: int = 0):
    import pandas as pd

    names = workload.space.names
    rows = []
    for repeat in range(repeats):
        rng = np.random.default_rng(seed * 1000 + repeat)
        for index, point in enumerate(workload.space.grid_points()):
            lr, momentum, wd, batch, width = (point[n] for n in names)
            quality = (0.95 - 0.12 * abs(math.log10(lr) + 1) - 0.05 * abs(math.log10(wd) + 3)
                       - 0.04 * (width == 4))
            speed = 0.25 + 0.4 * lr * (1 + momentum) * 16 / batch
            diverge_at = 2 + index % 3 if (lr >= 1.0 and momentum >= 0.9) else None
            epoch_s = 0.02 * width / 8 * (144 / batch) ** 0.5 * (1 + 0.05 * rng.standard_normal())
            for epoch in range(1, workload.max_epochs + 1):
                diverged = diverge_at is not None and epoch == diverge_at
                accuracy = quality * (1 - math.exp(-speed * epoch)) + 0.01 * rng.standard_normal()
                rows.append({
                    "grid_index": index, "repeat": repeat, **point, "epoch": epoch,
                    "val_accuracy": 0.1 if diverged else float(min(max(accuracy, 0.05), 0.99)),
                    "val_loss": float("nan") if diverged else float(2.3 * (1 - accuracy)),
                    "train_loss": float("nan") if diverged else float(2.3 * (1 - accuracy) * 0.9),
                    "epoch_compute_s": float(abs(epoch_s)), "train_flops": float(1e9 * width * 16 / batch),
                    "diverged": diverged, "result_index": len(rows),
                })
                if diverged:
                    break
    frame = pd.DataFrame(rows)
    return frame[list(CURVE_COLUMNS[:2]) + names + list(CURVE_COLUMNS[2:])]


def write_synthetic_table(folder, workload, repeats: int = 1, seed: int = 0):
    curves = synthetic_curves(workload, repeats, seed)
    return write_table(folder, curves, workload, command=["synthetic", "tests/replay/synthetic.py"],
                       source_runs=[])
