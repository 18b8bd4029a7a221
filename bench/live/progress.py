"""The live run's progress bar: compute spent against the budget, and the best accuracy against the target.

A run that stops at its target (`--until target`) ends whenever the target is reached, often
far inside the budget, so an ETA toward the budget would be a fiction: such a bar shows the
best validation accuracy so far beside the budget and only the elapsed time. A run to its
budget keeps tqdm's usual ETA, which is then what the stopping rule means.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.budget import Budget

#: tqdm's default layout without `<{remaining}` (the ETA) and the rate that would imply one.
TARGET_FORMAT = "{desc}: {percentage:3.0f}% of budget|{bar}| {n_fmt}/{total_fmt} {unit} [{elapsed}{postfix}]"


def _whole(number: float) -> float | int:
    """6561.0 epochs reads 6561."""
    return int(number) if float(number).is_integer() else number


def accuracy_postfix(best_accuracy: float | None, target: float | None) -> str:
    """`best 0.9120 / target 0.9500`, or `best -` before any epoch; empty without a target."""
    if target is None:
        return ""
    best = "-" if best_accuracy is None else f"{best_accuracy:.4f}"
    reached = " reached" if best_accuracy is not None and best_accuracy >= target else ""
    return f"best {best} / target {target:.4f}{reached}"


def bar_options(target: float | None) -> dict[str, Any]:
    """tqdm keyword arguments for a run with or without a target."""
    return {"bar_format": TARGET_FORMAT} if target is not None else {}


def render(spent: float, budget_limit: float, unit: str, name: str, elapsed_s: float,
           best_accuracy: float | None, target: float | None, ncols: int = 100) -> str:
    """The bar's text as the terminal shows it (a pure function of the run's state)."""
    from tqdm import tqdm

    postfix = accuracy_postfix(best_accuracy, target)
    return tqdm.format_meter(_whole(spent), _whole(budget_limit), elapsed_s, ncols=ncols, prefix=name,
                             unit=unit, postfix=postfix or None, **bar_options(target))


class RunProgress:
    """A tqdm bar on stderr fed with each recorded row of a live run.

    Args:
        name: the strategy, shown first.
        budget: the run's Budget (limit and unit).
        target: the accuracy the run stops at, or None for a run to its budget.
    """

    def __init__(self, name: str, budget: Budget, target: float | None) -> None:
        from tqdm import tqdm

        self.target = target
        self.best_accuracy: float | None = None
        self._per_row = (lambda row: 1) if budget.unit == "epochs" else (lambda row: row["epoch_cost_s"])
        self._bar = tqdm(total=_whole(budget.limit), unit=budget.unit, desc=name, file=sys.stderr,
                         dynamic_ncols=True, leave=False, postfix=accuracy_postfix(None, target) or None,
                         **bar_options(target))

    def _see(self, accuracy: float | None) -> None:
        if accuracy is not None and math.isfinite(accuracy) and (self.best_accuracy is None
                                                                 or accuracy > self.best_accuracy):
            self.best_accuracy = accuracy
            if self.target is not None:
                self._bar.set_postfix_str(accuracy_postfix(accuracy, self.target), refresh=False)

    def resume(self, spent: float, best_accuracy: float | None) -> None:
        """Start from a resumed run's compute and best accuracy."""
        self._see(best_accuracy)
        self._bar.update(min(spent, self._bar.total))

    def advance(self, row: Mapping[str, Any]) -> None:
        """One recorded epoch: its compute and its validation accuracy."""
        self._see(row.get("val_accuracy"))
        self._bar.update(min(self._per_row(row), max(0.0, self._bar.total - self._bar.n)))

    def close(self) -> None:
        self._bar.close()
