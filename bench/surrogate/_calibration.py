"""Calibrating modelled seed-mean accuracy over the space to the recorded one, epoch by epoch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bench.surrogate._surrogate import Surrogate

#: Configurations drawn over the space (a scrambled Sobol sequence, as the recording drew its
#: sample) at which the model's predictions are quantile-mapped onto the recorded ones.
CALIBRATION_POINTS = 4096
#: The scramble seed of those draws: any but the recorded sample's, so the points are unrecorded.
CALIBRATION_SEED = 1


class AccuracyCalibration:
    """A monotone map, per epoch, from modelled seed-mean logit accuracy to recorded seed-mean logit accuracy.

    Fitted once, when the surrogate is fitted: the model's seed-mean curves at CALIBRATION_POINTS
    configurations drawn over the space as searchers draw them, and the recorded seed-mean curves
    of the dataset's space sample (drawn the same way), are two samples of one distribution per
    epoch if the model is calibrated. A model that smooths and extrapolates is not: the digits
    network put 3.2% of unrecorded final accuracies at or above 0.92 where 0.88% of recorded ones
    are. The map sends the modelled q-quantile of each epoch to the recorded q-quantile (linear in
    between, flat beyond the ends), so a configuration keeps its rank among modelled ones while the
    share of modelled means above any accuracy matches the recorded share, and no modelled mean
    exceeds the best recorded seed-mean of that epoch.

    Args:
        modelled: (points, max_epochs) modelled seed-mean logit accuracy over the space.
        recorded: (configs, max_epochs) recorded seed-mean logit accuracy of the space sample.
    """

    def __init__(self, modelled: np.ndarray, recorded: np.ndarray) -> None:
        levels = (np.arange(len(recorded)) + 0.5) / len(recorded)
        self.modelled_quantiles = np.ascontiguousarray(np.quantile(modelled, levels, axis=0).T)
        self.recorded_quantiles = np.ascontiguousarray(np.sort(recorded, axis=0).T)
        # np.interp per epoch, vectorised over epochs for curve()'s speed: every epoch's quantiles
        # laid end to end (epoch e shifted by e * offset, so the whole row stays sorted) for one
        # searchsorted, and each segment's slope precomputed (0 where modelled quantiles tie).
        modelled, recorded = self.modelled_quantiles, self.recorded_quantiles
        epochs, count = modelled.shape
        self._low, self._high = modelled[:, 0].copy(), modelled[:, -1].copy()
        self._shift = np.arange(epochs) * (float(np.ptp(modelled)) + 1.0)
        self._stacked = (modelled + self._shift[:, None]).ravel()
        self._first = np.arange(epochs) * count + 1
        rise, run = np.diff(recorded, axis=1), np.diff(modelled, axis=1)
        slope = np.zeros_like(modelled)
        slope[:, 1:] = np.divide(rise, run, out=np.zeros_like(run), where=run > 0)
        self._modelled_flat, self._recorded_flat, self._slope_flat = (modelled.ravel(), recorded.ravel(),
                                                                      slope.ravel())

    def apply(self, logit_accuracy: np.ndarray) -> np.ndarray:
        """The calibrated (max_epochs,) logit accuracy of one modelled seed-mean curve
        (np.interp per epoch)."""
        clipped = np.minimum(np.maximum(logit_accuracy, self._low), self._high)
        upper = np.maximum(np.searchsorted(self._stacked, clipped + self._shift), self._first)
        return self._recorded_flat[upper - 1] + self._slope_flat[upper] * (clipped
                                                                           - self._modelled_flat[upper - 1])


def fit_calibration(surrogate: Surrogate, sample: np.ndarray) -> AccuracyCalibration | None:
    """The calibration of an uncalibrated `surrogate`'s model,
    or None with under 10 recorded means to map onto.

    Args:
        surrogate: a Surrogate without calibration.
        sample: (configs,) True for the recorded configurations drawn uniformly over the space (the
            dataset's space sample); only those with a seed-mean curve are mapped onto.
    """
    from bench.store.dataset_recording import sobol_configs

    curves = surrogate.curves
    recorded = curves.mean_scaled[sample & np.isfinite(curves.mean_scaled).all(axis=(1, 2)), 0, :]
    if len(recorded) < 10:
        return None
    scaler = surrogate.scaler
    configs = sobol_configs(scaler.space, CALIBRATION_POINTS, seed=CALIBRATION_SEED)
    points = scaler.points_of(np.array([[float(c[name]) for name in scaler.names] for c in configs]))
    # Means of configurations replay sends to a diverged neighbour's curve are never replayed.
    trained = np.array([not surrogate.diverges(point) for point in points])
    modelled = surrogate.model.predict(points[trained]).reshape(int(trained.sum()), 3, curves.max_epochs)
    return AccuracyCalibration(modelled[:, 0, :], recorded)


#: How far below the ceiling (logit accuracy) the soft bound starts to bend: about one seed's
#: standard deviation at the top of the digits data (0.007 accuracy at 0.92).
CEILING_SOFTNESS = 0.1


class AccuracyCeiling:
    """A soft bound, per epoch, at the best accuracy any recorded curve reached at that epoch.

    The calibrated means match the recorded seed-means' distribution, but each recorded seed-mean
    still carries seed noise (a mean of 2-3 seeds), so mean plus a drawn residual is a little wider
    than recorded single curves at the top: 0.23% of replayed final accuracies passed the best of
    2,777 recorded curves. A noisy logit accuracy x above c - h (c: the epoch's recorded best, h:
    CEILING_SOFTNESS) becomes c - h + h tanh((x - c + h) / h): unchanged below c - h, monotone,
    smooth, and never above c. Replay cannot show a curve better than the best recorded one.

    Args:
        best: (max_epochs,) the best recorded logit accuracy at each epoch.
    """

    def __init__(self, best: np.ndarray) -> None:
        self.knee = np.asarray(best, dtype=float) - CEILING_SOFTNESS

    def apply(self, logit_accuracy: np.ndarray) -> np.ndarray:
        """(max_epochs,) logit accuracy, bounded."""
        above = logit_accuracy > self.knee
        if not above.any():
            return logit_accuracy
        bounded = logit_accuracy.copy()
        bounded[above] = self.knee[above] + CEILING_SOFTNESS * np.tanh(
            (logit_accuracy[above] - self.knee[above]) / CEILING_SOFTNESS)
        return bounded
