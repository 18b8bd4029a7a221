"""Cross-validated held-out curves and per-call latency of a surrogate model."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bench.surrogate._surrogate import fit_surrogate


@dataclass(frozen=True)
class HeldOut:
    """Held-out curves of a grouped cross-validation, one row per (configuration, recorded seed).

    Attributes:
        true_accuracy, predicted_accuracy: (curves, max_epochs), NaN after a curve stops.
        config_ids, seeds: (curves,) which configuration and training seed each row is.
        fit_cpu_s: mean CPU seconds to fit one fold's surrogate (CPU time, so a busy machine
            does not inflate it).
    """

    true_accuracy: np.ndarray
    predicted_accuracy: np.ndarray
    config_ids: np.ndarray
    seeds: np.ndarray
    fit_cpu_s: float


def cross_validate(frame, model: str, space=None, folds: int = 5, seed: int = 0) -> HeldOut:
    """Predict every configuration's recorded seeds from a surrogate fitted without it.

    Configurations (all their seeds together) are shuffled by `seed` and split into `folds`.
    """
    config_ids = np.sort(frame["config_id"].unique())
    fold_of = dict(zip(np.random.default_rng(seed).permutation(config_ids), np.arange(len(config_ids)) % folds))
    fold_column = frame["config_id"].map(fold_of).to_numpy()
    max_epochs = int(frame["epoch"].max())
    rows_true, rows_predicted, row_configs, row_seeds, fit_seconds = [], [], [], [], []
    for fold in range(folds):
        held = frame[fold_column == fold]
        start = time.process_time()
        surrogate = fit_surrogate(frame[fold_column != fold], space, model)
        fit_seconds.append(time.process_time() - start)
        names = surrogate.scaler.names
        for (config_id, seed), curve in held.sort_values("epoch").groupby(["config_id", "seed"]):
            config = dict(zip(names, curve[names].iloc[0]))
            truth = np.full(max_epochs, np.nan)
            truth[curve["epoch"].to_numpy() - 1] = curve["val_accuracy"].to_numpy()
            predicted = np.full(max_epochs, np.nan)
            accuracy = surrogate.curve(config, int(seed)).val_accuracy
            predicted[: len(accuracy)] = accuracy
            rows_true.append(truth)
            rows_predicted.append(predicted)
            row_configs.append(config_id)
            row_seeds.append(seed)
    return HeldOut(np.array(rows_true), np.array(rows_predicted), np.array(row_configs), np.array(row_seeds),
                   float(np.mean(fit_seconds)))


def latency_cpu_s(surrogate, calls: int = 2000, seed: int = 0) -> float:
    """Mean CPU seconds of one `curve()` call for random unrecorded configurations of the surrogate's space.

    CPU time, not wall time, so that other processes on the machine do not inflate it.
    """
    space = surrogate.scaler.space
    rng = np.random.default_rng(seed)
    configs = []
    for _ in range(calls):
        config = {}
        for hp in space:
            u = rng.random()
            config[hp.name] = 10 ** (np.log10(hp.low) + u * np.log10(hp.high / hp.low)) if hp.log \
                else hp.low + u * (hp.high - hp.low)
        configs.append(config)
    surrogate.curve(configs[0], 0)
    start = time.process_time()
    for index, config in enumerate(configs):
        surrogate.curve(config, index % 3)
    return (time.process_time() - start) / calls
