"""Regression and step detection on handcrafted per-seed values (normalised compute, grid = 100)."""

import numpy as np
import pandas as pd

from bench.nightly.compare import compare_results
from bench.nightly.detect import ALPHA, changed_versions, classify, detect_steps

RNG = np.random.default_rng(7)
BASE = list(20.0 + RNG.normal(0.0, 2.0, 20))


def test_planted_regression_is_worse():
    planted = [v * 1.5 for v in BASE]
    change = classify(BASE, planted, factor=1.10)
    assert change.category == "worse" and change.regressed
    assert change.p_compute < ALPHA and 1.4 < change.ratio < 1.6


def test_change_inside_the_noise_is_not_flagged():
    noisy = list(20.0 + np.random.default_rng(8).normal(0.0, 2.0, 20))
    change = classify(BASE, noisy, factor=1.10)
    assert change.category == "unchanged" and not change.regressed


def test_large_but_not_significant_is_shown_not_failed():
    base, current = [10.0, 40.0, 12.0, 35.0], [30.0, 11.0, 45.0, 50.0]  # median x1.6, seeds overlap
    change = classify(base, current, factor=1.10)
    assert change.ratio > 1.10 and change.category == "not significant" and not change.regressed


def test_better():
    assert classify(BASE, [v / 2 for v in BASE], factor=1.10).category == "better"


def test_newly_failing_and_hit_rate_drop():
    assert classify(BASE, [None] * 20, factor=1.10).category == "newly failing"
    dropped = BASE[:10] + [float("nan")] * 10  # median = a miss: newly failing by both tests
    assert classify(BASE, dropped, factor=1.10).regressed
    fewer = BASE[:14] + [None] * 6  # median still a hit, hit rate 20/20 -> 14/20
    change = classify(BASE, fewer, factor=10.0)
    assert change.category == "worse" and change.p_hits < ALPHA and "hit rate" in change.reason


def _frame(values, conditions="{}"):
    return pd.DataFrame({"mode": "replay", "workload": "digits", "strategy": "asha", "conditions": conditions,
                         "seed": range(len(values)), "normalised": values})


def test_other_machine_or_version_is_not_comparable():
    planted = [v * 3 for v in BASE]
    other_machine = compare_results(_frame(BASE), _frame(planted), lambda s: 1.1, same_machine=False)
    assert [r.change.category for r in other_machine] == ["not comparable"]
    other_table = compare_results(_frame(BASE, '{"table": 1}'), _frame(planted, '{"table": 2}'),
                                  lambda s: 1.1, True)
    assert [r.change.category for r in other_table] == ["not comparable"]
    same = compare_results(_frame(BASE), _frame(planted), lambda s: 1.1, True)
    assert [r.change.category for r in same] == ["worse"]


def test_step_detection_names_the_first_run_of_a_lasting_change():
    medians = [20.0, 21.0, 19.5, 20.5, 31.0, 30.0, 32.0]
    step = detect_steps(medians, factor=1.10)
    assert step.index == 4 and 19 < step.before < 21 and 30 < step.after < 32
    assert detect_steps([20.0, 21.0, 19.5, 35.0, 20.5, 20.0], factor=1.10) is None  # a one-night blip
    assert detect_steps([20.0, 20.5, 19.8, 20.2], factor=1.10) is None
    assert changed_versions({"ray": "2.59", "torch": "2.1"},
                            {"ray": "2.60", "torch": "2.1"}) == {"ray": ("2.59", "2.60")}
