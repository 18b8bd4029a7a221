"""Data for each plot, built from stored figures only; drawing lives in bench.reporting.plots."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.reporting.basis import Basis
from bench.reporting.metrics import cumulative_column, trajectory
from bench.reporting.summary import records
from bench.store.results import StoredRun

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Points on the anytime plot's compute axis (log-spaced).
ANYTIME_POINTS = 200


@dataclass(frozen=True)
class Bar:
    """One strategy in the budget chart (normalised compute-to-target; None = not reached)."""

    strategy: str
    median: float | None
    low: float | None
    high: float | None
    hits: int
    seeds: int
    by_definition: bool


def budget_chart_data(summary: pd.DataFrame) -> list[Bar]:
    """Bars in the summary's order (fastest first)."""
    return [Bar(r["strategy"], r["normalised_median"], r["normalised_low"], r["normalised_high"],
                int(r["hits"]), int(r["seeds"]), bool(r["by_definition"])) for r in records(summary)]


@dataclass(frozen=True)
class AnytimeCurve:
    """Best-so-far accuracy against normalised compute: median and quartiles over seeds."""

    strategy: str
    compute: np.ndarray  # normalised (grid = 100)
    median: np.ndarray
    q25: np.ndarray
    q75: np.ndarray


def _runs_by_strategy(runs: Sequence[StoredRun]) -> dict[str, list[StoredRun]]:
    from bench.reporting.metrics import strategy_label

    grouped: dict[str, list[StoredRun]] = {}
    for run in runs:
        grouped.setdefault(strategy_label(run.manifest), []).append(run)
    return dict(sorted(grouped.items()))


def anytime_data(runs: Sequence[StoredRun], basis: Basis) -> list[AnytimeCurve]:
    """Per strategy, each seed's best-so-far as a step function of compute, summarised over seeds.

    A seed contributes from its first result on; before it, it has no best and is left out. Without
    stored grid runs, the grid's curve comes from the reference's repeats in their recorded order.
    """
    import numpy as np

    paths = {label: [trajectory(r.epochs) for r in group if len(r.epochs)]
             for label, group in _runs_by_strategy(runs).items()}
    if "grid" not in paths:  # the reference's repeats, in the order the grid recorded them
        reference = basis.reference
        paths["grid (reference, own order)"] = [
            trajectory(reference.repeat_epochs(repeat).assign(trial_id=lambda f: f["point"]))
            for repeat in sorted(reference.curves["repeat"].unique())]
    column = cumulative_column(basis.unit)
    scale = 100.0 / basis.grid_compute
    xs = [p[column].to_numpy() * scale for group in paths.values() for p in group]
    if not xs:
        return []
    start = max(min(x[0] for x in xs), 1e-6)
    stop = max(max(x[-1] for x in xs), start * 10)
    grid = np.geomspace(start, stop, ANYTIME_POINTS)
    curves = []
    for label, group in paths.items():
        values = np.full((len(group), len(grid)), np.nan)
        for i, path in enumerate(group):
            position = np.searchsorted(path[column].to_numpy() * scale, grid, side="right") - 1
            best = path["best_so_far"].to_numpy()
            values[i] = np.where(position >= 0, best[np.clip(position, 0, None)], np.nan)
        seen = ~np.all(np.isnan(values), axis=0)
        if not seen.any():
            continue
        v = values[:, seen]
        curves.append(AnytimeCurve(label, grid[seen], np.nanmedian(v, axis=0),
                                   np.nanpercentile(v, 25, axis=0), np.nanpercentile(v, 75, axis=0)))
    return curves


@dataclass(frozen=True)
class TrialCurve:
    trial_id: str
    epochs: list[int]
    accuracies: list[float]
    outcome: str


def representative_run(per_seed: pd.DataFrame, label: str) -> str | None:
    """The folder of a strategy's median seed (lower median; misses rank last)."""
    rows = per_seed[per_seed["strategy"] == label]
    if rows.empty:
        return None
    ordered = rows.assign(_key=rows["normalised"].fillna(math.inf)).sort_values(["_key", "seed"],
                                                                                kind="stable")
    return str(ordered.iloc[(len(ordered) - 1) // 2]["folder"])


def learning_curves_data(runs: Sequence[StoredRun],
                         per_seed: pd.DataFrame) -> dict[str, tuple[int, list[TrialCurve]]]:
    """Per strategy, its median seed and every trial's validation curve with how the trial ended."""
    by_folder: dict[str | None, StoredRun] = {str(r.folder): r for r in runs}
    result = {}
    for label in sorted(per_seed["strategy"].unique()):
        folder = representative_run(per_seed, label)
        run = by_folder.get(folder)
        if run is None or not len(run.epochs):
            continue
        trials = []
        for trial_id, rows in run.epochs.sort_values("result_index", kind="stable").groupby("trial_id",
                                                                                            sort=False):
            trials.append(TrialCurve(str(trial_id), rows["epoch"].astype(int).tolist(),
                                     rows["val_accuracy"].astype(float).tolist(),
                                     str(rows["outcome"].iloc[-1])))
        result[label] = (int(run.manifest["seed"]), trials)
    return result


@dataclass(frozen=True)
class Spread:
    """One strategy's per-seed normalised compute-to-target: the hits, and how many missed."""

    strategy: str
    hits: list[float]
    misses: int


def distribution_data(per_seed: pd.DataFrame, summary: pd.DataFrame) -> list[Spread]:
    """Per strategy in the summary's order (the grid only when it has stored runs)."""
    spreads = []
    for label in summary["strategy"]:
        rows = per_seed[per_seed["strategy"] == label]
        if rows.empty:
            continue
        hits = sorted(rows["normalised"].dropna().astype(float).tolist())
        # Stored grid runs show where they first reached the target in their own order.
        name = f"{label} (own order)" if label == "grid" else label
        spreads.append(Spread(name, hits, int(rows["normalised"].isna().sum())))
    return spreads
