"""The compute budget every strategy shares, and the rule that ends a run."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, option

if TYPE_CHECKING:
    from collections.abc import Mapping

UNITS = ("epochs", "seconds")


#: The label of a seconds budget counted in a cost model's seconds (bench.store.dataset.CostModel).
REFERENCE_SECONDS = "reference-seconds"
LABELS = (REFERENCE_SECONDS,)


@dataclass(frozen=True)
class Budget:
    """A limit on compute summed over all trials.

    Args:
        unit: "epochs" (trained epochs) or "seconds" (each epoch's charged epoch_cost_s).
        limit: the amount of that unit a run may spend.
        label: what the seconds are: "reference-seconds" where a cost model charges every epoch
            the idle recording machine's seconds for its shape (the unit the report normalises);
            None for epochs, or for measured device compute seconds where there is no cost model.
    """

    unit: str
    limit: float
    label: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise BenchError(f"unknown budget unit {self.unit!r}; accepted: {', '.join(UNITS)}")
        if not (math.isfinite(self.limit) and self.limit > 0):
            raise BenchError(f"the budget must be a positive number of {self.unit}, not {self.limit}")
        if self.label is not None and (self.unit != "seconds" or self.label not in LABELS):
            raise BenchError(f"budget label {self.label!r} for {self.unit}; accepted: none, or "
                             f"{', '.join(LABELS)} for seconds")

    def as_dict(self) -> dict:
        """The manifest's record; without a label as before labels existed,
        so older manifests read the same."""
        record = asdict(self)
        if record["label"] is None:
            del record["label"]
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Budget:
        """The budget a manifest recorded (with or without a label)."""
        return cls(record["unit"], float(record["limit"]), record.get("label"))

    def describe(self) -> str:
        """The limit and its unit in words, e.g. "516.5 reference-seconds"."""
        return f"{self.limit:g} {self.label or self.unit}"


def make_budget(
    grid_budget_epochs: int,
    budget_epochs: float | None = None,
    budget_seconds: float | None = None,
    budget_fraction: float | None = None,
    *,
    grid_budget_seconds: float | None = None,
) -> Budget:
    """The run's budget from at most one of the three options; default: the grid's cost.

    Args:
        grid_budget_epochs: what exhaustive grid search costs in epochs.
        grid_budget_seconds: what it costs in reference-seconds where a cost model charges the
            run's epochs (None: no cost model). It is then the default budget, so every strategy
            is held to the grid's compute in the unit the report normalises by (the grid = 100),
            and --budget-seconds counts the same reference-seconds.
    """
    given = [
        name for name, value in
        ((option("budget_epochs"), budget_epochs), (option("budget_seconds"), budget_seconds),
         (option("budget_fraction"), budget_fraction))
        if value is not None
    ]
    if len(given) > 1:
        raise BenchError(f"give at most one budget option, not {' and '.join(given)}")
    label = None if grid_budget_seconds is None else REFERENCE_SECONDS
    if budget_seconds is not None:
        return Budget("seconds", budget_seconds, label)
    if budget_fraction is not None:
        if not (0 < budget_fraction <= 1000):
            raise BenchError(f"{option('budget_fraction')} must be in (0, 1000], not {budget_fraction}")
        return Budget("epochs", budget_fraction * grid_budget_epochs)
    if budget_epochs is not None:
        return Budget("epochs", budget_epochs)
    if grid_budget_seconds is not None:
        return Budget("seconds", float(grid_budget_seconds), label)
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
