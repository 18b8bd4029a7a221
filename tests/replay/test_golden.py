"""bench's answers on the shipped data are pinned: a fixed matrix replays to the committed figures.

A change that moves them fails here; if it is meant to, regenerate with
`python tests/replay/golden.py` and say why in the commit.
"""

from __future__ import annotations

import copy
import json

import pytest

from golden import GOLDEN, GOLDEN_LADDER, golden_figures


def check_runs(measured: list[dict], expected: list[dict]) -> None:
    assert [(r["strategy"], r["seed"], r["reached"], r["epochs_trained"], r["trials"]) for r in measured] == \
        [(r["strategy"], r["seed"], r["reached"], r["epochs_trained"], r["trials"]) for r in expected]
    for got, want in zip(measured, expected, strict=False):
        assert got["unit"] == want["unit"] and got["target"] == pytest.approx(want["target"], rel=1e-12)
        for key in ("compute_to_target", "normalised", "best_final_accuracy"):
            if want[key] is None:
                assert got[key] is None, (got["strategy"], got["seed"], key)
            else:
                assert got[key] == pytest.approx(want[key], rel=1e-9), (got["strategy"], got["seed"], key)


def check_ladder(measured: dict, expected: dict) -> None:
    """Targets, every (run, target) status and figure, and every verdict: lines, ratios and p-values."""
    assert measured["targets"] == pytest.approx(expected["targets"], rel=1e-12)
    assert [(r["strategy"], r["seed"], r["status"]) for r in measured["runs"]] == \
        [(r["strategy"], r["seed"], r["status"]) for r in expected["runs"]]
    for got, want in zip(measured["runs"], expected["runs"], strict=False):
        assert (got["normalised"] is None) == (want["normalised"] is None)
        if want["normalised"] is not None:
            assert got["normalised"] == pytest.approx(want["normalised"], rel=1e-9), got
    assert [v["line"] for v in measured["verdicts"]] == [v["line"] for v in expected["verdicts"]]
    for got, want in zip(measured["verdicts"], expected["verdicts"], strict=False):
        for pair_got, pair_want in zip(got["pairs"], want["pairs"], strict=True):
            for key in ("ratio", "ratio_low", "ratio_high", "p_value", "p_holm"):
                assert pair_got[key] == pytest.approx(pair_want[key], rel=1e-9, nan_ok=True), (pair_got, key)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    return golden_figures(tmp_path_factory.mktemp("golden"))


def test_the_fixed_matrix_replays_to_the_committed_figures(measured):
    check_runs(measured[0], json.loads(GOLDEN.read_text()))


def test_the_fixed_matrix_gives_the_committed_ladder_and_verdicts(measured):
    expected = json.loads(GOLDEN_LADDER.read_text())
    assert len(expected["targets"]) >= 4 and expected["verdicts"]
    check_ladder(measured[1], expected)


def test_a_one_percent_change_fails_the_golden_checks(measured):
    """The checks can fail: a 1% larger compute-to-target in one run or one verdict ratio is caught."""
    runs = copy.deepcopy(measured[0])
    hit = next(r for r in runs if r["normalised"] is not None and r["strategy"] != "grid")
    hit["normalised"] *= 1.01
    with pytest.raises(AssertionError):
        check_runs(runs, measured[0])
    ladder = copy.deepcopy(measured[1])
    reached = next(r for r in ladder["runs"] if r["normalised"] is not None)
    reached["normalised"] *= 1.01
    with pytest.raises(AssertionError):
        check_ladder(ladder, measured[1])
    ladder = copy.deepcopy(measured[1])
    next(v for v in ladder["verdicts"] if v["pairs"])["pairs"][0]["ratio"] *= 1.01
    with pytest.raises(AssertionError):
        check_ladder(ladder, measured[1])
