"""Statistics over seeds: medians where misses rank above every hit, bootstrap intervals, tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: The bootstrap is seeded so the same runs always give the same interval.
BOOTSTRAP_SEED = 0
BOOTSTRAP_RESAMPLES = 10_000
CONFIDENCE = 0.95
#: Two-sided Mann-Whitney U p-value below which two strategies differ significantly.
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class SeedSummary:
    """Median and 95% bootstrap interval over seeds; inf means "not reached".

    Args:
        median, low, high: the median and interval bounds (inf where a miss decides them).
        hits, seeds: seeds that reached the target, and seeds in all.
    """

    median: float
    low: float
    high: float
    hits: int
    seeds: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.seeds if self.seeds else 0.0

    @property
    def reached(self) -> bool:
        return self.median != float("inf")


def as_array(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """Values as floats, a miss (None or NaN) as +inf so it ranks above every hit."""
    import numpy as np

    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    array[np.isnan(array)] = np.inf
    return array


def median_with_misses(values: Sequence[float | None] | np.ndarray) -> float:
    """The median with misses as +inf: inf ("not reached") whenever the middle seed missed.

    With an even number of seeds the median averages the two middle ones, so exactly half
    hitting gives inf too: the median seed lies between a hit and a miss.
    """
    import numpy as np

    array = as_array(values)
    return float(np.median(array)) if len(array) else float("inf")


def bootstrap_interval(values: Sequence[float | None] | np.ndarray, seed: int = BOOTSTRAP_SEED,
                       resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile bootstrap interval (CONFIDENCE) of the median over seeds, misses as +inf.

    The bounds are order statistics of the resampled medians (lower bound rounded down,
    upper rounded up), so an inf never gets interpolated into a made-up number.
    """
    import numpy as np

    array = as_array(values)
    if not len(array):
        return float("inf"), float("inf")
    rng = np.random.default_rng(seed)
    medians = np.median(array[rng.integers(0, len(array), size=(resamples, len(array)))], axis=1)
    tail = 100 * (1 - CONFIDENCE) / 2
    return (float(np.percentile(medians, tail, method="lower")),
            float(np.percentile(medians, 100 - tail, method="higher")))


def summarise(values: Sequence[float | None]) -> SeedSummary:
    """Median, interval and hit count of one strategy's per-seed values (None/NaN = miss)."""
    import numpy as np

    array = as_array(values)
    low, high = bootstrap_interval(array)
    return SeedSummary(median=median_with_misses(array), low=low, high=high,
                       hits=int(np.isfinite(array).sum()), seeds=len(array))


def mann_whitney_p(first: Sequence[float | None] | np.ndarray, second: Sequence[float | None] | np.ndarray,
                   alternative: str = "two-sided") -> float | None:
    """Mann-Whitney U p-value (misses tie above every hit); None under 2 seeds each.

    alternative: "two-sided", or "greater"/"less" (first tends to be larger/smaller than second).
    """
    import numpy as np
    from scipy.stats import mannwhitneyu

    a, b = as_array(first), as_array(second)
    if len(a) < 2 or len(b) < 2:
        return None
    both = np.concatenate([a, b])
    finite = both[np.isfinite(both)]
    # Ranks are all the test uses: a miss becomes one value above every hit.
    miss = (finite.max() + 1.0) if len(finite) else 1.0
    a[~np.isfinite(a)] = miss
    b[~np.isfinite(b)] = miss
    if np.unique(np.concatenate([a, b])).size == 1:  # all tied: the test is undefined, nothing differs
        return 1.0
    return float(mannwhitneyu(a, b, alternative=alternative).pvalue)
