"""Regression detection (size AND significance, as asv) and step detection over the history."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: One-sided significance level of both tests (Mann-Whitney U on compute, Fisher on hit rate).
ALPHA = 0.05
CATEGORIES = ("worse", "newly failing", "better", "not significant", "unchanged", "not comparable", "new")
REGRESSED = ("worse", "newly failing")


@dataclass(frozen=True)
class Change:
    """One strategy's change against the baseline.

    Args:
        category: one of CATEGORIES; "worse"/"newly failing" fail the nightly run.
        base_median, median: medians of normalised compute-to-target (inf: not reached).
        ratio: median / base_median (None where either is not reached).
        p_compute: one-sided Mann-Whitney U p-value in the direction of the change.
        p_hits: one-sided Fisher exact p-value that the hit rate dropped.
        base_hits, hits, base_seeds, seeds: seeds that reached the target, and seeds run.
        reason: the decision in words.
    """

    category: str
    base_median: float
    median: float
    ratio: float | None
    p_compute: float | None
    p_hits: float | None
    base_hits: int
    hits: int
    base_seeds: int
    seeds: int
    reason: str

    @property
    def regressed(self) -> bool:
        return self.category in REGRESSED


def hit_drop_p(base_hits: int, base_seeds: int, hits: int, seeds: int) -> float:
    """One-sided Fisher exact p-value that the hit rate is lower now than in the baseline."""
    from scipy.stats import fisher_exact

    table = [[base_hits, base_seeds - base_hits], [hits, seeds - hits]]
    return float(fisher_exact(table, alternative="greater").pvalue)


def classify(base: Sequence[float | None], current: Sequence[float | None], factor: float,
             alpha: float = ALPHA) -> Change:
    """Compare one strategy's per-seed normalised compute-to-target (None/NaN = miss) with its baseline."""
    from bench.reporting.stats import as_array, mann_whitney_p, median_with_misses

    a, b = as_array(base), as_array(current)
    bm, cm = median_with_misses(a), median_with_misses(b)
    bh, ch = int(math.fsum(1 for v in a if math.isfinite(v))), int(math.fsum(1 for v in b
                                                                             if math.isfinite(v)))
    p_hits = hit_drop_p(bh, len(a), ch, len(b))
    ratio = cm / bm if math.isfinite(bm) and math.isfinite(cm) and bm > 0 else None
    worse = cm > bm * factor if math.isfinite(bm) else False
    better = cm * factor < bm
    p = mann_whitney_p(b, a, "greater" if worse or cm >= bm else "less")
    significant = p is not None and p < alpha

    def change(category: str, reason: str) -> Change:
        return Change(category, bm, cm, ratio, p, p_hits, bh, ch, len(a), len(b), reason)

    if math.isfinite(bm) and not math.isfinite(cm):
        if significant or p_hits < alpha:
            return change("newly failing",
                          f"median no longer reaches the target (hits {bh}/{len(a)} -> {ch}/{len(b)})")
        return change("not significant", "median no longer reaches the target, but not significantly")
    if p_hits < alpha:
        return change("worse", f"hit rate dropped {bh}/{len(a)} -> {ch}/{len(b)} (Fisher p={p_hits:.3g})")
    if worse:
        if significant:
            return change("worse",
                          f"median x{ratio:.2f} > x{factor:.2f} and Mann-Whitney p={p:.3g} < {alpha}")
        return change("not significant", f"median x{ratio:.2f} > x{factor:.2f} but p={_p(p)} >= {alpha}")
    if better:
        if significant:
            return change("better", f"median improved and Mann-Whitney p={p:.3g} < {alpha}")
        return change("not significant", f"median improved beyond x{factor:.2f} but p={_p(p)} >= {alpha}")
    if not math.isfinite(bm) and not math.isfinite(cm):
        return change("unchanged", "median does not reach the target, as in the baseline (hits "
                      f"{bh}/{len(a)} -> {ch}/{len(b)})")
    return change("unchanged", f"median within x{factor:.2f}")


def _p(p: float | None) -> str:
    return "n/a (under 2 seeds)" if p is None else f"{p:.3g}"


def not_comparable(reason: str) -> Change:
    inf = float("inf")
    return Change("not comparable", inf, inf, None, None, None, 0, 0, 0, 0, reason)


@dataclass(frozen=True)
class Step:
    """A lasting change in a sequence of medians: it begins at position `index`."""

    index: int
    before: float
    after: float


def detect_steps(medians: Sequence[float], factor: float, min_after: int = 2) -> Step | None:
    """The single best change point in `medians` (log scale, least squares), if it is a lasting step.

    The split minimising the squared error around each side's mean is the candidate (as asv's
    step detection, one step).

    A step must move the median of the runs by more than `factor`, and at least `min_after` points (and one
    before) must lie on each side, so a one-night blip is not a step. Misses (inf) count as
    twice the largest finite median.
    """
    import numpy as np

    values = np.array(medians, dtype=float)
    finite = values[np.isfinite(values)]
    if len(values) < 1 + min_after or not len(finite):
        return None
    values[~np.isfinite(values)] = 2.0 * finite.max()
    logs = np.log(np.maximum(values, 1e-9))
    best, best_cost = None, float(((logs - logs.mean()) ** 2).sum())
    for k in range(1, len(logs) - min_after + 1):
        left, right = logs[:k], logs[k:]
        cost = float(((left - left.mean()) ** 2).sum() + ((right - right.mean()) ** 2).sum())
        # Medians of each side, so one outlying night cannot make a step on its own.
        if cost < best_cost - 1e-12 and abs(np.median(right) - np.median(left)) > math.log(factor):
            best, best_cost = k, cost
    if best is None:
        return None
    return Step(best, float(np.exp(np.median(logs[:best]))), float(np.exp(np.median(logs[best:]))))


def changed_versions(before: dict, after: dict) -> dict[str, tuple[str, str]]:
    """Libraries whose version differs between two runs: name -> (before, after)."""
    return {k: (str(before.get(k, "-")), str(after.get(k, "-")))
            for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}
