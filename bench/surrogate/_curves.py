"""A dataset frame's curves as dense arrays: one row per (configuration, training seed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bench.errors import BenchError
from bench.surrogate._scaling import UnitScaler

if TYPE_CHECKING:
    import pandas as pd

#: Columns a dataset frame must have, besides the hyperparameters.
REQUIRED = ("config_id", "seed", "epoch", "val_accuracy", "val_loss", "train_loss", "diverged")
#: Accuracy is clipped into [ACCURACY_EPS, 1 - ACCURACY_EPS] before its logit is taken.
ACCURACY_EPS = 1e-3
#: Losses are floored here before their log is taken.
LOSS_FLOOR = 1e-6


def to_model_scale(accuracy: np.ndarray, val_loss: np.ndarray, train_loss: np.ndarray) -> np.ndarray:
    """Curves as the models see them: logit accuracy, log losses, stacked on the last-but-one axis."""
    accuracy = np.clip(accuracy, ACCURACY_EPS, 1.0 - ACCURACY_EPS)
    with np.errstate(invalid="ignore"):
        return np.stack([np.log(accuracy / (1.0 - accuracy)),
                         np.log(np.maximum(val_loss, LOSS_FLOOR)),
                         np.log(np.maximum(train_loss, LOSS_FLOOR))], axis=-2)


def from_model_scale(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inverse of to_model_scale: accuracy in [0, 1], losses >= 0."""
    accuracy = 1.0 / (1.0 + np.exp(-curves[..., 0, :]))
    return np.clip(accuracy, 0.0, 1.0), np.exp(curves[..., 1, :]), np.exp(curves[..., 2, :])


@dataclass(frozen=True)
class CurveSet:
    """Every recorded curve of a frame, padded with NaN after a curve stops.

    Attributes:
        config_ids: (configs,) the frame's config_id of each configuration.
        points: (configs, d) unit-cube positions.
        keys: canonical key -> configuration index.
        seeds: per configuration, its recorded training seeds, sorted.
        first_curve: (configs,) index of each configuration's first curve (curves of one
            configuration are consecutive, in seed order).
        accuracy, val_loss, train_loss: (curves, max_epochs).
        lengths: (curves,) epochs recorded; diverged: (curves,) whether the curve diverged.
        mean_scaled: (configs, 3, max_epochs) seed-mean of the non-diverged curves on the model
            scale (NaN where every seed diverged); clean: (configs,) no seed diverged.
    """

    config_ids: np.ndarray
    points: np.ndarray
    keys: dict
    seeds: list
    first_curve: np.ndarray
    accuracy: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    lengths: np.ndarray
    diverged: np.ndarray
    mean_scaled: np.ndarray
    clean: np.ndarray

    @property
    def max_epochs(self) -> int:
        return self.accuracy.shape[1]

    def curve_index(self, config: int, seed_position: int) -> int:
        """The row of a configuration's `seed_position`-th recorded seed."""
        return int(self.first_curve[config]) + seed_position

    def scaled_curves(self) -> np.ndarray:
        """(curves, 3, max_epochs) every curve on the model scale."""
        return to_model_scale(self.accuracy, self.val_loss, self.train_loss)


def curve_set(frame: pd.DataFrame, scaler: UnitScaler) -> CurveSet:
    """Lay out a long dataset frame (one row per configuration, seed and epoch) as a CurveSet."""
    missing = [c for c in (*REQUIRED, *scaler.names) if c not in frame.columns]
    if missing:
        raise BenchError(f"the dataset frame lacks columns {missing}; it has {list(frame.columns)}")
    if len(frame) == 0:
        raise BenchError("the dataset frame is empty: nothing to fit a surrogate on")
    frame = frame.sort_values(["config_id", "seed", "epoch"], kind="stable")
    max_epochs = int(frame["epoch"].max())
    pairs = frame[["config_id", "seed"]].to_numpy()
    starts = np.flatnonzero(np.r_[True, (pairs[1:] != pairs[:-1]).any(axis=1)])
    curve_of_row = np.cumsum(np.r_[True, (pairs[1:] != pairs[:-1]).any(axis=1)]) - 1
    epoch_index = frame["epoch"].to_numpy() - 1
    count = len(starts)
    arrays = {}
    for name in ("val_accuracy", "val_loss", "train_loss"):
        array = np.full((count, max_epochs), np.nan)
        array[curve_of_row, epoch_index] = frame[name].to_numpy(dtype=float)
        arrays[name] = array
    lengths = np.bincount(curve_of_row, minlength=count)
    diverged = np.bincount(curve_of_row, weights=frame["diverged"].to_numpy(dtype=float), minlength=count) > 0
    short = np.flatnonzero(~diverged & (lengths != max_epochs))
    if short.size:
        config_id, seed = pairs[starts[short[0]]]
        raise BenchError(f"config {config_id} seed {seed}: {lengths[short[0]]} epochs, not {max_epochs}, "
                         "and it did not diverge; a dataset frame holds whole curves")
    curve_config = pairs[starts, 0]
    first_curve = np.flatnonzero(np.r_[True, curve_config[1:] != curve_config[:-1]])
    config_rows = frame.iloc[starts[first_curve]]
    values = config_rows[scaler.names].to_numpy(dtype=float)
    keys = {}
    for index, row in enumerate(values):
        keys[scaler.key(dict(zip(scaler.names, row, strict=False)))] = index
    if len(keys) != len(first_curve):
        raise BenchError("the dataset frame has two config_ids with the same configuration")
    bounds = [*first_curve[1:], count]
    seeds = [pairs[starts[s:e], 1].tolist() for s, e in zip(first_curve, bounds, strict=False)]
    scaled = to_model_scale(arrays["val_accuracy"], arrays["val_loss"], arrays["train_loss"])
    mean_scaled = np.full((len(first_curve), 3, max_epochs), np.nan)
    clean = np.zeros(len(first_curve), dtype=bool)
    for index, (s, e) in enumerate(zip(first_curve, bounds, strict=False)):
        kept = ~diverged[s:e]
        clean[index] = kept.all()
        if kept.any():
            mean_scaled[index] = scaled[s:e][kept].mean(axis=0)
    return CurveSet(config_ids=curve_config[first_curve], points=scaler.points_of(values), keys=keys,
                    seeds=seeds, first_curve=first_curve, accuracy=arrays["val_accuracy"],
                    val_loss=arrays["val_loss"], train_loss=arrays["train_loss"], lengths=lengths,
                    diverged=diverged, mean_scaled=mean_scaled, clean=clean)
