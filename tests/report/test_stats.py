"""Medians with misses, bootstrap intervals and the A/A test, on values worked out by hand."""

from __future__ import annotations

import math

import numpy as np

from bench.reporting.stats import bootstrap_interval, mann_whitney_p, median_with_misses, summarise

INF = math.inf


def test_median_counts_misses_above_every_hit():
    assert median_with_misses([3.0, None, 1.0]) == 3.0
    assert median_with_misses([1.0, 2.0, None, None, None]) == INF  # fewer than half hit
    assert median_with_misses([1.0, 3.0, None, None]) == INF  # exactly half: the middle pair straddles a miss
    assert median_with_misses([1.0, 3.0, 5.0, None]) == 4.0
    assert median_with_misses([float("nan"), 2.0, 2.0]) == 2.0  # NaN is a miss; ties stay ties


def test_single_seed_and_ties_give_a_degenerate_interval():
    assert bootstrap_interval([7.5]) == (7.5, 7.5)
    assert bootstrap_interval([2.0, 2.0, 2.0]) == (2.0, 2.0)
    summary = summarise([None])
    assert (summary.median, summary.hits, summary.seeds, summary.reached) == (INF, 0, 1, False)


def test_interval_bounds_are_resampled_medians_and_fixed_by_the_seed():
    values = [1.0, 2.0, 4.0, 8.0, None]
    low, high = bootstrap_interval(values)
    assert (low, high) == bootstrap_interval(values)  # the bootstrap seed is fixed
    # Every resampled median of five values is one of the values (odd count): no interpolation.
    assert low in (1.0, 2.0) and high == INF
    summary = summarise(values)
    assert (summary.median, summary.hits, summary.hit_rate) == (4.0, 4, 0.8)
    assert low <= summary.median <= high


def test_mann_whitney_flags_only_separated_samples():
    fast, slow = [1.0, 2.0, 3.0, 4.0, 5.0], [10.0, 11.0, 12.0, 13.0, None]
    # Completely separated samples of 5 and 5: exact two-sided p = 2 / C(10, 5) = 2 / 252.
    assert np.isclose(mann_whitney_p(fast, slow), 2 / 252)
    assert mann_whitney_p(fast, list(reversed(fast))) == 1.0
    assert mann_whitney_p([None, None], [None, None]) == 1.0
    assert mann_whitney_p([1.0], [2.0, 3.0]) is None
