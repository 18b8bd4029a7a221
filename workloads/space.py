"""Search spaces as data: each hyperparameter has a range, a scale and its grid values."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Hyperparameter:
    """One tunable dimension.

    Args:
        name: the config key the trainable reads.
        low, high: the search range, inclusive.
        log: search on a log scale.
        integer: values are integers (rounded on the way into the trainable).
        grid: the values grid search tries, inside [low, high].
        mutable: may change mid-training (PBT and PB2 perturb only these).
    """

    name: str
    low: float
    high: float
    log: bool
    integer: bool
    grid: tuple[float, ...]
    mutable: bool = True

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"{self.name}: low must be below high")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.name}: a log-scale range must be positive")
        for value in self.grid:
            if not self.low <= value <= self.high:
                raise ValueError(f"{self.name}: grid value {value} outside [{self.low}, {self.high}]")

    def scaled(self, value: float) -> float:
        """The value on this dimension's search scale (log10 for log ranges)."""
        return math.log10(value) if self.log else float(value)

    def normalise(self, value: Any) -> float | int:
        """Clip into range and round integers: what a trainable actually uses."""
        value = min(max(float(value), self.low), self.high)
        return int(round(value)) if self.integer else value

    def nearest_grid_value(self, value: float) -> float:
        """The grid value closest to `value` on this dimension's scale."""
        target = self.scaled(min(max(float(value), self.low), self.high))
        return min(self.grid, key=lambda g: (abs(self.scaled(g) - target), g))


@dataclass(frozen=True)
class SearchSpace:
    """An ordered set of hyperparameters."""

    hyperparameters: tuple[Hyperparameter, ...]

    @property
    def names(self) -> list[str]:
        return [hp.name for hp in self.hyperparameters]

    def __iter__(self) -> Iterator[Hyperparameter]:
        return iter(self.hyperparameters)

    def __getitem__(self, name: str) -> Hyperparameter:
        for hp in self.hyperparameters:
            if hp.name == name:
                return hp
        raise KeyError(name)

    def grid_size(self) -> int:
        return math.prod(len(hp.grid) for hp in self.hyperparameters)

    def grid_points(self) -> Iterator[dict[str, float | int]]:
        """Every grid point, in a fixed order (last dimension varies fastest)."""
        for values in itertools.product(*(hp.grid for hp in self.hyperparameters)):
            yield {hp.name: hp.normalise(v) for hp, v in zip(self.hyperparameters, values, strict=False)}

    def normalise(self, config: Mapping[str, Any]) -> dict[str, float | int]:
        """The hyperparameter values a trainable uses for `config` (other keys dropped)."""
        return {hp.name: hp.normalise(config[hp.name]) for hp in self.hyperparameters}

    def nearest_grid_point(self, config: Mapping[str, Any]) -> dict[str, float | int]:
        """Map a configuration to the closest grid point, dimension by dimension."""
        return {
            hp.name: hp.normalise(hp.nearest_grid_value(config[hp.name])) for hp in self.hyperparameters
        }

    def as_dict(self) -> list[dict[str, Any]]:
        return [
            {"name": hp.name, "low": hp.low, "high": hp.high, "log": hp.log,
             "integer": hp.integer, "grid": list(hp.grid), "mutable": hp.mutable}
            for hp in self.hyperparameters
        ]
