"""Per-strategy figures over seeds, from the per-seed table; the grid row is 100 by definition."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from bench.reporting.basis import Basis
from bench.reporting.stats import summarise

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

GRID = "grid"
#: Columns of the per-strategy summary, in order (speed-up = 100 / normalised).
SUMMARY_COLUMNS = (
    "strategy", "seeds", "hits", "hit_rate", "reached", "normalised_median", "normalised_low",
    "normalised_high", "speedup_median", "speedup_low", "speedup_high", "best_final_median",
    "best_final_low", "best_final_high", "compute_used_median", "compute_used_normalised_median",
    "configurations_median", "epochs_median", "own_order_normalised", "replay", "by_definition",
)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _speedup(normalised: float) -> float | None:
    """100 / normalised; None when not reached."""
    if not math.isfinite(normalised):
        return None
    return math.inf if normalised == 0 else 100.0 / normalised


def _median(series: pd.Series) -> float | None:
    return None if series.empty else float(series.median())


def _replay_kind(flags: Iterable[Any]) -> str:
    kinds = set(bool(f) for f in flags)
    return "mixed" if len(kinds) > 1 else ("replay" if kinds == {True} else "live")


def strategy_row(label: str, seeds: pd.DataFrame, grid_row: dict | None = None) -> dict:
    """One strategy's figures from its rows of the per-seed table."""
    normalised = summarise(seeds["normalised"].tolist())
    best_final = summarise(seeds["best_final_accuracy"].tolist())
    row = {
        "strategy": label, "seeds": normalised.seeds, "hits": normalised.hits,
        "hit_rate": normalised.hit_rate, "reached": normalised.reached,
        "normalised_median": _finite(normalised.median), "normalised_low": _finite(normalised.low),
        "normalised_high": _finite(normalised.high),
        "speedup_median": _speedup(normalised.median), "speedup_low": _speedup(normalised.high),
        "speedup_high": _speedup(normalised.low),
        "best_final_median": _finite(best_final.median), "best_final_low": _finite(best_final.low),
        "best_final_high": _finite(best_final.high),
        "compute_used_median": _median(seeds["compute_used"]),
        "compute_used_normalised_median": _median(seeds["compute_used_normalised"]),
        "configurations_median": _median(seeds["configurations_tried"]),
        "epochs_median": _median(seeds["epochs_trained"]),
        "own_order_normalised": None, "replay": _replay_kind(seeds["replay"]), "by_definition": False,
    }
    if grid_row is not None:
        row.update(grid_row)
    return row


def grid_definition(basis: Basis, seeds: pd.DataFrame | None, own_order: float | None) -> dict:
    """The grid row's fixed figures: 100, hit, speed-up 1 (it knows its best only at the end)."""
    reference = basis.reference
    fixed: dict[str, Any] = {
        "hit_rate": 1.0, "reached": True, "normalised_median": 100.0, "normalised_low": 100.0,
        "normalised_high": 100.0, "speedup_median": 1.0, "speedup_low": 1.0, "speedup_high": 1.0,
        "own_order_normalised": own_order, "by_definition": True,
    }
    if seeds is None or seeds.empty:
        best = reference.best_final_accuracy()
        fixed.update(
            seeds=reference.repeats, hits=reference.repeats, best_final_median=best, best_final_low=best,
            best_final_high=best, compute_used_median=basis.grid_compute,
            compute_used_normalised_median=100.0, configurations_median=float(reference.grid_size),
            epochs_median=float(reference.total_compute("epochs")), replay="reference",
        )
    else:
        fixed["hits"] = int(len(seeds))
    return fixed


def summarise_strategies(per_seed: pd.DataFrame, basis: Basis, grid_own_order: float | None) -> pd.DataFrame:
    """One row per strategy, fastest median first; misses by hit rate; always a grid row.

    Args:
        per_seed: per_seed_compute_to_target's table.
        grid_own_order: where the grid first reached the target in its own order (normalised).
    """
    import pandas as pd

    rows = []
    for label, seeds in per_seed.groupby("strategy", sort=True):
        grid = (grid_definition(basis, seeds, _grid_runs_own_order(seeds, grid_own_order)) if label == GRID
                else None)
        rows.append(strategy_row(label, seeds, grid))  # type: ignore[arg-type]  # a str column's values
    if GRID not in set(per_seed["strategy"]):
        empty = per_seed.iloc[0:0]
        rows.append(strategy_row(GRID, empty, grid_definition(basis, None, grid_own_order)))
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    order = frame.assign(
        _key=frame["normalised_median"].fillna(math.inf), _hits=-frame["hit_rate"]
    ).sort_values(["_key", "_hits", "strategy"], kind="stable")
    return order.drop(columns=["_key", "_hits"]).reset_index(drop=True)


def grid_own_order(per_seed: pd.DataFrame, basis: Basis) -> tuple[float | None, str]:
    """The one figure a report gives for where the grid first reached the target in its own order, and
    whose it is: the median over the report's grid runs when it has some, else the reference's."""
    from bench.reporting.metrics import grid_first_reach_normalised

    runs = per_seed[per_seed["strategy"] == GRID]
    if len(runs):
        return (_grid_runs_own_order(runs, None),
                f"median over the report's {len(runs)} grid run{'s' if len(runs) != 1 else ''}")
    reference = basis.reference
    repeats = f"{reference.repeats} repeat{'s' if reference.repeats != 1 else ''}"
    return (grid_first_reach_normalised(basis),
            f"the reference {reference.kind}'s recording order, median over its {repeats}")


def _grid_runs_own_order(seeds: pd.DataFrame, fallback: float | None) -> float | None:
    """Median over stored grid runs of where they first reached the target, else the reference's."""
    from bench.reporting.stats import median_with_misses

    return _finite(median_with_misses(seeds["normalised"].tolist())) if len(seeds) else fallback


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts, with NaN (pandas' missing) as None ("not reached")."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]
