"""The verdict per target on hand-made per-seed figures: better/worse, tied, not separated."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bench.reporting.ladder import Ladder, Rung
from bench.reporting.verdict import target_verdict, verdict_line, verdict_possible, verdicts

TARGET = 0.9


def _table(figures: dict[str, list[float | None]]) -> pd.DataFrame:
    """Ladder rows at one target: per strategy, its compute-to-target per seed (None: a miss, spent 100)."""
    rows = []
    for strategy, values in figures.items():
        for seed, value in enumerate(values):
            rows.append({"strategy": strategy, "strategy_name": strategy, "seed": seed,
                         "run_id": f"{strategy}{seed}", "target": TARGET,
                         "status": "missed" if value is None else "reached", "compute_to_target": value,
                         "normalised": math.nan if value is None else value,
                         "compute_used_normalised": 100.0})
    return pd.DataFrame(rows)


FAST = [2.0, 3.0, 2.5, 4.0, 3.5, 2.2, 5.0, 3.1]


def test_a_strategy_three_times_slower_in_every_seed_is_worse():
    verdict = target_verdict(_table({"fast": FAST, "slow": [3 * v for v in FAST]}), TARGET, "t")
    assert verdict.best == "fast"
    (pair,) = verdict.pairs
    # Exact Wilcoxon, 8 seeds all one way: p = 2 / 2**8.
    assert pair.relation == "worse" and pair.p_value == pytest.approx(2 / 256)
    assert pair.ratio == pytest.approx(3.0)
    assert "slower: slow 3x fast" in verdict_line(verdict)


def test_a_twin_within_two_percent_is_tied():
    twin = [v * f for v, f in zip(FAST, (1.0, 1.02, 0.99, 1.01, 1.0, 0.98, 1.01, 0.99), strict=False)]
    verdict = target_verdict(_table({"fast": FAST, "twin": twin}), TARGET, "t")
    (pair,) = verdict.pairs
    assert pair.relation == "tied" and 0.8 <= pair.ratio_low <= pair.ratio_high <= 1.25
    assert "tied with" in verdict_line(verdict)


def test_a_noisy_pair_is_not_separated_and_says_how_many_seeds_would_tell():
    noisy = [v * f for v, f in zip(FAST, (0.5, 2.6, 0.6, 2.4, 0.7, 2.2, 0.8, 2.5), strict=False)]
    verdict = target_verdict(_table({"fast": FAST, "noisy": noisy}), TARGET, "t")
    (pair,) = verdict.pairs
    assert pair.relation == "not separated"
    assert pair.seeds_needed is not None and pair.seeds_needed > len(FAST)
    assert f"about {pair.seeds_needed} seeds would tell" in verdict_line(verdict)


def test_misses_rank_after_every_hit_and_holm_corrects_over_the_comparisons():
    table = _table({"fast": FAST, "misses": [None] * 8, "slow": [3 * v for v in FAST]})
    verdict = target_verdict(table, TARGET, "t")
    assert verdict.best == "fast"
    pairs = {p.strategy: p for p in verdict.pairs}
    assert pairs["misses"].relation == "worse"
    # Two comparisons, both p = 2/256: Holm multiplies the smaller by 2 and keeps the larger at least that.
    assert pairs["slow"].p_holm == pytest.approx(4 / 256)
    assert pairs["misses"].ratio > pairs["slow"].ratio


def test_nobody_reaching_the_target_is_said_so():
    verdict = target_verdict(_table({"a": [None] * 4, "b": [None] * 4}), TARGET, "t")
    assert verdict.best is None and "no strategy reached" in verdict_line(verdict)


def test_too_few_seeds_or_strategies_give_no_verdict():
    ladder = Ladder((Rung(TARGET, "t"),), "hand")
    assert "3 seeds" in verdict_possible(_table({"a": [1.0, 2.0], "b": [1.0, 2.0]}))
    assert "2 strategies" in verdict_possible(_table({"grid": [100.0] * 3, "a": [1.0, 2.0, 3.0]}))
    assert verdicts(_table({"a": [1.0, 2.0], "b": [1.0, 2.0]}), ladder) == []
    assert len(verdicts(_table({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}), ladder)) == 1


def test_unmeasured_seeds_are_left_out_of_the_pair():
    table = _table({"fast": FAST, "slow": [3 * v for v in FAST]})
    table.loc[(table["strategy"] == "slow") & (table["seed"] >= 6), "status"] = "not measured"
    (pair,) = target_verdict(table, TARGET, "t").pairs
    assert pair.seeds == 6
