"""A surrogate of whole learning curves: recorded curves exactly, modelled curves elsewhere."""

from __future__ import annotations

from typing import Mapping, NamedTuple

import numpy as np

from bench.environment import one_blas_thread
from bench.errors import BenchError
from bench.surrogate._candidates import DEFAULT_MODEL, make_model
from bench.surrogate._curves import CurveSet, curve_set, from_model_scale
from bench.surrogate._models import DISTANCE_EPS
from bench.surrogate._scaling import UnitScaler

#: Recorded configurations that vote on whether an unrecorded one diverges.
DIVERGENCE_NEIGHBOURS = 5
#: An unrecorded configuration diverges when its neighbours' distance-weighted share of
#: diverged curves is above this. The same for every seed: a vote of 5 neighbours is not a
#: calibrated probability, and seed-dependent thresholds made far-off configurations diverge.
DIVERGENCE_VOTE = 0.5


class CurvePrediction(NamedTuple):
    """One training seed's curve, one entry per epoch 1..N (N = max epochs, or the divergence epoch)."""

    val_accuracy: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    diverged: np.ndarray


class Surrogate:
    """Learning curves for any configuration of a space and any training seed.

    A recorded configuration (equal after `space.normalise`) returns its recorded curve for a
    recorded seed, else for its recorded seed `seed % seeds` (sorted). Any other configuration
    gets the model's seed-mean curve (logit accuracy, log losses) plus the seed noise of the
    nearest recorded configuration whose seeds all trained to the end; it diverges when the
    distance-weighted vote of its DIVERGENCE_NEIGHBOURS nearest recorded configurations says so,
    and then follows the nearest diverged neighbour's curve to its divergence epoch.

    Args:
        curves: the recorded curves; scaler: the space's UnitScaler; model: a fitted model
            (bench.surrogate._models) from unit-cube points to flattened seed-mean curves.
        model_name: the model's name in CANDIDATES.
    """

    def __init__(self, curves: CurveSet, scaler: UnitScaler, model, model_name: str) -> None:
        self.curves = curves
        self.scaler = scaler
        self.model = model
        self.model_name = model_name
        self.max_epochs = curves.max_epochs
        counts = np.diff(np.r_[curves.first_curve, len(curves.lengths)])
        self._divergence_share = np.add.reduceat(curves.diverged.astype(float), curves.first_curve) / counts
        self._noise_penalty = np.where(curves.clean, 0.0, np.inf)
        self._noise = curves.scaled_curves() - np.repeat(curves.mean_scaled, counts, axis=0)
        self._not_diverged = np.zeros(self.max_epochs, dtype=bool)
        self._diverged_flags = np.zeros((len(curves.lengths), self.max_epochs), dtype=bool)
        for row in np.flatnonzero(curves.diverged):
            self._diverged_flags[row, curves.lengths[row] - 1] = True

    def curve(self, config: Mapping, seed: int) -> CurvePrediction:
        """The curve of `config` trained with training seed `seed`.

        Raises:
            BenchError: a hyperparameter is missing or outside the space's range.
        """
        for hp in self.scaler.space:
            value = config.get(hp.name) if hasattr(config, "get") else None
            if value is None or not hp.low <= float(value) <= hp.high:
                raise BenchError(f"configuration {hp.name}={value!r} is outside the space: {hp.name} takes "
                                 f"values in [{hp.low:g}, {hp.high:g}]")
        normalised = self.scaler.space.normalise(config)
        values = [float(normalised[name]) for name in self.scaler.names]
        index = self.curves.keys.get(self.scaler.key_of_normalised(normalised))
        if index is not None:
            seeds = self.curves.seeds[index]
            position = seeds.index(seed) if seed in seeds else seed % len(seeds)
            return self._recorded(self.curves.curve_index(index, position))
        point = self.scaler.points_of(np.array([values]))[0]
        difference = self.curves.points - point
        distances = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        voters = np.argpartition(distances, DIVERGENCE_NEIGHBOURS - 1)[:DIVERGENCE_NEIGHBOURS] \
            if len(distances) > DIVERGENCE_NEIGHBOURS else np.arange(len(distances))
        weights = 1.0 / (distances[voters] + DISTANCE_EPS)
        share = float(weights @ self._divergence_share[voters] / weights.sum())
        if share > DIVERGENCE_VOTE:
            return self._recorded(self._diverged_neighbour_curve(voters, distances, seed))
        mean = self.model.predict_one(point).reshape(3, self.max_epochs)
        nearest = int(np.argmin(distances + self._noise_penalty))
        if np.isfinite(self._noise_penalty[nearest]):
            count = len(self.curves.seeds[nearest])
            mean = mean + self._noise[self.curves.curve_index(nearest, seed % count)]
        accuracy, val_loss, train_loss = from_model_scale(mean)
        return CurvePrediction(accuracy, val_loss, train_loss, self._not_diverged.copy())

    def _recorded(self, row: int) -> CurvePrediction:
        length = self.curves.lengths[row]
        return CurvePrediction(self.curves.accuracy[row, :length].copy(), self.curves.val_loss[row, :length].copy(),
                               self.curves.train_loss[row, :length].copy(), self._diverged_flags[row, :length].copy())

    def _diverged_neighbour_curve(self, voters: np.ndarray, distances: np.ndarray, seed: int) -> int:
        """The row of the nearest voter's diverged curve: its seed `seed % seeds` if that diverged."""
        voters = voters[self._divergence_share[voters] > 0]
        nearest = int(voters[np.argmin(distances[voters])])
        count = len(self.curves.seeds[nearest])
        row = self.curves.curve_index(nearest, seed % count)
        if not self.curves.diverged[row]:
            first = self.curves.first_curve[nearest]
            row = int(first + np.flatnonzero(self.curves.diverged[first:first + count])[0])
        return row


def fit_surrogate(frame, space=None, model: str = DEFAULT_MODEL) -> Surrogate:
    """Fit a Surrogate on a dataset frame (one row per configuration, training seed and epoch).

    Args:
        frame: the long dataset frame; space: its SearchSpace (default: the digits workload's).
        model: a name in CANDIDATES.
    """
    if space is None:
        import workloads

        space = workloads.get("digits").space
    scaler = UnitScaler(space)
    curves = curve_set(frame, scaler)
    trained = np.isfinite(curves.mean_scaled).all(axis=(1, 2))
    if not trained.any():
        raise BenchError("every curve in the dataset frame diverged: nothing to model")
    targets = curves.mean_scaled[trained].reshape(int(trained.sum()), -1)
    with one_blas_thread():  # the same weights on any machine (BLAS sums change with the thread count)
        fitted = make_model(model).fit(curves.points[trained], targets)
    return Surrogate(curves, scaler, fitted, model)
