"""Regressors from unit-cube points to seed-mean curves, each with a fast one-point forward pass.

Every model has `fit(points, targets)`, `predict(points)` for many points at once (used by
cross-validation) and `predict_one(point)` for one point (used by `Surrogate.curve`, which replay
calls once per trial, so it avoids scikit-learn's per-call overhead where it can).
"""

from __future__ import annotations

import numpy as np

#: Added to distances so an exact match gets a large, finite weight.
DISTANCE_EPS = 1e-9


class NearestNeighbours:
    """Distance-weighted k-nearest-neighbours mean (weights 1 / distance) on the unit cube.

    Args:
        k: neighbours averaged.
    """

    def __init__(self, k: int) -> None:
        self.k = k

    def fit(self, points: np.ndarray, targets: np.ndarray) -> NearestNeighbours:
        self.points = np.ascontiguousarray(points, dtype=float)
        self.targets = np.ascontiguousarray(targets, dtype=float)
        self.k = min(self.k, len(points))
        return self

    def predict_one(self, point: np.ndarray) -> np.ndarray:
        difference = self.points - point
        distances = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        if self.k < len(distances):
            nearest = np.argpartition(distances, self.k - 1)[: self.k]
        else:
            nearest = np.arange(len(distances))
        weights = 1.0 / (distances[nearest] + DISTANCE_EPS)
        return weights @ self.targets[nearest] / weights.sum()

    def predict(self, points: np.ndarray) -> np.ndarray:
        return np.array([self.predict_one(p) for p in np.asarray(points, dtype=float)])


class ExtraTrees:
    """scikit-learn's multi-output ExtraTreesRegressor; one point goes through sklearn's predict.

    Args:
        trees: number of trees; min_leaf: min_samples_leaf.
    """

    def __init__(self, trees: int = 100, min_leaf: int = 2) -> None:
        self.trees = trees
        self.min_leaf = min_leaf

    def fit(self, points: np.ndarray, targets: np.ndarray) -> ExtraTrees:
        from sklearn.ensemble import ExtraTreesRegressor

        self.model = ExtraTreesRegressor(n_estimators=self.trees, min_samples_leaf=self.min_leaf,
                                         random_state=0, n_jobs=1).fit(points, targets)
        return self

    def predict_one(self, point: np.ndarray) -> np.ndarray:
        return self.model.predict(point[None, :])[0]

    def predict(self, points: np.ndarray) -> np.ndarray:
        return self.model.predict(points)


class Standardised:
    """Targets centred and scaled per output before a smooth model sees them."""

    def _standardise(self, targets: np.ndarray) -> np.ndarray:
        self.target_mean = targets.mean(axis=0)
        self.target_scale = targets.std(axis=0) + 1e-9
        return (targets - self.target_mean) / self.target_scale

    def _restore(self, standardised: np.ndarray) -> np.ndarray:
        return standardised * self.target_scale + self.target_mean
