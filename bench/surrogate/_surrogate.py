"""A surrogate of whole learning curves: recorded curves exactly,
modelled curves with keyed seed noise elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from bench.environment import one_blas_thread
from bench.errors import BenchError
from bench.surrogate._calibration import AccuracyCalibration, AccuracyCeiling, fit_calibration
from bench.surrogate._candidates import DEFAULT_MODEL, make_model
from bench.surrogate._curves import CurveSet, curve_set, from_model_scale
from bench.surrogate._models import DISTANCE_EPS
from bench.surrogate._noise import DRAW_UNIFORMS, ResidualDonors, keyed_generator, keyed_uniforms
from bench.surrogate._scaling import UnitScaler

if TYPE_CHECKING:

    import pandas as pd

    from workloads.space import SearchSpace

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

    Replay noise is keyed, as live training is, by (training seed, configuration): every draw
    comes from a blake2b digest of the seed and the configuration's canonical key
    (`scaler.key_of_normalised`; keyed_uniforms, and a numpy Generator seeded by the same digest
    for which diverged curve), so the same pair gives the same curve in any process, and other
    seeds give independent curves.

    - A recorded configuration (equal after `space.normalise`) asked for a recorded seed returns
      that recorded curve exactly.
    - A recorded configuration asked for another seed diverges with its recorded share of
      diverged seeds (a keyed draw; then one of its diverged curves, keyed); otherwise it gets its
      recorded seed-mean curve plus a residual drawn by ResidualDonors (bench.surrogate._noise).
    - Any other configuration diverges when the distance-weighted vote of its
      DIVERGENCE_NEIGHBOURS nearest recorded configurations says so, and then follows one of the
      voters' diverged curves (keyed draw, weighted by inverse distance) to its divergence epoch.
      Otherwise it gets the model's seed-mean curve (logit accuracy, log losses), its logit
      accuracy calibrated epoch by epoch onto the recorded space sample (AccuracyCalibration,
      bench.surrogate._calibration), plus a residual drawn as above.
    - A curve with drawn noise bends smoothly below the best accuracy any recorded curve reached
      at each epoch and never passes it (AccuracyCeiling, bench.surrogate._calibration).

    Args:
        curves: the recorded curves; scaler: the space's UnitScaler; model: a fitted model
            (bench.surrogate._models) from unit-cube points to flattened seed-mean curves.
        model_name: the model's name in CANDIDATES.
        calibration: an AccuracyCalibration of the model, or None for the model's means as they are.
    """

    def __init__(self, curves: CurveSet, scaler: UnitScaler, model: Any, model_name: str,
                 calibration: AccuracyCalibration | None = None) -> None:
        self.curves = curves
        self.scaler = scaler
        self.model = model
        self.model_name = model_name
        self.calibration = calibration
        self.max_epochs = curves.max_epochs
        counts = np.diff(np.r_[curves.first_curve, len(curves.lengths)])
        self._divergence_share = np.add.reduceat(curves.diverged.astype(float), curves.first_curve) / counts
        scaled = curves.scaled_curves()
        self._donors = ResidualDonors(curves, scaled)
        self._ceiling = AccuracyCeiling(np.nanmax(np.where(curves.diverged[:, None], np.nan, scaled[:, 0, :]),
                                                  axis=0))
        self._not_diverged = np.zeros(self.max_epochs, dtype=bool)
        self._diverged_flags = np.zeros((len(curves.lengths), self.max_epochs), dtype=bool)
        for row in np.flatnonzero(curves.diverged):
            self._diverged_flags[row, curves.lengths[row] - 1] = True

    def curve(self, config: Mapping, seed: int) -> CurvePrediction:
        """The curve of `config` trained with training seed `seed`.

        Raises:
            BenchError: a hyperparameter is missing or outside the space's range.
        """
        key, index, point = self._locate(config)
        if index is not None and seed in self.curves.seeds[index]:
            return self._recorded(self.curves.curve_index(index, self.curves.seeds[index].index(seed)))
        uniforms = keyed_uniforms(seed, key)
        if index is not None:
            if uniforms[DRAW_UNIFORMS] < self._divergence_share[index]:
                return self._recorded(self._diverged_curve(np.array([index]), np.ones(1),
                                                           keyed_generator(seed, key)))
            mean = self.curves.mean_scaled[index]
        else:
            share, voters, weights = self._vote(point)  # type: ignore[arg-type]  # unrecorded: a point
            if share > DIVERGENCE_VOTE:
                return self._recorded(self._diverged_curve(voters, weights, keyed_generator(seed, key)))
            mean = self._modelled_mean(point)  # type: ignore[arg-type]  # unrecorded: a point
        noisy = mean + self._donors.draw(mean[0, -1], uniforms[:DRAW_UNIFORMS])
        noisy[0] = self._ceiling.apply(noisy[0])
        accuracy, val_loss, train_loss = from_model_scale(noisy)
        return CurvePrediction(accuracy, val_loss, train_loss, self._not_diverged.copy())

    def mean_curve(self, config: Mapping) -> CurvePrediction:
        """The seed-mean curve `curve` adds noise to: recorded for a recorded configuration,
        else calibrated model.

        Diverged seeds are left out of a recorded mean (NaN where every seed diverged); the
        divergence vote of an unrecorded configuration is not applied.
        """
        _, index, point = self._locate(config)
        mean = self.curves.mean_scaled[index] if index is not None else self._modelled_mean(point)  # type: ignore[arg-type]  # as above
        accuracy, val_loss, train_loss = from_model_scale(mean)
        return CurvePrediction(accuracy, val_loss, train_loss, self._not_diverged.copy())

    def diverges(self, point: np.ndarray) -> bool:
        """Whether an unrecorded configuration at unit-cube `point` diverges (the neighbours' vote)."""
        return self._vote(point)[0] > DIVERGENCE_VOTE

    def _locate(self, config: Mapping) -> tuple[tuple, int | None, np.ndarray | None]:
        """(canonical key, recorded configuration index or None, unit-cube point if unrecorded)."""
        for hp in self.scaler.space:
            value = config.get(hp.name) if hasattr(config, "get") else None
            if value is None or not hp.low <= float(value) <= hp.high:
                raise BenchError(f"configuration {hp.name}={value!r} is outside the space: {hp.name} takes "
                                 f"values in [{hp.low:g}, {hp.high:g}]")
        normalised = self.scaler.space.normalise(config)
        key = self.scaler.key_of_normalised(normalised)
        index = self.curves.keys.get(key)
        if index is not None:
            return key, index, None
        values = [float(normalised[name]) for name in self.scaler.names]
        return key, None, self.scaler.points_of(np.array([values]))[0]

    def _vote(self, point: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(distance-weighted diverged share, voters, their weights)
        of the nearest recorded configurations."""
        difference = self.curves.points - point
        distances = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        voters = np.argpartition(distances, DIVERGENCE_NEIGHBOURS - 1)[:DIVERGENCE_NEIGHBOURS] \
            if len(distances) > DIVERGENCE_NEIGHBOURS else np.arange(len(distances))
        weights = 1.0 / (distances[voters] + DISTANCE_EPS)
        return float(weights @ self._divergence_share[voters] / weights.sum()), voters, weights

    def _modelled_mean(self, point: np.ndarray) -> np.ndarray:
        mean = self.model.predict_one(point).reshape(3, self.max_epochs)
        if self.calibration is not None:
            mean = mean.copy()
            mean[0] = self.calibration.apply(mean[0])
        return mean

    def _recorded(self, row: int) -> CurvePrediction:
        length = self.curves.lengths[row]
        return CurvePrediction(self.curves.accuracy[row, :length].copy(),
                               self.curves.val_loss[row, :length].copy(),
                               self.curves.train_loss[row, :length].copy(),
                               self._diverged_flags[row, :length].copy())

    def _diverged_curve(self, configs: np.ndarray, weights: np.ndarray, rng: np.random.Generator) -> int:
        """The row of one diverged curve of `configs`,
        drawn with probability proportional to its config's weight."""
        rows: list[int]
        row_weights: list[float]
        rows, row_weights = [], []
        for config, weight in zip(configs, weights, strict=False):
            first = int(self.curves.first_curve[config])
            end = first + len(self.curves.seeds[config])
            diverged = first + np.flatnonzero(self.curves.diverged[first:end])
            if not len(diverged):
                continue
            rows.extend(diverged.tolist())
            row_weights.extend([weight / len(diverged)] * len(diverged))
        shares = np.array(row_weights)
        return int(rows[rng.choice(len(rows), p=shares / shares.sum())])


def fit_surrogate(frame: pd.DataFrame, space: SearchSpace | None = None,
                  model: str = DEFAULT_MODEL) -> Surrogate:
    """Fit a Surrogate on a dataset frame (one row per configuration, training seed and epoch).

    The model is fitted to the recorded seed-mean curves, then calibrated (AccuracyCalibration)
    onto the seed-means of the frame's space sample (`source == "sobol"`; every configuration
    when the frame has no `source` column).

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
        sample = np.isin(curves.config_ids, frame.loc[frame["source"] == "sobol", "config_id"].unique()) \
            if "source" in frame.columns else np.ones(len(curves.config_ids), dtype=bool)
        calibration = fit_calibration(Surrogate(curves, scaler, fitted, model), sample)
    return Surrogate(curves, scaler, fitted, model, calibration)
