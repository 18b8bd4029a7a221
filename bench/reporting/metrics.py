"""Pure metric functions over stored runs: trajectories, compute-to-target and per-seed figures.

Every function reads stored records only (bench.store.results.StoredRun), so reports, nightly
regression checks and notebooks compute the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bench.reporting.basis import REACH_EPSILON, Basis
from bench.store.manifest import strategy_label as label_from
from bench.store.results import BASE_COLUMNS, StoredRun

if TYPE_CHECKING:
    import pandas as pd

#: Columns of per_seed_compute_to_target, in order.
PER_SEED_COLUMNS = (
    "strategy", "strategy_name", "seed", "run_id", "replay", "reached", "compute_to_target",
    "normalised", "first_reach_index", "best_accuracy", "best_final_accuracy", "compute_used",
    "compute_used_normalised", "epochs_trained", "trials", "configurations_tried", "budget_unit",
    "budget_limit", "folder",
)


def trajectory(epochs: pd.DataFrame) -> pd.DataFrame:
    """Results in the order they were reported, with cumulative compute and best accuracy so far.

    Returns:
        a DataFrame with result_index, trial_id, epoch, val_accuracy, compute_s, cumulative_s,
        cumulative_epochs and best_so_far, one row per reported result.
    """
    import numpy as np
    import pandas as pd

    frame = epochs.sort_values("result_index", kind="stable")
    accuracy = frame["val_accuracy"].to_numpy(dtype=float)
    compute_s = frame["epoch_cost_s"].to_numpy(dtype=float)
    return pd.DataFrame({
        "result_index": frame["result_index"].to_numpy(),
        "trial_id": frame["trial_id"].to_numpy(),
        "epoch": frame["epoch"].to_numpy(),
        "val_accuracy": accuracy,
        "compute_s": compute_s,
        "cumulative_s": compute_s.cumsum(),
        "cumulative_epochs": np.arange(1, len(frame) + 1, dtype=float),
        "best_so_far": np.maximum.accumulate(accuracy) if len(accuracy) else accuracy,
    })


def cumulative_column(unit: str) -> str:
    """The trajectory column holding cumulative compute in `unit`."""
    return "cumulative_s" if unit == "seconds" else "cumulative_epochs"


def first_reach(path: pd.DataFrame, target: float) -> int | None:
    """Position in a trajectory of the first result whose best-so-far reaches `target`."""
    import numpy as np

    hits = np.flatnonzero(path["best_so_far"].to_numpy() >= target - REACH_EPSILON)
    return int(hits[0]) if len(hits) else None


def compute_to_target(path: pd.DataFrame, target: float, unit: str,
                      budget: dict | None = None) -> float | None:
    """Cumulative compute (in `unit`) at the first result reaching `target` within `budget`.

    Args:
        path: a trajectory.
        budget: the run's budget ({"unit": "epochs"|"seconds", "limit": L}); a first reach
            after the budget was spent (results still in flight at the stop) is a miss.

    Returns:
        the compute, or None when the target was not reached within the budget.
    """
    position = first_reach(path, target)
    if position is None:
        return None
    row = path.iloc[position]
    if budget:
        spent = row[cumulative_column("seconds" if budget["unit"] == "seconds" else "epochs")]
        if spent > float(budget["limit"]) + REACH_EPSILON:
            return None
    return float(row[cumulative_column(unit)])


def best_final_accuracy(epochs: pd.DataFrame) -> float | None:
    """The best trial's validation accuracy at its last reported result (Tune's scope="last")."""
    if not len(epochs):
        return None
    last = epochs.sort_values("result_index", kind="stable").groupby("trial_id").tail(1)
    return float(last["val_accuracy"].max())


def hyperparameter_columns(epochs: pd.DataFrame) -> list[str]:
    """The columns of a per-epoch table that are hyperparameters."""
    return [c for c in epochs.columns if c not in BASE_COLUMNS]


def configurations_tried(epochs: pd.DataFrame) -> int:
    """Distinct hyperparameter configurations trained (a PBT mutation counts as a new one)."""
    names = hyperparameter_columns(epochs)
    return int(len(epochs[names].drop_duplicates())) if names and len(epochs) else 0


def strategy_label(manifest: dict) -> str:
    """A strategy's name, with its parameters that differ from the defaults in brackets.

    The label the run recorded (bench.store.manifest.strategy_record); a manifest written before
    runs recorded one gets today's defaults as the base.
    """
    described = manifest["strategy"]
    if "label" in described:
        return described["label"]
    import strategies
    from bench.errors import BenchError

    try:
        defaults = dict(strategies.resolve(described["name"]).params)
    except BenchError:
        defaults = {}
    return label_from(described["name"], described.get("params") or {}, defaults)


def run_figures(run: StoredRun, basis: Basis) -> dict:
    """One run's figures against `basis` (one row of per_seed_compute_to_target)."""
    path = trajectory(run.epochs)
    manifest = run.manifest
    budget = manifest.get("budget") or None
    reach = compute_to_target(path, basis.target, basis.unit, budget)
    used = float(path[cumulative_column(basis.unit)].iloc[-1]) if len(path) else 0.0
    grid = basis.grid_compute
    best = float(path["best_so_far"].iloc[-1]) if len(path) else None
    return {
        "strategy": strategy_label(manifest),
        "strategy_name": manifest["strategy"]["name"],
        "seed": int(manifest["seed"]),
        "run_id": manifest.get("run_id", run.folder.name),
        "replay": bool(manifest.get("replay", False)),
        "reached": reach is not None,
        "compute_to_target": reach,
        "normalised": None if reach is None else 100.0 * reach / grid,
        "first_reach_index": None if reach is None else first_reach(path, basis.target),
        "best_accuracy": best,
        "best_final_accuracy": best_final_accuracy(run.epochs),
        "compute_used": used,
        "compute_used_normalised": 100.0 * used / grid,
        "epochs_trained": int(len(path)),
        "trials": int(run.epochs["trial_id"].nunique()),
        "configurations_tried": configurations_tried(run.epochs),
        "budget_unit": budget["unit"] if budget else None,
        "budget_limit": float(budget["limit"]) if budget else None,
        "folder": str(run.folder),
    }


def per_seed_compute_to_target(runs: Sequence[StoredRun], basis: Basis) -> pd.DataFrame:
    """One row per run: compute-to-target (raw and normalised, grid = 100) and run figures.

    A miss has reached=False and compute_to_target = normalised = NaN.
    """
    import pandas as pd

    rows = [run_figures(run, basis) for run in runs]
    frame = pd.DataFrame(rows, columns=list(PER_SEED_COLUMNS))
    for column in ("compute_to_target", "normalised", "best_accuracy", "best_final_accuracy"):
        frame[column] = frame[column].astype(float)
    return frame.sort_values(["strategy", "seed", "run_id"], kind="stable").reset_index(drop=True)


def grid_first_reach_normalised(basis: Basis) -> float | None:
    """Where in its own order the reference grid first reached the target (median over repeats)."""
    import numpy as np

    reference = basis.reference
    values = []
    for repeat in sorted(reference.curves["repeat"].unique()):
        epochs = reference.repeat_epochs(repeat).assign(trial_id=lambda f: f["point"])
        reach = compute_to_target(trajectory(epochs), basis.target, basis.unit)
        total = float(epochs["epoch_cost_s"].sum()) if basis.unit == "seconds" else float(len(epochs))
        values.append(np.inf if reach is None else 100.0 * reach / total)
    median = float(np.median(values))
    return None if not np.isfinite(median) else median
