"""The compute budget every strategy shares, and the rule that ends a run."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from bench.errors import BenchError

UNITS = ("epochs", "seconds")


@dataclass(frozen=True)
class Budget:
    """A limit on compute summed over all trials.

    Args:
        unit: "epochs" (trained epochs) or "seconds" (measured device compute seconds).
        limit: the amount of that unit a run may spend.
    """

    unit: str
    limit: float

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise BenchError(f"unknown budget unit {self.unit!r}; accepted: {', '.join(UNITS)}")
        if not (math.isfinite(self.limit) and self.limit > 0):
            raise BenchError(f"the budget must be a positive number of {self.unit}, not {self.limit}")

    def as_dict(self) -> dict:
        return asdict(self)


def make_budget(
    grid_budget_epochs: int,
    budget_epochs: float | None = None,
    budget_seconds: float | None = None,
    budget_fraction: float | None = None,
) -> Budget:
    """The run's budget from at most one of the three options; default: the grid's cost."""
    given = [
        name for name, value in
        (("--budget-epochs", budget_epochs), ("--budget-seconds", budget_seconds),
         ("--budget-fraction", budget_fraction))
        if value is not None
    ]
    if len(given) > 1:
        raise BenchError(f"give at most one budget option, not {' and '.join(given)}")
    if budget_seconds is not None:
        return Budget("seconds", budget_seconds)
    if budget_fraction is not None:
        if not (0 < budget_fraction <= 1000):
            raise BenchError(f"--budget-fraction must be in (0, 1000], not {budget_fraction}")
        return Budget("epochs", budget_fraction * grid_budget_epochs)
    if budget_epochs is not None:
        return Budget("epochs", budget_epochs)
    return Budget("epochs", float(grid_budget_epochs))


@dataclass(frozen=True)
class StopRule:
    """When a run ends besides running out of samples.

    Args:
        budget: the compute budget.
        target: stop once the best validation accuracy reaches this (None: run to budget).
    """

    budget: Budget
    target: float | None = None

    def spent(self, epochs: int, seconds: float) -> float:
        return float(epochs) if self.budget.unit == "epochs" else seconds

    def exhausted(self, epochs: int, seconds: float) -> bool:
        return self.spent(epochs, seconds) >= self.budget.limit

    def target_reached(self, best_accuracy: float | None) -> bool:
        return self.target is not None and best_accuracy is not None and best_accuracy >= self.target
