"""Fidelity where strategies compete, on small arrays whose answer is known,
and once on the shipped dataset."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.surrogate import (
    choose_competitive,
    choose_model,
    competitive_fidelity,
    competitive_table,
    nested_cross_validate,
)
from bench.surrogate._competitive import (
    REACH_SHARE,
    SPEARMAN_SHARE,
    competitive_configs,
    seed_pair_rows,
    to_record,
    wilson,
)
from bench.surrogate._evaluate import config_folds

EPOCHS = 27
TARGETS = (0.90, 0.92)


def two_seeds(configs: int = 80, seed: int = 0, noise: float = 0.01):
    """Seeds 0 and 1 of `configs` rising curves, final accuracies spread over [0.80, 0.95]
    (a third below 0.85)."""
    rng = np.random.default_rng(seed)
    final = np.linspace(0.80, 0.95, configs)
    shape = 1.0 - np.exp(-np.arange(1, EPOCHS + 1) / 4.0)
    base = 0.1 + (final[:, None] - 0.1) * shape[None, :]
    curves = [np.clip(base + rng.normal(0, noise, base.shape), 0, 1) for _ in range(2)]
    ids = np.r_[np.arange(configs), np.arange(configs)]
    seeds = np.r_[np.zeros(configs, int), np.ones(configs, int)]
    return np.vstack(curves), ids, seeds


def test_a_perfect_predictor_has_spearman_1_and_precision_and_recall_1():
    truth, ids, seeds = two_seeds()
    result = competitive_fidelity(truth, truth, ids, seeds, TARGETS)
    for c in result.comparisons:
        assert c.value == pytest.approx(1.0), c
        assert c.met, c
    assert result.goals_met == len(result.comparisons) == 4 + 2 * len(TARGETS)


def test_a_predictor_equal_to_the_other_seed_gives_exactly_the_ceiling():
    truth, ids, seeds = two_seeds()
    other_seed = np.vstack([truth[seeds == 1], truth[seeds == 0]])  # row of seed 0 <- seed 1's curve
    result = competitive_fidelity(truth, other_seed, ids, seeds, TARGETS)
    for c in result.comparisons:
        assert c.value == c.ceiling, c
        assert c.ratio == pytest.approx(1.0) and c.met and c.missed_by == 0.0
        if c.value_ci is not None:
            assert c.value_ci == c.ceiling_ci
    assert 40 < result.configs < 60  # final accuracies in [0.85, 0.95] of the 80


def test_a_constant_predictor_misses_every_goal():
    truth, ids, seeds = two_seeds()
    constant = np.full_like(truth, 0.5)
    result = competitive_fidelity(truth, constant, ids, seeds, TARGETS)
    assert result.goals_met == 0
    spearman = [c for c in result.comparisons if c.target is None]
    assert all(math.isnan(c.value) and not c.measurable for c in spearman)
    recall = [c for c in result.comparisons if c.figure == "recall"]
    assert all(c.value == 0.0 and c.missed_by == pytest.approx(REACH_SHARE * c.ceiling) for c in recall)
    assert "goal met" not in competitive_table(result)


def test_a_noisy_predictor_is_scored_against_the_share_of_its_ceiling():
    truth, ids, seeds = two_seeds(noise=0.003)
    noisy = np.clip(truth + np.random.default_rng(5).normal(0, 0.03, truth.shape), 0, 1)
    result = competitive_fidelity(truth, noisy, ids, seeds, TARGETS)
    for c in result.comparisons:
        if c.measurable:
            share = SPEARMAN_SHARE if c.target is None else REACH_SHARE
            assert c.met == (c.value >= share * c.ceiling)
            assert c.missed_by == pytest.approx(max(0.0, share * c.ceiling - c.value))
    assert not all(c.met for c in result.comparisons)


def test_competitive_configurations_are_chosen_by_the_recorded_seed_mean_with_a_diverged_curve_at_its_last_value():  # noqa: E501  # the test's name is its claim
    truth = np.full((4, 3), np.nan)
    truth[0] = [0.5, 0.8, 0.9]     # config 10, seed 0
    truth[1] = [0.5, 0.8, 0.84]    # config 10, seed 1: mean 0.87
    truth[2] = [0.5, 0.95, np.nan]  # config 11, seed 0, stopped at 0.95 (filled)
    truth[3] = [0.1, np.nan, np.nan]  # config 11, seed 1, diverged at chance: mean 0.525
    ids, seeds = np.array([10, 10, 11, 11]), np.array([0, 1, 0, 1])
    np.testing.assert_array_equal(competitive_configs(truth, ids, 0.85), [10])
    rows, other = seed_pair_rows(ids, seeds, np.array([10, 11]))
    np.testing.assert_array_equal(rows, [0, 2])
    np.testing.assert_array_equal(other, [1, 3])


def test_wilson_intervals():
    empty = wilson(0, 0)
    assert empty.trials == 0 and math.isnan(empty.value) and math.isnan(empty.low)
    half = wilson(50, 100)
    assert half.value == 0.5 and half.low == pytest.approx(1 - half.high) and 0.39 < half.low < 0.41
    assert wilson(0, 10).low == 0.0 and wilson(10, 10).high == pytest.approx(1.0)


def test_a_zero_ceiling_is_not_measurable_and_not_met():
    truth, ids, seeds = two_seeds()
    result = competitive_fidelity(truth, truth, ids, seeds, [0.999])
    reach = [c for c in result.comparisons if c.target is not None]
    assert all(not c.measurable and not c.met for c in reach)
    assert all(row["met"] is False for row in to_record(result) if row["target"] is not None)


def test_the_latency_budget_bounds_the_forward_pass_and_competitive_choice_ranks_goals_then_ratio():
    truth, ids, seeds = two_seeds()
    good = competitive_fidelity(truth, truth, ids, seeds, TARGETS)
    bad = competitive_fidelity(truth, np.full_like(truth, 0.5), ids, seeds, TARGETS)
    results = {"slow": {"forward_s": 1.0, "competitive": good, "final_mae": 0.0},
               "good": {"forward_s": 1e-5, "competitive": good, "final_mae": 0.1},
               "bad": {"forward_s": 1e-5, "competitive": bad, "final_mae": 0.0}}
    assert choose_competitive(results) == "good"
    assert choose_competitive({"slow": results["slow"]}) is None
    figures = {"spearman_final": 1.0, "final_mae": 0.0, "mae_over_seed_difference": 1.0}
    assert choose_model({"a": {**figures, "forward_s": 1e-4, "latency_s": 1.0}}) == "a"


def test_nested_cross_validation_holds_every_configuration_out_once_and_chooses_without_it(small_frame,
                                                                                           space):
    seen = []

    def choose(inner):
        seen.append({name: set(held.config_ids) for name, held in inner.items()})
        return "knn-3"

    nested = nested_cross_validate(small_frame, ["knn-3", "knn-5"], choose, space, outer_folds=2,
                                   inner_folds=2)
    held = nested.held_out
    assert nested.chosen == ["knn-3", "knn-3"]
    assert sorted(set(held.config_ids)) == sorted(small_frame["config_id"].unique())
    assert len(held.config_ids) == small_frame.groupby(["config_id", "seed"]).ngroups
    folds = dict(zip(small_frame["config_id"], config_folds(small_frame, 2, 0), strict=False))
    for fold, inner in enumerate(seen):
        for configs in inner.values():
            assert all(folds[c] != fold for c in configs)  # the outer fold's configurations never select


def test_competitive_fidelity_of_one_fold_of_the_shipped_dataset(shipped_frame, space):
    """One outer fold (a fifth of the configurations) predicted by knn-5 fitted on the rest: a few seconds."""
    from bench.reporting.ladder import make_ladder
    from bench.reporting.reference import load_reference
    from bench.surrogate import fit_surrogate
    from bench.surrogate._evaluate import _predict

    folds = config_folds(shipped_frame, 5, 0)
    surrogate = fit_surrogate(shipped_frame[folds != 0], space, "knn-5")
    truth, predicted, ids, seeds = (np.array(a) for a in _predict(surrogate, shipped_frame[folds == 0], 27))
    targets = make_ladder(load_reference("digits")).targets
    assert [round(t, 4) for t in targets] == [0.8962, 0.9062, 0.9162, 0.9224]
    result = competitive_fidelity(truth, predicted, ids, seeds, targets)
    assert 60 <= result.configs <= 110  # about 414 / 5
    assert len(result.comparisons) == 4 + 2 * len(targets)
    final = result.comparisons[3]
    assert final.figure == "spearman epoch 27" and 0.6 < final.ceiling < 0.95
    assert -1.0 <= final.value <= 1.0
    easiest = [c for c in result.comparisons if c.target == targets[0]]
    assert all(c.measurable for c in easiest)


def test_the_forward_pass_is_timed_apart_from_the_rest_of_a_curve_call(small_surrogate):
    from bench.surrogate import forward_cpu_s, latency_cpu_s

    forward, whole = forward_cpu_s(small_surrogate, calls=300), latency_cpu_s(small_surrogate, calls=300)
    assert 0 < forward < whole
