"""Cross-validated held-out curves (plain and nested) and per-call latency of a surrogate model."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.surrogate._surrogate import fit_surrogate

if TYPE_CHECKING:
    import pandas as pd

    from bench.surrogate._surrogate import Surrogate
    from workloads.space import SearchSpace


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


@dataclass(frozen=True)
class NestedHeldOut:
    """Held-out curves of a nested cross-validation and the model each outer fold's inner folds chose.

    Attributes:
        held_out: every configuration predicted by the surrogate of the outer fold it was held out of.
        chosen: (outer folds,) the model each outer fold used.
    """

    held_out: HeldOut
    chosen: list[str]


def config_folds(frame: pd.DataFrame, folds: int, seed: int) -> np.ndarray:
    """Each frame row's fold: configurations (all their seeds together) shuffled by `seed`,
    dealt into `folds`."""
    config_ids = np.sort(frame["config_id"].unique())
    fold_of = dict(zip(np.random.default_rng(seed).permutation(config_ids),
                       np.arange(len(config_ids)) % folds, strict=False))
    return frame["config_id"].map(fold_of).to_numpy()


def _predict(surrogate: Surrogate, held: pd.DataFrame, max_epochs: int) -> tuple[list, list, list, list]:
    """Recorded and surrogate curves of every (configuration, seed) in the frame `held`."""
    names = surrogate.scaler.names
    rows_true, rows_predicted, row_configs, row_seeds = [], [], [], []
    for (config_id, seed), curve in held.sort_values("epoch").groupby(["config_id", "seed"]):
        config = dict(zip(names, curve[names].iloc[0], strict=False))
        truth = np.full(max_epochs, np.nan)
        truth[curve["epoch"].to_numpy() - 1] = curve["val_accuracy"].to_numpy()
        predicted = np.full(max_epochs, np.nan)
        accuracy = surrogate.curve(config, int(seed)).val_accuracy  # type: ignore[call-overload]  # an int seed
        predicted[: len(accuracy)] = accuracy
        rows_true.append(truth)
        rows_predicted.append(predicted)
        row_configs.append(config_id)
        row_seeds.append(seed)
    return rows_true, rows_predicted, row_configs, row_seeds


def cross_validate(frame: pd.DataFrame, model: str, space: SearchSpace | None = None, folds: int = 5,
                   seed: int = 0) -> HeldOut:
    """Predict every configuration's recorded seeds from a surrogate fitted without it.

    Configurations (all their seeds together) are shuffled by `seed` and split into `folds`.
    """
    fold_column = config_folds(frame, folds, seed)
    max_epochs = int(frame["epoch"].max())
    rows_true: list[Any]
    rows_predicted: list[Any]
    row_configs: list[Any]
    row_seeds: list[Any]
    fit_seconds: list[float]
    rows_true, rows_predicted, row_configs, row_seeds, fit_seconds = [], [], [], [], []
    for fold in range(folds):
        start = time.process_time()
        surrogate = fit_surrogate(frame[fold_column != fold], space, model)
        fit_seconds.append(time.process_time() - start)
        for rows, new in zip((rows_true, rows_predicted, row_configs, row_seeds),
                             _predict(surrogate, frame[fold_column == fold], max_epochs), strict=False):
            rows.extend(new)
    return HeldOut(np.array(rows_true), np.array(rows_predicted), np.array(row_configs), np.array(row_seeds),
                   float(np.mean(fit_seconds)))


def nested_cross_validate(frame: pd.DataFrame, models: Sequence[str],
                          choose: Callable[[dict[str, HeldOut]], str], space: SearchSpace | None = None,
                          outer_folds: int = 5, inner_folds: int = 3, seed: int = 0,
                          progress: Callable[[str], None] | None = None) -> NestedHeldOut:
    """Held-out curves of a model chosen without the configurations they are scored on.

    Each outer fold's configurations are predicted by a surrogate fitted on the other outer folds
    with the model `choose` picks from an inner cross-validation (`inner_folds`, grouped by
    configuration) of every candidate on those other folds only, so the figures of the outer folds
    are not the ones the choice was made on (Varma and Simon 2006,
    https://doi.org/10.1186/1471-2105-7-91). With one candidate, no inner folds are run.

    Args:
        choose: the inner HeldOut of every candidate -> the chosen name.
        progress: called with a line after each fit, if given.
    """
    fold_column = config_folds(frame, outer_folds, seed)
    max_epochs = int(frame["epoch"].max())
    rows_true: list[Any]
    rows_predicted: list[Any]
    row_configs: list[Any]
    row_seeds: list[Any]
    fit_seconds: list[float]
    chosen: list[str]
    rows_true, rows_predicted, row_configs, row_seeds, fit_seconds, chosen = [], [], [], [], [], []
    for fold in range(outer_folds):
        inside = frame[fold_column != fold]
        if len(models) == 1:
            name = models[0]
        else:
            inner = {model: cross_validate(inside, model, space, inner_folds, seed + 1 + fold)
                     for model in models}
            name = choose(inner)
        chosen.append(name)
        start = time.process_time()
        surrogate = fit_surrogate(inside, space, name)
        fit_seconds.append(time.process_time() - start)
        for rows, new in zip((rows_true, rows_predicted, row_configs, row_seeds),
                             _predict(surrogate, frame[fold_column == fold], max_epochs), strict=False):
            rows.extend(new)
        if progress is not None:
            progress(f"outer fold {fold + 1}/{outer_folds}: {name}")
    held = HeldOut(np.array(rows_true), np.array(rows_predicted), np.array(row_configs), np.array(row_seeds),
                   float(np.mean(fit_seconds)))
    return NestedHeldOut(held, chosen)


def _random_configs(space: SearchSpace, calls: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    configs = []
    for _ in range(calls):
        config = {}
        for hp in space:
            u = rng.random()
            config[hp.name] = 10 ** (np.log10(hp.low) + u * np.log10(hp.high / hp.low)) if hp.log \
                else hp.low + u * (hp.high - hp.low)
        configs.append(config)
    return configs


def latency_cpu_s(surrogate: Surrogate, calls: int = 2000, seed: int = 0) -> float:
    """Mean CPU seconds of one `curve()` call for random unrecorded configurations of the surrogate's space.

    CPU time, not wall time, so that other processes on the machine do not inflate it.
    """
    configs = _random_configs(surrogate.scaler.space, calls, seed)
    surrogate.curve(configs[0], 0)
    start = time.process_time()
    for index, config in enumerate(configs):
        surrogate.curve(config, index % 3)
    return (time.process_time() - start) / calls


def forward_cpu_s(surrogate: Surrogate, calls: int = 2000, seed: int = 0) -> float:
    """Mean CPU seconds of the model's one-point forward pass inside `curve()`,
    same configurations as latency_cpu_s.

    The part of a curve() call that the choice of model changes; the rest (locating the
    configuration, the divergence vote, keyed noise, calibration, ceiling) is the same for every model.
    """
    scaler = surrogate.scaler
    points = [scaler.point(config) for config in _random_configs(scaler.space, calls, seed)]
    surrogate.model.predict_one(points[0])
    start = time.process_time()
    for point in points:
        surrogate.model.predict_one(point)
    return (time.process_time() - start) / calls
