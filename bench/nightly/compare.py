"""Compare a nightly run's per-seed results with its baseline's, strategy by strategy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.nightly.detect import ALPHA, Change, classify, not_comparable

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd


@dataclass(frozen=True)
class Row:
    """One strategy's verdict in one mode and workload."""

    mode: str
    workload: str
    strategy: str
    change: Change


def _values(frame: pd.DataFrame) -> list[float | None]:
    return [None if v != v else float(v) for v in frame.sort_values("seed")["normalised"]]


def compare_results(base: pd.DataFrame | None, current: pd.DataFrame, factor_of: Callable[[str], float],
                    same_machine: bool, alpha: float = ALPHA) -> list[Row]:
    """Verdicts for every (mode, workload, strategy) of `current` (DataFrames of history results).

    Args:
        base: the baseline's results (None: no baseline).
        factor_of: strategy name -> regression factor.
        same_machine: whether the baseline ran on this machine; if not, nothing is comparable.
    """
    rows = []
    for (mode, workload, strategy), group in current.groupby(["mode", "workload", "strategy"], sort=True):
        if base is None:
            change = not_comparable("no baseline yet: this run becomes the first baseline if nothing failed")
            change = _new(change, group)
        elif not same_machine:
            change = not_comparable("the baseline ran on another machine")
        else:
            old = base[(base["mode"] == mode) & (base["workload"] == workload)
                       & (base["strategy"] == strategy)]
            if not len(old):
                change = _new(not_comparable("not in the baseline"), group)
            elif set(old["conditions"]) != set(group["conditions"]):
                change = not_comparable(f"workload/table version, budget or target differ from the baseline: "
                                        f"{old['conditions'].iloc[0]} vs {group['conditions'].iloc[0]}")
            else:
                change = classify(_values(old), _values(group), factor_of(strategy), alpha)  # type: ignore[arg-type]  # a str column's values
        rows.append(Row(mode, workload, strategy, change))  # type: ignore[arg-type]  # a str column's values
    return rows


def _new(change: Change, group: pd.DataFrame) -> Change:
    """A not-comparable verdict that still carries the current median and hits."""
    import dataclasses

    from bench.reporting.stats import summarise

    summary = summarise(_values(group))
    return dataclasses.replace(change, median=summary.median, hits=summary.hits, seeds=summary.seeds)
