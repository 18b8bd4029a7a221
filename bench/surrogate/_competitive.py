"""Fidelity where strategies compete: predicted against recorded curves of good configurations,
beside seed-vs-seed.

Spearman over every configuration is high because chance-level and good configurations are easy to
tell apart; a search strategy's choices are made among the good ones. This module restricts the
comparison to configurations whose recorded seed-mean final accuracy is at least a floor, and
measures each figure against its noise ceiling: the same figure with one recorded training seed
predicting another (seed 1's curve for seed 0's) over the same configurations. No predictor of one
seed's curve can be expected to beat another seed of the same configuration.

Pure functions over curve arrays: (curves, max_epochs) val accuracy, NaN after a curve stops.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.surrogate._fidelity import _spearman, filled

#: Configurations whose recorded seed-mean final accuracy is at least this are "where strategies compete".
COMPETITIVE_FLOOR = 0.85
#: Epochs whose rank correlation is compared (the last one is the final epoch of 27).
COMPETITIVE_EPOCHS = (1, 3, 9, 27)
#: Goals: a figure must reach this share of its seed-vs-seed ceiling.
SPEARMAN_SHARE = 0.9
REACH_SHARE = 0.8
#: The seed that is predicted, and the one that predicts it for the ceiling.
REFERENCE_SEED, OTHER_SEED = 0, 1
#: Confidence of the Wilson intervals of precision and recall.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Proportion:
    """successes / trials with a Wilson score interval (NaN for no trials)."""

    successes: int
    trials: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.successes / self.trials if self.trials else float("nan")


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> Proportion:
    """The Wilson score interval of a binomial proportion (Wilson 1927, https://doi.org/10.2307/2276774)."""
    if trials == 0:
        return Proportion(0, 0, float("nan"), float("nan"))
    from scipy.stats import binomtest

    interval = binomtest(int(successes), int(trials)).proportion_ci(confidence_level=confidence,
                                                                    method="wilson")
    return Proportion(int(successes), int(trials), float(interval.low), float(interval.high))

@dataclass(frozen=True)
class Comparison:
    """One figure of a predictor beside its seed-vs-seed ceiling and the goal share of it.

    Attributes:
        figure: e.g. "spearman epoch 9" or "precision"; target: the reach target (None for Spearman).
        value, ceiling: the predictor's figure and the seed-vs-seed one.
        value_ci, ceiling_ci: 95% Wilson intervals for precision and recall (None for Spearman).
        share: the goal is value >= share x ceiling.
    """

    figure: str
    target: float | None
    value: float
    ceiling: float
    share: float
    value_ci: Proportion | None = None
    ceiling_ci: Proportion | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.ceiling if self.ceiling else float("nan")

    @property
    def goal(self) -> float:
        return self.share * self.ceiling

    @property
    def measurable(self) -> bool:
        """Whether the figure can be held to its ceiling: both defined, and the ceiling above 0.

        A ceiling of 0 (seed 1 never agrees with seed 0 on who reaches the target) leaves nothing a
        predictor could be asked to reach: reaching that target is luck of the seed, in replay as in training.
        """
        return not (math.isnan(self.value) or math.isnan(self.ceiling)) and self.ceiling > 0

    @property
    def met(self) -> bool:
        """Whether the goal is met; a figure that is not measurable (nothing ranked or predicted) is not."""
        return self.measurable and self.value >= self.goal

    @property
    def missed_by(self) -> float:
        """How far below the goal the figure is (0 when met; NaN when not measurable)."""
        return max(0.0, self.goal - self.value) if self.measurable else float("nan")


def competitive_configs(true_accuracy: np.ndarray, config_ids: np.ndarray,
                        floor: float = COMPETITIVE_FLOOR) -> np.ndarray:
    """The configurations whose recorded seed-mean final accuracy
    (a diverged curve's last value counts) is >= floor."""
    final = filled(true_accuracy)[:, -1]
    config_ids = np.asarray(config_ids)
    unique, inverse = np.unique(config_ids, return_inverse=True)
    means = np.bincount(inverse, weights=final) / np.bincount(inverse)
    return unique[means >= floor]


def seed_pair_rows(config_ids: np.ndarray, seeds: np.ndarray, configs: np.ndarray,
                   reference_seed: int = REFERENCE_SEED,
                   other_seed: int = OTHER_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(rows of reference_seed, rows of other_seed), aligned, for the `configs` recorded with both seeds."""
    config_ids, seeds = np.asarray(config_ids), np.asarray(seeds)
    wanted = np.isin(config_ids, configs)
    other_row = {c: row for row, (c, s) in enumerate(zip(config_ids, seeds, strict=False))
                 if s == other_seed and wanted[row]}
    reference = [row for row, (c, s) in enumerate(zip(config_ids, seeds, strict=False))
                 if s == reference_seed and wanted[row] and c in other_row]
    return (np.array(reference, dtype=int),
            np.array([other_row[config_ids[row]] for row in reference], dtype=int))


def spearman_at(truth: np.ndarray, predicted: np.ndarray, epoch: int) -> float:
    """Spearman rank correlation of accuracy at `epoch` (1-based; a stopped curve keeps its last value)."""
    return _spearman(filled(truth)[:, epoch - 1], filled(predicted)[:, epoch - 1])


def reach_precision_recall(truth: np.ndarray, predicted: np.ndarray, target: float,
                           confidence: float = CONFIDENCE) -> tuple[Proportion, Proportion]:
    """(precision, recall) of "the predicted curve reaches `target`"
    (max over epochs >= target) for the recorded."""
    reaches = np.nanmax(truth, axis=1) >= target
    predicted_reaches = np.nanmax(predicted, axis=1) >= target
    hits = int(np.sum(reaches & predicted_reaches))
    return (wilson(hits, int(predicted_reaches.sum()), confidence),
            wilson(hits, int(reaches.sum()), confidence))


@dataclass(frozen=True)
class CompetitiveFidelity:
    """A predictor's figures among competitive configurations beside the seed-vs-seed ceiling.

    Attributes:
        comparisons: Spearman at each epoch, then precision and recall at each target.
        configs: competitive configurations compared (recorded with both seeds); floor: their floor.
    """

    comparisons: tuple[Comparison, ...]
    configs: int
    floor: float

    @property
    def goals_met(self) -> int:
        return sum(c.met for c in self.comparisons)

    @property
    def mean_ratio(self) -> float:
        """Mean ratio to the ceiling, each capped at 1 (NaN counts 0):
        ranks predictors that meet equally many goals."""
        return float(np.mean([min(c.ratio, 1.0) if not math.isnan(c.ratio) else 0.0
                              for c in self.comparisons]))


def competitive_fidelity(true_accuracy: np.ndarray, predicted_accuracy: np.ndarray, config_ids: np.ndarray,
                         seeds: np.ndarray, targets: Sequence[float], floor: float = COMPETITIVE_FLOOR,
                         epochs: Sequence[int] = COMPETITIVE_EPOCHS) -> CompetitiveFidelity:
    """Spearman at `epochs`, reach precision/recall at `targets`, among competitive configurations,
    beside seed-vs-seed.

    Both are scored on the same curves: REFERENCE_SEED's recorded curve of every configuration whose
    recorded seed-mean final accuracy is at least `floor` and which was recorded with OTHER_SEED too;
    the predictor's curve for it (row by row, predicted_accuracy) against OTHER_SEED's recorded curve.

    Args:
        true_accuracy, predicted_accuracy: (curves, max_epochs); row i is configuration config_ids[i]
            with training seed seeds[i] (a HeldOut's arrays).
    """
    true_accuracy, predicted_accuracy = (np.asarray(true_accuracy, float),
                                         np.asarray(predicted_accuracy, float))
    configs = competitive_configs(true_accuracy, config_ids, floor)
    rows, other_rows = seed_pair_rows(config_ids, seeds, configs)
    truth, predicted, other = true_accuracy[rows], predicted_accuracy[rows], true_accuracy[other_rows]
    comparisons = []
    for epoch in epochs:
        if epoch <= truth.shape[1]:
            comparisons.append(Comparison(f"spearman epoch {epoch}", None,
                                          spearman_at(truth, predicted, epoch),
                                          spearman_at(truth, other, epoch), SPEARMAN_SHARE))
    for target in targets:
        precision, recall = reach_precision_recall(truth, predicted, target)
        ceiling_precision, ceiling_recall = reach_precision_recall(truth, other, target)
        comparisons.append(Comparison("precision", float(target), precision.value, ceiling_precision.value,
                                      REACH_SHARE, precision, ceiling_precision))
        comparisons.append(Comparison("recall", float(target), recall.value, ceiling_recall.value,
                                      REACH_SHARE, recall, ceiling_recall))
    return CompetitiveFidelity(tuple(comparisons), len(rows), float(floor))


def competitive_table(result: CompetitiveFidelity, label: Callable[[float], str] | None = None) -> str:
    """The comparisons as a markdown table: figure, value [CI], ceiling [CI], ratio, goal met / missed by X.

    Args:
        label: target -> its name (e.g. the ladder's rung label), if given.
    """
    def interval(value: float, ci: Proportion | None) -> str:
        if math.isnan(value):
            return "n/a" if ci is None else f"n/a (0 of {ci.trials})"
        if ci is None:
            return f"{value:.3f}"
        return f"{value:.3f} [{ci.low:.2f}, {ci.high:.2f}] ({ci.successes}/{ci.trials})"

    lines = ["| figure | target | model | seed 1 for seed 0 (ceiling) | ratio | goal "
             "(share of ceiling) | verdict |",
             "|---|---|---|---|---|---|---|"]
    for c in result.comparisons:
        target = "" if c.target is None else f"{c.target:.4f}" + (f" ({label(c.target)})" if label else "")
        ratio = "n/a" if math.isnan(c.ratio) else f"{c.ratio:.2f}"
        no_ceiling = c.ceiling == 0 or math.isnan(c.ceiling)
        verdict = "goal met" if c.met else (f"missed by {c.missed_by:.3f}" if c.measurable
                                            else "not measurable (no ceiling)" if no_ceiling
                                            else "missed: not measurable")
        lines.append(f"| {c.figure} | {target} | {interval(c.value, c.value_ci)} | "
                     f"{interval(c.ceiling, c.ceiling_ci)} | {ratio} | {c.share:g} x {c.ceiling:.3f} = "
                     f"{c.goal:.3f} | {verdict} |")
    return "\n".join(lines)


def to_record(result: CompetitiveFidelity) -> list[dict]:
    """The comparisons as flat JSON-ready rows (NaN as None)."""
    def number(value: Any) -> Any:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    return [{"figure": c.figure, "target": c.target, "value": number(c.value), "ceiling": number(c.ceiling),
             "ratio": number(c.ratio), "share": c.share, "measurable": c.measurable, "met": c.met,
             "missed_by": number(c.missed_by),
             **({"value_low": number(c.value_ci.low), "value_high": number(c.value_ci.high),
                 "ceiling_low": number(c.ceiling_ci.low), "ceiling_high": number(c.ceiling_ci.high)}  # type: ignore[union-attr]  # both or neither
                if c.value_ci is not None else {})}
            for c in result.comparisons]
