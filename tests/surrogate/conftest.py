"""A synthetic dataset frame in the recorded format: smooth curves over the digits space, made with numpy.

Synthetic, not recorded: CI has no recording. Final accuracy is a smooth function of the unit-cube
position; each seed adds small noise; a corner of high learning rate and high momentum diverges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

MAX_EPOCHS = 27
CHANCE = 0.1


def unit_to_config(space, unit) -> dict:
    """The configuration at a unit-cube position (log dimensions uniform in log10)."""
    config = {}
    for u, hp in zip(unit, space, strict=False):
        if hp.log:
            value = 10 ** (np.log10(hp.low) + u * (np.log10(hp.high) - np.log10(hp.low)))
        else:
            value = hp.low + u * (hp.high - hp.low)
        config[hp.name] = hp.normalise(value)
    return config


def diverges(unit) -> bool:
    """The synthetic rule: learning rate and momentum both in their top fifth."""
    return unit[0] > 0.8 and unit[1] > 0.8


def final_accuracy(unit) -> float:
    score = 2.5 * unit[0] + 1.5 * unit[4] - 1.0 * unit[2] - 0.8 * unit[3] - 0.7
    return 0.15 + 0.8 / (1.0 + np.exp(-2.0 * score))


def synthetic_curve_rows(unit, seed: int, rng) -> list[list]:
    """One seed's rows [epoch, val_accuracy, val_loss, train_loss, epoch_compute_s, train_flops, diverged]."""
    final = final_accuracy(unit)
    tau = 2.0 + 4.0 * (1.0 - unit[0])
    divergence_epoch = 2 + int(unit[1] * 10) % 3 if diverges(unit) else None
    rows = []
    for epoch in range(1, MAX_EPOCHS + 1):
        if epoch == divergence_epoch:
            rows.append([epoch, CHANCE, float("nan"), float("inf"), 0.05, 1e8, True])
            break
        accuracy = CHANCE + (final - CHANCE) * (1 - np.exp(-epoch / tau)) + rng.normal(0, 0.01)
        accuracy = float(np.clip(accuracy, 0.0, 1.0))
        val_loss = float(-1.2 * np.log(max(accuracy, 1e-3)) * np.exp(rng.normal(0, 0.02)))
        rows.append([epoch, accuracy, val_loss, 0.9 * val_loss, 0.05, 1e8, False])
    return rows


def synthetic_frame(space, configs: int = 40, seed: int = 0) -> pd.DataFrame:
    """`configs` random configurations plus 6 in the diverging corner; the first 8 are "grid" with 3 seeds."""
    rng = np.random.default_rng(seed)
    units = rng.random((configs, len(space.hyperparameters)))
    corner = rng.random((6, len(space.hyperparameters)))
    corner[:, 0] = 0.85 + 0.15 * corner[:, 0]
    corner[:, 1] = 0.85 + 0.15 * corner[:, 1]
    rows = []
    for config_id, unit in enumerate(np.vstack([units, corner])):
        source = "grid" if config_id < 8 else "sobol"
        config = unit_to_config(space, unit)
        for training_seed in range(3 if source == "grid" else 2):
            for row in synthetic_curve_rows(unit, training_seed, rng):
                rows.append({"config_id": config_id, "source": source, "seed": training_seed, **config,
                             **dict(zip(["epoch", "val_accuracy", "val_loss", "train_loss", "epoch_compute_s",
                                         "train_flops", "diverged"], row, strict=False))})
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def space():
    import workloads

    return workloads.get("digits").space


@pytest.fixture(scope="session")
def small_frame(space) -> pd.DataFrame:
    """A synthetic 46-configuration frame (see the module docstring)."""
    return synthetic_frame(space)


@pytest.fixture(scope="session")
def small_surrogate(small_frame, space):
    from bench.surrogate import fit_surrogate

    return fit_surrogate(small_frame, space, model="knn-5")


@pytest.fixture(scope="session")
def shipped_frame(space) -> pd.DataFrame:
    """The shipped digits dataset (grid and space sample) as one frame."""
    from bench.store.dataset import dataset_frame
    from bench.store.tables import default_table_path, load_table

    return dataset_frame(load_table(default_table_path("digits")), space)


@pytest.fixture(scope="session")
def shipped_surrogate(shipped_frame, space):
    """The default surrogate fitted on the shipped dataset (about 12 s),
    shared by the noise and tail tests."""
    from bench.surrogate import fit_surrogate

    return fit_surrogate(shipped_frame, space)
