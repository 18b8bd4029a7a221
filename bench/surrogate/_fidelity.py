"""How faithful predicted curves are to recorded ones: a pure function over curve arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Epochs whose rank correlation is reported besides the final one.
EARLY_EPOCHS = (1, 3, 9)
#: The target sits this far below the best grid configuration's seed-mean final accuracy.
TARGET_MARGIN = 0.01


def filled(curves: np.ndarray) -> np.ndarray:
    """Curves with each NaN after a curve stops replaced by its last value
    (a diverged curve stays at chance)."""
    curves = np.array(curves, dtype=float)
    for epoch in range(1, curves.shape[1]):
        missing = np.isnan(curves[:, epoch])
        curves[missing, epoch] = curves[missing, epoch - 1]
    return curves


def target_accuracy(frame: pd.DataFrame) -> float:
    """The best final val accuracy among the grid configurations' seed-mean curves, minus TARGET_MARGIN.

    A curve's final accuracy is its last epoch's (chance for a diverged curve). All
    configurations count when the frame has no `source == "grid"` rows.
    """
    grid = frame[frame["source"] == "grid"] if "source" in frame.columns else frame
    if len(grid) == 0:
        grid = frame
    last = grid.sort_values("epoch").groupby(["config_id", "seed"])["val_accuracy"].last()
    return float(last.groupby(level="config_id").mean().max()) - TARGET_MARGIN


def _spearman(truth: np.ndarray, predicted: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if len(truth) < 2 or np.ptp(truth) == 0 or np.ptp(predicted) == 0:
        return float("nan")
    return float(spearmanr(truth, predicted).statistic)


def seed_difference(final_accuracy: np.ndarray, config_ids: np.ndarray, seeds: np.ndarray) -> float:
    """Mean |final accuracy of seed 0 - seed 1| over configurations recorded with both seeds."""
    first = {c: a for c, s, a in zip(config_ids, seeds, final_accuracy, strict=False) if s == 0}
    differences = [abs(first[c] - a) for c, s, a in zip(config_ids, seeds, final_accuracy, strict=False)
                   if s == 1 and c in first]
    return float(np.mean(differences)) if differences else float("nan")


def fidelity(true_accuracy: np.ndarray, predicted_accuracy: np.ndarray, config_ids: np.ndarray,
             seeds: np.ndarray, target: float) -> dict[str, float]:
    """Rank correlation, error and reach-the-target agreement of predicted against recorded curves.

    Args:
        true_accuracy, predicted_accuracy: (curves, max_epochs) val accuracy per epoch, NaN after
            a curve stops; row i of both is configuration config_ids[i] with training seed seeds[i].
        target: the accuracy a curve "reaches" when its maximum is at least this.

    Returns:
        spearman_final, spearman_epoch_E for E in EARLY_EPOCHS, final_mae, seed_difference
        (mean |seed 0 - seed 1| of the true final accuracy), mae_over_seed_difference,
        reach_accuracy and true/false positive/negative counts, curves and configs.
    """
    truth, predicted = filled(true_accuracy), filled(predicted_accuracy)
    config_ids, seeds = np.asarray(config_ids), np.asarray(seeds)
    figures: dict[str, float] = {"curves": len(truth), "configs": len(np.unique(config_ids))}
    figures["spearman_final"] = _spearman(truth[:, -1], predicted[:, -1])
    for epoch in EARLY_EPOCHS:
        if epoch <= truth.shape[1]:
            figures[f"spearman_epoch_{epoch}"] = _spearman(truth[:, epoch - 1], predicted[:, epoch - 1])
    figures["final_mae"] = float(np.mean(np.abs(truth[:, -1] - predicted[:, -1])))
    figures["seed_difference"] = seed_difference(truth[:, -1], config_ids, seeds)
    figures["mae_over_seed_difference"] = figures["final_mae"] / figures["seed_difference"] \
        if figures["seed_difference"] > 0 else float("nan")
    reaches = np.nanmax(true_accuracy, axis=1) >= target
    predicted_reaches = np.nanmax(predicted_accuracy, axis=1) >= target
    figures["reach_accuracy"] = float(np.mean(reaches == predicted_reaches))
    figures["true_positive"] = int(np.sum(reaches & predicted_reaches))
    figures["false_positive"] = int(np.sum(~reaches & predicted_reaches))
    figures["true_negative"] = int(np.sum(~reaches & ~predicted_reaches))
    figures["false_negative"] = int(np.sum(reaches & ~predicted_reaches))
    return figures
