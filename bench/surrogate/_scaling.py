"""The unit cube a surrogate works in: log10 where a dimension is log, then min-max by its range."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from workloads.space import SearchSpace

#: Significant digits of the canonical key that says two configurations are the same.
KEY_DIGITS = 10


class UnitScaler:
    """Maps configurations of a search space to points in [0, 1]^d and to canonical keys.

    Args:
        space: a workloads.space.SearchSpace (hyperparameters with low, high, log, integer).
    """

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.names = list(space.names)
        self.log = np.array([hp.log for hp in space], dtype=bool)
        low = np.array([hp.scaled(hp.low) for hp in space], dtype=float)
        high = np.array([hp.scaled(hp.high) for hp in space], dtype=float)
        self.low = low
        self.span = high - low

    def key(self, config: Mapping[str, Any]) -> tuple:
        """A hashable key, equal for configurations equal after `space.normalise`."""
        return self.key_of_normalised(self.space.normalise(config))

    def key_of_normalised(self, normalised: Mapping[str, Any]) -> tuple:
        """The key of a configuration already normalised by `space.normalise`."""
        return tuple(float(f"{float(normalised[name]):.{KEY_DIGITS}g}") for name in self.names)

    def point(self, config: Mapping[str, Any]) -> np.ndarray:
        """The configuration (normalised first) as a point of the unit cube."""
        normalised = self.space.normalise(config)
        return self.points_of(np.array([[float(normalised[name]) for name in self.names]]))[0]

    def points_of(self, values: np.ndarray) -> np.ndarray:
        """Rows of raw hyperparameter values (columns in space order) as unit-cube points."""
        values = np.asarray(values, dtype=float)
        scaled = np.where(self.log, np.log10(np.where(self.log, values, 1.0)), values)
        return (scaled - self.low) / self.span
