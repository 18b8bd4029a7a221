"""How replayed seeds compare with recorded ones: seed independence, seed spread, the upper tail."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench.surrogate._curves import CurveSet
    from bench.surrogate._surrogate import Surrogate

#: Accuracy bands (seed-mean final accuracy, low inclusive) in which seed spread is compared.
BANDS = ((0.0, 0.5), (0.5, 0.85), (0.85, 1.0))
#: Final accuracies whose replayed share is compared with the recorded share.
TAIL_THRESHOLDS = (0.90, 0.92)


def unrecorded_configs(surrogate: Surrogate, count: int, seed: int) -> list[dict]:
    """Up to `count` configurations of a scrambled Sobol sequence
    (as searchers draw them) that are not recorded."""
    from bench.store.dataset_recording import sobol_configs

    size = 1 << max(int(np.ceil(np.log2(count * 1.05 + 1))), 1)
    drawn = sobol_configs(surrogate.scaler.space, size, seed)
    fresh = [c for c in drawn if surrogate.scaler.key(c) not in surrogate.curves.keys]
    return fresh[:count]


def replayed_finals(surrogate: Surrogate, configs: list[dict], seeds: Sequence[int]) -> np.ndarray:
    """(configs, seeds) replayed final accuracy (the last epoch's, chance for a diverged curve)."""
    return np.array([[surrogate.curve(c, s).val_accuracy[-1] for s in seeds] for c in configs])


def mean_finals(surrogate: Surrogate, configs: list[dict]) -> np.ndarray:
    """(configs,) the seed-mean final accuracy `curve` adds noise to."""
    return np.array([surrogate.mean_curve(c).val_accuracy[-1] for c in configs])


def seed_correlation(surrogate: Surrogate, configs: list[dict], seeds: Sequence[int]) -> float:
    """Mean |Pearson r| over pairs of seeds between their replayed residual curves
    (curve minus seed-mean accuracy).

    For each pair of seeds, r is taken over every (configuration, epoch) of the two seeds'
    residuals; configurations where a seed diverged are left out. Independent seeds give r near 0
    (about 1 / sqrt(effective points)); seeds that share noise give |r| near 1.
    """
    from scipy.stats import pearsonr

    residuals: list[list[np.ndarray]] = []
    for config in configs:
        mean = surrogate.mean_curve(config).val_accuracy
        curves = [surrogate.curve(config, seed) for seed in seeds]
        if any(curve.diverged.any() for curve in curves):
            continue
        residuals.append([curve.val_accuracy - mean for curve in curves])
    stacked = np.array(residuals)  # (configs, seeds, epochs)
    flat = stacked.transpose(1, 0, 2).reshape(len(seeds), -1)
    return float(np.mean([abs(pearsonr(flat[a], flat[b]).statistic)
                          for a, b in itertools.combinations(range(len(seeds)), 2)]))


def banded_spread(differences: np.ndarray, means: np.ndarray) -> list[tuple[float, int]]:
    """(mean |difference|, count) of seed-pair final-accuracy differences in each of BANDS,
    by seed-mean accuracy."""
    out = []
    for low, high in BANDS:
        inside = (means >= low) & (means < high) if high < 1.0 else means >= low
        out.append((float(np.mean(differences[inside])) if inside.any() else float("nan"), int(inside.sum())))
    return out


def recorded_spread(curves: CurveSet) -> list[tuple[float, int]]:
    """Per band, the mean |final accuracy of seed 0 - seed 1|
    over recorded configurations with both seeds trained.

    A configuration's band is its recorded seed-mean final accuracy (logit mean, as replay's means are).
    """
    differences, means = [], []
    for index, seeds in enumerate(curves.seeds):
        if 0 not in seeds or 1 not in seeds:
            continue
        rows = [curves.curve_index(index, seeds.index(s)) for s in (0, 1)]
        if curves.diverged[rows].any():
            continue
        differences.append(abs(curves.accuracy[rows[0], -1] - curves.accuracy[rows[1], -1]))
        means.append(1.0 / (1.0 + np.exp(-curves.mean_scaled[index, 0, -1])))
    return banded_spread(np.array(differences), np.array(means))


def replayed_spread(finals: np.ndarray, means: np.ndarray) -> list[tuple[float, int]]:
    """Per band, mean |difference| of final accuracy between seeds 2i and 2i+1
    of `finals` (configs, seeds)."""
    pairs = finals.shape[1] // 2
    differences = np.abs(finals[:, 0:2 * pairs:2] - finals[:, 1:2 * pairs:2])
    return banded_spread(differences.ravel(), np.repeat(means, pairs))


def tail_shares(finals: np.ndarray, recorded: np.ndarray, confidence: float = 0.95) -> list[dict]:
    """Per TAIL_THRESHOLDS, the replayed and recorded share of final accuracies at or above it.

    Returns:
        dicts with threshold, replayed share, recorded count and total, and the recorded share's
        `confidence` binomial interval (Clopper-Pearson, scipy.stats.binomtest).
    """
    from scipy.stats import binomtest

    finals, recorded = np.ravel(finals), np.ravel(recorded)
    out = []
    for threshold in TAIL_THRESHOLDS:
        count = int(np.sum(recorded >= threshold))
        interval = binomtest(count, len(recorded)).proportion_ci(confidence)
        out.append({"threshold": threshold, "replayed": float(np.mean(finals >= threshold)),
                    "recorded_count": count, "recorded_total": len(recorded),
                    "low": float(interval.low), "high": float(interval.high)})
    return out
